"""Her information-sharing ledger under her case: what she agreed may be shared, her withdrawals, legal bases."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from portal.console import bp, labels
from portal.console.access import require_role, staff_context
from portal.console.refusals import child_problem
from portal.console.worker import WORKER, case_or_404, parse_day
from portal.models import PartnerContact
from portal.runtime import db_session, now, vault
from portal.services.casework import casework, sharing_consent

FORMS = {"agree": "a_", "legal": "l_", "withdraw": "w_"}
# The service's field names, as this page's controls are named (after the form's prefix).
CONTROLS = {"how_given": "how", "occurred_at": "date"}


def _blank() -> dict[str, Any]:
    today = now().date().isoformat()
    return {"a_agency": "childrens_services", "a_agency_name": "", "a_information": [], "a_how": "in_person",
            "a_told": False,
            "a_date": today, "l_agency": "childrens_services", "l_agency_name": "", "l_information": [],
            "l_basis": "", "l_reason": "", "l_date": today, "w_how": "in_person", "w_date": today, "w_entry": ""}


def _page(partner: PartnerContact, values: Mapping[str, Any], errors: Mapping[str, object],
          status: int = 200) -> ResponseReturnValue:
    db, keys = db_session(), vault()
    return render_template("console/worker/sharing.html", partner=partner, values=values, errors=errors,
                           entries=list(reversed(sharing_consent.ledger(db, keys, partner.id))),
                           states=sharing_consent.current(db, keys, partner.id),
                           information_codes=sharing_consent.INFORMATION, legal_bases=sharing_consent.LEGAL_BASES,
                           how_codes=sharing_consent.HOW, label=casework.case_label(partner.id), L=labels), status


def _typed(form: Mapping[str, Any], prefix: str) -> dict[str, Any]:
    values = _blank()
    for key in values:
        if key.startswith(prefix):
            name = key.removeprefix(prefix)
            limit = 4500 if name == "reason" else 300
            if name == "told":
                values[key] = form.get(key) == "yes"
                continue
            values[key] = (request.form.getlist(key)[:10] if name == "information"
                           else str(form.get(key, ""))[:limit])
    return values


@bp.get("/cases/<partner_id>/sharing")
@require_role(WORKER)
def worker_sharing(partner_id: str) -> ResponseReturnValue:
    return _page(case_or_404(partner_id), _blank(), {})


@bp.post("/cases/<partner_id>/sharing")
@require_role(WORKER)
def worker_sharing_record(partner_id: str) -> ResponseReturnValue:
    """One entry: her agreement (form "agree"), sharing on a legal basis ("legal"), or her withdrawal ("withdraw")."""
    partner = case_or_404(partner_id)
    which = request.form.get("form", "")
    prefix = FORMS.get(which)
    if prefix is None:
        return _page(partner, _blank(), {"form": child_problem("field_unknown")}, 400)
    values = _typed(request.form, prefix)
    when = parse_day(values[prefix + "date"], today=now())
    if when is None:
        return _page(partner, values, {prefix + "date": labels.ERRORS["date_invalid"]}, 400)
    ctx = staff_context()
    try:
        if which == "withdraw":
            agency = sharing_consent.resolve_agency(ctx.db, ctx.vault, partner,
                                                    sharing_consent.KNOWN_PREFIX + values["w_entry"], "")
            sharing_consent.record_withdrawal(ctx, partner, agency=agency, how_given=values["w_how"],
                                              occurred_at=when)
            message = _("Her withdrawal is recorded: sharing with that agency now needs a legal basis and a written "
                        "reason.")
        else:
            agency = sharing_consent.Agency(values[prefix + "agency"], values[prefix + "agency_name"])
            information = tuple(values[prefix + "information"])
            if which == "agree":
                sharing_consent.record_agreement(ctx, partner, agency=agency, information=information,
                                                 how_given=values["a_how"], occurred_at=when,
                                                 told_note_shows_contact=bool(values["a_told"]))
                message = _("Her agreement is recorded.")
            else:
                sharing_consent.record_without_consent(ctx, partner, agency=agency, information=information,
                                                       basis=values["l_basis"], reason=values["l_reason"],
                                                       occurred_at=when)
                message = _("Sharing without her agreement is recorded, with its legal basis and your reason.")
    except sharing_consent.SharingError as exc:
        name = CONTROLS.get(exc.field or "", exc.field or "form")
        # A withdrawal names an agency of hers by its entry: a refusal of that is said at the top of the page.
        field = "form" if which == "withdraw" and name == "agency" else prefix + name
        return _page(partner, values, {field: child_problem(exc.code)}, 400)
    flash(message)
    return redirect(url_for("console.worker_sharing", partner_id=partner.id), code=303)
