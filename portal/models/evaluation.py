"""Her optional evaluation (WWP EN B.6): the stages a programme offers, and each stage's offer to her.

Her answers themselves are `QuestionnaireResponse` (models/private.py): encrypted, one row per stage she
answered. Nothing here is ever shown to a facilitator or reachable through the API.
"""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime
from typing import ClassVar

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portal.models.base import Base, UUIDKey, one_of, utcnow


class EvaluationStage(enum.StrEnum):
    """The five stages of the WWP EN Impact Toolkit, in order."""

    INTAKE = "intake"
    MIDDLE = "middle"
    END = "end"
    AFTER_6 = "after_6"     # six months after the end
    AFTER_12 = "after_12"   # twelve months after the end
    ALL: ClassVar[tuple[EvaluationStage, ...]]


EvaluationStage.ALL = tuple(EvaluationStage)


class StageAnchor(enum.StrEnum):
    """Which of his programme dates a stage counts from."""

    START = "start"
    MIDDLE = "middle"
    END = "end"


class StagePlan(UUIDKey, Base):
    """A programme's own timing of one stage (no row: the default, services/evaluation/stages.py)."""

    __tablename__ = "evaluation_stage_plan"
    __table_args__ = (UniqueConstraint("programme_id", "stage"), one_of("stage", EvaluationStage),
                      one_of("anchor", StageAnchor))
    programme_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("programme.id"), index=True)
    stage: Mapped[str] = mapped_column(String(20))
    anchor: Mapped[str] = mapped_column(String(20))
    offset_days: Mapped[int] = mapped_column(default=0)
    enabled: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff_user.id"))


class OfferState(enum.StrEnum):
    PENDING = "pending"       # due; not yet offered (waiting for her safe window or a channel)
    OFFERED = "offered"       # offered once (text, or a task for her worker to ask by phone)
    ANSWERED = "answered"     # she answered (all or some questions): a QuestionnaireResponse exists
    SKIPPED = "skipped"       # she (or her worker for her) skipped the whole stage: never asked again
    CANCELLED = "cancelled"   # her evaluation yes withdrawn, contact stopped, or her record erased
    EXPIRED = "expired"       # offered and reminded once, no answer: never asked again


class RecordedBy(enum.StrEnum):
    HER = "her"               # on her pages
    WORKER_PHONE = "worker_phone"  # her worker, asking her over the phone


class EvaluationOffer(UUIDKey, Base):
    """One stage offered to her for one programme: due when, offered when, reminded at most once."""

    __tablename__ = "evaluation_offer"
    __table_args__ = (UniqueConstraint("partner_id", "programme_id", "stage"), one_of("stage", EvaluationStage),
                      one_of("state", OfferState))
    partner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("partner_contact.id"), index=True)
    programme_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("programme.id"), index=True)
    participant_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("participant.id"))
    stage: Mapped[str] = mapped_column(String(20))
    due_on: Mapped[date]
    state: Mapped[str] = mapped_column(String(20), default=OfferState.PENDING)
    offered_at: Mapped[datetime | None]
    reminded_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    task_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("task.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
