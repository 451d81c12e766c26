"""Her start page and the information pages (printable, per locale, helplines from the deployment)."""

from __future__ import annotations

from flask import redirect, render_template, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale

from portal.i18n import current_direction, default_locale
from portal.models import PartnerContact, PartnerStatus
from portal.public import bp, duress_view
from portal.public.context import deployment, her_required
from portal.public.sharing_text import built_in_text
from portal.services.admin import sharing_policy


@bp.get("/")
def index() -> ResponseReturnValue:
    return render_template("public/index.html")


@bp.get("/home")
@her_required
def home(partner: PartnerContact) -> ResponseReturnValue:
    status = duress_view.status(partner)  # a duress session: as that session left it (nothing else differs)
    if status == PartnerStatus.INVITED:
        return redirect(url_for("public.contact"), code=303)
    return render_template("public/home.html", status=status, notice=session.pop("notice", None))


@bp.get("/about")
@her_required
def about(partner: PartnerContact) -> ResponseReturnValue:
    return render_template("public/about.html")


@bp.get("/faq")
@her_required
def patterns(partner: PartnerContact) -> ResponseReturnValue:
    return render_template("public/patterns.html")


@bp.get("/privacy")
@her_required
def sharing(partner: PartnerContact) -> ResponseReturnValue:
    policy = sharing_policy.shown(deployment().sharing_policy, str(get_locale()), default_locale(), built_in_text())
    return render_template("public/sharing.html", policy=policy, policy_dir=current_direction(policy.locale))


@bp.get("/help")
@her_required
def support(partner: PartnerContact) -> ResponseReturnValue:
    return render_template("public/support.html",
                           helplines=deployment().helplines_for(str(get_locale()), default_locale()))


@bp.get("/online")
@her_required
def online(partner: PartnerContact) -> ResponseReturnValue:
    return render_template("public/online.html")
