"""Participants: the men on a programme, known only by a pseudonymous programme reference."""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portal.models.base import Base, UUIDKey, one_of, utcnow


class ParticipantStatus(enum.StrEnum):
    """Where he stands on the programme (about him only; her case never closes because of it)."""

    ACTIVE = "active"
    DROPPED_OUT = "dropped_out"
    SUSPENDED = "suspended"
    COMPLETED = "completed"
    ENDED = "ended"


class Participant(UUIDKey, Base):
    __tablename__ = "participant"
    __table_args__ = (UniqueConstraint("programme_id", "reference"), one_of("status", ParticipantStatus))
    programme_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("programme.id"))
    reference: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(20), default=ParticipantStatus.ACTIVE)
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff_user.id"))
    # His programme dates, as his facilitator gives them: her evaluation stages count from these
    # (services/evaluation/stages.py). His actual end is the date of a completed/ended/dropout event.
    started_on: Mapped[date | None]
    expected_end_on: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
