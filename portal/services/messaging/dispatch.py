"""The dispatcher: claims due messages, re-checks her choices and windows, sends, and records the answer.

Texts to her that are held (services/messaging/texts_hold.py) are not claimed at all: they stay pending, as
they were, until the hold is lifted, then go in her next safe window like any other.

Never lost, never doubled: a message is marked `sending` (attempt n) and committed before the provider
is called; the answer is recorded only if that same attempt still holds the claim. A claim that outlives
its lease, or a send whose answer was lost, becomes `unknown` and is reconciled (our status callback URL
carries the message id and attempt; otherwise the provider is asked) before it could ever be sent again.
"""

from __future__ import annotations

import logging
import sqlite3
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import Session

from portal.crypto import DecryptionError, Vault
from portal.models import (
    Notification,
    NotificationState,
    PartnerContact,
    Preferences,
    SafeWindow,
)
from portal.services.audit import Actor
from portal.services.context import DomainContext, UnitContexts
from portal.services.her import safe_windows
from portal.services.messaging.delivery import (
    SMS_ACTOR,
    Policy,
    apply_outcome,
    apply_status,
    apply_stored_receipts,
    hand_over,
)
from portal.services.messaging.outbox import compose, params_of
from portal.services.messaging.sms_permission import HELD, why_not
from portal.sms.discretion import problems
from portal.sms.gateway import Gateway, OutboundSms, Outcome, SendFailed
from portal.sms.templates import Catalogs, TemplateError

log = logging.getLogger("portal.sms.dispatch")

# Who may get which kind of message (her status); everything else is handed to her worker.


@dataclass(frozen=True)
class Job:
    """A claimed message, ready for the provider. Holds her number and the text in memory only."""

    note_id: uuid.UUID
    attempt: int
    to: str
    body: str
    deadline: datetime  # end of her window (or staleness): validity never runs past it


@dataclass
class Counts:
    sent: int = 0
    rescheduled: int = 0
    handed_over: int = 0
    retried: int = 0
    unknown: int = 0
    failed: int = 0
    reconciled: int = 0
    extra: dict[str, int] = field(default_factory=dict)

    @property
    def busy(self) -> bool:
        return bool(self.sent or self.handed_over or self.retried or self.unknown or self.failed
                    or self.reconciled)


@dataclass
class Dispatcher:
    sessions: Callable[[], Session]
    vault: Vault
    audit_key: bytes
    gateway: Gateway
    catalogs: Catalogs
    policy: Policy
    clock: Callable[[], datetime]
    worker_id: str = field(default_factory=lambda: f"w-{uuid.uuid4().hex[:12]}")

    def context(self, db: Session, now: datetime) -> DomainContext:
        """The context of one unit of work of the dispatcher: its session, at the time read for it, as SMS."""
        return DomainContext(db, self.vault, self.audit_key, now, SMS_ACTOR)

    def contexts(self, actor: Actor = SMS_ACTOR) -> UnitContexts:
        """Contexts for the worker's other units of work (fan-out, escalation): one each, the clock read for each."""
        return UnitContexts(self.vault, self.audit_key, self.clock, actor)

    # -- one pass -------------------------------------------------------------------------------------

    def run_once(self) -> Counts:
        """Expire stale claims, reconcile unknowns, then send everything due (in batches)."""
        counts = Counts()
        self.expire_leases(counts)
        self.reconcile(counts)
        while True:
            jobs = self.claim(counts)
            for job in jobs:
                self.deliver(job, counts)
            if len(jobs) < self.policy.batch:
                break
        return counts

    # -- claiming -------------------------------------------------------------------------------------

    @staticmethod
    def _begin(db: Session) -> None:
        """SQLite: BEGIN IMMEDIATE, so the claim holds the write lock from its first read.

        PostgreSQL needs nothing here: the claim query locks its rows with FOR UPDATE SKIP LOCKED, so
        several workers take disjoint batches.
        """
        if db.get_bind().dialect.name != "sqlite":
            return
        conn = db.connection()
        if not cast(sqlite3.Connection, conn.connection.dbapi_connection).in_transaction:  # pysqlite
            conn.exec_driver_sql("BEGIN IMMEDIATE")

    def claim(self, counts: Counts) -> list[Job]:
        now = self.clock()
        jobs: list[Job] = []
        with self.sessions() as db, db.begin():
            self._begin(db)
            held = select(PartnerContact.id).where(PartnerContact.texts_held_since.is_not(None))
            query = (select(Notification)
                     .where(Notification.state == NotificationState.PENDING, Notification.not_before <= now,
                            Notification.partner_id.not_in(held))  # texts to her wait (texts_hold)
                     .order_by(Notification.serious.desc(), Notification.not_before, Notification.id)
                     .limit(self.policy.batch))
            if db.get_bind().dialect.name == "postgresql":
                query = query.with_for_update(skip_locked=True, of=Notification)
            for note in db.scalars(query).all():
                job = self._prepare(db, note, now, counts)
                if job is not None:
                    jobs.append(job)
        return jobs

    def _prepare(self, db: Session, note: Notification, now: datetime, counts: Counts) -> Job | None:
        """Decide, right before sending: send now (claim it), wait for her next window, or hand it over."""
        ctx = self.context(db, now)
        partner = db.get(PartnerContact, note.partner_id)
        prefs = db.scalar(select(Preferences).where(Preferences.partner_id == note.partner_id))
        assert partner is not None
        blocked = self._blocked(partner, prefs, note)
        if blocked == HELD:  # held since the claim's query ran: it waits, untouched, for the hold to lift
            return None
        if blocked:
            hand_over(ctx, note, blocked)
            counts.handed_over += 1
            return None
        stale = self.policy.stale_at(note)
        if stale is not None and now >= stale:
            hand_over(ctx, note, "stale")
            counts.handed_over += 1
            return None
        deadline = self._deadline(db, note, partner, prefs, now, stale, counts)
        if deadline is None:
            return None
        try:
            to = self.vault.get(partner, "phone_ct")
            body = self._body(db, note, partner, prefs)
        except (TemplateError, DecryptionError) as exc:
            log.error("message %s cannot be rendered: %s", note.id, type(exc).__name__)
            hand_over(ctx, note, "unreadable")
            counts.handed_over += 1
            return None
        assert to is not None  # a case without her number was handed over above (why_not: no_phone)
        unsafe = problems(body, allow_url=self._params(note).get("url"))
        if unsafe:
            log.error("message %s failed the discretion check: %s", note.id, sorted({p.code for p in unsafe}))
            hand_over(ctx, note, f"unsafe_{unsafe[0].code}")
            counts.handed_over += 1
            return None
        note.state, note.attempts, note.claimed_at = NotificationState.SENDING, note.attempts + 1, now
        note.claimed_by, note.updated_at, note.error_code = self.worker_id, now, None
        note.body_digest = self.vault.index.digest("sms-body", body)
        return Job(note.id, note.attempts, to, body, deadline)

    @staticmethod
    def _blocked(partner: PartnerContact, prefs: Preferences | None, note: Notification) -> str | None:
        """Why this message must not go to her by text now, or None (the one rule: services/sms_permission)."""
        return why_not(partner, prefs, note.kind)

    def _deadline(self, db: Session, note: Notification, partner: PartnerContact, prefs: Preferences | None,
                  now: datetime, stale: datetime | None, counts: Counts) -> datetime | None:
        """The latest instant this send may still reach her; None after rescheduling or handing over."""
        limit = now + timedelta(seconds=self.policy.max_validity_seconds)
        if stale is not None:
            limit = min(limit, stale)
        if note.serious and prefs is not None and prefs.serious_risk_any_time:
            return limit
        windows = safe_windows.windows_from_rows(
            db.scalars(select(SafeWindow).where(SafeWindow.partner_id == partner.id)))
        try:
            window = safe_windows.state(windows, partner.timezone, now)
            minimum = timedelta(seconds=self.policy.min_validity_seconds)
            if window.open and window.closes_at is not None and window.closes_at - now >= minimum:
                return min(limit, window.closes_at)
            if window.open:  # too little of this window left: look past its end
                window = safe_windows.state(windows, partner.timezone, window.closes_at or now)
        except ValueError:
            hand_over(self.context(db, now), note, "bad_timezone")
            counts.handed_over += 1
            return None
        opens = window.next_opens_at
        if opens is None or (stale is not None and opens + minimum > stale):
            hand_over(self.context(db, now), note, "no_window" if opens is None else "stale_before_window")
            counts.handed_over += 1
            return None
        note.not_before, note.updated_at = opens, now
        counts.rescheduled += 1
        return None

    def _params(self, note: Notification) -> dict[str, str]:
        return params_of(self.vault, note)

    def _body(self, db: Session, note: Notification, partner: PartnerContact, prefs: Preferences | None) -> str:
        return compose(db, self.vault, self.catalogs, note, partner, prefs)  # the one composer

    # -- sending --------------------------------------------------------------------------------------

    def deliver(self, job: Job, counts: Counts) -> None:
        now = self.clock()
        left = int((job.deadline - now).total_seconds())
        if left < self.policy.min_validity_seconds:
            self._release(job, now)  # her window is closing: the next claim looks again
            counts.rescheduled += 1
            return
        message = OutboundSms(job.to, job.body, min(left, self.policy.max_validity_seconds),
                              self.policy.status_callback(job.note_id, job.attempt))
        try:
            accepted = self.gateway.send(message)
        except SendFailed as exc:
            self._refused(job, exc.outcome, exc.code, counts)
            return
        except Exception:  # noqa: BLE001 - a bug or an odd failure: the request may have left
            log.exception("sending message %s failed unexpectedly; marking it unknown", job.note_id)
            self._refused(job, Outcome.UNKNOWN, "error", counts)
            return
        self._accepted(job, accepted.sid, accepted.status)
        counts.sent += 1

    def _claimed(self, db: Session, job: Job) -> Notification | None:
        """The message, if this attempt still holds it (sending, or unknown after a lost answer)."""
        query = select(Notification).where(
            Notification.id == job.note_id, Notification.attempts == job.attempt,
            Notification.state.in_((NotificationState.SENDING, NotificationState.UNKNOWN)))
        if db.get_bind().dialect.name == "postgresql":
            query = query.with_for_update()
        return db.scalar(query)

    def _accepted(self, job: Job, sid: str, status: str) -> None:
        now = self.clock()
        with self.sessions() as db, db.begin():
            note = self._claimed(db, job)
            if note is None or (note.provider_sid not in (None, sid)):
                return  # a status report got here first and already settled it
            note.provider_sid, note.state, note.sent_at = sid, NotificationState.SENT, now
            note.updated_at = now
            ctx = self.context(db, now)
            apply_status(ctx, self.policy, note, status, None)
            apply_stored_receipts(ctx, self.policy, note)

    def _refused(self, job: Job, outcome: Outcome, code: str | None, counts: Counts) -> None:
        now = self.clock()
        with self.sessions() as db, db.begin():
            note = self._claimed(db, job)
            if note is None:
                return
            apply_outcome(self.context(db, now), self.policy, note, outcome, code)
            state = note.state
        if state == NotificationState.PENDING:
            counts.retried += 1
        elif state == NotificationState.UNKNOWN:
            counts.unknown += 1
        else:
            counts.failed += 1

    def _release(self, job: Job, now: datetime) -> None:
        with self.sessions() as db, db.begin():
            db.execute(update(Notification)
                       .where(Notification.id == job.note_id, Notification.attempts == job.attempt,
                              Notification.state == NotificationState.SENDING)
                       .values(state=NotificationState.PENDING, attempts=job.attempt - 1, not_before=now,
                               claimed_by=None, updated_at=now))

    # -- recovering -----------------------------------------------------------------------------------

    def expire_leases(self, counts: Counts) -> None:
        """A claim held past its lease: the worker died somewhere around the send. Never resend blindly."""
        now = self.clock()
        with self.sessions() as db, db.begin():
            result = db.execute(update(Notification)
                                .where(Notification.state == NotificationState.SENDING,
                                       Notification.claimed_at < now - self.policy.lease)
                                .values(state=NotificationState.UNKNOWN, error_code="lease_expired",
                                        updated_at=now))
            counts.unknown += cast(CursorResult[Any], result).rowcount or 0

    def reconcile(self, counts: Counts) -> None:
        """Settle `unknown` messages: by their SID, or by finding the exact text among her recent messages."""
        now = self.clock()
        with self.sessions() as db:
            ids = list(db.scalars(select(Notification.id)
                                  .where(Notification.state == NotificationState.UNKNOWN)
                                  .order_by(Notification.claimed_at).limit(self.policy.batch)))
        for note_id in ids:
            try:
                self._reconcile_one(note_id, now, counts)
            except Exception:  # noqa: BLE001 - the provider may be down: try again next pass
                log.warning("could not reconcile message %s yet", note_id, exc_info=True)

    def _reconcile_one(self, note_id: uuid.UUID, now: datetime, counts: Counts) -> None:
        with self.sessions() as db:
            note = db.get(Notification, note_id)
            if note is None or note.state != NotificationState.UNKNOWN:
                return
            sid, attempt, claimed_at, digest = note.provider_sid, note.attempts, note.claimed_at, note.body_digest
            partner = db.get(PartnerContact, note.partner_id)
            to = self.vault.get(partner, "phone_ct") if partner is not None else None
            stale = self.policy.stale_at(note)
        if sid:
            found = self.gateway.fetch(sid)
            matches = [found] if found is not None else []
        else:
            if claimed_at is None or now - claimed_at < self.policy.reconcile_after or to is None:
                return  # give our status callback time to arrive first
            since = claimed_at - timedelta(minutes=5)
            with self.sessions() as db:
                known = set(db.scalars(select(Notification.provider_sid)
                                       .where(Notification.partner_id == note.partner_id,
                                              Notification.provider_sid.is_not(None))))
            matches = [m for m in self.gateway.find(to, since)
                       if m.sid not in known and self.vault.index.digest("sms-body", m.body) == digest]
        with self.sessions() as db, db.begin():
            query = select(Notification).where(Notification.id == note_id, Notification.attempts == attempt,
                                                Notification.state == NotificationState.UNKNOWN)
            if db.get_bind().dialect.name == "postgresql":
                query = query.with_for_update()
            note = db.scalar(query)
            if note is None:
                return
            if len(matches) == 1:
                note.provider_sid = matches[0].sid
                ctx = self.context(db, now)
                apply_status(ctx, self.policy, note, matches[0].status, matches[0].error_code)
                apply_stored_receipts(ctx, self.policy, note)
            elif len(matches) > 1:
                hand_over(self.context(db, now), note, "ambiguous")
            elif stale is not None and now >= stale:
                hand_over(self.context(db, now), note, "stale")
            else:  # the provider has no such message: it never left, so it may go again
                note.state, note.not_before, note.claimed_by = NotificationState.PENDING, now, None
                note.error_code, note.provider_status, note.updated_at = "not_found", None, now
            counts.reconciled += 1
