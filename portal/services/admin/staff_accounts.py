"""Staff accounts: creation by an admin, Argon2id password hashes, TOTP secrets sealed at rest."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import pyotp
from argon2 import PasswordHasher
from sqlalchemy import func, select

from portal.domain_error import DomainError
from portal.models import Role, StaffUser
from portal.services.context import DomainContext

PASSWORD_MIN = 12
PASSWORD_MAX = 128

_hasher = PasswordHasher()


class AccountError(DomainError):
    """The account could not be created; the message is safe to show an admin."""

    def __init__(self, code: str, message: str, field: str | None = None) -> None:
        super().__init__(code, field, message)


def password_hasher() -> PasswordHasher:
    return _hasher


def check_password_policy(password: str) -> None:
    if not PASSWORD_MIN <= len(password) <= PASSWORD_MAX:
        raise AccountError("password_length", f"Passwords must be {PASSWORD_MIN} to {PASSWORD_MAX} characters long.")


@dataclass(frozen=True)
class NewStaff:
    id: uuid.UUID
    email: str
    role: str
    totp_secret: str


def create_staff(ctx: DomainContext, *, email: str, display_name: str, role: str, password: str,
                 service_id: uuid.UUID | None) -> NewStaff:
    """A staff account, created by the context's actor (an admin, or the system for the first one)."""
    db = ctx.db
    email = email.strip().lower()
    if role not in Role.ALL:
        raise AccountError("role", f"Role must be one of {', '.join(Role.ALL)}.")
    if "@" not in email or len(email) > 254:
        raise AccountError("email", "That is not an email address.")
    if db.scalar(select(func.count()).select_from(StaffUser).where(StaffUser.email == email)):
        raise AccountError("email_taken", "An account with that email address exists already.")
    check_password_policy(password)
    user = StaffUser(id=uuid.uuid4(), email=email, display_name=display_name.strip() or email, role=role,
                     service_id=service_id, password_hash=_hasher.hash(password))
    secret = pyotp.random_base32()
    ctx.vault.put(user, "totp_secret_ct", secret)
    db.add(user)
    db.flush()
    ctx.audit("staff.create", "staff_user", user.id, {"role": role})
    return NewStaff(user.id, email, role, secret)
