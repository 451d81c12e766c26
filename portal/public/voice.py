"""Her own voice: "I feel less safe" and "I am separating", sent from a page one ordinary link away.

Every page of hers links to `/message` ("Send a note to your worker"); that page is the confirm step (DESIGN
§8): one POST button per report, each under a neutral heading, so nothing is sent by a slip and nothing on a
first screen or in an address says what she told her worker. No undo delay: the note goes at once.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from babel.dates import format_date
from flask import redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from markupsafe import Markup

from portal.models import PartnerContact
from portal.public import bp, duress_view
from portal.public.context import her_context, her_required
from portal.runtime import db_session, now, settings
from portal.services.casework import high_risk
from portal.services.her import duress_requests, her_reports

TOLD = "told"  # session key: what she just told us, shown once on the next page


@bp.get("/message")
@her_required
def tell(partner: PartnerContact) -> ResponseReturnValue:
    """The confirm page: what each note says, and one button to send it."""
    return render_template("public/tell.html")


@bp.post("/message")
@her_required
def alert(partner: PartnerContact) -> ResponseReturnValue:
    kind = request.form.get("kind", "")
    if kind not in her_reports.KINDS:
        return render_template("public/told.html", kind=None), 400
    her_reports.report(her_context(partner), partner, kind, rules=high_risk.Rules.from_settings(settings()))
    if duress_view.active():  # her own call for help goes as usual; her worker reads it beside the duress task
        duress_view.tell_her_worker(partner, duress_requests.SENT_NOTE, parts=(kind,))
    session[TOLD] = kind
    return redirect(url_for("public.told"), code=303)


@bp.get("/message/sent")
@her_required
def told(partner: PartnerContact) -> ResponseReturnValue:
    kind = session.pop(TOLD, None)
    if kind not in her_reports.KINDS:
        return redirect(url_for("public.home"), code=303)
    if duress_view.active():  # no "your worker has been told", no promise from her record: a plain thank-you
        return render_template("public/told.html", kind=kind, quiet=True)
    period = high_risk.view(db_session(), partner, now=now(), rules=high_risk.Rules.from_settings(settings()))
    until = None
    if period.ends_at is not None:  # the last day of her period, in her time zone and her language
        day = period.ends_at.astimezone(ZoneInfo(partner.timezone)).date()
        until = Markup("<bdi>{}</bdi>").format(format_date(day, format="long", locale=str(get_locale())))
    return render_template("public/told.html", kind=kind, period=period, until=until)
