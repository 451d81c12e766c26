"""Her worker's side of her high-risk period: how often check-ins come (the case page shows the period)."""

from __future__ import annotations

from flask import flash, g, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from portal.console import bp, labels
from portal.console.access import require_role
from portal.console.worker import WORKER, case_or_404
from portal.digits import parse_digits
from portal.runtime import domain_context, settings
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
