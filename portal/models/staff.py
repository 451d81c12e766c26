"""Support services, staff accounts, programmes and who works in which programme."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import ClassVar

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portal.models.base import Base, UUIDKey, encrypted, one_of, utcnow


class Role(enum.StrEnum):
    ADMIN = "admin"
    SUPPORT_WORKER = "support_worker"
    FACILITATOR = "facilitator"
    ALL: ClassVar[tuple[Role, ...]]


Role.ALL = tuple(Role)


class SupportService(UUIDKey, Base):
    """The victim-support organisation whose workers hold her details."""

    __tablename__ = "support_service"
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class StaffUser(UUIDKey, Base):
    __tablename__ = "staff_user"
    __table_args__ = (one_of("role", Role),)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    service_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("support_service.id"), index=True)
    # The number she can call this worker on (E.164), added to a warning only where she chose it.
    callback_phone: Mapped[str | None] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(255))
    totp_secret_ct: Mapped[bytes | None] = encrypted()
    totp_confirmed_at: Mapped[datetime | None]
    totp_last_step: Mapped[int | None]
    # Incremented whenever credentials change or the account is disabled: older sessions die.
    session_epoch: Mapped[int] = mapped_column(default=0)
    failed_attempts: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]
    is_active: Mapped[bool] = mapped_column(default=True)
    # Set when an admin issues a one-time initial password: the first sign-in must choose a new one.
    password_change_required: Mapped[bool] = mapped_column(default=False)
    # The IANA zone the console shows times in for this person; None: the deployment's zone.
    timezone: Mapped[str | None] = mapped_column(String(64))
    # Set by an admin: this support worker is a manager who may be the second approver of a risk-conference
    # referral made without her consent (services/casework/risk_conference.py).
    is_manager: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]


class Programme(UUIDKey, Base):
    """A perpetrator programme (his group), partnered with one support service."""

    __tablename__ = "programme"
    name: Mapped[str] = mapped_column(String(200))
    service_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("support_service.id"), index=True)
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ProgrammeMembership(UUIDKey, Base):
    """One role per person per programme: nobody is both her worker and his facilitator there."""

    __tablename__ = "programme_membership"
    __table_args__ = (UniqueConstraint("staff_id", "programme_id"), one_of("role", Role))
    staff_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("staff_user.id"))
    programme_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("programme.id"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
