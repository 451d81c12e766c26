"""What every one of her pages needs: her record from the session, deployment texts, and the layout context."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask import g, redirect, request, session, url_for
from flask_babel import get_locale
from sqlalchemy.exc import SQLAlchemyError

from portal.deployment_context import current_deployment
from portal.i18n import LOCALES, SAVED_LOCALE, default_locale
from portal.models import PartnerContact
from portal.public import bp, duress_view
from portal.runtime import db_session, domain_context
from portal.services.admin import deployment as deployment_service
from portal.services.context import DomainContext
from portal.services.her import language
from portal.services.her.her_access import partner_actor, pending_partner, reachable_partner
from portal.sessions import HER, server_session

PENDING = "pin_pending"  # session key: the link she opened and whose it is, until her PIN is right
EPOCH = "epoch"  # session key: her record's session epoch when this session was signed in (a stop raises it)
PENDING_LOCALE = "pin_pending_locale"  # session key: the language she chose on her link page, saved after her PIN
# Pages whose address is not safe to repeat with ?lang= (a link token, the exit itself).
NOT_RELOCALISABLE = {"public.open_link", "public.quick_exit"}


def deployment() -> deployment_service.DeploymentView:
    """This deployment's site name, exit site, emergency number and helplines (loaded once per request)."""
    return current_deployment()


def current_partner() -> PartnerContact | None:
    """Her record when this request carries her signed-in session and her pages may be shown."""
    if "partner" not in g:
        partner_id = getattr(session, "partner_id", None)
        bound = getattr(session, "audience", None) == HER and partner_id
        partner = reachable_partner(db_session(), partner_id) if bound else None
        # A session from before her latest stop has ended, whichever store still holds it (Redis included).
        g.partner = partner if partner is not None and session.get(EPOCH) == partner.session_epoch else None
    return g.partner


def sign_her_in(partner_id: object, epoch: int) -> None:
    """This session is hers from now on (a fresh id), in her record's current session epoch."""
    server_session().bind_her(str(partner_id))
    session[EPOCH] = epoch


def keep_her_session(partner: PartnerContact) -> None:
    """The session she used to stop stays hers (to show her it worked) in the new epoch; her others end."""
    session[EPOCH] = partner.session_epoch
    g.partner = partner


def her_session_open() -> bool:
    """Whether this request carries her session: signed in, or with her PIN pending (the PIN page is hers).

    Read from the session alone (no database), so that every page, error pages included, even with the
    database down, knows whether to show her layout (exit bar, emergency line) or the plain one.
    """
    if getattr(session, "audience", None) != HER:
        return False
    return bool(getattr(session, "partner_id", None)) or isinstance(session.get(PENDING), dict)


def _partner_for_layout() -> PartnerContact | None:
    """Her record for the menu; None (no menu) if it cannot be read, as while rendering a database error."""
    try:
        return current_partner()
    except SQLAlchemyError:
        return None
def current_pending_partner() -> PartnerContact | None:
    """Her record while her PIN is still to be checked (a link opened, the PIN not yet right), else None."""
    if "pending_partner" not in g:
        pending = session.get(PENDING)
        g.pending_partner = pending_partner(db_session(), pending.get("partner"), pending.get("token")) \
            if isinstance(pending, dict) else None
    return g.pending_partner


@bp.before_request
def her_saved_language() -> None:
    """Her pages speak the language saved on her record, once she chose one (portal.i18n.select_locale)."""
    partner = current_partner()
    if partner is None and session.get(PENDING) is not None:
        chosen = session.get(PENDING_LOCALE)
        if chosen in LOCALES:
            g.setdefault(SAVED_LOCALE, chosen)
            return
        partner = current_pending_partner()
    saved = duress_view.locale() or language.saved_language(partner, LOCALES)
    if saved:
        g.setdefault(SAVED_LOCALE, saved)


def her_context(partner: PartnerContact) -> DomainContext:
    """The context her pages hand to a service: this request's, with her as the actor."""
    return domain_context(partner_actor(partner.id))


def her_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Her pages need her session; without one (ended, expired, or after the exit) go to the neutral start."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        partner = current_partner()
        if partner is None:
            if getattr(session, "partner_id", None):
                server_session().destroy()
            return redirect(url_for("public.index"), code=303)
        return view(partner, *args, **kwargs)

    return wrapper


def relocalisable() -> bool:
    """Whether this page may be shown again at its own address in another language."""
    endpoint = request.endpoint or ""
    return request.method != "POST" and endpoint.startswith("public.") and endpoint not in NOT_RELOCALISABLE


def language_links(signed_in: bool) -> list[dict[str, str]]:
    """One link per locale back to this page (or her start page), `?lang=`: this view only, nothing stored.

    Her own pages (signed in) show a POST form instead (`language_form`): her choice is saved on her record.
    """
    endpoint = request.endpoint or ""
    links = []
    for code, info in LOCALES.items():
        if relocalisable():
            href = url_for(endpoint, **(request.view_args or {}), lang=code)
        else:
            href = url_for("public.home" if signed_in else "public.index", lang=code)
        links.append({"code": code, "name": info.native_name, "dir": info.direction, "href": href})
    return links


def back_path() -> str:
    """Where her language choice returns her: this page when it can be shown again, else her start page."""
    if relocalisable():
        return url_for(request.endpoint or "public.home", **(request.view_args or {}))
    return url_for("public.home")


@bp.app_context_processor
def layout_context() -> dict[str, object]:
    """The layout by session, never by template: without her session every page is plain (no exit bar, no
    emergency line, no menu), as any appointments site looks (DESIGN.md principle 4), error pages included."""
    view = deployment()
    plain = not her_session_open()
    signed_in = not plain and _partner_for_layout() is not None
    return {
        "site_name": view.site_name,
        "emergency_number": view.emergency_number,
        "plain": plain,
        "her": signed_in,
        "language_links": language_links(signed_in),
        "language_back": back_path() if signed_in else "",
        "every_page_helplines": [] if plain else view.every_page_helplines(str(get_locale()), default_locale()),
    }
