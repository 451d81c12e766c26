"""What facilitators report about him: dropout, suspension, completion, risk."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import ClassVar

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portal.models.base import Base, UUIDKey, encrypted, one_of, utcnow


class EventKind(enum.StrEnum):
    DROPOUT = "dropout"
    SUSPENDED = "suspended"
    COMPLETED = "completed"
    PROGRAMME_ENDED = "programme_ended"
    ATTENDANCE_CONCERN = "attendance_concern"
    RISK = "risk"
    ALL: ClassVar[tuple[EventKind, ...]]


EventKind.ALL = tuple(EventKind)


class Imminence(enum.StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    IMMINENT = "imminent"


class RiskFactor(enum.StrEnum):
    """What WWP EN B.4 names in a facilitator's risk report about him; each raises the task's severity
    (the rule table: portal/services/programme/risk_factors.py)."""

    SUICIDAL_IDEATION = "suicidal_ideation"
    THREATS_TO_KILL = "threats_to_kill"
    WEAPONS = "weapons"  # access to weapons, or use
    STALKING = "stalking"
    SEPARATION = "separation"  # he knows she is separating or has separated
    ALL: ClassVar[tuple[RiskFactor, ...]]


RiskFactor.ALL = tuple(RiskFactor)


class ProgrammeEvent(UUIDKey, Base):
    __tablename__ = "programme_event"
    __table_args__ = (UniqueConstraint("programme_id", "idempotency_key"), one_of("kind", EventKind),
                      one_of("imminence", Imminence))
    programme_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("programme.id"))
    participant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("participant.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    risk_to_partner: Mapped[bool] = mapped_column(default=False)
    risk_to_children: Mapped[bool] = mapped_column(default=False)
    imminence: Mapped[str | None] = mapped_column(String(20))
    description_ct: Mapped[bytes | None] = encrypted()
    reported_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff_user.id"))
    api_token_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("access_token.id"))
    idempotency_key: Mapped[str | None] = mapped_column(String(200))
    # SHA-256 of the canonical request: a reused idempotency key with another request is refused.
    request_fingerprint: Mapped[str | None] = mapped_column(String(64))
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ProgrammeEventFactor(Base):
    """One risk factor of a risk report (none, one or several per event): about him, like the event."""

    __tablename__ = "programme_event_factor"
    __table_args__ = (one_of("factor", RiskFactor),)
    event_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("programme_event.id"), primary_key=True)
    factor: Mapped[str] = mapped_column(String(30), primary_key=True)


class EventFanout(Base):
    """One per reported event: her side of it (tasks, messages) is still to be made by the dispatcher process.

    Written in the report's transaction, whoever is linked, so the report costs the same with or without her.
    Holds nothing about her: the event, when it waits since, and a stable error code if a pass failed.
    """

    __tablename__ = "event_fanout"
    event_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("programme_event.id"), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    processed_at: Mapped[datetime | None] = mapped_column(index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(String(60))
