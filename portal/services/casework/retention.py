"""Retention: closed cases are erased once the configured number of days has passed since closure."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import PartnerContact, PartnerStatus
from portal.services.admin import deployment
from portal.services.casework.erasure import erase_partner
from portal.services.casework.erasure_storage import clean_storage
from portal.services.context import DomainContext


def retention_days(db: Session) -> int:
    return int(deployment.load(db, "", "").retention_days)


def due_for_erasure(db: Session, now: datetime, days: int) -> list[uuid.UUID]:
    """Closed cases whose closure is older than `days`, oldest first (not yet erased)."""
    cutoff = now - timedelta(days=days)
    return list(db.scalars(
        select(PartnerContact.id)
        .where(PartnerContact.status == PartnerStatus.CLOSED, PartnerContact.closed_at.is_not(None),
               PartnerContact.closed_at <= cutoff, PartnerContact.erased_at.is_(None))
        .order_by(PartnerContact.closed_at, PartnerContact.id)))


def purge(session_factory: Callable[[], Session], context: Callable[[Session], DomainContext],
          ids: list[uuid.UUID]) -> Iterator[uuid.UUID]:
    """Erase each case in its own transaction (an interrupted purge keeps what it finished); yields each id.

    `context` builds the unit of work's context on its session (the system acting, at the caller's clock).
    After each commit the database files are cleaned (SQLite WAL truncated, PostgreSQL tables vacuumed)."""
    for partner_id in ids:
        result = None
        with session_factory() as db:
            with db.begin():
                partner = db.get(PartnerContact, partner_id, with_for_update=True)
                if partner is not None and partner.status == PartnerStatus.CLOSED and partner.erased_at is None:
                    result = erase_partner(context(db), partner, reason="retention")
            engine = db.get_bind().engine
        if result is not None:
            clean_storage(engine, result.storage)
        yield partner_id
