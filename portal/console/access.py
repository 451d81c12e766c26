"""Who is signed in to the console, which roles may see a page, and the 404-for-everything-not-yours rule."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from functools import wraps
from typing import Any, NoReturn, TypeVar, cast

from flask import abort, g, redirect, session, url_for

from portal.extensions import db
from portal.models import ActorKind, StaffUser
from portal.runtime import domain_context
from portal.services.audit import Actor
from portal.services.context import DomainContext
from portal.sessions import STAFF, server_session

F = TypeVar("F", bound=Callable[..., Any])


def staff_actor(user: StaffUser) -> Actor:
    return Actor(ActorKind.STAFF, str(user.id))


def staff_context(user: StaffUser | None = None) -> DomainContext:
    """The context a console view hands to a service: this request's, with the signed-in staff member (or
    `user`, the account signing in) as the actor."""
    return domain_context(staff_actor(user if user is not None else g.staff))


def not_found() -> NoReturn:
    """Answer 404 for anything the signed-in person may not see: never 403, so nothing is confirmed."""
    abort(404)


def uuid_or_404(value: object) -> uuid.UUID:
    """Parse an id from a URL or form; garbage is simply 'not found'."""
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError):
        not_found()


def signed_in_staff() -> StaffUser | None:
    """The fully signed-in staff member (password and TOTP), or None; ends sessions that are no longer valid."""
    if getattr(session, "audience", None) != STAFF or not getattr(session, "staff_id", None):
        return None
    if session.get("mfa") is not True:
        return None
    try:
        staff_id = uuid.UUID(server_session().staff_id or "")
    except ValueError:
        return None
    user = db.session.get(StaffUser, staff_id)
    if user is None or not user.is_active or session.get("epoch") != user.session_epoch:
        server_session().destroy()
        return None
    return user


def _guard(roles: tuple[str, ...], allow_password_change: bool) -> Callable[[F], F]:
    def decorate(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            user = signed_in_staff()
            if user is None:
                return redirect(url_for("console.sign_in"), code=303)
            if user.password_change_required and not allow_password_change:
                return redirect(url_for("console.change_password"), code=303)
            if roles and user.role not in roles:
                not_found()
            g.staff = user
            return view(*args, **kwargs)

        return cast(F, wrapper)

    return decorate


def require_role(*roles: str) -> Callable[[F], F]:
    """Let in only a signed-in staff member with one of `roles` (any role when none are given).

    Not signed in: a redirect to the sign-in page. Signed in with another role: 404, like any object
    that is not yours. The staff member is in `g.staff` for the view.
    """
    return _guard(roles, allow_password_change=False)


def require_signed_in(*, allow_password_change: bool = False) -> Callable[[F], F]:
    """Any signed-in staff member; `allow_password_change` admits someone who must first set a password."""
    return _guard((), allow_password_change)
