"""Her worker's side: tasks and alerts, and the log of contacts with her."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import ClassVar

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portal.models.base import Base, UUIDKey, encrypted, one_of, utcnow
from portal.models.programme_event import EventKind


class Severity(enum.StrEnum):
    ROUTINE = "routine"
    SOON = "soon"
    URGENT = "urgent"
    IMMEDIATE = "immediate"
    ALL: ClassVar[tuple[Severity, ...]]


Severity.ALL = tuple(Severity)


class TaskKind(enum.StrEnum):
    """Why her worker has a task (console/labels.TASK_KIND words each one)."""

    EVENT_DROPOUT = "event_dropout"
    EVENT_SUSPENDED = "event_suspended"
    EVENT_COMPLETED = "event_completed"
    EVENT_PROGRAMME_ENDED = "event_programme_ended"
    EVENT_ATTENDANCE_CONCERN = "event_attendance_concern"
    EVENT_RISK = "event_risk"
    CONSENT_WITHDRAWN_CONTACT = "consent_withdrawn_contact"
    CONSENT_WITHDRAWN_SMS = "consent_withdrawn_sms"
    CONSENT_DECLINED_WEB = "consent_declined_web"
    HER_LESS_SAFE = "her_less_safe"
    HER_SEPARATION = "her_separation"
    MESSAGE_NOT_DELIVERED = "message_not_delivered"
    MESSAGE_NOT_SENT = "message_not_sent"
    PIN_LOCKED = "pin_locked"
    SMS_HELP = "sms_help"
    SMS_FREE_TEXT = "sms_free_text"
    SMS_STOP_LIKE = "sms_stop_like"
    SMS_OPT_IN = "sms_opt_in"
    ESCALATION = "escalation"
    HIGH_RISK_CHECKIN = "high_risk_checkin"
    SAFE_TIMES_NEEDED = "safe_times_needed"
    PLAN_DURESS = "plan_duress"
    HER_CHECKIN_CONCERN = "her_checkin_concern"
    AGREED_CHECKIN_MISSED = "agreed_checkin_missed"
    EVALUATION_BY_PHONE = "evaluation_by_phone"  # a stage of her evaluation to ask by phone (no safe text)

    @classmethod
    def for_event(cls, kind: str) -> TaskKind:
        """The task for a reported programme event; an unknown event kind raises ValueError."""
        return cls(f"event_{EventKind(kind).value}")


class ContactMethod(enum.StrEnum):
    CALL = "call"
    SMS = "sms"
    IN_PERSON = "in_person"
    OTHER = "other"


class SafeToTalk(enum.StrEnum):
    YES = "yes"
    NO = "no"
    UNKNOWN = "unknown"


class ContactOutcome(enum.StrEnum):
    TALKED = "talked"
    NO_ANSWER = "no_answer"
    NOT_SAFE_NOW = "not_safe_now"
    VOICEMAIL_LEFT = "voicemail_left"
    SOMEONE_ELSE_ANSWERED = "someone_else_answered"
    OTHER = "other"


class Task(UUIDKey, Base):
    __tablename__ = "task"
    __table_args__ = (one_of("kind", TaskKind), one_of("severity", Severity))
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
    # Raised one severity because it came during her high-risk period after separating.
    raised_high_risk: Mapped[bool] = mapped_column(default=False)
    # A texted STOP, and she agreed in advance: her worker may check once, by call, that it was her.
    check_once_allowed: Mapped[bool] = mapped_column(default=False)
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
    # On a plan_duress task: when her worker released texts to her again (until then, and while the task is
    # open, nothing is texted to her).
    released_at: Mapped[datetime | None]


class CheckIn(UUIDKey, Base):
    """One scheduled check-in slot of her high-risk period: at most one row (and one task) per slot."""

    __tablename__ = "high_risk_checkin"
    __table_args__ = (UniqueConstraint("partner_id", "slot_at"),)
    partner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("partner_contact.id"), index=True)
    slot_at: Mapped[datetime]
    task_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("task.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ContactLogEntry(UUIDKey, Base):
    __tablename__ = "contact_log_entry"
    __table_args__ = (one_of("method", ContactMethod), one_of("safe_to_talk", SafeToTalk),
                      one_of("outcome", ContactOutcome))
    partner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("partner_contact.id"), index=True)
    worker_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("staff_user.id"))
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)
    method: Mapped[str] = mapped_column(String(20))
    reached: Mapped[bool] = mapped_column(default=False)
    safe_to_talk: Mapped[str] = mapped_column(String(10), default=SafeToTalk.UNKNOWN)
    outcome: Mapped[str] = mapped_column(String(40))
    information_given: Mapped[str | None] = mapped_column(String(200))  # topic codes, comma-separated
    notes_ct: Mapped[bytes | None] = encrypted()
    next_step_ct: Mapped[bytes | None] = encrypted()
