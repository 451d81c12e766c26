"""Her referrals to a multi-agency risk assessment conference (Marac in the UK), each built from one assessment."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.models.base import Base, UUIDKey, encrypted, one_of, utcnow
from portal.models.risk import RiskLevel
from portal.models.sharing import SharingBasis, SharingHow


class ConferenceStatus(enum.StrEnum):
    """Where a referral stands (services/casework/risk_conference.py moves it, and nothing else does)."""

    AWAITING_APPROVAL = "awaiting_approval"  # made without her consent: waits for a second approver
    REFERRED = "referred"                    # referred (with her consent at once, else once approved)
    REVOKED = "revoked"                      # withdrawn, with a reason; it stays in her history


class RiskConferenceReferral(UUIDKey, Base):
    """One referral of her case to a risk conference.

    What it was built from is copied from the assessment (its date, yes answers, level, and her worker's reason
    for the level, encrypted again here), so that the referral reads the same if the assessment is gone.
    `required_by_law`: her worker marked it a record the law requires kept; an erasure of her data keeps it
    (DESIGN 8 "Erasure")."""

    __tablename__ = "risk_conference_referral"
    __table_args__ = (one_of("status", ConferenceStatus), one_of("basis", SharingBasis), one_of("level", RiskLevel),
                      one_of("how_given", SharingHow))
    partner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("partner_contact.id"), index=True)
    assessment_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("risk_assessment.id"))
    assessed_at: Mapped[datetime]
    yes_count: Mapped[int]
    item_count: Mapped[int]
    level: Mapped[str] = mapped_column(String(20))
    escalation: Mapped[bool] = mapped_column(default=False)
    judgement_ct: Mapped[bytes | None] = encrypted()     # her worker's professional-judgement reason, as recorded
    conference_name_ct: Mapped[bytes | None] = encrypted()
    referred_at: Mapped[datetime]
    she_knows: Mapped[bool]
    she_consents: Mapped[bool]
    how_given: Mapped[str | None] = mapped_column(String(20))  # how she agreed (with her consent only)
    basis: Mapped[str] = mapped_column(String(30))  # consent, or the legal basis for referring without it
    reason_ct: Mapped[bytes | None] = encrypted()   # the written reason (without her consent)
    status: Mapped[str] = mapped_column(String(20))
    required_by_law: Mapped[bool] = mapped_column(default=False)
    sharing_entry_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("sharing_consent_event.id"))
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff_user.id"))
    approved_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff_user.id"))
    approved_at: Mapped[datetime | None]
    revoked_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff_user.id"))
    revoked_at: Mapped[datetime | None]
    revoke_reason_ct: Mapped[bytes | None] = encrypted()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
