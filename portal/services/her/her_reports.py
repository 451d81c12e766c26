"""Her own voice: "I feel less safe" and "I am separating" become alerts for her worker at once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from portal.models import PartnerContact, Severity, Task, TaskKind
from portal.services.casework.tasks import create_task
from portal.services.context import DomainContext

LESS_SAFE = "less_safe"
SEPARATING = "separating"
KINDS = (LESS_SAFE, SEPARATING)
TASK_KIND = {LESS_SAFE: TaskKind.HER_LESS_SAFE, SEPARATING: TaskKind.HER_SEPARATION}
# Risk is highest while she plans to leave and for at least six months after (WWP EN B.4); both are urgent.
SEVERITY = {LESS_SAFE: Severity.URGENT, SEPARATING: Severity.URGENT}
HIGH_RISK_PERIOD = timedelta(days=183)
# A second tap soon after the first does not pile up a duplicate alert while the first is still open.
REPEAT_WINDOW = timedelta(hours=1)


@dataclass(frozen=True)
class ReportResult:
    kind: str
    task_created: bool
    high_risk_until: datetime | None


def report(ctx: DomainContext, partner: PartnerContact, kind: str) -> ReportResult:
    """Record her report: an alert for her worker; separation also starts a six-month high-risk period."""
    db, now = ctx.db, ctx.now
    if kind not in KINDS:
        raise ValueError(f"unknown report kind {kind!r}")
    if kind == SEPARATING:
        until = now + HIGH_RISK_PERIOD
        if partner.high_risk_until is None or partner.high_risk_until < until:
            partner.high_risk_until = until
    recent = db.scalar(select(Task.id).where(
        Task.partner_id == partner.id, Task.kind == TASK_KIND[kind], Task.done_at.is_(None),
        Task.created_at > now - REPEAT_WINDOW).limit(1))
    if recent is None:
        create_task(db, partner, kind=TASK_KIND[kind], severity=SEVERITY[kind], now=now)
    ctx.audit(f"her_report.{kind}", "partner_contact", partner.id,
              {"alert": "new" if recent is None else "already_open"})
    return ReportResult(kind, recent is None, partner.high_risk_until)
