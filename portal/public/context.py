"""What every one of her pages needs: her record from the session, deployment texts, and the layout context."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask import g, redirect, request, session, url_for

from portal.deployment_context import current_deployment
from portal.i18n import LOCALES
from portal.models import PartnerContact
from portal.public import bp
from portal.runtime import db_session, domain_context
from portal.services.admin import deployment as deployment_service
from portal.services.context import DomainContext
from portal.services.her.her_access import partner_actor, reachable_partner
from portal.sessions import HER, server_session

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
        g.partner = reachable_partner(db_session(), partner_id) if bound else None
    return g.partner


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


def language_links(signed_in: bool) -> list[dict[str, str]]:
    """One link per locale back to this page (or her start page), so the choice works without JavaScript."""
    endpoint = request.endpoint or ""
    same_page = request.method == "GET" and endpoint.startswith("public.") and endpoint not in NOT_RELOCALISABLE
    links = []
    for code, info in LOCALES.items():
        if same_page:
            href = url_for(endpoint, **(request.view_args or {}), lang=code)
        else:
            href = url_for("public.home" if signed_in else "public.index", lang=code)
        links.append({"code": code, "name": info.native_name, "dir": info.direction, "href": href})
    return links


@bp.app_context_processor
def layout_context() -> dict[str, object]:
    view = deployment()
    signed_in = request.blueprint == "public" and current_partner() is not None
    return {
        "site_name": view.site_name,
        "emergency_number": view.emergency_number,
        "her": signed_in,
        "language_links": language_links(signed_in),
    }
