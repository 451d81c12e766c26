"""Bearer secrets stored only as hashes: her discreet links and programme API tokens; web sessions."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from portal.models.base import Base, UUIDKey, one_of, utcnow


class TokenPurpose(enum.StrEnum):
    INVITE = "invite"
    API = "api"


class SessionAudience(enum.StrEnum):
    HER = "her"
    STAFF = "staff"


class AccessToken(UUIDKey, Base):
    __tablename__ = "access_token"
    __table_args__ = (one_of("purpose", TokenPurpose),)
    purpose: Mapped[str] = mapped_column(String(20))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    partner_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("partner_contact.id"), index=True)
    programme_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("programme.id"), index=True)
    label: Mapped[str | None] = mapped_column(String(100))
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff_user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime | None]
    used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


class WebSession(Base):
    """Server-side session: the cookie holds an opaque id, the table only its SHA-256."""

    __tablename__ = "web_session"
    __table_args__ = (one_of("audience", SessionAudience),)
    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    audience: Mapped[str] = mapped_column(String(20))
    data: Mapped[str] = mapped_column(Text, default="{}")
    staff_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff_user.id", ondelete="CASCADE"), index=True)
    partner_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("partner_contact.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)
