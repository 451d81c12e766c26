"""What happens to a message after the provider answers: status reports, retries, and hand-overs."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from portal.config import Settings
from portal.models import (
    ActorKind,
    DeliveryReceipt,
    Notification,
    NotificationKind,
    NotificationState,
    PartnerContact,
    PartnerStatus,
    Severity,
    TaskKind,
)
from portal.services.audit import Actor
from portal.services.casework.tasks import create_task
from portal.services.context import DomainContext
from portal.services.her import consent
from portal.services.her.partners import records_sharing_number
from portal.sms.gateway import Outcome, classify_delivery_failure

SMS_ACTOR = Actor(ActorKind.SMS)

# Provider statuses by progress; a report never moves a message backwards.
STATUS_RANK = {
    "accepted": 1, "scheduled": 1, "queued": 1, "sending": 2, "sent": 3,
    "delivered": 4, "undelivered": 4, "failed": 4, "canceled": 4, "read": 5,
}
IN_FLIGHT = {"accepted", "scheduled", "queued", "sending", "sent"}
DELIVERED = {"delivered", "read"}
FAILED = {"undelivered", "failed", "canceled"}
FINAL_STATES = (NotificationState.DELIVERED, NotificationState.FAILED, NotificationState.CANCELLED,
                NotificationState.HANDED_OVER)


@dataclass(frozen=True)
class Policy:
    """How patient the dispatcher is. Defaults suit Twilio; tests and the fault drill shorten them."""

    public_url: str
    warning_stale: timedelta = timedelta(hours=48)
    lease: timedelta = timedelta(minutes=2)  # a claim older than this is treated as unknown
    reconcile_after: timedelta = timedelta(minutes=10)  # wait this long for a report before looking it up
    max_attempts: int = 6
    backoff_base: timedelta = timedelta(seconds=30)
    backoff_cap: timedelta = timedelta(minutes=30)
    min_validity_seconds: int = 120
    max_validity_seconds: int = 36000  # Twilio's ceiling for ValidityPeriod
    batch: int = 20

    def backoff(self, attempt: int) -> timedelta:
        return min(self.backoff_cap, self.backoff_base * (2 ** max(0, attempt - 1)))

    def stale_at(self, note: Notification) -> datetime | None:
        if note.stale_at is not None:
            return note.stale_at
        return note.created_at + self.warning_stale if note.kind == NotificationKind.WARNING else None

    def status_callback(self, note_id: uuid.UUID, attempt: int) -> str:
        return f"{self.public_url.rstrip('/')}/sms/status?n={note_id.hex}&a={attempt}"


def policy_from_settings(settings: Settings, **overrides: Any) -> Policy:
    """The dispatcher's patience from the deployment's settings (tests and drills override parts of it)."""
    return Policy(public_url=settings.public_url, warning_stale=timedelta(hours=settings.warning_stale_hours),
                  **overrides)


def _task_for(ctx: DomainContext, note: Notification, partner: PartnerContact, reason: str) -> None:
    warning = note.kind == NotificationKind.WARNING
    severity = (Severity.URGENT if note.serious else Severity.SOON) if warning else Severity.ROUTINE
    create_task(ctx.db, partner, kind=TaskKind.MESSAGE_NOT_DELIVERED if warning else TaskKind.MESSAGE_NOT_SENT,
                severity=severity, now=ctx.now, source_event_id=note.source_event_id, notification_id=note.id,
                detail=reason, vault=ctx.vault)


def hand_over(ctx: DomainContext, note: Notification, reason: str,
              state: str = NotificationState.HANDED_OVER) -> None:
    """The message will not reach her by text: her worker gets a task to reach her another way."""
    now = ctx.now
    partner = ctx.db.get(PartnerContact, note.partner_id)
    assert partner is not None
    note.state, note.error_code, note.finished_at, note.updated_at = state, reason[:20], now, now
    _task_for(ctx, note, partner, reason)
    ctx.audit(f"sms.{state}", "notification", note.id, {"reason": reason})


def retry_later(ctx: DomainContext, policy: Policy, note: Notification, code: str | None) -> None:
    """Back to pending after a bounded, growing pause; gives up to her worker when out of tries or time."""
    now = ctx.now
    at = now + policy.backoff(note.attempts)
    stale = policy.stale_at(note)
    if note.attempts >= policy.max_attempts:
        hand_over(ctx, note, f"gave_up_{code or 'retry'}")
    elif stale is not None and at >= stale:
        hand_over(ctx, note, "stale")
    else:
        note.state, note.not_before, note.error_code = NotificationState.PENDING, at, code
        note.provider_sid, note.provider_status, note.claimed_by, note.updated_at = None, None, None, now


def apply_outcome(ctx: DomainContext, policy: Policy, note: Notification, outcome: Outcome,
                  code: str | None) -> None:
    """Act on a refusal or a failed delivery: retry, stop texting her number, or pass it to her worker.

    The context's actor is the SMS channel (SMS_ACTOR)."""
    now = ctx.now
    partner = ctx.db.get(PartnerContact, note.partner_id)
    assert partner is not None
    if outcome in (Outcome.RETRY, Outcome.NOT_SENT):
        retry_later(ctx, policy, note, code)
    elif outcome is Outcome.EXPIRED:  # never reached her: try again in her next window
        note.state, note.not_before, note.error_code = NotificationState.PENDING, now, code
        note.provider_sid, note.provider_status, note.updated_at = None, None, now
    elif outcome is Outcome.UNKNOWN:
        note.state, note.error_code, note.updated_at = NotificationState.UNKNOWN, code or "no_answer", now
    elif outcome is Outcome.OPTED_OUT:
        note.state, note.error_code, note.finished_at = NotificationState.FAILED, code, now
        opted_out(ctx, partner)
        if note.kind == NotificationKind.WARNING:
            _task_for(ctx, note, partner, "opted_out")
    elif outcome is Outcome.NUMBER_UNUSABLE:
        partner.sms_unusable = True
        hand_over(ctx, note, f"unusable_{code}", state=NotificationState.FAILED)
        ctx.audit("sms.number_unusable", "partner_contact", partner.id, {"code": code})
    else:  # CALL_INSTEAD, REJECTED
        hand_over(ctx, note, f"{outcome.value}_{code or 'none'}", state=NotificationState.FAILED)


def opted_out(ctx: DomainContext, partner: PartnerContact) -> None:
    """Twilio's 21610: texts off on every record with her number (a closed one quietly), calls unchanged.

    Each live record's worker gets a task; a warning still waiting for her goes to her worker as a call.
    """
    db = ctx.db
    for record_ in records_sharing_number(db, partner, include_closed=True):
        live = record_.status != PartnerStatus.CLOSED
        consent.texts_refused(ctx, record_, tell_worker=live)
        if not live:
            continue
        waiting = db.scalars(select(Notification).where(
            Notification.partner_id == record_.id, Notification.kind == NotificationKind.WARNING,
            Notification.state == NotificationState.PENDING))
        for warning in list(waiting):
            hand_over(ctx, warning, "opted_out")


def store_receipt(db: Session, sid: str, status: str, error_code: str | None, now: datetime) -> bool:
    """Record one (MessageSid, status) report; False when it was already recorded (a duplicate)."""
    values = {"id": uuid.uuid4(), "message_sid": sid, "status": status, "error_code": error_code,
              "received_at": now}
    dialect = db.get_bind().dialect.name
    dialect_insert = pg_insert if dialect == "postgresql" else sqlite_insert
    stmt = (dialect_insert(DeliveryReceipt).values(**values).on_conflict_do_nothing()
            .returning(DeliveryReceipt.id))
    return db.execute(stmt).scalar() is not None


def apply_status(ctx: DomainContext, policy: Policy, note: Notification, status: str, error_code: str | None) -> None:
    """Move the message forward by one provider report (never backwards, never out of a final state)."""
    now = ctx.now
    uncertain = note.state in (NotificationState.SENDING, NotificationState.UNKNOWN)
    if STATUS_RANK.get(status, 0) <= STATUS_RANK.get(note.provider_status or "", 0):
        if not uncertain:
            return
        status = note.provider_status or status  # settle an uncertain send on the furthest status known
    note.provider_status, note.updated_at = status, now
    if note.state in FINAL_STATES or note.state == NotificationState.PENDING:
        return
    if status in IN_FLIGHT:
        note.state = NotificationState.SENT
        note.sent_at = note.sent_at or now
    elif status in DELIVERED:
        note.state, note.finished_at, note.error_code = NotificationState.DELIVERED, now, None
        note.sent_at = note.sent_at or now
    elif status in FAILED:
        outcome = classify_delivery_failure(status, error_code, warning=note.kind == NotificationKind.WARNING)
        apply_outcome(ctx, policy, note, outcome, error_code)


def apply_stored_receipts(ctx: DomainContext, policy: Policy, note: Notification) -> None:
    """Reports that arrived before we knew which message they belong to, applied in progress order."""
    if not note.provider_sid:
        return
    receipts = ctx.db.scalars(select(DeliveryReceipt).where(DeliveryReceipt.message_sid == note.provider_sid))
    for receipt in sorted(receipts, key=lambda r: STATUS_RANK.get(r.status, 0)):
        apply_status(ctx, policy, note, receipt.status, receipt.error_code)


@dataclass(frozen=True)
class ReportResult:
    duplicate: bool
    matched: bool


def record_report(ctx: DomainContext, policy: Policy, *, sid: str, status: str, error_code: str | None,
                  note_id: uuid.UUID | None = None, attempt: int | None = None) -> ReportResult:
    """A status callback: stored once per (sid, status), applied to its message when we know it.

    `note_id` and `attempt` come from our own callback URL: they tie a report to a send whose answer
    was lost (the worker died, or the connection dropped) so that it is never sent twice.
    The context's actor is the SMS channel (SMS_ACTOR).
    """
    db = ctx.db
    if not store_receipt(db, sid, status, error_code, ctx.now):
        return ReportResult(duplicate=True, matched=False)
    query = select(Notification).where(Notification.provider_sid == sid)
    if db.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    note = db.scalar(query)
    if note is None and note_id is not None and attempt is not None:
        locked = select(Notification).where(Notification.id == note_id)
        if db.get_bind().dialect.name == "postgresql":
            locked = locked.with_for_update()
        candidate = db.scalar(locked)
        if (candidate is not None and candidate.attempts == attempt and candidate.provider_sid is None
                and candidate.state in (NotificationState.SENDING, NotificationState.UNKNOWN)):
            candidate.provider_sid = sid
            note = candidate
    if note is None:
        return ReportResult(duplicate=False, matched=False)
    apply_stored_receipts(ctx, policy, note)
    return ReportResult(duplicate=False, matched=True)
