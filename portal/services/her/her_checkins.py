"""Her own check-ins and the check-in days she agreed with her worker (WWP EN B.4): the one owner of their rules.

- Her check-in, any time and optional, while contact is agreed: how safe she feels (five steps, `Feeling`) and,
  if she wants, that things got worse and what changed (encrypted, bound to its row). An answer that signals
  more danger (one of the lowest two steps, a drop of two or more steps since her last check-in, or "things
  are worse") gives her worker an urgent task, raised one severity during her high-risk period; another one
  within REPEAT_WINDOW while that task is open adds no duplicate. Other answers make no task.
- Agreed days: weekdays on her clock. Her worker sets, changes or stops them while contact is agreed; she can
  set them herself during her high-risk period and change or stop days already agreed. Both go through
  `set_days` / `stop_days`, the actor recorded. Days agreed during her high-risk period end with it.
- A missed agreed day (it ended on her clock with no check-in from her that day) gives her worker one task,
  made by the dispatcher process (portal/worker.py `agreed_check_ins`), at most one a day however many
  dispatchers run (a unique row per day, claimed under her row's lock). Nothing is ever texted to her about
  it. Days count from the day after they were agreed or changed, and at most LOOKBACK_DAYS back.
- Stopping contact, declining, closing her case and erasure end her agreed days (`end_agreed`, called by
  services/her/consent.py and services/casework/casework.py); erasure deletes her check-ins.
"""

from __future__ import annotations

import unicodedata
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import CursorResult, delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from portal.crypto import Vault
from portal.domain_error import DomainError
from portal.models import (
    ActorKind,
    AgreedCheckin,
    Feeling,
    HerCheckin,
    MissedCheckin,
    PartnerContact,
    PartnerStatus,
    Preferences,
    Severity,
    Task,
    TaskKind,
)
from portal.services.audit import Actor
from portal.services.casework import high_risk
from portal.services.casework.tasks import create_task
from portal.services.context import DomainContext

STEPS = range(1, len(Feeling.ALL) + 1)  # 1 = not safe at all ... 5 = safe
LOW_STEPS = 2  # the lowest two steps signal more danger
DROP = 2  # so does a drop of two steps or more since her last check-in
MAX_CHANGED = 1000  # characters of "what has changed"
CONCERN_SEVERITY = Severity.URGENT
MISSED_SEVERITY = Severity.SOON
REPEAT_WINDOW = timedelta(hours=1)
WEEKDAYS = range(7)  # 0 = Monday, on her clock
LOOKBACK_DAYS = 7
TREND_LIMIT = 10  # check-ins her worker sees on her case page
HER_LIMIT = 5  # check-ins she sees on her own page
PASS_LIMIT = 500
SYSTEM_ACTOR = Actor(ActorKind.SYSTEM)


class CheckinError(DomainError):
    """Her check-in or a change to the agreed days cannot be made (`code`: her pages' and the console's words)."""


def step_of(feeling: str) -> int:
    return Feeling.ALL.index(Feeling(feeling)) + 1


def signals_more_danger(step: int, *, previous: int | None, worse: bool) -> bool:
    """The rule: the lowest two steps, a drop of DROP steps or more since her last check-in, or "worse"."""
    return step <= LOW_STEPS or worse or (previous is not None and previous - step >= DROP)


@dataclass(frozen=True)
class CheckinResult:
    checkin_id: uuid.UUID
    concern: bool  # her worker has a task for it (new, or one still open from a moment ago)
    task_created: bool
    worker_reaches_out: bool  # her worker may contact her first (she chose calls or texts that reach her)


def _clean(text: str) -> str | None:
    cleaned = "\n".join(line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    cleaned = "".join(char for char in cleaned if char in "\n\t" or unicodedata.category(char) != "Cc").strip()
    return cleaned or None


def _concern_task(ctx: DomainContext, partner: PartnerContact) -> tuple[uuid.UUID, bool]:
    """Her worker's urgent task for this check-in: a new one, or the one still open from a moment ago."""
    db, now = ctx.db, ctx.now
    recent = db.scalar(select(Task.id).where(
        Task.partner_id == partner.id, Task.kind == TaskKind.HER_CHECKIN_CONCERN, Task.done_at.is_(None),
        Task.created_at > now - REPEAT_WINDOW).limit(1))
    if recent is not None:
        return recent, False
    raised = high_risk.in_period(partner, now)
    task = create_task(db, partner, kind=TaskKind.HER_CHECKIN_CONCERN,
                       severity=high_risk.raised(CONCERN_SEVERITY) if raised else CONCERN_SEVERITY, now=now)
    task.raised_high_risk = raised
    ctx.audit("task.create", "task", task.id, {"kind": task.kind, "severity": task.severity})
    return task.id, True


def check_in(ctx: DomainContext, partner: PartnerContact, *, step: int | None, worse: bool,
             changed: str) -> CheckinResult:
    """Record her check-in (the caller's transaction commits); a CheckinError says what to fix."""
    db, now = ctx.db, ctx.now
    if partner.status != PartnerStatus.ACTIVE:
        raise CheckinError("checkin_contact_off")
    if step is None or step not in STEPS:
        raise CheckinError("checkin_step", "step")
    text = _clean(changed)
    if text is not None and len(text) > MAX_CHANGED:
        raise CheckinError("checkin_too_long", "changed")
    last = db.scalar(select(HerCheckin.feeling).where(HerCheckin.partner_id == partner.id)
                     .order_by(HerCheckin.created_at.desc(), HerCheckin.id).limit(1))
    concern = signals_more_danger(step, previous=step_of(last) if last else None, worse=worse)
    row = HerCheckin(id=uuid.uuid4(), partner_id=partner.id, feeling=Feeling.ALL[step - 1], worse=worse,
                     created_at=now)
    ctx.vault.put(row, "changed_ct", text)
    task_id, made = _concern_task(ctx, partner) if concern else (None, False)
    row.task_id = task_id
    db.add(row)
    db.flush()
    ctx.audit("her_checkin.record", "partner_contact", partner.id,
              {"task": "new" if made else ("already_open" if task_id else "none")})
    return CheckinResult(row.id, concern, made, high_risk.contactable(db, partner))


@dataclass(frozen=True)
class CheckinView:
    at: datetime
    feeling: str
    step: int
    worse: bool
    changed: str | None
    concern: bool  # it gave her worker a task


def history(db: Session, vault: Vault, partner_id: uuid.UUID, limit: int = HER_LIMIT) -> list[CheckinView]:
    """Her latest check-ins, newest first, what changed decrypted."""
    rows = db.scalars(select(HerCheckin).where(HerCheckin.partner_id == partner_id)
                      .order_by(HerCheckin.created_at.desc(), HerCheckin.id).limit(limit))
    return [CheckinView(row.created_at, row.feeling, step_of(row.feeling), row.worse, vault.get(row, "changed_ct"),
                        row.task_id is not None) for row in rows]


def worker_trend(ctx: DomainContext, partner: PartnerContact, limit: int = TREND_LIMIT) -> list[CheckinView]:
    """Her recent check-ins for her worker's case page; a read by staff is audited (how many, never what)."""
    entries = history(ctx.db, ctx.vault, partner.id, limit)
    if entries and ctx.actor.kind == ActorKind.STAFF:
        ctx.audit("her_checkin.read", "partner_contact", partner.id, {"purpose": "case_view", "entries": len(entries)})
    return entries


# -- agreed days ---------------------------------------------------------------------------------------------

def _zone(partner: PartnerContact) -> ZoneInfo:
    """Her clock (her saved zone, checked by the preferences service; imported here to avoid an import cycle)."""
    from portal.services.her.preferences import is_valid_zone

    return ZoneInfo(partner.timezone if is_valid_zone(partner.timezone) else "UTC")


def _day_bounds(day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(0), zone)
    end = datetime.combine(day + timedelta(days=1), time(0), zone)
    return start.astimezone(ZoneInfo("UTC")), end.astimezone(ZoneInfo("UTC"))


def _days_of(mask: int) -> tuple[int, ...]:
    return tuple(day for day in WEEKDAYS if mask >> day & 1)


def _row(db: Session, partner_id: uuid.UUID) -> AgreedCheckin | None:
    return db.scalar(select(AgreedCheckin).where(AgreedCheckin.partner_id == partner_id)
                     .execution_options(populate_existing=True))


def _active_mask(row: AgreedCheckin | None, partner: PartnerContact, now: datetime) -> int:
    """The agreed weekdays that hold now (0: none): contact agreed, and her period not over if they end with it."""
    if row is None or not row.weekdays or partner.status != PartnerStatus.ACTIVE or partner.erased_at is not None:
        return 0
    if row.ends_with_period and not high_risk.in_period(partner, now):
        return 0
    return row.weekdays


@dataclass(frozen=True)
class AgreedView:
    """What her page and her worker's case page show of the agreed days."""

    days: tuple[int, ...]  # the weekdays that hold now (empty: none)
    ends_with_period: bool
    period_ends: datetime | None
    changed_at: datetime | None
    changed_by: str | None  # an ActorKind
    changed_by_id: uuid.UUID | None
    next_day: date | None  # her next agreed day on her clock
    contact_on: bool  # contact agreed: days can be set
    she_may_set: bool  # her page offers to set days (in her high-risk period, or days already agreed)
    in_period: bool


def agreed_view(db: Session, partner: PartnerContact, now: datetime) -> AgreedView:
    row = _row(db, partner.id)
    mask = _active_mask(row, partner, now)
    contact_on = partner.status == PartnerStatus.ACTIVE and partner.erased_at is None
    period = high_risk.in_period(partner, now)
    next_day = None
    if mask and row is not None:
        zone = _zone(partner)
        first = max(now.astimezone(zone).date(), row.changed_at.astimezone(zone).date() + timedelta(days=1))
        next_day = next(first + timedelta(days=n) for n in range(7) if mask >> (first + timedelta(days=n)).weekday() & 1)
    return AgreedView(_days_of(mask), bool(row and mask and row.ends_with_period), partner.high_risk_until,
                      row.changed_at if row else None, row.changed_by if row else None,
                      row.changed_by_id if row else None, next_day, contact_on,
                      contact_on and (period or bool(mask)), period)


def _staff_id(actor: Actor) -> uuid.UUID | None:
    return uuid.UUID(actor.id) if actor.kind == ActorKind.STAFF and actor.id else None


def _may_change(ctx: DomainContext, partner: PartnerContact, current: int) -> None:
    if partner.status != PartnerStatus.ACTIVE or partner.erased_at is not None:
        raise CheckinError("agreed_days_contact_off")
    if ctx.actor.kind == ActorKind.PARTNER and not (current or high_risk.in_period(partner, ctx.now)):
        raise CheckinError("agreed_days_not_offered")


def set_days(ctx: DomainContext, partner: PartnerContact, days: Iterable[int]) -> AgreedView:
    """Her worker, or she, agrees these weekdays (on her clock) for her check-ins; the actor is recorded."""
    db, now = ctx.db, ctx.now
    chosen = tuple(sorted(set(days)))
    if len(chosen) > len(WEEKDAYS) or any(day not in WEEKDAYS for day in chosen):
        raise CheckinError("agreed_days_invalid", "days")
    row = _row(db, partner.id)
    current = _active_mask(row, partner, now)
    _may_change(ctx, partner, current)
    if not chosen:
        raise CheckinError("agreed_days_none", "days")
    if row is None:
        row = AgreedCheckin(id=uuid.uuid4(), partner_id=partner.id)
        db.add(row)
    # Days agreed in her high-risk period end with it; a change keeps what the agreement already said.
    row.ends_with_period = row.ends_with_period if current else high_risk.in_period(partner, now)
    row.weekdays = sum(1 << day for day in chosen)
    row.changed_at, row.changed_by, row.changed_by_id = now, ctx.actor.kind, _staff_id(ctx.actor)
    db.flush()
    ctx.audit("agreed_checkin.set", "partner_contact", partner.id, {"entries": len(chosen)})
    return agreed_view(db, partner, now)


def stop_days(ctx: DomainContext, partner: PartnerContact) -> bool:
    """Her worker, or she, stops the agreed days (the actor recorded); False when none held."""
    db, now = ctx.db, ctx.now
    row = _row(db, partner.id)
    current = _active_mask(row, partner, now)
    if row is None or not current:
        return False
    _may_change(ctx, partner, current)
    row.weekdays = 0
    row.changed_at, row.changed_by, row.changed_by_id = now, ctx.actor.kind, _staff_id(ctx.actor)
    ctx.audit("agreed_checkin.stop", "partner_contact", partner.id)
    return True


def end_agreed(db: Session, partner_id: uuid.UUID, now: datetime) -> int:
    """Contact stopped, declined, closed or erased: her agreed days are gone, and open missed-day tasks close."""
    deleted = cast("CursorResult[Any]", db.execute(
        delete(AgreedCheckin).where(AgreedCheckin.partner_id == partner_id))).rowcount or 0
    db.execute(update(Task).where(Task.partner_id == partner_id, Task.kind == TaskKind.AGREED_CHECKIN_MISSED,
                                  Task.done_at.is_(None)).values(done_at=now))
    return deleted


def erase(db: Session, partner_id: uuid.UUID) -> None:
    """Erasure: her check-ins, agreed days and missed days are deleted (services/casework/erasure.py)."""
    for model in (HerCheckin, MissedCheckin, AgreedCheckin):
        db.execute(delete(model).where(model.partner_id == partner_id))


# -- missed agreed days (the dispatcher's pass) -------------------------------------------------------------

def _ended_days(row: AgreedCheckin, partner: PartnerContact, now: datetime) -> list[tuple[datetime, datetime]]:
    """Her agreed days that have ended on her clock since the agreement (at most LOOKBACK_DAYS back), and, for
    days that end with her period, within it."""
    zone = _zone(partner)
    today = now.astimezone(zone).date()
    day = max(row.changed_at.astimezone(zone).date() + timedelta(days=1), today - timedelta(days=LOOKBACK_DAYS))
    ended = []
    while day < today:
        if row.weekdays >> day.weekday() & 1:
            start, end = _day_bounds(day, zone)
            within = not row.ends_with_period or (partner.high_risk_from is not None
                                                  and partner.high_risk_until is not None
                                                  and partner.high_risk_from < end <= partner.high_risk_until)
            if end <= now and within:
                ended.append((start, end))
        day += timedelta(days=1)
    return ended


def _pending_days(db: Session, row: AgreedCheckin, partner: PartnerContact,
                  now: datetime) -> list[tuple[datetime, datetime]]:
    """Ended agreed days with no check-in from her that day and no task made for them yet."""
    pending = []
    for start, end in _ended_days(row, partner, now):
        checked_in = db.scalar(select(HerCheckin.id).where(
            HerCheckin.partner_id == partner.id, HerCheckin.created_at >= start, HerCheckin.created_at < end).limit(1))
        claimed = db.scalar(select(MissedCheckin.id).where(MissedCheckin.partner_id == partner.id,
                                                           MissedCheckin.day_start == start))
        if checked_in is None and claimed is None:
            pending.append((start, end))
    return pending


def _claim_day(db: Session, partner_id: uuid.UUID, day_start: datetime, now: datetime) -> uuid.UUID | None:
    """Insert the missed day once; None when it exists (another dispatcher made it)."""
    insert = pg_insert if db.get_bind().dialect.name == "postgresql" else sqlite_insert
    stmt = (insert(MissedCheckin).values(id=uuid.uuid4(), partner_id=partner_id, day_start=day_start, created_at=now)
            .on_conflict_do_nothing().returning(MissedCheckin.id))
    return db.execute(stmt).scalar()


def _period_over(row: AgreedCheckin, partner: PartnerContact, now: datetime) -> bool:
    return bool(row.weekdays) and row.ends_with_period and not high_risk.in_period(partner, now)


def missed_once(ctx: DomainContext, partner_id: uuid.UUID) -> int:
    """Her worker's task for each agreed day she missed, not made yet; days that ended with her high-risk period
    end then. The caller's transaction commits. Returns how many tasks were made."""
    db, now = ctx.db, ctx.now
    partner = high_risk.lock_partner(db, partner_id)
    if partner is None or partner.status != PartnerStatus.ACTIVE or partner.erased_at is not None:
        return 0
    row = _row(db, partner.id)
    if row is None or not row.weekdays:
        return 0
    prefs = db.scalar(select(Preferences).where(Preferences.partner_id == partner.id))
    made = 0
    for start, end in _pending_days(db, row, partner, now):
        claim = _claim_day(db, partner.id, start, now)
        if claim is None:
            continue
        raised = high_risk.in_period(partner, end - timedelta(seconds=1))
        task = create_task(db, partner, kind=TaskKind.AGREED_CHECKIN_MISSED,
                           severity=high_risk.raised(MISSED_SEVERITY) if raised else MISSED_SEVERITY, now=now)
        task.raised_high_risk = raised
        task.call_requested = bool(prefs is not None and prefs.channel_call)
        missed = db.get(MissedCheckin, claim)
        assert missed is not None
        missed.task_id = task.id
        ctx.audit("task.create", "task", task.id, {"kind": task.kind, "severity": task.severity})
        made += 1
    if _period_over(row, partner, now):
        row.weekdays = 0
        row.changed_at, row.changed_by, row.changed_by_id = now, ActorKind.SYSTEM, None
        ctx.audit("agreed_checkin.period_ended", "partner_contact", partner.id)
    return made


def candidates(db: Session, now: datetime) -> list[uuid.UUID]:
    """Her records with agreed days and contact agreed, where a missed day is waiting or her period is over
    (read without a lock; missed_once checks again under it)."""
    rows = db.execute(select(AgreedCheckin, PartnerContact).join(PartnerContact,
                                                                 PartnerContact.id == AgreedCheckin.partner_id)
                      .where(AgreedCheckin.weekdays != 0, PartnerContact.status == PartnerStatus.ACTIVE,
                             PartnerContact.erased_at.is_(None))
                      .order_by(AgreedCheckin.partner_id).limit(PASS_LIMIT)).all()
    return [partner.id for row, partner in rows
            if _period_over(row, partner, now) or _pending_days(db, row, partner, now)]


def run_pass(sessions: Callable[[], Session], vault: Vault, audit_key: bytes, clock: Callable[[], datetime]) -> int:
    """The dispatcher's pass: every missed agreed day becomes a task, one transaction per record."""
    with sessions() as db:
        ids = candidates(db, clock())
    made = 0
    for partner_id in ids:
        with sessions() as db, db.begin():
            made += missed_once(DomainContext(db, vault, audit_key, clock(), SYSTEM_ACTOR), partner_id)
    return made
