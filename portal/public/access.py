"""Her way in: the discreet link, the PIN check on later visits, and setting or removing her PIN."""

from __future__ import annotations

import uuid

from flask import current_app, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from portal.extensions import csrf, limiter
from portal.i18n import LOCALES, explicit_choice
from portal.models import PartnerContact
from portal.public import bp, duress_view
from portal.public.context import (
    PENDING,
    PENDING_LOCALE,
    current_pending_partner,
    her_context,
    her_required,
    sign_her_in,
)
from portal.public.messages import message
from portal.public.preferences import NOTICE
from portal.runtime import db_session, domain_context
from portal.services.audit import SYSTEM
from portal.services.her import duress_requests, her_access, language
from portal.services.her.invites import LINK_PATH, QUESTIONS
from portal.sessions import HER, server_session

LINK_LIMIT = "30 per minute;200 per hour"
PIN_LIMIT = "10 per minute;60 per hour"
NEXT_PAGES = {"choices": "public.choices", "home": "public.home"}
# Where a link lands once she is signed in (services/her/invites.LANDINGS); anything else: her start page.
LANDING_PAGES = {QUESTIONS: "public.questions"}
PENDING_LANDING = "pin_pending_landing"  # session key: where her link leads, once her PIN is right


def _landing(lands_on: str | None) -> str:
    return url_for(LANDING_PAGES.get(lands_on or "", "public.home"))


def _plain_page(template: str, status: int = 200) -> ResponseReturnValue:
    """A page that looks like any appointments site: no exit bar, no emergency line, no menu, whoever asks,
    even within her session (her link's page is the same for everyone; DESIGN.md principle 4 and §8). The
    language links stay on this address (`?lang=`)."""
    links = [{"code": code, "name": info.native_name, "dir": info.direction, "href": f"?lang={code}"}
             for code, info in LOCALES.items()]
    return render_template(template, plain=True, her=False, language_links=links), status


def invalid_link_page() -> ResponseReturnValue:
    """The one page for an unknown, used, expired or revoked link: same words, same status, same size."""
    return _plain_page("public/link_invalid.html", 404)


def _start_pending(opened: her_access.Opened) -> None:
    session.clear()
    pending = server_session()
    pending.audience, pending.partner_id, pending.staff_id = HER, None, None
    pending.regenerate()
    session[PENDING] = {"token": str(opened.token_id), "partner": str(opened.partner_id)}


@bp.get(f"{LINK_PATH}<token>")
@limiter.shared_limit(LINK_LIMIT, scope="her_link")
def open_link(token: str) -> ResponseReturnValue:
    """The same neutral page for every token, live or dead, with one POST button; GET and HEAD change nothing.

    SMS apps, link-preview bots and URL scanners fetch links before she taps them: this answer reads no
    token, writes no row (not even audit), and leaves the session alone: the language is chosen as on every
    page (portal.i18n.select_locale) and only read, so `?lang=` stores nothing.
    """
    server_session().leave_untouched()  # not even a refresh of the viewer's own session
    return _plain_page("public/link_open.html")


# CSRF protection is off for exactly this one form, on purpose (README: "Her link"). A CSRF token protects a
# session that already exists from requests forged by another site; here no session exists yet (the GET that
# showed the form created none, so there is nothing to tie a token to), and what authorises the POST is the
# token in its own address: a 128-bit secret known only to whoever holds her link. A forged cross-site POST
# would need that secret, and anyone who has it could spend the link directly; it acts on no existing session
# (her cookie is SameSite=Strict and the winner always gets a fresh session id).
@bp.post(f"{LINK_PATH}<token>")
@csrf.exempt
@limiter.shared_limit(LINK_LIMIT, scope="her_link")  # one budget per address for GET, HEAD and POST
def spend_link(token: str) -> ResponseReturnValue:
    """Spend the link (one conditional update), start her session, and move on so the token leaves the bar."""
    opened = her_access.open_link(domain_context(SYSTEM), token)  # audited as hers once known whose it is
    if opened is None:
        return invalid_link_page()
    choice = explicit_choice()  # she chose a language on the link page, then pressed Continue (a POST)
    if opened.needs_pin:
        _start_pending(opened)
        if choice:
            session[PENDING_LOCALE] = choice  # saved on her record once her PIN is right
        if opened.lands_on:
            session[PENDING_LANDING] = opened.lands_on
        return redirect(url_for("public.check_pin"), code=303)
    session.clear()  # nothing from an earlier visit (or another person's) carries over
    sign_her_in(opened.partner_id, opened.session_epoch)
    if choice:
        _save_language(opened.partner_id, choice)
    return redirect(_landing(opened.lands_on), code=303)


def _save_language(partner_id: uuid.UUID, choice: str) -> None:
    partner = db_session().get(PartnerContact, partner_id)
    if partner is not None:
        language.choose_language(her_context(partner), partner, choice, LOCALES)


@bp.route("/check", methods=["GET", "POST"])
@limiter.limit(PIN_LIMIT, methods=["POST"])
def check_pin() -> ResponseReturnValue:
    """Ask for her PIN before anything of hers is shown; too many wrong tries and her links are gone.

    This page belongs to her pending session, so it is one of hers: exit bar and emergency line.
    """
    pending = session.get(PENDING)
    partner = current_pending_partner()
    if partner is None:
        if pending is not None:
            server_session().destroy()  # its link was closed (a PIN lock, stop)
        return redirect(url_for("public.index"), code=303)
    if request.method != "POST":
        return render_template("public/pin_check.html", error=None)
    assert isinstance(pending, dict)  # her record was found from it
    result = her_access.check_pin(her_context(partner), partner, uuid.UUID(pending["token"]),
                                  request.form.get("pin", "")[:20],
                                  max_attempts=current_app.config["PORTAL"].pin_max_attempts)
    if result.ok:
        session.pop(PENDING, None)
        choice = session.pop(PENDING_LOCALE, None)
        landing = session.pop(PENDING_LANDING, None)
        sign_her_in(partner.id, partner.session_epoch)
        if choice in LOCALES:
            _save_language(partner.id, choice)
        return redirect(_landing(landing if isinstance(landing, str) else None), code=303)
    # A wrong try is already counted and audited in its own committed transaction; the rest is rolled back.
    if result.locked:
        server_session().destroy()
        return invalid_link_page()
    if result.error:
        return render_template("public/pin_check.html", error=message(result.error)), 400
    error = _("That PIN is not right. Tries left: %(count)d.", count=result.tries_left)
    return render_template("public/pin_check.html", error=error), 400


@bp.route("/pin", methods=["GET", "POST"])
@her_required
def pin(partner: PartnerContact) -> ResponseReturnValue:
    """Set, change or remove her PIN; after saying yes she is offered one and may skip it."""
    next_page = NEXT_PAGES.get(request.values.get("next", ""), "public.home")
    next_key = "choices" if next_page == "public.choices" else "home"
    has_pin = duress_view.has_pin(partner)
    if request.method != "POST":
        return render_template("public/pin.html", has_pin=has_pin, error=None, next=next_key)
    action = request.form.get("action", "")
    if duress_view.active() and action in ("remove", "set"):
        return _answer_duress_pin(partner, action, has_pin, next_key, next_page)
    if action == "remove":
        her_access.clear_pin(her_context(partner), partner)
        session[NOTICE] = "pin_removed"
    elif action == "set":
        try:
            her_access.set_pin(her_context(partner), partner, request.form.get("pin", "")[:20],
                               request.form.get("confirm", "")[:20])
        except her_access.PinError as exc:
            return render_template("public/pin.html", has_pin=has_pin, error=message(exc.code),
                                   next=next_key), 400
        session[NOTICE] = "pin_saved"  # confirmed calmly on the next page (post, redirect, get)
    elif action != "skip":
        return render_template("public/pin.html", has_pin=has_pin, error=_("Please try again."),
                               next=next_key), 400
    return redirect(url_for(next_page), code=303)


def _answer_duress_pin(partner: PartnerContact, action: str, has_pin: bool, next_key: str,
                       next_page: str) -> ResponseReturnValue:
    """A duress session's new PIN (or its removal): checked as hers is, answered as if saved, applied to
    nothing (a PIN someone else chose would open her future links), told to her worker."""
    if action == "remove":
        if has_pin:
            duress_view.remember(has_pin=False)
            duress_view.tell_her_worker(partner, duress_requests.REMOVE_PIN)
        session[NOTICE] = "pin_removed"
        return redirect(url_for(next_page), code=303)
    try:
        her_access.check_new_pin(request.form.get("pin", "")[:20], request.form.get("confirm", "")[:20])
    except her_access.PinError as exc:
        return render_template("public/pin.html", has_pin=has_pin, error=message(exc.code), next=next_key), 400
    duress_view.remember(has_pin=True)
    duress_view.tell_her_worker(partner, duress_requests.SET_PIN)
    session[NOTICE] = "pin_saved"
    return redirect(url_for(next_page), code=303)
