"""Her own check-ins, the check-in days she agreed with her worker, and the agreed days she missed."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import ClassVar

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portal.models.audit import ActorKind
from portal.models.base import Base, UUIDKey, encrypted, one_of, utcnow


class Feeling(enum.StrEnum):
    """How safe she feels, her answer on a five-step scale, lowest first (services/her/her_checkins.py)."""

    NOT_AT_ALL = "not_at_all"
    NOT_VERY = "not_very"
    IN_BETWEEN = "in_between"
    MOSTLY = "mostly"
    SAFE = "safe"
    ALL: ClassVar[tuple[Feeling, ...]]


Feeling.ALL = tuple(Feeling)


class HerCheckin(UUIDKey, Base):
    """One check-in of hers: her step on the scale, whether things got worse, and what changed (encrypted)."""

    __tablename__ = "her_checkin"
    __table_args__ = (one_of("feeling", Feeling), Index("ix_her_checkin_partner_created", "partner_id", "created_at"))
    partner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("partner_contact.id"))
    feeling: Mapped[str] = mapped_column(String(20))
    worse: Mapped[bool] = mapped_column(default=False)
    changed_ct: Mapped[bytes | None] = encrypted()
    # The task her worker got for it (an answer that signals more danger), if any.
    task_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("task.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AgreedCheckin(UUIDKey, Base):
    """The weekdays (on her clock) she and her worker agreed she checks in; one row per record, no row: none.

    `weekdays` is a bit set (bit 0 = Monday); 0 means they were stopped, by `changed_by` (and `changed_by_id`
    when staff). Days agreed during her high-risk period end with it (`ends_with_period`)."""

    __tablename__ = "agreed_checkin"
    __table_args__ = (one_of("changed_by", ActorKind),)
    partner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("partner_contact.id"), unique=True)
    weekdays: Mapped[int] = mapped_column(default=0)
    ends_with_period: Mapped[bool] = mapped_column(default=False)
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    changed_by: Mapped[str] = mapped_column(String(20))
    changed_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff_user.id"))


class MissedCheckin(UUIDKey, Base):
    """An agreed day that ended on her clock without a check-in from her: at most one row (and one task) a day."""

    __tablename__ = "agreed_checkin_missed"
    __table_args__ = (UniqueConstraint("partner_id", "day_start"),)
    partner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("partner_contact.id"), index=True)
    day_start: Mapped[datetime]  # the start of that day on her clock
    task_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("task.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
