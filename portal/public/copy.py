"""Her copy of her information (her right of access): a print page inside her session, never a download.

GET shows everything held about her, never-disclose values only as "recorded"; the POST of its one form (her
tick, with its CSRF token) shows them too, on that one response. Both are audited (services/her/access_export.py
owns what the copy holds). A duress session gets a fresh record's copy (portal/public/duress_view.py).
"""

from __future__ import annotations

from flask import render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import get_locale

from portal.models import PartnerContact
from portal.public import bp, duress_view, plan_session
from portal.public.context import her_context, her_required
from portal.public.copy_words import clock, her_time, words
from portal.runtime import db_session, evaluation_items, now, risk_checklist, vault
from portal.services.her import access_export, safety_plan


def her_copy(partner: PartnerContact, *, include_private: bool) -> access_export.AccessCopy:
    """Her copy as this session may see it: hers, or in a duress session a fresh record's."""
    db = db_session()
    status = safety_plan.status(db, partner.id, unlocked=plan_session.unlocked())
    if duress_view.active():
        plan = access_export.Plan(status.exists, duress_view.plan_shared(status.shared))
        return access_export.fresh(db, vault(), partner, now=now(), status=duress_view.status(partner),
                                   locale=str(get_locale()), plan=plan, include_private=include_private)
    return access_export.gather(db, vault(), partner, now=now(), locale=str(get_locale()),
                                include_private=include_private, checklist=risk_checklist(),
                                plan=access_export.Plan(status.exists, status.shared), items=evaluation_items())


def body_context(copy: access_export.AccessCopy) -> dict[str, object]:
    """What the copy's body template needs (her page and her worker's copy alike)."""
    return {"copy": copy, "w": words(), "when": her_time(copy.timezone), "clock": clock}


@bp.route("/copy", methods=["GET", "POST"])
@her_required
def her_information(partner: PartnerContact) -> ResponseReturnValue:
    include_private = request.method == "POST" and request.form.get("private") == "1"
    copy = her_copy(partner, include_private=include_private)
    access_export.view(her_context(partner), partner, copy, purpose="her_page")
    return render_template("public/copy.html", **body_context(copy))
