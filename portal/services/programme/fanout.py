"""Fan-out of programme events: the dispatcher process turns each waiting entry into her side, exactly once.

A report writes its event and one `event_fanout` entry (services/events.report_event), whoever is linked.
Here each entry is claimed by one worker among several (PostgreSQL: FOR UPDATE SKIP LOCKED; SQLite: BEGIN
IMMEDIATE), her worker's tasks and her messages are made, and the entry is marked processed, all in one
transaction: a worker that dies half-way leaves nothing, and the next pass does the whole entry once.
An entry that fails keeps waiting (attempts and an error code are recorded, never anything about her);
/healthz and the admin home show how long the oldest one has waited.
"""

from __future__ import annotations

import logging
import sqlite3
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from portal.models import ProgrammeEvent
from portal.models.programme_event import EventFanout
from portal.services.context import DomainContext
from portal.services.programme.events import fan_out_event

log = logging.getLogger("portal.services.programme.fanout")

# Past this, a waiting entry means the dispatcher process is down or stuck: /healthz answers 503.
WAIT_LIMIT = timedelta(seconds=60)
PASS_LIMIT = 200  # entries per pass; the loop comes straight back while more wait


@dataclass(frozen=True)
class Backlog:
    """How much fan-out waits: a count of entries and the age of the oldest (about reports, never about her)."""

    waiting: int
    oldest_seconds: int

    @property
    def delayed(self) -> bool:
        return self.oldest_seconds > WAIT_LIMIT.total_seconds()


@dataclass
class PassResult:
    processed: int = 0
    failed: int = 0
    more: bool = False  # the pass stopped at its limit with entries still waiting


def backlog(db: Session, now: datetime) -> Backlog:
    waiting, oldest = db.execute(
        select(func.count(), func.min(EventFanout.created_at)).where(EventFanout.processed_at.is_(None))
    ).one()
    if not waiting or oldest is None:
        return Backlog(0, 0)
    return Backlog(int(waiting), max(0, int((now - oldest).total_seconds())))


def _begin_immediate(db: Session) -> None:
    """SQLite: take the write lock before the first read, so two workers never claim the same entry."""
    if db.get_bind().dialect.name != "sqlite":
        return
    conn = db.connection()
    if not cast(sqlite3.Connection, conn.connection.dbapi_connection).in_transaction:  # pysqlite
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def claim(db: Session, skip: set[uuid.UUID]) -> EventFanout | None:
    """The oldest waiting entry nobody else holds, locked for this transaction (None when nothing waits)."""
    _begin_immediate(db)
    query = (select(EventFanout).where(EventFanout.processed_at.is_(None))
             .order_by(EventFanout.created_at, EventFanout.event_id).limit(1))
    if skip:
        query = query.where(EventFanout.event_id.not_in(skip))
    if db.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return db.scalar(query)


def process(ctx: DomainContext, entry: EventFanout) -> int:
    """Make her side of the entry's event and mark it processed (the caller's transaction commits both)."""
    event = ctx.db.get(ProgrammeEvent, entry.event_id)
    assert event is not None  # the foreign key guarantees it
    made = fan_out_event(ctx, event)
    entry.attempts += 1
    entry.processed_at, entry.last_error = ctx.now, None
    ctx.db.flush()
    return made


def _record_failure(sessions: Callable[[], Session], event_id: uuid.UUID, code: str) -> None:
    with sessions() as db, db.begin():
        db.execute(update(EventFanout)
                   .where(EventFanout.event_id == event_id, EventFanout.processed_at.is_(None))
                   .values(attempts=EventFanout.attempts + 1, last_error=code[:60]))


def run_pass(sessions: Callable[[], Session], context: Callable[[Session], DomainContext], *,
             limit: int = PASS_LIMIT) -> PassResult:
    """Process waiting entries, one transaction each, oldest first, up to `limit`.

    `context` builds each entry's context on its session (the system acting; the clock read once per entry).

    A failing entry is rolled back whole, its attempt recorded, and skipped for the rest of this pass (the
    next pass tries it again). A failure to claim (the database is down) is raised to the caller's loop.
    """
    result = PassResult()
    failed: set[uuid.UUID] = set()
    while result.processed + result.failed < limit:
        event_id: uuid.UUID | None = None
        try:
            with sessions() as db, db.begin():
                entry = claim(db, failed)
                if entry is None:
                    return result
                event_id = entry.event_id
                process(context(db), entry)
        except Exception as exc:
            if event_id is None:
                raise
            log.exception("fan-out of event %s failed; it waits for the next pass", event_id)
            _record_failure(sessions, event_id, type(exc).__name__)
            failed.add(event_id)
            result.failed += 1
            continue
        result.processed += 1
    result.more = True
    return result
