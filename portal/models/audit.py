"""Append-only, hash-chained audit events: who did what to which record, never the values."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from portal.models.base import Base, one_of, utcnow


class ActorKind(enum.StrEnum):
    """Who did it: a staff member, she herself, a programme's API token, the portal, or her texts."""

    STAFF = "staff"
    PARTNER = "partner"
    API = "api"
    SYSTEM = "system"
    SMS = "sms"


class AuditEvent(Base):
    __tablename__ = "audit_event"
    __table_args__ = (one_of("actor_type", ActorKind),)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_type: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[str | None] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(60))
    object_type: Mapped[str | None] = mapped_column(String(40))
    object_id: Mapped[str | None] = mapped_column(String(64))
    details: Mapped[str] = mapped_column(Text, default="{}")  # codes and field names only
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)
