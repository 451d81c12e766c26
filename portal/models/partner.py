"""Her: encrypted contact details, her link to a participant, preferences, windows and consent ledger."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portal.models.base import Base, UUIDKey, encrypted, utcnow


class PartnerStatus:
    INVITED = "invited"      # recorded by her worker, not yet answered on the portal
    ACTIVE = "active"        # contact agreed
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"
    CLOSED = "closed"
    ERASED = "erased"


class PartnerContact(UUIDKey, Base):
    __tablename__ = "partner_contact"
    service_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("support_service.id"), index=True)
    worker_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff_user.id"), index=True)
    name_ct: Mapped[bytes | None] = encrypted()
    phone_ct: Mapped[bytes | None] = encrypted()
    email_ct: Mapped[bytes | None] = encrypted()
    phone_bidx: Mapped[str | None] = mapped_column(String(64), index=True)
    email_bidx: Mapped[str | None] = mapped_column(String(64), index=True)
    status: Mapped[str] = mapped_column(String(20), default=PartnerStatus.INVITED)
    locale: Mapped[str] = mapped_column(String(16), default="en")
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/London")
    pin_hash: Mapped[str | None] = mapped_column(String(255))
    pin_failures: Mapped[int] = mapped_column(default=0)
    sms_opted_out: Mapped[bool] = mapped_column(default=False)
    sms_unusable: Mapped[bool] = mapped_column(default=False)
    high_risk_until: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    closure_reason: Mapped[str | None] = mapped_column(String(40))
    erased_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class PartnerLink(UUIDKey, Base):
    """She is (or was) the partner of this participant."""

    __tablename__ = "partner_link"
    __table_args__ = (UniqueConstraint("partner_id", "participant_id"),)
    partner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("partner_contact.id"))
    participant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("participant.id"), index=True)
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff_user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None]


class Tell:
    """How she wants to hear about one kind of event."""

    NONE = "none"
    MESSAGE = "message"
    CALL = "call"
    BOTH = "both"
    ALL = (NONE, MESSAGE, CALL, BOTH)


class Preferences(UUIDKey, Base):
    __tablename__ = "preferences"
    partner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("partner_contact.id"), unique=True)
    channel_sms: Mapped[bool] = mapped_column(default=False)
    channel_call: Mapped[bool] = mapped_column(default=False)
    channel_worker_only: Mapped[bool] = mapped_column(default=False)
    voicemail_ok: Mapped[bool] = mapped_column(default=False)
    shared_phone: Mapped[bool] = mapped_column(default=False)
    tell_dropout: Mapped[str] = mapped_column(String(10), default=Tell.CALL)
    tell_suspended: Mapped[str] = mapped_column(String(10), default=Tell.CALL)
    tell_completed: Mapped[str] = mapped_column(String(10), default=Tell.CALL)
    tell_risk: Mapped[str] = mapped_column(String(10), default=Tell.CALL)
    serious_risk_any_time: Mapped[bool] = mapped_column(default=False)
    code_word_ct: Mapped[bytes | None] = encrypted()
    # A wording she agreed with her worker for warnings (checked like every template).
    custom_warning_ct: Mapped[bytes | None] = encrypted()
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff_user.id"))


class SafeWindow(UUIDKey, Base):
    """A weekly time range, in her own time zone, when contact is safe."""

    __tablename__ = "safe_window"
    partner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("partner_contact.id"), index=True)
    weekday: Mapped[int]  # 0 = Monday
    start_minute: Mapped[int]  # minutes after local midnight
    end_minute: Mapped[int]  # exclusive; 1440 = midnight


class ConsentEvent(UUIDKey, Base):
    """Append-only ledger of her yes, no and withdrawals."""

    __tablename__ = "consent_event"
    partner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("partner_contact.id"), index=True)
    action: Mapped[str] = mapped_column(String(20))  # given | declined | withdrawn
    channel: Mapped[str] = mapped_column(String(20))  # web | sms | worker
    scope: Mapped[str] = mapped_column(String(20), default="contact")  # contact | sms
    text_version: Mapped[str | None] = mapped_column(String(40))
    recorded_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff_user.id"))
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)
