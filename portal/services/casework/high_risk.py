"""Her high-risk period after she says she is separating, or set by her worker (WWP EN B.4), and what it sets in
motion.

The one owner of these rules:
- the period: from her report, for the deployment's PORTAL_HIGH_RISK_MONTHS (6), extended by a later report;
  her worker can start one (from today, for the deployment's months or a number she chooses, with a reason from
  REASONS), extend it, or end it early (worker_start, worker_extend, worker_end); the reason is kept in the audit
  entry only (a code: the audit chain keeps no free text);
- programme events about her case during it are raised one severity (services/programme/events.py asks here);
- her worker gets a check-in task every N days of it (PORTAL_CHECKIN_EVERY_DAYS, 7; her worker can set her
  own), made by the dispatcher process (portal/worker.py), one per slot however many dispatchers run, and
  only while contact is agreed and she chose a way to be contacted (calls, or texts that can reach her);
- check-ins stop when she stops contact (services/her/consent.py calls cancel_checkins), when the period
  ends, when her case is closed, and when her record is erased.
"""

from __future__ import annotations

import calendar
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from portal.crypto import Vault
from portal.database import take_write_lock
from portal.domain_error import DomainError
from portal.models import (
    ActorKind,
    AgreedCheckin,
    CheckIn,
    PartnerContact,
    PartnerStatus,
    Preferences,
    Severity,
    Task,
    TaskKind,
)
from portal.services.audit import Actor
from portal.services.casework.tasks import create_task
from portal.services.context import DomainContext
from portal.services.messaging.sms_permission import may_queue

DEFAULT_MONTHS = 6
DEFAULT_EVERY_DAYS = 7
EVERY_DAYS_RANGE = range(1, 29)  # her worker may choose every 1 to 28 days
MONTHS_RANGE = range(1, 25)
CHECKIN_SEVERITY = Severity.SOON
CHECKINS_ON = (PartnerStatus.ACTIVE, PartnerStatus.INVITED)
ORDER = (Severity.ROUTINE, Severity.SOON, Severity.URGENT, Severity.IMMEDIATE)
PASS_LIMIT = 500
SYSTEM_ACTOR = Actor(ActorKind.SYSTEM)


# Why her worker starts, extends or ends a period (a code kept in the audit entry; the console words them).
START_REASONS = ("risk_assessment", "she_told_me_separating", "facilitator_report", "other")
END_REASONS = ("risk_lowered", "started_in_error", "she_asked", "other")


class HighRiskError(DomainError):
    """Her worker's change to the check-ins cannot be made (`code` picks the console's words)."""


@dataclass(frozen=True)
class Rules:
    """The deployment's defaults (from Settings)."""

    months: int = DEFAULT_MONTHS
    every_days: int = DEFAULT_EVERY_DAYS

    @classmethod
    def from_settings(cls, settings: Any) -> Rules:
        months = int(getattr(settings, "high_risk_months", DEFAULT_MONTHS))
        days = int(getattr(settings, "checkin_every_days", DEFAULT_EVERY_DAYS))
        return cls(months if months in MONTHS_RANGE else DEFAULT_MONTHS,
                   days if days in EVERY_DAYS_RANGE else DEFAULT_EVERY_DAYS)


def add_months(moment: datetime, months: int) -> datetime:
    """The same day and time `months` later (the month's last day when it is shorter)."""
    index = moment.month - 1 + months
    year, month = moment.year + index // 12, index % 12 + 1
    return moment.replace(year=year, month=month, day=min(moment.day, calendar.monthrange(year, month)[1]))


def start_period(partner: PartnerContact, *, now: datetime, rules: Rules) -> None:
    """She reported separating: the period runs from now (or from the start of the one she is in) for
    rules.months from now, never shorter than it already was."""
    until = add_months(now, rules.months)
    if not in_period(partner, now):
        partner.high_risk_from = now
    if partner.high_risk_until is None or partner.high_risk_until < until:
        partner.high_risk_until = until


def in_period(partner: PartnerContact, at: datetime) -> bool:
    start, end = partner.high_risk_from, partner.high_risk_until
    return start is not None and end is not None and start <= at < end


def raised(severity: str) -> str:
    """One severity up (immediate stays immediate)."""
    position = ORDER.index(Severity(severity))
    return ORDER[min(position + 1, len(ORDER) - 1)]


def every_days(partner: PartnerContact, rules: Rules) -> int:
    return partner.checkin_every_days or rules.every_days


def _contactable(partner: PartnerContact, prefs: Preferences | None) -> bool:
    """Her worker may check in: contact agreed, and she chose calls or texts that can reach her. Texts held after
    her second passphrase still count as reaching her (the hold is her worker's to lift, and her page must read
    the same as before it)."""
    if partner.status not in CHECKINS_ON or partner.erased_at is not None or prefs is None:
        return False
    return bool(prefs.channel_call) or may_queue(partner, prefs)


def contactable(db: Session, partner: PartnerContact) -> bool:
    """Her worker may contact her first: contact agreed, and she chose calls or texts that can reach her."""
    return _contactable(partner, db.scalar(select(Preferences).where(Preferences.partner_id == partner.id)))


@dataclass(frozen=True)
class PeriodView:
    """What her page and her worker's case page show of it."""

    starts_at: datetime | None
    ends_at: datetime | None
    active: bool
    every_days: int
    own_rhythm: bool  # her worker set her own interval
    checkins_on: bool  # check-in tasks are being made now
    next_checkin: datetime | None
    last_checkin: datetime | None


def _last_slot(db: Session, partner: PartnerContact) -> datetime | None:
    if partner.high_risk_from is None:
        return None
    return db.scalar(select(func.max(CheckIn.slot_at)).where(CheckIn.partner_id == partner.id,
                                                           CheckIn.slot_at >= partner.high_risk_from))


def next_slot(partner: PartnerContact, last: datetime | None, rules: Rules, now: datetime) -> datetime | None:
    """The slot a check-in is due for now (None: none yet). Slots are `every` days after the last one (or the
    start); after a long pause only the newest missed slot counts (one task, not a pile)."""
    if partner.high_risk_from is None or partner.high_risk_until is None:
        return None
    every = timedelta(days=every_days(partner, rules))
    anchor = last or partner.high_risk_from
    due = anchor + every
    if due > now:
        return None
    due = anchor + every * ((now - anchor) // every)
    return due if due < partner.high_risk_until else None


def view(db: Session, partner: PartnerContact, *, now: datetime, rules: Rules) -> PeriodView:
    prefs = db.scalar(select(Preferences).where(Preferences.partner_id == partner.id))
    active = in_period(partner, now)
    on = active and _contactable(partner, prefs)
    last = _last_slot(db, partner)
    upcoming = None
    if on and partner.high_risk_until is not None and partner.high_risk_from is not None:
        upcoming = (last or partner.high_risk_from) + timedelta(days=every_days(partner, rules))
        if upcoming >= partner.high_risk_until:
            upcoming = None
    return PeriodView(partner.high_risk_from, partner.high_risk_until, active, every_days(partner, rules),
                      partner.checkin_every_days is not None, on, upcoming, last)


def set_every_days(ctx: DomainContext, partner: PartnerContact, days: int | None) -> None:
    """Her worker sets her own rhythm (None: back to the deployment's)."""
    if days is not None and days not in EVERY_DAYS_RANGE:
        raise HighRiskError("checkin_every_invalid", "every_days")
    if partner.status not in CHECKINS_ON:
        raise HighRiskError("not_open")
    partner.checkin_every_days = days
    ctx.audit("high_risk.checkin_every", "partner_contact", partner.id,
              {"every_days": days if days is not None else "default"})


def _open_case(partner: PartnerContact) -> None:
    if partner.status not in CHECKINS_ON or partner.erased_at is not None:
        raise HighRiskError("not_open")


def _months(months: int | None, rules: Rules) -> int:
    if months is None:
        return rules.months
    if months not in MONTHS_RANGE:
        raise HighRiskError("high_risk_months_invalid", "months")
    return months


def _reason(reason: str, allowed: tuple[str, ...]) -> str:
    if reason not in allowed:
        raise HighRiskError("high_risk_reason_required", "reason")
    return reason


def worker_start(ctx: DomainContext, partner: PartnerContact, *, reason: str, months: int | None,
                 rules: Rules) -> None:
    """Her worker starts her high-risk period from now, for `months` (None: the deployment's)."""
    chosen = _months(months, rules)
    _reason(reason, START_REASONS)
    _open_case(partner)
    if in_period(partner, ctx.now):
        raise HighRiskError("high_risk_already")
    partner.high_risk_from, partner.high_risk_until = ctx.now, add_months(ctx.now, chosen)
    ctx.audit("high_risk.start", "partner_contact", partner.id, {"period_reason": reason, "months": chosen})


def worker_extend(ctx: DomainContext, partner: PartnerContact, *, reason: str, months: int | None,
                  rules: Rules) -> None:
    """Her worker extends the period she is in by `months` from its end (never past MONTHS_RANGE's most from now)."""
    chosen = _months(months, rules)
    _reason(reason, START_REASONS)
    _open_case(partner)
    if not in_period(partner, ctx.now) or partner.high_risk_until is None:
        raise HighRiskError("high_risk_none")
    until = add_months(partner.high_risk_until, chosen)
    if until > add_months(ctx.now, MONTHS_RANGE[-1]):
        raise HighRiskError("high_risk_too_long", "months")
    partner.high_risk_until = until
    ctx.audit("high_risk.extend", "partner_contact", partner.id, {"period_reason": reason, "months": chosen})


def worker_end(ctx: DomainContext, partner: PartnerContact, *, reason: str) -> int:
    """Her worker ends the period now: open check-in tasks close, and agreed days that end with the period stop
    (recorded as her worker's doing). Returns how many check-in tasks closed."""
    _reason(reason, END_REASONS)
    if not in_period(partner, ctx.now):
        raise HighRiskError("high_risk_none")
    partner.high_risk_until = ctx.now
    closed = cancel_checkins(ctx.db, partner.id, ctx.now)
    stopped = _end_agreed_with_period(ctx, partner)
    ctx.audit("high_risk.end", "partner_contact", partner.id,
              {"period_reason": reason, "tasks_closed": closed, "agreed_days_stopped": stopped})
    return closed


def _end_agreed_with_period(ctx: DomainContext, partner: PartnerContact) -> bool:
    """Agreed check-in days that were agreed during the period end with it (services/her/her_checkins.py)."""
    row = ctx.db.scalar(select(AgreedCheckin).where(AgreedCheckin.partner_id == partner.id))
    if row is None or not row.weekdays or not row.ends_with_period:
        return False
    row.weekdays = 0
    row.changed_at, row.changed_by = ctx.now, ctx.actor.kind
    row.changed_by_id = uuid.UUID(ctx.actor.id) if ctx.actor.kind == ActorKind.STAFF and ctx.actor.id else None
    return True


def cancel_checkins(db: Session, partner_id: uuid.UUID, now: datetime) -> int:
    """Her open check-in tasks are closed (she stopped contact, her case closed, or she is erased)."""
    stmt = (update(Task).where(Task.partner_id == partner_id, Task.kind == TaskKind.HIGH_RISK_CHECKIN,
                               Task.done_at.is_(None)).values(done_at=now))
    return cast("CursorResult[Any]", db.execute(stmt)).rowcount or 0


def lock_partner(db: Session, partner_id: uuid.UUID) -> PartnerContact | None:
    """Her row, locked for this transaction (PostgreSQL: FOR UPDATE; SQLite: BEGIN IMMEDIATE, taken first)."""
    take_write_lock(db)
    query = select(PartnerContact).where(PartnerContact.id == partner_id)
    if db.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    return db.scalar(query.execution_options(populate_existing=True))


def _claim_slot(db: Session, partner_id: uuid.UUID, slot: datetime, now: datetime) -> uuid.UUID | None:
    """Insert the slot once; None when it exists (another dispatcher made it)."""
    insert = pg_insert if db.get_bind().dialect.name == "postgresql" else sqlite_insert
    stmt = (insert(CheckIn).values(id=uuid.uuid4(), partner_id=partner_id, slot_at=slot, created_at=now)
            .on_conflict_do_nothing().returning(CheckIn.id))
    return db.execute(stmt).scalar()


def check_in_once(ctx: DomainContext, partner_id: uuid.UUID, rules: Rules) -> Task | None:
    """Her check-in task for the slot due now, if any and not made yet (the caller's transaction commits)."""
    db, now = ctx.db, ctx.now
    partner = lock_partner(db, partner_id)
    if partner is None or not in_period(partner, now):
        return None
    prefs = db.scalar(select(Preferences).where(Preferences.partner_id == partner.id))
    if not _contactable(partner, prefs):
        return None
    slot = next_slot(partner, _last_slot(db, partner), rules, now)
    if slot is None:
        return None
    row_id = _claim_slot(db, partner.id, slot, now)
    if row_id is None:
        return None
    task = create_task(db, partner, kind=TaskKind.HIGH_RISK_CHECKIN, severity=CHECKIN_SEVERITY, now=now)
    task.call_requested = bool(prefs is not None and prefs.channel_call)
    checkin = db.get(CheckIn, row_id)
    assert checkin is not None
    checkin.task_id = task.id
    ctx.audit("task.create", "task", task.id, {"kind": task.kind, "severity": task.severity})
    return task


def candidates(db: Session, now: datetime) -> list[uuid.UUID]:
    """Her records in a high-risk period now, with contact agreed (the rest is checked under the lock)."""
    return list(db.scalars(
        select(PartnerContact.id).where(PartnerContact.high_risk_from <= now, PartnerContact.high_risk_until > now,
                                        PartnerContact.status.in_(CHECKINS_ON),
                                        PartnerContact.erased_at.is_(None))
        .order_by(PartnerContact.id).limit(PASS_LIMIT)))


def run_pass(sessions: Callable[[], Session], vault: Vault, audit_key: bytes, clock: Callable[[], datetime],
             rules: Rules) -> int:
    """The dispatcher's pass: every check-in due now, one transaction per record. Returns how many were made."""
    with sessions() as db:
        ids = candidates(db, clock())
    made = 0
    for partner_id in ids:
        with sessions() as db, db.begin():
            ctx = DomainContext(db, vault, audit_key, clock(), SYSTEM_ACTOR)
            if check_in_once(ctx, partner_id, rules) is not None:
                made += 1
    return made
