"""What only she can open (her safety plan) and her optional evaluation answers."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.models.base import Base, UUIDKey, encrypted, utcnow


class SafetyPlan(UUIDKey, Base):
    """Sealed with a key derived from her passphrase: no staff member or database reader can open it."""

    __tablename__ = "safety_plan"
    partner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("partner_contact.id"), unique=True)
    salt: Mapped[bytes]
    time_cost: Mapped[int]
    memory_kib: Mapped[int]
    parallelism: Mapped[int]
    sealed: Mapped[bytes]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class QuestionnaireResponse(UUIDKey, Base):
    __tablename__ = "questionnaire_response"
    partner_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("partner_contact.id"), index=True)
    programme_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("programme.id"))
    stage: Mapped[str] = mapped_column(String(20))  # start | middle | end | follow_up
    answers_ct: Mapped[bytes | None] = encrypted()
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
