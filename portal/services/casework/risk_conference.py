"""Her referral to a multi-agency risk assessment conference (Marac in the UK): the one owner of its rules.

- A referral is built from one of her risk assessments: its date, yes answers, level and her worker's reason for
  the level are copied onto it (the referral reads the same later).
- Her worker records whether she knows of it and whether she consents (she cannot consent to what she does not
  know of). With her consent it is referred at once, and her sharing ledger gets her agreement to sharing risk
  information with the conference (services/casework/sharing_consent.py, the ledger's one writer).
- Without her consent a legal basis and a written reason are required (sharing_consent.decide's rules), and it
  waits for a second approver: an admin of her service, or a support worker an admin designated as a manager
  (StaffUser.is_manager), who is never the person who made it (four eyes, checked in the UPDATE itself). The
  approval writes the ledger entry without consent, with the basis and reason; two approvers at once approve once.
- A referral can be revoked, with a written reason, by the person who made it, her worker or an approver; it
  stays in her history, shown as revoked (the ledger keeps what was shared: it is append-only).
- Every step is audited (codes and record numbers only); reading the printable summary is audited too.
- Her worker may mark it required by law: an erasure of her data keeps it (DESIGN 8 "Erasure").
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session, aliased

from portal.crypto import Vault
from portal.database import take_write_lock
from portal.domain_error import DomainError
from portal.models import (
    AgencyKind,
    ConferenceStatus,
    PartnerContact,
    RiskAssessment,
    RiskConferenceReferral,
    Role,
    SharingBasis,
    StaffUser,
)
from portal.services.casework import sharing_consent
from portal.services.casework.sharing_consent import Agency
from portal.services.context import DomainContext

INFORMATION = ("risk",)  # what a referral shares with the conference (sharing_consent.INFORMATION codes)
NAME_MAX = sharing_consent.AGENCY_NAME_MAX
REASON_MIN = sharing_consent.REASON_MIN
REASON_MAX = sharing_consent.REASON_MAX
LEGAL_BASES = sharing_consent.LEGAL_BASES
HOW = sharing_consent.HOW
# Tables whose rows of hers this module erases itself (erasure.py leaves them out of its general sweep).
ERASES_ITS_OWN = (RiskConferenceReferral.__tablename__,)


class ConferenceError(DomainError):
    """The referral, approval or revocation is refused; `code` picks the message, `field` the input at fault."""


@dataclass(frozen=True)
class ReferralInput:
    """A referral as her worker filled it in (`knows` / `consents`: "yes", "no" or "" when not chosen)."""

    assessment_id: uuid.UUID
    conference_name: str
    referred_at: datetime
    knows: str
    consents: str
    how_given: str
    basis: str
    reason: str
    required_by_law: bool


def _staff_id(ctx: DomainContext) -> uuid.UUID | None:
    try:
        return uuid.UUID(ctx.actor.id) if ctx.actor.id else None
    except ValueError:
        return None


def _reason(text: str, field: str) -> str:
    reason = (text or "").replace("\r\n", "\n").strip()
    if len(reason) < REASON_MIN:
        raise ConferenceError("reason_required", field)
    if len(reason) > REASON_MAX:
        raise ConferenceError("reason_too_long", field)
    if any(not (ch.isprintable() or ch == "\n") for ch in reason):
        raise ConferenceError("reason_invalid", field)
    return reason


def _yes_no(value: str, field: str) -> bool:
    if value not in ("yes", "no"):
        raise ConferenceError(f"{field}_required", field)
    return value == "yes"


def conference(name: str) -> Agency:
    return Agency(AgencyKind.RISK_CONFERENCE, name)


def is_approver(staff: StaffUser, partner: PartnerContact) -> bool:
    """An admin of her service (or of every service), or a manager among her service's support workers."""
    if not staff.is_active:
        return False
    if staff.role == Role.ADMIN:
        return staff.service_id is None or staff.service_id == partner.service_id
    return staff.role == Role.SUPPORT_WORKER and staff.is_manager and staff.service_id == partner.service_id


def may_approve(staff: StaffUser, partner: PartnerContact, referral: RiskConferenceReferral) -> bool:
    """Whether this person may give the second approval: an approver who did not make it."""
    return (referral.status == ConferenceStatus.AWAITING_APPROVAL and is_approver(staff, partner)
            and referral.created_by_id is not None and referral.created_by_id != staff.id)


def may_revoke(staff: StaffUser, partner: PartnerContact, referral: RiskConferenceReferral) -> bool:
    """The person who made it, her worker, or an approver; a revoked referral stays revoked."""
    if referral.status == ConferenceStatus.REVOKED or not staff.is_active:
        return False
    return staff.id in (referral.created_by_id, partner.worker_id) or is_approver(staff, partner)


def make_referral(ctx: DomainContext, partner: PartnerContact, data: ReferralInput) -> RiskConferenceReferral:
    """Record a referral built from one of her assessments: referred at once with her consent (her agreement goes
    in her sharing ledger), else waiting for a second approver."""
    db, vault = ctx.db, ctx.vault
    assessment = db.get(RiskAssessment, data.assessment_id)
    if assessment is None or assessment.partner_id != partner.id:
        raise ConferenceError("assessment_unknown", "assessment")
    name = " ".join((data.conference_name or "").split())
    if not name:
        raise ConferenceError("conference_name_required", "conference_name")
    if len(name) > NAME_MAX or any(not ch.isprintable() for ch in name):
        raise ConferenceError("conference_name_invalid", "conference_name")
    if data.referred_at > ctx.now + timedelta(minutes=5):
        raise ConferenceError("referral_in_future", "referred_on")
    if data.referred_at < assessment.assessed_at - timedelta(days=1):
        raise ConferenceError("referral_before_assessment", "referred_on")
    knows = _yes_no(data.knows, "knows")
    consents = _yes_no(data.consents, "consents")
    if consents and not knows:
        raise ConferenceError("consent_without_knowing", "consents")
    how_given: str | None = None
    reason: str | None = None
    if consents:
        if data.how_given not in HOW:
            raise ConferenceError("how_required", "how_given")
        how_given, basis = data.how_given, SharingBasis.CONSENT
    else:
        if data.basis not in LEGAL_BASES:
            raise ConferenceError("basis_required" if not data.basis else "basis_invalid", "basis")
        basis, reason = SharingBasis(data.basis), _reason(data.reason, "reason")
    referral = RiskConferenceReferral(
        id=uuid.uuid4(), partner_id=partner.id, assessment_id=assessment.id, assessed_at=assessment.assessed_at,
        yes_count=assessment.yes_count, item_count=assessment.item_count, level=assessment.level,
        escalation=assessment.escalation, referred_at=data.referred_at, she_knows=knows, she_consents=consents,
        how_given=how_given, basis=basis,
        status=ConferenceStatus.REFERRED if consents else ConferenceStatus.AWAITING_APPROVAL,
        required_by_law=bool(data.required_by_law), created_by_id=_staff_id(ctx), created_at=ctx.now,
        updated_at=ctx.now)
    vault.put(referral, "judgement_ct", vault.get(assessment, "judgement_ct"))
    vault.put(referral, "conference_name_ct", name)
    vault.put(referral, "reason_ct", reason)
    db.add(referral)
    db.flush()
    if consents:
        agency = conference(name)
        earlier = sharing_consent.state_for(sharing_consent.current(db, vault, partner.id), agency)
        information = tuple(dict.fromkeys((*earlier.information, *INFORMATION))) if earlier.agreed else INFORMATION
        entry = sharing_consent.record_agreement(ctx, partner, agency=agency, information=information,
                                                 how_given=how_given or "", occurred_at=data.referred_at)
        referral.sharing_entry_id = entry.id
        db.flush()
    ctx.audit("risk_conference.refer" if consents else "risk_conference.submit", "partner_contact", partner.id,
              {"referral": str(referral.id), "assessment": str(assessment.id), "basis": str(basis),
               "knows": knows, "consents": consents, "required_by_law": referral.required_by_law})
    return referral


def approve(ctx: DomainContext, partner: PartnerContact, referral: RiskConferenceReferral,
            approver: StaffUser) -> RiskConferenceReferral:
    """The second approval of a referral made without her consent: one conditional UPDATE (the referral still
    awaits approval, and the approver is not the person who made it), then the ledger entry without consent."""
    if referral.partner_id != partner.id:
        raise ConferenceError("referral_unknown")
    if not is_approver(approver, partner):
        raise ConferenceError("not_an_approver")
    if referral.created_by_id == approver.id:
        ctx.audit("risk_conference.approve_refused", "partner_contact", partner.id,
                  {"referral": str(referral.id), "why": "own_referral"})
        raise ConferenceError("own_referral")
    take_write_lock(ctx.db)  # SQLite: the UPDATE below sees what a concurrent approver committed
    moved = ctx.db.execute(
        update(RiskConferenceReferral)
        .where(RiskConferenceReferral.id == referral.id,
               RiskConferenceReferral.status == ConferenceStatus.AWAITING_APPROVAL,
               RiskConferenceReferral.created_by_id.is_not(None),
               RiskConferenceReferral.created_by_id != approver.id)
        .values(status=ConferenceStatus.REFERRED, approved_by_id=approver.id, approved_at=ctx.now,
                updated_at=ctx.now)
        .execution_options(synchronize_session=False))
    if not getattr(moved, "rowcount", 0):
        ctx.db.refresh(referral)
        raise ConferenceError("own_referral" if referral.created_by_id == approver.id else "already_decided")
    ctx.db.refresh(referral)
    entry = sharing_consent.record_without_consent(
        ctx, partner, agency=conference(ctx.vault.get(referral, "conference_name_ct") or ""),
        information=INFORMATION, basis=referral.basis, reason=ctx.vault.get(referral, "reason_ct") or "",
        occurred_at=ctx.now)
    referral.sharing_entry_id = entry.id
    ctx.db.flush()
    ctx.audit("risk_conference.approve", "partner_contact", partner.id,
              {"referral": str(referral.id), "basis": referral.basis})
    return referral


def revoke(ctx: DomainContext, partner: PartnerContact, referral: RiskConferenceReferral, staff: StaffUser,
           reason: str) -> RiskConferenceReferral:
    """Revoke a referral with a written reason (one conditional UPDATE: revoked once); it stays in her history."""
    if referral.partner_id != partner.id:
        raise ConferenceError("referral_unknown")
    if not may_revoke(staff, partner, referral):
        raise ConferenceError("already_revoked" if referral.status == ConferenceStatus.REVOKED else "not_allowed")
    text = _reason(reason, "revoke_reason")
    take_write_lock(ctx.db)
    moved = ctx.db.execute(
        update(RiskConferenceReferral)
        .where(RiskConferenceReferral.id == referral.id, RiskConferenceReferral.status != ConferenceStatus.REVOKED)
        .values(status=ConferenceStatus.REVOKED, revoked_by_id=staff.id, revoked_at=ctx.now, updated_at=ctx.now)
        .execution_options(synchronize_session=False))
    if not getattr(moved, "rowcount", 0):
        raise ConferenceError("already_revoked")
    ctx.db.refresh(referral)
    ctx.vault.put(referral, "revoke_reason_ct", text)
    ctx.db.flush()
    ctx.audit("risk_conference.revoke", "partner_contact", partner.id, {"referral": str(referral.id)})
    return referral


def set_required_by_law(ctx: DomainContext, partner: PartnerContact, referral: RiskConferenceReferral,
                        required: bool) -> bool:
    """Mark (or unmark) the referral as a record the law requires kept; whether it changed (audited)."""
    if referral.partner_id != partner.id:
        raise ConferenceError("referral_unknown")
    if referral.required_by_law == bool(required):
        return False
    referral.required_by_law = bool(required)
    referral.updated_at = ctx.now
    ctx.audit("risk_conference.required_by_law", "partner_contact", partner.id,
              {"referral": str(referral.id), "required_by_law": referral.required_by_law})
    return True


def find(db: Session, partner: PartnerContact, referral_id: uuid.UUID) -> RiskConferenceReferral | None:
    referral = db.get(RiskConferenceReferral, referral_id)
    return referral if referral is not None and referral.partner_id == partner.id else None


@dataclass(frozen=True)
class ReferralView:
    """A referral as her case page, the approver and the printable summary show it (never a value of hers
    beyond what the form needs: no name, number, address, PIN, plan or children's details)."""

    id: uuid.UUID
    partner_id: uuid.UUID
    status: str
    conference_name: str
    referred_at: datetime
    assessment_id: uuid.UUID | None
    assessed_at: datetime
    yes_count: int
    item_count: int
    level: str
    escalation: bool
    judgement: str | None
    she_knows: bool
    she_consents: bool
    how_given: str | None
    basis: str
    reason: str | None
    required_by_law: bool
    made_by: str | None
    made_by_id: uuid.UUID | None
    approved_by: str | None
    approved_at: datetime | None
    revoked_by: str | None
    revoked_at: datetime | None
    revoke_reason: str | None


def _query():  # type: ignore[no-untyped-def]
    maker, approver, revoker = aliased(StaffUser), aliased(StaffUser), aliased(StaffUser)
    return (select(RiskConferenceReferral, maker.display_name, approver.display_name, revoker.display_name)
            .outerjoin(maker, maker.id == RiskConferenceReferral.created_by_id)
            .outerjoin(approver, approver.id == RiskConferenceReferral.approved_by_id)
            .outerjoin(revoker, revoker.id == RiskConferenceReferral.revoked_by_id))


def _view(vault: Vault, row: RiskConferenceReferral, maker: str | None, approver: str | None,
          revoker: str | None) -> ReferralView:
    return ReferralView(row.id, row.partner_id, row.status, vault.get(row, "conference_name_ct") or "",
                        row.referred_at, row.assessment_id, row.assessed_at, row.yes_count, row.item_count, row.level,
                        row.escalation, vault.get(row, "judgement_ct"), row.she_knows, row.she_consents,
                        row.how_given, row.basis, vault.get(row, "reason_ct"), row.required_by_law, maker,
                        row.created_by_id, approver, row.approved_at, revoker, row.revoked_at,
                        vault.get(row, "revoke_reason_ct"))


def referrals_of(db: Session, vault: Vault, partner_id: uuid.UUID, *, only_required: bool = False
                 ) -> list[ReferralView]:
    """Her referrals, newest first (revoked ones too, shown as revoked)."""
    query = (_query().where(RiskConferenceReferral.partner_id == partner_id)
             .order_by(RiskConferenceReferral.referred_at.desc(), RiskConferenceReferral.created_at.desc()))
    if only_required:
        query = query.where(RiskConferenceReferral.required_by_law.is_(True))
    return [_view(vault, *row) for row in db.execute(query).all()]


def kept_by_law(db: Session, vault: Vault, partner_id: uuid.UUID) -> list[ReferralView]:
    """The referrals an erasure of her data keeps (listed on the erasure page)."""
    return referrals_of(db, vault, partner_id, only_required=True)


def view_of(db: Session, vault: Vault, referral: RiskConferenceReferral) -> ReferralView:
    row = db.execute(_query().where(RiskConferenceReferral.id == referral.id)).one()
    return _view(vault, *row)


def read(ctx: DomainContext, referral: RiskConferenceReferral, *, printable: bool = False) -> ReferralView:
    """The referral decrypted, for its page or its printable summary: an audited read (who, which referral,
    which page; never the values)."""
    action = "risk_conference.summary_read" if printable else "risk_conference.read"
    ctx.audit(action, "partner_contact", referral.partner_id, {"referral": str(referral.id)})
    return view_of(ctx.db, ctx.vault, referral)


@dataclass(frozen=True)
class Awaiting:
    """A referral in an approver's queue: the case it belongs to, and who made it when (nothing decrypted)."""

    id: uuid.UUID
    partner_id: uuid.UUID
    referred_at: datetime
    level: str
    made_by: str | None
    mine: bool  # the approver made it: they cannot approve it


def awaiting_approval(db: Session, staff: StaffUser) -> list[Awaiting]:
    """The referrals this person could be second approver of (their own listed as theirs), oldest first."""
    if not staff.is_active or (staff.role == Role.SUPPORT_WORKER and not staff.is_manager) \
            or staff.role not in (Role.ADMIN, Role.SUPPORT_WORKER):
        return []
    maker = aliased(StaffUser)
    query = (select(RiskConferenceReferral, maker.display_name)
             .join(PartnerContact, PartnerContact.id == RiskConferenceReferral.partner_id)
             .outerjoin(maker, maker.id == RiskConferenceReferral.created_by_id)
             .where(RiskConferenceReferral.status == ConferenceStatus.AWAITING_APPROVAL,
                    PartnerContact.erased_at.is_(None))
             .order_by(RiskConferenceReferral.created_at, RiskConferenceReferral.id).limit(200))
    if staff.service_id is not None or staff.role != Role.ADMIN:
        query = query.where(PartnerContact.service_id == staff.service_id)
    return [Awaiting(row.id, row.partner_id, row.referred_at, row.level, name, row.created_by_id == staff.id)
            for row, name in db.execute(query).all()]


def erase_for_partner(db: Session, partner_id: uuid.UUID) -> int:
    """Her erasure: referrals not marked required by law are deleted; the kept ones lose their ties to her
    assessment and ledger entry (both erased) and keep what they said. Returns how many were kept.
    (Runs before her assessments and her sharing ledger are deleted.)"""
    mine = RiskConferenceReferral.partner_id == partner_id
    db.execute(delete(RiskConferenceReferral).where(mine, RiskConferenceReferral.required_by_law.is_(False)))
    kept = db.execute(update(RiskConferenceReferral).where(mine, RiskConferenceReferral.required_by_law.is_(True))
                      .values(assessment_id=None, sharing_entry_id=None)
                      .execution_options(synchronize_session=False))
    return int(getattr(kept, "rowcount", 0) or 0)
