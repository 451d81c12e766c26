"""Her children on her case, and the child-protection referrals her worker makes about them (WWP EN B.2).

A child is recorded by first name or initials and year of birth (typed as an age or a year, in any script's
digits); the school and other details are never disclosed (services/casework/never_disclose.py). A referral
says when, to which agency, about which children, what was shared and on what basis (her agreement, or a legal
basis with a written reason: services/casework/sharing_consent.decide), and what came of it. Her worker may mark
a referral as required by law: an erasure of her data keeps it, with the first names or initials and years of
birth of the children it is about (DESIGN 8 "Erasure"); everything else here is erased. Every change is audited.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from portal.crypto import Vault
from portal.digits import parse_digits
from portal.domain_error import DomainError
from portal.models import (
    ChildProtectionReferral,
    ChildRecord,
    PartnerContact,
    ReferralChild,
    ReferralOutcome,
    SharingBasis,
    StaffUser,
    Task,
)
from portal.services.casework import sharing_consent
from portal.services.casework.sharing_consent import Agency
from portal.services.context import DomainContext

FIRST_NAME_MAX = 60
SCHOOL_MAX = 200
DETAILS_MAX = 2000
NOTES_MAX = 4000
AGE_MAX = 30  # her children may be adults still at home; older than this is a typing slip
OUTCOMES = tuple(ReferralOutcome)
# Tables whose rows of hers this module erases itself (erasure.py leaves them out of its general sweep).
ERASES_ITS_OWN = (ChildRecord.__tablename__, ChildProtectionReferral.__tablename__)


class ChildError(DomainError):
    """The child or referral is refused; `code` picks the message, `field` the input at fault."""


@dataclass(frozen=True)
class ChildInput:
    """A child as her worker typed it. On a change, an empty school or details field keeps what is recorded."""

    first_name: str
    age: str = ""
    birth_year: str = ""
    school: str = ""
    details: str = ""
    clear_school: bool = False
    clear_details: bool = False


def _text(value: str, limit: int, code: str, field: str, *, lines: bool = False) -> str:
    text = (value or "").replace("\r\n", "\n").strip()
    if len(text) > limit:
        raise ChildError(f"{code}_too_long", field)
    if any(not (ch.isprintable() or (lines and ch == "\n")) for ch in text):
        raise ChildError(f"{code}_invalid", field)
    return text


def birth_year_of(age_text: str, year_text: str, now: datetime) -> int | None:
    """The year of birth from an age or a year (either may be empty; both must agree within a year)."""
    age = year = None
    if (age_text or "").strip():
        digits = parse_digits(age_text[:8])
        if digits is None or int(digits) > AGE_MAX:
            raise ChildError("child_age_invalid", "age")
        age = int(digits)
    if (year_text or "").strip():
        digits = parse_digits(year_text[:8])
        if digits is None or len(digits) != 4 or not now.year - AGE_MAX - 1 <= int(digits) <= now.year:
            raise ChildError("child_year_invalid", "birth_year")
        year = int(digits)
    if age is not None and year is not None and year not in (now.year - age, now.year - age - 1):
        raise ChildError("child_age_year_mismatch", "birth_year")
    if year is not None:
        return year
    return now.year - age if age is not None else None


@dataclass(frozen=True)
class CheckedChild:
    first_name: str
    birth_year: int | None
    school: str
    details: str


def check_child(data: ChildInput, now: datetime) -> CheckedChild:
    name = " ".join((data.first_name or "").split())
    if not name:
        raise ChildError("child_name_required", "first_name")
    name = _text(name, FIRST_NAME_MAX, "child_name", "first_name")
    year = birth_year_of(data.age, data.birth_year, now)
    school = _text(data.school, SCHOOL_MAX, "child_school", "school")
    details = _text(data.details, DETAILS_MAX, "child_details", "details", lines=True)
    return CheckedChild(name, year, school, details)


def find_child(db: Session, partner: PartnerContact, child_id: uuid.UUID) -> ChildRecord | None:
    """One of her children (a child of another case, or none: None)."""
    child = db.get(ChildRecord, child_id)
    return child if child is not None and child.partner_id == partner.id else None


def add_child(ctx: DomainContext, partner: PartnerContact, data: ChildInput) -> ChildRecord:
    checked = check_child(data, ctx.now)
    child = ChildRecord(id=uuid.uuid4(), partner_id=partner.id, birth_year=checked.birth_year,
                        created_by_id=_staff_id(ctx), created_at=ctx.now, updated_at=ctx.now)
    ctx.vault.put(child, "first_name_ct", checked.first_name)
    ctx.vault.put(child, "school_ct", checked.school or None)
    ctx.vault.put(child, "details_ct", checked.details or None)
    ctx.db.add(child)
    ctx.db.flush()
    ctx.audit("child.add", "partner_contact", partner.id, {"child": str(child.id)})
    return child


def update_child(ctx: DomainContext, partner: PartnerContact, child: ChildRecord, data: ChildInput) -> list[str]:
    """Change a child's record; which fields changed (audited by name, never by value)."""
    if child.partner_id != partner.id:
        raise ChildError("child_unknown")
    checked = check_child(data, ctx.now)
    changed = []
    if ctx.vault.get(child, "first_name_ct") != checked.first_name:
        ctx.vault.put(child, "first_name_ct", checked.first_name)
        changed.append("first_name")
    if child.birth_year != checked.birth_year:
        child.birth_year = checked.birth_year
        changed.append("birth_year")
    for name, value, clear in (("school", checked.school, data.clear_school),
                               ("details", checked.details, data.clear_details)):
        column = f"{name}_ct"
        if clear and getattr(child, column) is not None:
            ctx.vault.put(child, column, None)
            changed.append(name)
        elif value and not clear:
            ctx.vault.put(child, column, value)
            changed.append(name)
    if changed:
        child.updated_at = ctx.now
        ctx.audit("child.update", "partner_contact", partner.id, {"child": str(child.id), "fields": changed})
    return changed


def remove_child(ctx: DomainContext, partner: PartnerContact, child: ChildRecord) -> None:
    """Delete a child's record, unless a referral names the child (the referral's record needs it)."""
    if child.partner_id != partner.id:
        raise ChildError("child_unknown")
    if ctx.db.scalar(select(ReferralChild.id).where(ReferralChild.child_id == child.id).limit(1)) is not None:
        raise ChildError("child_in_referral")
    ctx.db.delete(child)
    ctx.db.flush()
    ctx.audit("child.remove", "partner_contact", partner.id, {"child": str(child.id)})


@dataclass(frozen=True)
class ChildView:
    """A child as lists show it: never the school or details (only whether they are recorded)."""

    id: uuid.UUID
    first_name: str
    birth_year: int | None
    age_low: int | None
    age_high: int | None
    record: ChildRecord


def child_view(vault: Vault, child: ChildRecord, now: datetime) -> ChildView:
    high = now.year - child.birth_year if child.birth_year is not None else None
    low = max(0, high - 1) if high is not None else None
    return ChildView(child.id, vault.get(child, "first_name_ct") or "", child.birth_year, low, high, child)


def children_of(db: Session, vault: Vault, partner_id: uuid.UUID, now: datetime) -> list[ChildView]:
    rows = db.scalars(select(ChildRecord).where(ChildRecord.partner_id == partner_id)
                      .order_by(ChildRecord.birth_year.is_(None), ChildRecord.birth_year, ChildRecord.created_at,
                                ChildRecord.id))
    return [child_view(vault, row, now) for row in rows]


# -- child-protection referrals --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReferralInput:
    """A referral as her worker filled it in. `agency` is a kind, or `known:<entry>` for an agency of her
    sharing ledger; `basis` empty means "her agreement, if she gave it" (the form then asks)."""

    referred_at: datetime
    agency: str
    agency_name: str
    children: tuple[str, ...]
    information: tuple[str, ...]
    basis: str
    reason: str
    outcome: str
    outcome_notes: str
    required_by_law: bool
    source_task_id: uuid.UUID | None = None


def _staff_id(ctx: DomainContext) -> uuid.UUID | None:
    try:
        return uuid.UUID(ctx.actor.id) if ctx.actor.id else None
    except ValueError:
        return None


def _her_children(db: Session, partner: PartnerContact, ids: tuple[str, ...]) -> list[ChildRecord]:
    if not ids:
        raise ChildError("referral_children_required", "children")
    found = []
    for text in dict.fromkeys(ids):
        try:
            child = find_child(db, partner, uuid.UUID(text))
        except ValueError:
            child = None
        if child is None:
            raise ChildError("referral_child_unknown", "children")
        found.append(child)
    return found


def check_outcome(outcome: str, notes: str) -> tuple[str, str]:
    if outcome not in OUTCOMES:
        raise ChildError("outcome_invalid", "outcome")
    return outcome, _text(notes, NOTES_MAX, "outcome_notes", "outcome_notes", lines=True)


def record_referral(ctx: DomainContext, partner: PartnerContact, data: ReferralInput) -> ChildProtectionReferral:
    """Record a child-protection referral. Without her agreement to this sharing, a legal basis and a written
    reason are required, and go in her sharing ledger too (sharing_consent.record_without_consent)."""
    db, vault = ctx.db, ctx.vault
    if data.referred_at > ctx.now + timedelta(minutes=5):
        raise ChildError("referral_in_future", "referred_on")
    agency = sharing_consent.resolve_agency(db, vault, partner, data.agency, data.agency_name)
    if agency.kind == sharing_consent.PROGRAMME:
        raise ChildError("agency_invalid", "agency")  # his programme gets only her risk note, never a referral
    children = _her_children(db, partner, data.children)
    information = sharing_consent.check_information(data.information)
    outcome, notes = check_outcome(data.outcome, data.outcome_notes)
    task = db.get(Task, data.source_task_id) if data.source_task_id else None
    if task is not None and task.partner_id != partner.id:
        task = None
    decision = sharing_consent.decide(sharing_consent.current(db, vault, partner.id), agency, information,
                                      data.basis, data.reason)
    if decision.basis != SharingBasis.CONSENT:
        sharing_consent.record_without_consent(ctx, partner, agency=agency, information=information,
                                               basis=decision.basis, reason=decision.reason or "",
                                               occurred_at=data.referred_at)
    referral = ChildProtectionReferral(
        id=uuid.uuid4(), partner_id=partner.id, referred_at=data.referred_at, agency=agency.kind,
        information=",".join(information), basis=SharingBasis(decision.basis),
        consent_entry_id=decision.consent_entry_id, outcome=ReferralOutcome(outcome),
        required_by_law=bool(data.required_by_law), source_task_id=task.id if task else None,
        created_by_id=_staff_id(ctx), created_at=ctx.now, updated_at=ctx.now)
    vault.put(referral, "agency_name_ct", agency.name or None)
    vault.put(referral, "basis_reason_ct", decision.reason)
    vault.put(referral, "outcome_notes_ct", notes or None)
    db.add(referral)
    db.flush()
    for child in children:
        db.add(ReferralChild(id=uuid.uuid4(), referral_id=referral.id, child_id=child.id))
    db.flush()
    ctx.audit("child_referral.record", "partner_contact", partner.id,
              {"referral": str(referral.id), "agency": agency.kind, "basis": decision.basis,
               "required_by_law": referral.required_by_law, "children": len(children)})
    return referral


def find_referral(db: Session, partner: PartnerContact, referral_id: uuid.UUID) -> ChildProtectionReferral | None:
    referral = db.get(ChildProtectionReferral, referral_id)
    return referral if referral is not None and referral.partner_id == partner.id else None


def update_referral(ctx: DomainContext, partner: PartnerContact, referral: ChildProtectionReferral, *,
                    outcome: str, outcome_notes: str, required_by_law: bool) -> list[str]:
    """What came of a referral, and whether the law requires it kept; which fields changed (audited)."""
    if referral.partner_id != partner.id:
        raise ChildError("referral_unknown")
    outcome, notes = check_outcome(outcome, outcome_notes)
    changed = []
    if referral.outcome != outcome:
        referral.outcome = ReferralOutcome(outcome)
        changed.append("outcome")
    if (ctx.vault.get(referral, "outcome_notes_ct") or "") != notes:
        ctx.vault.put(referral, "outcome_notes_ct", notes or None)
        changed.append("outcome_notes")
    if referral.required_by_law != bool(required_by_law):
        referral.required_by_law = bool(required_by_law)
        changed.append("required_by_law")
    if changed:
        referral.updated_at = ctx.now
        ctx.audit("child_referral.update", "partner_contact", partner.id,
                  {"referral": str(referral.id), "fields": changed, "required_by_law": referral.required_by_law})
    return changed


@dataclass(frozen=True)
class ReferralView:
    id: uuid.UUID
    referred_at: datetime
    agency: Agency
    children: list[ChildView]
    information: tuple[str, ...]
    basis: str
    basis_reason: str | None
    outcome: str
    outcome_notes: str | None
    required_by_law: bool
    recorded_by: str | None
    source_task_id: uuid.UUID | None


def _views(db: Session, vault: Vault, partner_id: uuid.UUID, now: datetime, *,
           only_required: bool) -> list[ReferralView]:
    query = (select(ChildProtectionReferral, StaffUser.display_name)
             .outerjoin(StaffUser, StaffUser.id == ChildProtectionReferral.created_by_id)
             .where(ChildProtectionReferral.partner_id == partner_id)
             .order_by(ChildProtectionReferral.referred_at.desc(), ChildProtectionReferral.id))
    if only_required:
        query = query.where(ChildProtectionReferral.required_by_law.is_(True))
    views = []
    for referral, name in db.execute(query).all():
        kids = db.scalars(select(ChildRecord).join(ReferralChild, ReferralChild.child_id == ChildRecord.id)
                          .where(ReferralChild.referral_id == referral.id)
                          .order_by(ChildRecord.birth_year, ChildRecord.id))
        views.append(ReferralView(
            referral.id, referral.referred_at, Agency(referral.agency, vault.get(referral, "agency_name_ct") or ""),
            [child_view(vault, kid, now) for kid in kids], sharing_consent.codes_of(referral.information),
            referral.basis, vault.get(referral, "basis_reason_ct"), referral.outcome,
            vault.get(referral, "outcome_notes_ct"), referral.required_by_law, name, referral.source_task_id))
    return views


def referrals_of(db: Session, vault: Vault, partner_id: uuid.UUID, now: datetime) -> list[ReferralView]:
    return _views(db, vault, partner_id, now, only_required=False)


def kept_by_law(db: Session, vault: Vault, partner_id: uuid.UUID, now: datetime) -> list[ReferralView]:
    """The referrals an erasure of her data keeps (listed on the erasure page)."""
    return _views(db, vault, partner_id, now, only_required=True)


def erase_for_partner(db: Session, partner_id: uuid.UUID) -> int:
    """Her erasure: referrals not marked required by law are deleted, with every child they alone name; the
    kept referrals keep the first names or initials and years of birth of their children, never a school or
    other details. Returns how many referrals were kept. (Runs before her sharing ledger is deleted.)"""
    referrals = select(ChildProtectionReferral.id).where(ChildProtectionReferral.partner_id == partner_id)
    kept = list(db.scalars(referrals.where(ChildProtectionReferral.required_by_law.is_(True))))
    gone = referrals.where(ChildProtectionReferral.required_by_law.is_(False))
    db.execute(delete(ReferralChild).where(ReferralChild.referral_id.in_(gone)))
    db.execute(delete(ChildProtectionReferral).where(ChildProtectionReferral.id.in_(gone)))
    db.execute(update(ChildProtectionReferral).where(ChildProtectionReferral.id.in_(kept))
               .values(consent_entry_id=None))
    named = select(ReferralChild.child_id).where(ReferralChild.referral_id.in_(kept))
    db.execute(delete(ChildRecord).where(ChildRecord.partner_id == partner_id, ChildRecord.id.not_in(named)))
    db.execute(update(ChildRecord).where(ChildRecord.partner_id == partner_id)
               .values(school_ct=None, details_ct=None))
    return len(kept)
