"""Admin: the audit log, a page at a time (codes only), and verification of its hash chain."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.models import AuditEvent
from portal.services.audit import ChainReport, verify_database
from portal.services.context import DomainContext

PAGE_SIZE = 50


@dataclass(frozen=True)
class AuditPage:
    entries: list[AuditEvent]
    page: int
    pages: int
    total: int


def audit_page(db: Session, page: int, size: int = PAGE_SIZE) -> AuditPage:
    """Newest first; a page past the end shows the last page."""
    total = db.scalar(select(func.count()).select_from(AuditEvent)) or 0
    pages = max(1, -(-total // size))
    page = min(max(1, page), pages)
    entries = list(db.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc())
                              .offset((page - 1) * size).limit(size)))
    return AuditPage(entries, page, pages, total)


def verify_chain(ctx: DomainContext) -> ChainReport:
    """Walk the whole chain; the check itself is audited (how many entries, whether it held)."""
    report = verify_database(ctx.db, ctx.audit_key)
    ctx.audit("audit.verify", None, None, {"entries": report.entries, "ok": report.ok})
    return report
