"""Her information-sharing ledger: what she agreed may be shared, with which agency, when and on what basis."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.models.base import Base, UUIDKey, encrypted, one_of, utcnow


class AgencyKind(enum.StrEnum):
    """The kind of agency information goes to (its own name is kept encrypted beside it)."""

    CHILDRENS_SERVICES = "childrens_services"  # children's social care, child protection
    POLICE = "police"
    HEALTH = "health"
    EDUCATION = "education"                    # a school or nursery
    HOUSING = "housing"
    RISK_CONFERENCE = "risk_conference"        # a multi-agency risk assessment conference (Marac in the UK)
    PROBATION = "probation"
    PROGRAMME = "programme"                    # the staff of his course: only her risk note, only with her yes
    OTHER = "other"


class SharingAction(enum.StrEnum):
    AGREED = "agreed"                    # she agreed (how: `how_given`)
    WITHDRAWN = "withdrawn"              # she withdrew her agreement
    WITHOUT_CONSENT = "without_consent"  # shared or to be shared on a legal basis, without her agreement


class SharingBasis(enum.StrEnum):
    """Her agreement, or the legal basis for sharing without it (a written reason is then required)."""

    CONSENT = "consent"
    CHILD_PROTECTION = "child_protection"  # a duty to protect a child from significant harm
    RISK_TO_LIFE = "risk_to_life"          # to prevent serious harm or a risk to someone's life
    CRIME_PREVENTION = "crime_prevention"  # to prevent or detect a serious crime
    COURT_ORDER = "court_order"            # a court order or another legal duty


class SharingHow(enum.StrEnum):
    """How she gave (or withdrew) her agreement."""

    IN_PERSON = "in_person"
    PHONE = "phone"
    IN_WRITING = "in_writing"
    OTHER = "other"


class SharingConsentEvent(UUIDKey, Base):
    """Append-only: a change is a new entry (services/casework/sharing_consent.py is its one writer)."""

    __tablename__ = "sharing_consent_event"
    __table_args__ = (one_of("action", SharingAction), one_of("agency", AgencyKind), one_of("basis", SharingBasis),
                      one_of("how_given", SharingHow))
    partner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("partner_contact.id"), index=True)
    action: Mapped[str] = mapped_column(String(20))
    agency: Mapped[str] = mapped_column(String(30))
    agency_name_ct: Mapped[bytes | None] = encrypted()
    information: Mapped[str | None] = mapped_column(String(200))  # SharingInformation codes, comma-separated
    basis: Mapped[str] = mapped_column(String(30), default=SharingBasis.CONSENT)
    how_given: Mapped[str | None] = mapped_column(String(20))
    reason_ct: Mapped[bytes | None] = encrypted()  # the written reason for sharing without her agreement
    occurred_at: Mapped[datetime]  # when she agreed or withdrew, or when the decision was made
    recorded_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff_user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
