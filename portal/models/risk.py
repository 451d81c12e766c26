"""Her risk assessments (a DASH-shaped checklist): one dated, append-only row per assessment of her case."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import ClassVar

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.models.base import Base, UUIDKey, encrypted, one_of, utcnow


class RiskAnswer(enum.StrEnum):
    """One checklist item's answer (kept inside the encrypted answers, never in a column of its own)."""

    YES = "yes"
    NO = "no"
    NOT_KNOWN = "not_known"


class RiskLevel(enum.StrEnum):
    """Lowest first: a level is raised by moving right, and never moved left."""

    STANDARD = "standard"
    MEDIUM = "medium"
    HIGH = "high"
    ALL: ClassVar[tuple[RiskLevel, ...]]


RiskLevel.ALL = tuple(RiskLevel)


class RiskAssessment(UUIDKey, Base):
    """One assessment, as her worker recorded it: never updated (a re-assessment is a new row).

    Counts, levels and the escalation flag are plain (her case page draws the trend from them without
    decrypting anything); what she said is encrypted, bound to this row: every answer and the dates of the
    incidents she could date (`answers_ct`, JSON), her own words about what she fears (`fears_ct`) and her
    worker's reason for raising the level (`judgement_ct`).
    """

    __tablename__ = "risk_assessment"
    __table_args__ = (one_of("scored_level", RiskLevel), one_of("judgement_level", RiskLevel),
                      one_of("level", RiskLevel))
    partner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("partner_contact.id"), index=True)
    assessed_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("staff_user.id"))
    assessed_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Which checklist the answers belong to (the starter items, or a deployment's licensed file).
    checklist_id: Mapped[str] = mapped_column(String(60))
    checklist_version: Mapped[str] = mapped_column(String(40))
    item_count: Mapped[int]
    yes_count: Mapped[int]
    not_known_count: Mapped[int]
    scored_level: Mapped[str] = mapped_column(String(20))
    # Her worker's professional judgement: only ever at or above the scored level (the service refuses less).
    judgement_level: Mapped[str | None] = mapped_column(String(20))
    level: Mapped[str] = mapped_column(String(20))
    incidents_12m: Mapped[int]
    escalation: Mapped[bool] = mapped_column(default=False)
    answers_ct: Mapped[bytes | None] = encrypted()
    fears_ct: Mapped[bytes | None] = encrypted()
    judgement_ct: Mapped[bytes | None] = encrypted()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
