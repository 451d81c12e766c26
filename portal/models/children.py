"""Her children on her case, and the child-protection referrals her worker made about them."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portal.models.base import Base, UUIDKey, encrypted, one_of, utcnow
from portal.models.sharing import AgencyKind, SharingBasis


class ReferralOutcome(enum.StrEnum):
    """What came of a child-protection referral, as far as her worker knows."""

    AWAITING = "awaiting"                    # no answer from the agency yet
    ASSESSMENT = "assessment"                # accepted: an assessment or enquiry is under way
    PLAN = "plan"                            # a child-protection or child-in-need plan is in place
    ADVICE_ONLY = "advice_only"              # advice given, no further involvement
    NO_FURTHER_ACTION = "no_further_action"
    OTHER = "other"


class ChildRecord(UUIDKey, Base):
    """One of her children: first name or initials and year of birth; the school and other details are
    never disclosed (services/casework/never_disclose.py)."""

    __tablename__ = "child_record"
    partner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("partner_contact.id"), index=True)
    first_name_ct: Mapped[bytes | None] = encrypted()  # first name or initials
    birth_year: Mapped[int | None]
    school_ct: Mapped[bytes | None] = encrypted()       # never disclose
    details_ct: Mapped[bytes | None] = encrypted()      # other never-disclose details
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff_user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class ChildProtectionReferral(UUIDKey, Base):
    """A referral her worker made to an agency about her children: when, to whom, on what basis, what came of it.

    `required_by_law`: her worker marked it as a record the law requires the service to keep; an erasure of
    her data keeps it (DESIGN 8 "Erasure")."""

    __tablename__ = "child_protection_referral"
    __table_args__ = (one_of("agency", AgencyKind), one_of("outcome", ReferralOutcome),
                      one_of("basis", SharingBasis))
    partner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("partner_contact.id"), index=True)
    referred_at: Mapped[datetime]
    agency: Mapped[str] = mapped_column(String(30))
    agency_name_ct: Mapped[bytes | None] = encrypted()
    information: Mapped[str] = mapped_column(String(200))  # what was shared: SharingInformation codes, comma-separated
    basis: Mapped[str] = mapped_column(String(30))  # her agreement, or the legal basis for sharing without it
    basis_reason_ct: Mapped[bytes | None] = encrypted()  # the written reason (required without her agreement)
    consent_entry_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("sharing_consent_event.id"))
    outcome: Mapped[str] = mapped_column(String(30), default=ReferralOutcome.AWAITING)
    outcome_notes_ct: Mapped[bytes | None] = encrypted()
    required_by_law: Mapped[bool] = mapped_column(default=False)
    source_task_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("task.id"))
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff_user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class ReferralChild(UUIDKey, Base):
    """Which of her children a referral is about."""

    __tablename__ = "referral_child"
    __table_args__ = (UniqueConstraint("referral_id", "child_id"),)
    referral_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("child_protection_referral.id"), index=True)
    child_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("child_record.id"), index=True)
