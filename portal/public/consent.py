"""Her yes or no to contact, and stopping contact at any time (a confirm page that needs no JavaScript)."""

from __future__ import annotations

from flask import redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale

from portal.crypto import hash_token
from portal.models import ConsentChannel, PartnerContact, PartnerStatus
from portal.public import bp, duress_view
from portal.public.context import her_context, her_required, keep_her_session
from portal.public.preferences import AGAIN
from portal.services.her import consent, duress_requests

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
    status = duress_view.status(partner)
    if request.method != "POST":
        return render_template("public/consent.html", status=status, error=False)
    answer = request.form.get("answer", "")
    if duress_view.active() and answer in ("yes", "no"):
        return _answer_duress(partner, status, answer)
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
    return render_template("public/consent.html", status=status, error=True), 400


def _answer_duress(partner: PartnerContact, status: str, answer: str) -> ResponseReturnValue:
    """A duress session's yes or no: answered as hers would be, applied to nothing, told to her worker."""
    if answer == "yes":
        if status in (PartnerStatus.WITHDRAWN, PartnerStatus.DECLINED):
            session[AGAIN] = True
        if status != PartnerStatus.ACTIVE:
            duress_view.remember(status=PartnerStatus.ACTIVE)
            duress_view.tell_her_worker(partner, duress_requests.SAY_YES)
        if duress_view.has_pin(partner):
            return redirect(url_for("public.choices"), code=303)
        return redirect(url_for("public.pin", next="choices"), code=303)
    if status != PartnerStatus.DECLINED:
        duress_view.remember(status=PartnerStatus.DECLINED)
        duress_view.tell_her_worker(partner, duress_requests.SAY_NO)
    return redirect(url_for("public.home"), code=303)


@bp.route("/unsubscribe", methods=["GET", "POST"])
@her_required
def stop(partner: PartnerContact) -> ResponseReturnValue:
    """The menu's "stop contact" lands here to confirm; confirming stops everything at once."""
    status = duress_view.status(partner)
    if request.method == "POST" and request.form.get("confirm") == "yes" and duress_view.active():
        if status in STOPPABLE:  # not applied: texts are already held, her worker decides (README: her plan)
            duress_view.remember(status=PartnerStatus.WITHDRAWN)
            duress_view.tell_her_worker(partner, duress_requests.STOP_CONTACT)
        return redirect(url_for("public.home"), code=303)
    if request.method == "POST" and request.form.get("confirm") == "yes":
        if partner.status in STOPPABLE:
            sid = getattr(session, "sid", None)  # this session stays, to show her it worked; her others end
            consent.stop_contact(her_context(partner), partner, channel=ConsentChannel.WEB,
                                 text_version=text_version(), keep_session=hash_token(sid) if sid else None)
            keep_her_session(partner)
        return redirect(url_for("public.home"), code=303)
    return render_template("public/stop.html", can_stop=status in STOPPABLE)
