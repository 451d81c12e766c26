"""Deleting her messages at the SMS provider after an erasure, from the dispatcher, retried until done.

The erasure writes one row per provider message id (nothing else of hers) in its own transaction; the
network is never touched inside it. The dispatcher calls the provider outside any transaction and records
the answer: deleted (or already gone) ends the job and removes its row (the id is then gone here too);
anything else is retried with a growing pause, never dropped.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.models import ProviderDeletion
from portal.sms.gateway import DeleteFailed, Gateway

log = logging.getLogger("portal.sms.deletions")

FIRST_PAUSE = timedelta(seconds=30)
LONGEST_PAUSE = timedelta(hours=1)
BATCH = 50


@dataclass
class DeletionCounts:
    deleted: int = 0
    failed: int = 0


def schedule(db: Session, sids: Iterable[str | None], now: datetime) -> int:
    """Queue a deletion at the provider for each message id (in the caller's transaction)."""
    wanted = sorted({sid for sid in sids if sid})
    if not wanted:
        return 0
    known = set(db.scalars(select(ProviderDeletion.message_sid).where(ProviderDeletion.message_sid.in_(wanted))))
    fresh = [sid for sid in wanted if sid not in known]
    db.add_all(ProviderDeletion(id=uuid.uuid4(), message_sid=sid, not_before=now, created_at=now) for sid in fresh)
    db.flush()
    return len(fresh)


def pause_after(attempts: int) -> timedelta:
    return min(FIRST_PAUSE * (2 ** max(attempts - 1, 0)), LONGEST_PAUSE)


def run_due(sessions: Callable[[], Session], gateway: Gateway, now: datetime, batch: int = BATCH) -> DeletionCounts:
    """Delete every due message at the provider; record each answer in its own short transaction."""
    counts = DeletionCounts()
    with sessions() as db:
        due = list(db.execute(select(ProviderDeletion.id, ProviderDeletion.message_sid)
                              .where(ProviderDeletion.not_before <= now)
                              .order_by(ProviderDeletion.not_before, ProviderDeletion.id).limit(batch)))
    for job_id, sid in due:
        error: str | None = None
        try:
            gateway.delete(sid)
        except DeleteFailed as exc:
            error = exc.code
        except Exception as exc:  # noqa: BLE001 - a provider outage or a bug: retried, never dropped
            error = type(exc).__name__
        with sessions() as db, db.begin():
            job = db.get(ProviderDeletion, job_id)
            if job is None:  # another worker finished it
                continue
            if error is None:
                db.delete(job)  # done: her message id is not kept here either
                counts.deleted += 1
            else:
                job.attempts += 1
                job.last_error = error[:40]
                job.not_before = now + pause_after(job.attempts)
                counts.failed += 1
                log.warning("deleting a message at the provider failed (%s, attempt %d); retrying after %s",
                            job.last_error, job.attempts, pause_after(job.attempts))
    return counts


def waiting(db: Session) -> int:
    """How many deletions at the provider are still to do."""
    return int(db.scalar(select(func.count()).select_from(ProviderDeletion)) or 0)
