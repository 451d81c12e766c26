"""Her yes or no to contact, and stopping contact at any time (a confirm page that needs no JavaScript)."""

from __future__ import annotations

from flask import redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale

from portal.crypto import hash_token
from portal.models import ConsentChannel, PartnerContact, PartnerStatus
from portal.public import bp
from portal.public.context import her_context, her_required
from portal.public.preferences import AGAIN
from portal.services.her import consent

# Bump whenever the words of the consent page change in any way; stored with every answer she gives.
CONSENT_TEXT_VERSION = "web-2026-12"
STOPPABLE = consent.CONTACT_ON


def text_version() -> str:
    """The version of the words she saw, in the language she saw them in."""
    return f"{CONSENT_TEXT_VERSION}/{get_locale()}"


@bp.route("/contact", methods=["GET", "POST"])
@her_required
def contact(partner: PartnerContact) -> ResponseReturnValue:
    """What contact means, that it is her choice, and how to stop; then yes or no."""
    if request.method != "POST":
        return render_template("public/consent.html", status=partner.status, error=False)
    answer = request.form.get("answer", "")
    if answer == "yes":
        if partner.status in (PartnerStatus.WITHDRAWN, PartnerStatus.DECLINED):
            session[AGAIN] = True  # her choices page (next, or after her PIN) says what saying yes again means
        consent.give(her_context(partner), partner, channel=ConsentChannel.WEB, text_version=text_version())
        if partner.pin_hash:
            return redirect(url_for("public.choices"), code=303)
        return redirect(url_for("public.pin", next="choices"), code=303)
    if answer == "no":
        consent.decline(her_context(partner), partner, channel=ConsentChannel.WEB, text_version=text_version())
        return redirect(url_for("public.home"), code=303)
    return render_template("public/consent.html", status=partner.status, error=True), 400


@bp.route("/unsubscribe", methods=["GET", "POST"])
@her_required
def stop(partner: PartnerContact) -> ResponseReturnValue:
    """The menu's "stop contact" lands here to confirm; confirming stops everything at once."""
    if request.method == "POST" and request.form.get("confirm") == "yes":
        if partner.status in STOPPABLE:
            sid = getattr(session, "sid", None)  # this session stays, to show her it worked; her others end
            consent.stop_contact(her_context(partner), partner, channel=ConsentChannel.WEB,
                                 text_version=text_version(), keep_session=hash_token(sid) if sid else None)
        return redirect(url_for("public.home"), code=303)
    return render_template("public/stop.html", can_stop=partner.status in STOPPABLE)
