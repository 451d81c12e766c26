"""Her worker's side: tasks and alerts, and the log of contacts with her."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.models.base import Base, UUIDKey, encrypted, utcnow


class Severity:
    ROUTINE = "routine"
    SOON = "soon"
    URGENT = "urgent"
    IMMEDIATE = "immediate"
    ALL = (ROUTINE, SOON, URGENT, IMMEDIATE)


class Task(UUIDKey, Base):
    __tablename__ = "task"
    service_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("support_service.id"), index=True)
    partner_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("partner_contact.id"), index=True)
    assignee_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff_user.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    severity: Mapped[str] = mapped_column(String(20), default=Severity.ROUTINE)
    child_risk: Mapped[bool] = mapped_column(default=False)
    # She asked for a call about this (or a message she wanted cannot reach her): her worker calls.
    call_requested: Mapped[bool] = mapped_column(default=False)
    # False when she withdrew, declined or her case is closed: her worker must not contact her about it.
    contact_allowed: Mapped[bool] = mapped_column(default=True)
    source_event_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("programme_event.id"))
    notification_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("notification.id"))
    detail_ct: Mapped[bytes | None] = encrypted()
    due_at: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    acknowledged_at: Mapped[datetime | None]
    acknowledged_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff_user.id"))
    escalated_at: Mapped[datetime | None]
    # On an escalation task: the overdue task it was raised for.
    escalated_from_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("task.id"))
    done_at: Mapped[datetime | None]


class ContactLogEntry(UUIDKey, Base):
    __tablename__ = "contact_log_entry"
    partner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("partner_contact.id"), index=True)
    worker_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("staff_user.id"))
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)
    method: Mapped[str] = mapped_column(String(20))  # call | sms | in_person | other
    reached: Mapped[bool] = mapped_column(default=False)
    safe_to_talk: Mapped[str] = mapped_column(String(10), default="unknown")  # yes | no | unknown
    outcome: Mapped[str] = mapped_column(String(40))
    information_given: Mapped[str | None] = mapped_column(String(200))  # topic codes, comma-separated
    notes_ct: Mapped[bytes | None] = encrypted()
    next_step_ct: Mapped[bytes | None] = encrypted()
