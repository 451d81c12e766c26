"""Her own voice: "I feel less safe" and "I am separating" from the menu of every page."""

from __future__ import annotations

from flask import redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue

from portal.models import PartnerContact
from portal.public import bp
from portal.public.context import her_context, her_required
from portal.services.her import her_reports

TOLD = "told"  # session key: what she just told us, shown once on the next page


@bp.post("/alert")
@her_required
def alert(partner: PartnerContact) -> ResponseReturnValue:
    kind = request.form.get("kind", "")
    if kind not in her_reports.KINDS:
        return render_template("public/told.html", kind=None), 400
    her_reports.report(her_context(partner), partner, kind)
    session[TOLD] = kind
    return redirect(url_for("public.told"), code=303)


@bp.get("/alert")
@her_required
def told(partner: PartnerContact) -> ResponseReturnValue:
    kind = session.pop(TOLD, None)
    if kind not in her_reports.KINDS:
        return redirect(url_for("public.home"), code=303)
    return render_template("public/told.html", kind=kind)
