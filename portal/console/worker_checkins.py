"""Her worker's side of her check-ins: the check-in days agreed with her (her case page shows her trend)."""

from __future__ import annotations

from babel.lists import format_list
from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _

from portal.console import bp, labels
from portal.console.access import require_role, staff_context
from portal.console.forms import weekdays
from portal.console.worker import WORKER, case_or_404
from portal.models import PartnerContact
from portal.runtime import db_session, now
from portal.services.casework import casework
from portal.services.her import her_checkins


def _refused(partner: PartnerContact, code: str, ticked: tuple[int, ...]) -> ResponseReturnValue:
    """The form again with what was ticked and why it was refused (400): nothing else of hers on the page."""
    return render_template("console/worker/agreed_days.html", partner=partner, L=labels,
                           label=casework.case_label(partner.id), error=labels.ERRORS[code],
                           agreed=her_checkins.agreed_view(db_session(), partner, now()),
                           ticked=tuple(day for day in ticked if day in her_checkins.WEEKDAYS)), 400


@bp.post("/cases/<partner_id>/agreed-check-ins")
@require_role(WORKER)
def worker_agreed_checkins(partner_id: str) -> ResponseReturnValue:
    partner = case_or_404(partner_id)
    ticked = weekdays(request.form.getlist("day"))
    try:
        if request.form.get("action") == "stop":
            stopped = her_checkins.stop_days(staff_context(), partner)
            flash(_("The agreed check-in days are stopped.") if stopped else _("There were no agreed check-in days."))
        else:
            view = her_checkins.set_days(staff_context(), partner, ticked)
            days = format_list([str(labels.WEEKDAYS[day]) for day in view.days], locale=str(get_locale()))
            flash(_("Agreed check-in days saved: %(days)s.", days=days))
    except her_checkins.CheckinError as exc:
        return _refused(partner, exc.code, ticked)
    return redirect(url_for("console.worker_case", partner_id=partner.id) + "#check-ins", code=303)
