"""Her way in: the discreet link, the PIN check on later visits, and setting or removing her PIN."""

from __future__ import annotations

import uuid

from flask import current_app, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from portal.extensions import db, limiter
from portal.i18n import explicit_choice
from portal.public import bp
from portal.public.context import her_required
from portal.runtime import audit_key, now
from portal.services import her_access
from portal.sessions import HER

LINK_LIMIT = "30 per minute;200 per hour"
PIN_LIMIT = "10 per minute;60 per hour"
PENDING = "pin_pending"  # session key: the link she opened and whose it is, until her PIN is right
NEXT_PAGES = {"choices": "public.choices", "home": "public.home"}


def invalid_link_page():  # type: ignore[no-untyped-def]
    """The one page for an unknown, used, expired or revoked link: same words, same status, same size."""
    return render_template("public/link_invalid.html"), 404


def _start_pending(opened: her_access.Opened) -> None:
    session.clear()
    session.audience, session.partner_id, session.staff_id = HER, None, None  # type: ignore[attr-defined]
    session.regenerate()  # type: ignore[attr-defined]
    session[PENDING] = {"token": str(opened.token_id), "partner": str(opened.partner_id)}


@bp.get("/v/<token>")
@limiter.limit(LINK_LIMIT)
def open_link(token: str):  # type: ignore[no-untyped-def]
    """Spend the link, start her session, and move on at once so the token leaves the address bar."""
    opened = her_access.open_link(db.session, audit_key(), token, now=now())
    if opened is None:
        db.session.rollback()
        return invalid_link_page()
    db.session.commit()
    locale = explicit_choice() or opened.locale
    if opened.needs_pin:
        _start_pending(opened)
        session["locale"] = locale
        return redirect(url_for("public.check_pin"), code=303)
    session.clear()  # nothing from an earlier visit (or another person's) carries over
    session.bind_her(str(opened.partner_id))  # type: ignore[attr-defined]
    session["locale"] = locale
    return redirect(url_for("public.home"), code=303)


@bp.route("/check", methods=["GET", "POST"])
@limiter.limit(PIN_LIMIT, methods=["POST"])
def check_pin():  # type: ignore[no-untyped-def]
    """Ask for her PIN before anything of hers is shown; too many wrong tries and the link is gone."""
    pending = session.get(PENDING)
    partner = her_access.reachable_partner(db.session, pending["partner"]) if isinstance(pending, dict) else None
    if partner is None:
        return redirect(url_for("public.index"), code=303)
    if request.method == "GET":
        return render_template("public/pin_check.html", error=None)
    result = her_access.check_pin(db.session, audit_key(), partner, uuid.UUID(pending["token"]),
                                  request.form.get("pin", "")[:20], now=now(),
                                  max_attempts=current_app.config["PORTAL"].pin_max_attempts)
    db.session.commit()
    if result.ok:
        session.pop(PENDING, None)
        session.bind_her(str(partner.id))  # type: ignore[attr-defined]
        return redirect(url_for("public.home"), code=303)
    if result.locked:
        session.destroy()  # type: ignore[attr-defined]
        return invalid_link_page()
    error = _("That PIN is not right. Tries left: %(count)d.", count=result.tries_left)
    return render_template("public/pin_check.html", error=error), 400


def _pin_error(code: str) -> str:
    return {
        "pin_shape": _("A PIN is 4 to 8 numbers."),
        "pin_mismatch": _("The two PINs are not the same. Please type it again."),
    }.get(code, _("Please try again."))


@bp.route("/pin", methods=["GET", "POST"])
@her_required
def pin(partner):  # type: ignore[no-untyped-def]
    """Set, change or remove her PIN; after saying yes she is offered one and may skip it."""
    next_page = NEXT_PAGES.get(request.values.get("next", ""), "public.home")
    next_key = "choices" if next_page == "public.choices" else "home"
    if request.method == "GET":
        return render_template("public/pin.html", has_pin=bool(partner.pin_hash), error=None, next=next_key)
    action = request.form.get("action", "")
    actor = her_access.partner_actor(partner.id)
    if action == "remove":
        her_access.clear_pin(db.session, audit_key(), partner, now=now(), actor=actor)
    elif action == "set":
        try:
            her_access.set_pin(db.session, audit_key(), partner, request.form.get("pin", "")[:20],
                               request.form.get("confirm", "")[:20], now=now(), actor=actor)
        except her_access.PinError as exc:
            db.session.rollback()
            return render_template("public/pin.html", has_pin=bool(partner.pin_hash), error=_pin_error(exc.code),
                                   next=next_key), 400
    elif action != "skip":
        return render_template("public/pin.html", has_pin=bool(partner.pin_hash), error=_("Please try again."),
                               next=next_key), 400
    db.session.commit()
    return redirect(url_for(next_page), code=303)
