"""The SMS outbox, inbound message claims, and delivery receipts."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import ClassVar

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portal.models.base import Base, UUIDKey, encrypted, one_of, utcnow


class NotificationKind(enum.StrEnum):
    """What a text to her is (console/labels.MESSAGE_KIND words each one)."""

    INVITE = "invite"  # her link
    WARNING = "warning"
    CONFIRMATION = "confirmation"
    HELP = "help"
    EVALUATION = "evaluation"  # a discreet link to one stage of her evaluation questions


class NotificationState(enum.StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    DELIVERED = "delivered"
    FAILED = "failed"
    UNKNOWN = "unknown"
    CANCELLED = "cancelled"
    HANDED_OVER = "handed_over"  # turned into a task for her worker
    OPEN: ClassVar[tuple[NotificationState, ...]]


NotificationState.OPEN = (NotificationState.PENDING, NotificationState.SENDING, NotificationState.UNKNOWN)


class Notification(UUIDKey, Base):
    __tablename__ = "notification"
    __table_args__ = (Index("ix_notification_due", "state", "not_before"), one_of("kind", NotificationKind),
                      one_of("state", NotificationState))
    partner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("partner_contact.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    template: Mapped[str] = mapped_column(String(60))
    locale: Mapped[str] = mapped_column(String(16))
    params_ct: Mapped[bytes | None] = encrypted()  # e.g. the link inside an invitation
    serious: Mapped[bool] = mapped_column(default=False)
    state: Mapped[str] = mapped_column(String(20), default=NotificationState.PENDING)
    not_before: Mapped[datetime] = mapped_column(default=utcnow)
    stale_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
    claimed_at: Mapped[datetime | None]
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    provider_sid: Mapped[str | None] = mapped_column(String(64), unique=True)
    provider_status: Mapped[str | None] = mapped_column(String(20))
    error_code: Mapped[str | None] = mapped_column(String(20))
    # Keyed digest of the text handed to the provider: finds it again when an answer was lost.
    body_digest: Mapped[str | None] = mapped_column(String(64))
    source_event_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("programme_event.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class InboundMessage(UUIDKey, Base):
    """One row per Twilio MessageSid: the atomic claim that de-duplicates webhooks."""

    __tablename__ = "inbound_message"
    message_sid: Mapped[str] = mapped_column(String(64), unique=True)
    partner_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("partner_contact.id"), index=True)
    body_ct: Mapped[bytes | None] = encrypted()
    keyword: Mapped[str | None] = mapped_column(String(20))
    received_at: Mapped[datetime] = mapped_column(default=utcnow)


class DeliveryReceipt(UUIDKey, Base):
    """Each (MessageSid, status) callback once."""

    __tablename__ = "delivery_receipt"
    __table_args__ = (UniqueConstraint("message_sid", "status"),)
    message_sid: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(20))
    error_code: Mapped[str | None] = mapped_column(String(20))
    received_at: Mapped[datetime] = mapped_column(default=utcnow)


class ProviderDeletion(UUIDKey, Base):
    """A message to delete at the SMS provider after an erasure: the provider's message id only, nothing of hers.

    Written in the erasure's own transaction; the dispatcher deletes it at the provider after commit and
    retries (with backoff) until the provider confirms or says it no longer exists; then the row goes too."""

    __tablename__ = "provider_deletion"
    __table_args__ = (Index("ix_provider_deletion_due", "not_before"),)
    message_sid: Mapped[str] = mapped_column(String(64), unique=True)
    attempts: Mapped[int] = mapped_column(default=0)
    not_before: Mapped[datetime] = mapped_column(default=utcnow)
    last_error: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
