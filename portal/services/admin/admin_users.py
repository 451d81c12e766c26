"""Admin: staff accounts (create with a one-time password, disable, enable, reset password or authenticator)."""

from __future__ import annotations

import re
import secrets
import uuid
from dataclasses import dataclass

import pyotp
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.domain_error import DomainError
from portal.models import Role, StaffUser, SupportService
from portal.services.admin.printable import printable
from portal.services.admin.signin import end_all_sessions
from portal.services.admin.staff_accounts import create_staff, password_hasher
from portal.services.audit import Actor
from portal.services.context import DomainContext

EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,189}\.[^@\s]{2,}$")


class AdminError(DomainError):
    """A refused admin action; `code` says why (the view turns it into words)."""


@dataclass(frozen=True)
class NewAccount:
    user_id: uuid.UUID
    email: str
    initial_password: str  # shown once to the admin, never stored in clear


def one_time_password() -> str:
    return secrets.token_urlsafe(15)  # 20 characters, about 120 bits


def create_account(ctx: DomainContext, *, email: str, display_name: str, role: str,
                   service_id: uuid.UUID | None) -> NewAccount:
    """A new staff account; the first sign-in must choose a password and set up the authenticator."""
    email = (email or "").strip().lower()
    display_name = (display_name or "").strip()
    if not EMAIL.match(email) or len(email) > 254 or not email.isprintable():
        raise AdminError("email", "email")
    if not 1 <= len(display_name) <= 200 or not printable(display_name):
        raise AdminError("display_name", "display_name")
    if role not in Role.ALL:
        raise AdminError("role", "role")
    db = ctx.db
    if service_id is None or db.get(SupportService, service_id) is None:
        raise AdminError("service", "service")
    if db.scalar(select(func.count()).select_from(StaffUser).where(StaffUser.email == email)):
        raise AdminError("email_taken", "email")
    password = one_time_password()
    made = create_staff(ctx, email=email, display_name=display_name, role=role, password=password,
                        service_id=service_id)
    user = db.get(StaffUser, made.id)
    assert user is not None
    user.password_change_required = True
    return NewAccount(made.id, email, password)


def _not_self(user: StaffUser, actor: Actor) -> None:
    if actor.id == str(user.id):
        raise AdminError("self")


def set_active(ctx: DomainContext, user: StaffUser, active: bool) -> None:
    """Disable (every session ends at once) or enable an account. Nobody disables themselves."""
    _not_self(user, ctx.actor)
    if user.is_active == active:
        return
    user.is_active = active
    if not active:
        end_all_sessions(ctx.db, user)
    ctx.audit("staff.enable" if active else "staff.disable", "staff_user", user.id)


def set_manager(ctx: DomainContext, user: StaffUser, manager: bool) -> bool:
    """Designate a support worker as a manager (a second approver of risk-conference referrals made without her
    consent), or end it; whether it changed. Only support workers with a service are managers; nobody sets it
    on themselves."""
    _not_self(user, ctx.actor)
    if user.role != Role.SUPPORT_WORKER or user.service_id is None:
        raise AdminError("manager_role")
    if user.is_manager == bool(manager):
        return False
    user.is_manager = bool(manager)
    ctx.audit("staff.manager", "staff_user", user.id, {"manager": user.is_manager})
    return True


def reset_authenticator(ctx: DomainContext, user: StaffUser) -> None:
    """A fresh TOTP secret, set up at the next sign-in; every session of the account ends."""
    ctx.vault.put(user, "totp_secret_ct", pyotp.random_base32())
    user.totp_confirmed_at = None
    user.totp_last_step = None
    end_all_sessions(ctx.db, user)
    ctx.audit("staff.totp_reset", "staff_user", user.id)


def reset_password(ctx: DomainContext, user: StaffUser) -> str:
    """A new one-time password (returned once); sessions end and the lock is lifted."""
    _not_self(user, ctx.actor)
    password = one_time_password()
    user.password_hash = password_hasher().hash(password)
    user.password_change_required = True
    user.failed_attempts = 0
    user.locked_until = None
    end_all_sessions(ctx.db, user)
    ctx.audit("staff.password_reset", "staff_user", user.id)
    return password


def list_accounts(db: Session) -> list[tuple[StaffUser, str | None]]:
    """Every account with its service's name, by email."""
    rows = db.execute(select(StaffUser, SupportService.name)
                      .join(SupportService, SupportService.id == StaffUser.service_id, isouter=True)
                      .order_by(StaffUser.email))
    return [(user, name) for user, name in rows]
