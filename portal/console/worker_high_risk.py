"""Her worker's side of her high-risk period: how often check-ins come, and starting, extending or ending the period
(the case page shows it; services/casework/high_risk.py owns the rules)."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from portal.console import bp, labels
from portal.console.access import require_role, staff_context
from portal.console.worker import WORKER, case_or_404
from portal.digits import parse_digits
from portal.models import PartnerContact
from portal.runtime import db_session, domain_context, now, settings
from portal.services.casework import casework, high_risk
from portal.unit_of_work import refuse


@bp.post("/cases/<partner_id>/check-ins")
@require_role(WORKER)
def worker_checkin_every(partner_id: str) -> ResponseReturnValue:
    partner = case_or_404(partner_id)
    back = url_for("console.worker_case", partner_id=partner.id) + "#high-risk"
    raw = request.form.get("every_days", "")[:8].strip()
    digits = parse_digits(raw) if raw else None
    days = None if request.form.get("default") == "yes" else (int(digits) if digits else -1)
    try:
        high_risk.set_every_days(domain_context(casework.actor_for(g.staff)), partner, days)
    except high_risk.HighRiskError as exc:
        refuse()
        flash(str(labels.ERRORS[exc.code]), "error")
        return redirect(back, code=303)
    flash(_("Check-ins are now every %(days)d days.", days=high_risk.every_days(partner, high_risk.Rules.from_settings(settings()))))
    return redirect(back, code=303)


def _period_page(partner: PartnerContact, *, error: str | None = None, field: str | None = None,
                 form: dict[str, str] | None = None, status: int = 200) -> ResponseReturnValue:
    """Her period and the forms to start, extend or end it; a refusal shows the form again with what was typed."""
    rules = high_risk.Rules.from_settings(settings())
    return render_template("console/worker/high_risk_period.html", partner=partner, L=labels,
                           label=casework.case_label(partner.id), error=labels.ERRORS[error] if error else None,
                           high_risk=high_risk.view(db_session(), partner, now=now(), rules=rules),
                           default_months=rules.months, form=form or {}, error_field=field), status


def _months(raw: str) -> int | None:
    """Empty: the deployment's months; anything not a whole number reads as out of range."""
    raw = raw[:8].strip()
    if not raw:
        return None
    digits = parse_digits(raw)
    return int(digits) if digits and digits.isascii() and digits.isdigit() else -1


@bp.route("/cases/<partner_id>/high-risk", methods=["GET", "POST"])
@require_role(WORKER)
def worker_high_risk_period(partner_id: str) -> ResponseReturnValue:
    partner = case_or_404(partner_id)
    if request.method != "POST":
        return _period_page(partner)
    action = request.form.get("action", "")
    form = {key: request.form.get(key, "")[:40] for key in ("action", "reason", "months", "confirm")}
    rules = high_risk.Rules.from_settings(settings())
    ctx = staff_context()
    try:
        if action == "start":
            high_risk.worker_start(ctx, partner, reason=form["reason"], months=_months(form["months"]), rules=rules)
            flash(_("Her high-risk period has started."))
        elif action == "extend":
            high_risk.worker_extend(ctx, partner, reason=form["reason"], months=_months(form["months"]), rules=rules)
            flash(_("Her high-risk period is extended."))
        elif action == "end":
            if form["confirm"] != "yes":
                raise high_risk.HighRiskError("high_risk_confirm_end", "confirm")
            high_risk.worker_end(ctx, partner, reason=form["reason"])
            flash(_("Her high-risk period has ended. Her open check-in tasks are closed."))
        else:
            raise high_risk.HighRiskError("tell_invalid")
    except high_risk.HighRiskError as exc:
        refuse()
        return _period_page(partner, error=exc.code, field=exc.field, form=form, status=400)
    return redirect(url_for("console.worker_case", partner_id=partner.id) + "#high-risk", code=303)
