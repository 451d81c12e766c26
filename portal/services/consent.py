"""Her consent ledger: yes, no, and withdrawal; withdrawing stops everything at once."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import ConsentEvent, PartnerContact, PartnerStatus, Severity
from portal.services.audit import Actor, record
from portal.services.invites import revoke_invites
from portal.services.outbox import cancel_pending
from portal.services.tasks import create_task

GIVEN, DECLINED, WITHDRAWN = "given", "declined", "withdrawn"
CHANNELS = ("web", "sms", "worker")
SCOPES = ("contact", "sms")


@dataclass(frozen=True)
class WithdrawalResult:
    cancelled_messages: int
    task_id: uuid.UUID


def _ledger(db: Session, partner: PartnerContact, action: str, channel: str, scope: str, now: datetime,
            text_version: str | None, recorded_by: uuid.UUID | None) -> ConsentEvent:
    if channel not in CHANNELS or scope not in SCOPES:
        raise ValueError("unknown consent channel or scope")
    event = ConsentEvent(id=uuid.uuid4(), partner_id=partner.id, action=action, channel=channel, scope=scope,
                         text_version=text_version, recorded_by_id=recorded_by, occurred_at=now)
    db.add(event)
    return event


def give(db: Session, audit_key: bytes, partner: PartnerContact, *, channel: str, now: datetime,
         text_version: str | None, actor: Actor, scope: str = "contact",
         recorded_by: uuid.UUID | None = None) -> None:
    _ledger(db, partner, GIVEN, channel, scope, now, text_version, recorded_by)
    if scope == "contact":
        partner.status = PartnerStatus.ACTIVE
    else:
        partner.sms_opted_out = False
    record(db, audit_key, actor, f"consent.given.{scope}", "partner_contact", partner.id, {"channel": channel})


def decline(db: Session, audit_key: bytes, partner: PartnerContact, *, channel: str, now: datetime,
            text_version: str | None, actor: Actor) -> None:
    _ledger(db, partner, DECLINED, channel, "contact", now, text_version, None)
    partner.status = PartnerStatus.DECLINED
    cancel_pending(db, partner.id, now)
    record(db, audit_key, actor, "consent.declined", "partner_contact", partner.id, {"channel": channel})


def withdraw(db: Session, audit_key: bytes, partner: PartnerContact, *, channel: str, now: datetime,
             actor: Actor, scope: str = "contact", recorded_by: uuid.UUID | None = None,
             text_version: str | None = None) -> WithdrawalResult:
    """Instant and total: pending messages cancelled, links revoked (contact scope), her worker told."""
    _ledger(db, partner, WITHDRAWN, channel, scope, now, text_version, recorded_by)
    cancelled = cancel_pending(db, partner.id, now)
    if scope == "contact":
        partner.status = PartnerStatus.WITHDRAWN
        revoke_invites(db, partner.id, now)
    else:
        partner.sms_opted_out = True
    task = create_task(db, partner, kind=f"consent_withdrawn_{scope}", severity=Severity.SOON, now=now)
    record(db, audit_key, actor, f"consent.withdrawn.{scope}", "partner_contact", partner.id,
           {"channel": channel, "cancelled": cancelled})
    return WithdrawalResult(cancelled, task.id)


def history(db: Session, partner_id: uuid.UUID) -> list[ConsentEvent]:
    return list(db.scalars(select(ConsentEvent).where(ConsentEvent.partner_id == partner_id)
                           .order_by(ConsentEvent.occurred_at, ConsentEvent.id)))
