"""Tasks and alerts for her worker: every event that needs a person becomes one, due by severity."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.orm import Session

from portal.crypto import Vault
from portal.models import PartnerContact, Severity, Task, TaskKind

# How long her worker has, by severity. Deployments may override (admin settings).
DEFAULT_DUE: dict[str, timedelta] = {
    Severity.IMMEDIATE: timedelta(minutes=30),
    Severity.URGENT: timedelta(hours=4),
    Severity.SOON: timedelta(hours=24),
    Severity.ROUTINE: timedelta(days=3),
}


def configured_due(db: Session) -> dict[str, timedelta]:
    """Due times per severity as the admin set them (deployment setting due_minutes), else the defaults."""
    from portal.services.admin.deployment import load

    minutes = load(db, "", "").due_minutes
    try:
        return {severity: timedelta(minutes=int(minutes[severity])) for severity in Severity.ALL}
    except (KeyError, TypeError, ValueError):
        return DEFAULT_DUE


def create_task(db: Session, partner: PartnerContact, *, kind: str, severity: str, now: datetime,
                source_event_id: uuid.UUID | None = None, notification_id: uuid.UUID | None = None,
                child_risk: bool = False, detail: str | None = None, vault: Vault | None = None,
                due: dict[str, timedelta] | None = None) -> Task:
    """A task in her worker's inbox (the service's queue when she has no worker yet).

    An unknown kind or severity raises ValueError (the database's CHECK would refuse it too)."""
    kind = TaskKind(kind)
    if severity not in Severity.ALL:
        raise ValueError(f"unknown severity {severity!r}")
    severity = Severity(severity)
    task = Task(id=uuid.uuid4(), service_id=partner.service_id, partner_id=partner.id,
                assignee_id=partner.worker_id, kind=kind, severity=severity, child_risk=child_risk,
                source_event_id=source_event_id, notification_id=notification_id, created_at=now,
                due_at=now + (due or configured_due(db))[severity])
    if detail is not None:
        if vault is None:
            raise ValueError("a task detail is encrypted: pass the vault")
        vault.put(task, "detail_ct", detail)
    db.add(task)
    db.flush()
    return task


def close_open_tasks(db: Session, partner_id: uuid.UUID, kind: str, *, now: datetime) -> int:
    """Mark her open tasks of this kind done (what they asked for has happened); how many were closed."""
    result = db.execute(update(Task).where(Task.partner_id == partner_id, Task.kind == TaskKind(kind),
                                           Task.done_at.is_(None)).values(done_at=now))
    return int(getattr(result, "rowcount", 0) or 0)
