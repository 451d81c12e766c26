"""What only she can open (her safety plan) and her optional evaluation answers."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portal.models.base import Base, UUIDKey, encrypted, one_of, utcnow
from portal.models.evaluation import EvaluationStage, RecordedBy


class SafetyPlan(UUIDKey, Base):
    """Her plan, sealed by her passphrase: two slots, always (services/her/safety_plan.py).

    Each slot holds a random data key wrapped under Argon2id(passphrase, salt) and the content sealed under
    that data key, padded to one fixed size. Which slot is her plan and which the harmless one a second
    passphrase opens (or random filler nobody can open) is written only inside the ciphertexts: no staff
    member or database reader can open either, or tell whether she set a second passphrase.
    """

    __tablename__ = "safety_plan"
    partner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("partner_contact.id"), unique=True)
    # Argon2id's cost, the same for both slots (opening derives both, so both paths take the same time).
    memory_kib: Mapped[int]
    time_cost: Mapped[int]
    parallelism: Mapped[int]
    salt_0: Mapped[bytes]
    wrapped_key_0: Mapped[bytes]
    content_0: Mapped[bytes]
    salt_1: Mapped[bytes]
    wrapped_key_1: Mapped[bytes]
    content_1: Mapped[bytes]
    # Wrong passphrases since the last right one (either passphrase), and the wait they impose.
    wrong_tries: Mapped[int] = mapped_column(default=0)
    wait_until: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class SafetyPlanShare(UUIDKey, Base):
    """A copy of one slot's content she chose to share with her worker, under the service's keys."""

    __tablename__ = "safety_plan_share"
    __table_args__ = (UniqueConstraint("plan_id", "slot"),)
    plan_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("safety_plan.id"), index=True)
    slot: Mapped[int]
    content_ct: Mapped[bytes | None] = encrypted()
    shared_at: Mapped[datetime] = mapped_column(default=utcnow)


class QuestionnaireResponse(UUIDKey, Base):
    """Her answers to one evaluation stage (services/evaluation/): encrypted, never seen by a facilitator.

    `answers_ct` is JSON {item code: answer code} of the questions she answered (a skipped question is absent),
    sealed like her other details. Deleted with her record (DESIGN 8 "Evaluation"): reports are computed from
    what is here, so an erasure takes her out of every report.
    """

    __tablename__ = "questionnaire_response"
    __table_args__ = (UniqueConstraint("partner_id", "programme_id", "stage"),
                      one_of("stage", EvaluationStage), one_of("recorded_by", RecordedBy))
    partner_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("partner_contact.id"), index=True)
    programme_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("programme.id"))
    offer_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("evaluation_offer.id"))
    stage: Mapped[str] = mapped_column(String(20))
    # Which item set she answered (the file's id and version: a deployment may load the Toolkit's own items).
    items_id: Mapped[str] = mapped_column(String(40), default="starter")
    items_version: Mapped[str] = mapped_column(String(40), default="1")
    recorded_by: Mapped[str] = mapped_column(String(20), default=RecordedBy.HER)
    recorded_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff_user.id"))
    answers_ct: Mapped[bytes | None] = encrypted()
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
