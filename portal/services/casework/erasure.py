"""Erase her: destroy her personal data everywhere, keep a tombstone row and the audit chain."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import FromClause, delete, select, update
from sqlalchemy.orm import Session

from portal.models import (
    AccessToken,
    Base,
    CheckIn,
    ContactLogEntry,
    DeliveryReceipt,
    InboundMessage,
    Notification,
    PartnerContact,
    PartnerLink,
    PartnerStatus,
    Preferences,
    RiskAssessment,
    SafeWindow,
    Task,
    WarningWording,
    WebSession,
)
from portal.services.casework import children, risk_conference, risk_note, sharing_consent
from portal.services.casework.erasure_storage import StorageCleanup
from portal.services.context import DomainContext
from portal.services.evaluation import answers as evaluation_answers
from portal.services.her import her_checkins
from portal.services.her.consent import end_for_erasure
from portal.services.her.safety_plan import PLAN_TABLES, delete_plan_rows
from portal.services.messaging import provider_deletions

REASONS = ("request", "retention", "duplicate", "other")
TOMBSTONE_TIMEZONE = "Etc/UTC"


@dataclass(frozen=True)
class ErasureResult:
    """`storage`: what the caller must do after commit (erasure_storage.clean_storage); `kept_by_law`: how many
    child-protection referrals her worker marked as required by law were kept; `kept_conference_referrals`: how
    many risk-conference referrals."""

    partner_id: uuid.UUID
    cancelled_messages: int
    already_erased: bool = False
    storage: StorageCleanup = StorageCleanup(())
    provider_deletions: int = 0
    kept_by_law: int = 0
    kept_conference_referrals: int = 0


def _encrypted_columns(table: FromClause) -> list[str]:
    return [column.name for column in table.columns if column.info.get("encrypted")]


# Tables whose owners erase her rows themselves, keeping what the law requires (left out of the sweep below).
ERASED_BY_THEIR_OWNERS = frozenset((*children.ERASES_ITS_OWN, *risk_conference.ERASES_ITS_OWN))


def _sweep_other_tables(db: Session, partner_id: uuid.UUID, now: datetime) -> None:
    """Null every encrypted column of every row that points at her, in tables added after this module too
    (a table's `updated_at`, if it has one, says now: the erasure's time, not the wall clock's)."""
    for table in Base.metadata.sorted_tables:
        if table.name == PartnerContact.__tablename__ or "partner_id" not in table.columns \
                or table.name in ERASED_BY_THEIR_OWNERS:
            continue
        columns = _encrypted_columns(table)
        if columns:
            values: dict[str, object] = {name: None for name in columns}
            if "updated_at" in table.columns:
                values["updated_at"] = now
            db.execute(update(table).where(table.c.partner_id == partner_id).values(values))


def _forget_provider_ids(db: Session, pid: uuid.UUID, now: datetime) -> int:
    """Her provider message ids: delivery receipts and inbound claims deleted, outbound ids cleared, and every id
    queued for deletion at the provider (the dispatcher does it after commit). Returns how many were queued."""
    outbound = list(db.scalars(select(Notification.provider_sid).where(
        Notification.partner_id == pid, Notification.provider_sid.is_not(None))))
    inbound = list(db.scalars(select(InboundMessage.message_sid).where(InboundMessage.partner_id == pid)))
    if outbound:
        db.execute(delete(DeliveryReceipt).where(DeliveryReceipt.message_sid.in_(outbound)))
    db.execute(update(Notification).where(Notification.partner_id == pid)
               .values(params_ct=None, provider_sid=None, provider_status=None, body_digest=None, updated_at=now))
    db.execute(delete(InboundMessage).where(InboundMessage.partner_id == pid))
    return provider_deletions.schedule(db, [*outbound, *inbound], now)


def _tables_of_hers() -> tuple[str, ...]:
    """Every table an erasure deletes from or overwrites (vacuumed after commit on PostgreSQL)."""
    names = {PartnerContact.__tablename__, DeliveryReceipt.__tablename__, InboundMessage.__tablename__,
             *PLAN_TABLES}
    names.update(table.name for table in Base.metadata.sorted_tables if "partner_id" in table.columns)
    return tuple(sorted(names))


def erase_partner(ctx: DomainContext, partner: PartnerContact, *, reason: str) -> ErasureResult:
    """Destroy her personal data in the caller's transaction; the row stays as a tombstone (status erased)."""
    db, now = ctx.db, ctx.now
    if reason not in REASONS:
        raise ValueError(f"erasure reason must be one of {REASONS}")
    if partner.status == PartnerStatus.ERASED:
        return ErasureResult(partner.id, 0, already_erased=True)
    pid = partner.id
    cancelled = end_for_erasure(ctx, partner)  # DESIGN 8: stop contact first
    deletions = _forget_provider_ids(db, pid, now)
    db.execute(update(ContactLogEntry).where(ContactLogEntry.partner_id == pid)
               .values(notes_ct=None, next_step_ct=None))
    db.execute(update(Task).where(Task.partner_id == pid).values(detail_ct=None))
    db.execute(update(Task).where(Task.partner_id == pid, Task.done_at.is_(None))
               .values(done_at=now, contact_allowed=False))
    db.execute(update(Preferences).where(Preferences.partner_id == pid)
               .values(code_word_ct=None, updated_at=now))
    db.execute(delete(SafeWindow).where(SafeWindow.partner_id == pid))
    db.execute(delete(WarningWording).where(WarningWording.partner_id == pid))
    delete_plan_rows(db, pid)  # her sealed plan and any copy she shared: rows deleted
    # Her risk-conference referrals: only those marked as required by law stay, untied from her assessments.
    kept_referrals = risk_conference.erase_for_partner(db, pid)
    db.execute(delete(RiskAssessment).where(RiskAssessment.partner_id == pid))  # what she said, and its trend
    # Her evaluation answers and offers go (DESIGN 8): the programme reports, computed from what is left, no
    # longer count her.
    evaluation_answers.erase_for_partner(db, pid)
    db.execute(delete(AccessToken).where(AccessToken.partner_id == pid))
    db.execute(delete(WebSession).where(WebSession.partner_id == pid))
    db.execute(delete(PartnerLink).where(PartnerLink.partner_id == pid))
    db.execute(delete(CheckIn).where(CheckIn.partner_id == pid))
    her_checkins.erase(db, pid)  # her own check-ins, her agreed days and the days she missed
    # Her children and referrals: only the referrals her worker marked as required by law stay (DESIGN 8).
    kept = children.erase_for_partner(db, pid)
    risk_note.erase_for_partner(db, pid)  # the programme no longer sees any note from her case
    sharing_consent.erase_for_partner(db, pid)
    _sweep_other_tables(db, pid, now)
    for column in _encrypted_columns(PartnerContact.__table__):
        setattr(partner, column, None)
    partner.phone_bidx = None
    partner.email_bidx = None
    partner.pin_hash = None
    partner.pin_failures = 0
    partner.high_risk_until = None
    partner.high_risk_from = None
    partner.checkin_every_days = None
    partner.texts_held_since = None
    partner.timezone = TOMBSTONE_TIMEZONE
    partner.status = PartnerStatus.ERASED
    partner.erased_at = now
    partner.updated_at = now
    db.flush()
    details: dict[str, object] = {"reason": reason, "cancelled": cancelled}
    if kept:
        details["kept_by_law"] = kept
    if kept_referrals:
        details["kept_conference_referrals"] = kept_referrals
    ctx.audit("partner.erase", "partner_contact", pid, details)
    return ErasureResult(pid, cancelled, storage=StorageCleanup(_tables_of_hers()), provider_deletions=deletions,
                         kept_by_law=kept, kept_conference_referrals=kept_referrals)

