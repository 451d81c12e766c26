"""Her worker's inbox: open tasks, immediate then overdue then by due time, acknowledged and done by a person."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from portal.crypto import Vault
from portal.models import ActorKind, Notification, ProgrammeEvent, Severity, StaffUser, Task
from portal.services.audit import Actor, record

SEVERITY_RANK: dict[str, int] = {Severity.IMMEDIATE: 0, Severity.URGENT: 1, Severity.SOON: 2, Severity.ROUTINE: 3}


def find_task(db: Session, worker: StaffUser, task_id: uuid.UUID) -> Task | None:
    task = db.get(Task, task_id)
    if task is None or worker.service_id is None or task.service_id != worker.service_id:
        return None
    return task


IMMEDIATE, OVERDUE, ON_TIME = "immediate", "overdue", "on_time"  # how urgent a task is, most urgent first
URGENCY_RANK = {IMMEDIATE: 0, OVERDUE: 1, ON_TIME: 2}


def urgency(task: Task, now: datetime) -> str:
    """Immediate (its severity), else overdue (open past its due time), else on time."""
    if task.severity == Severity.IMMEDIATE:
        return IMMEDIATE
    if task.done_at is None and task.due_at < now:
        return OVERDUE
    return ON_TIME


def by_urgency(tasks: list[Task], now: datetime) -> list[Task]:
    """Immediate first, then overdue, then by due time (earliest first); ties by severity, then age."""
    return sorted(tasks, key=lambda t: (URGENCY_RANK[urgency(t, now)], t.due_at,
                                        SEVERITY_RANK.get(t.severity, 9), t.created_at))


def open_tasks(db: Session, worker: StaffUser, now: datetime, *, mine_only: bool) -> list[Task]:
    """Her worker's open tasks (or her service's), most urgent first: see by_urgency."""
    query = select(Task).where(Task.service_id == worker.service_id, Task.done_at.is_(None)).limit(500)
    if mine_only:
        query = query.where(or_(Task.assignee_id == worker.id, Task.assignee_id.is_(None)))
    return by_urgency(list(db.scalars(query)), now)


def needing_action_now(db: Session, worker: StaffUser, now: datetime) -> list[Task]:
    """The worker's open tasks that cannot wait: immediate or overdue, most urgent first (for the home page)."""
    return [task for task in open_tasks(db, worker, now, mine_only=True) if urgency(task, now) != ON_TIME]


def acknowledge(db: Session, audit_key: bytes, task: Task, worker: StaffUser, now: datetime) -> bool:
    """She is in good hands: the task stops escalating and is assigned to whoever acknowledged it."""
    if task.acknowledged_at is not None or task.done_at is not None:
        return False
    task.acknowledged_at = now
    task.acknowledged_by_id = worker.id
    task.assignee_id = task.assignee_id or worker.id
    record(db, audit_key, Actor(ActorKind.STAFF, str(worker.id)), "task.acknowledge", "task", task.id, now=now)
    return True


def complete(db: Session, audit_key: bytes, task: Task, worker: StaffUser, now: datetime) -> bool:
    if task.done_at is not None:
        return False
    task.acknowledged_at = task.acknowledged_at or now
    task.acknowledged_by_id = task.acknowledged_by_id or worker.id
    task.done_at = now
    record(db, audit_key, Actor(ActorKind.STAFF, str(worker.id)), "task.done", "task", task.id, now=now)
    return True


@dataclass(frozen=True)
class TaskDetail:
    task: Task
    detail: str | None
    event: ProgrammeEvent | None
    event_description: str | None
    message_state: str | None


def detail(db: Session, vault: Vault, task: Task) -> TaskDetail:
    event = db.get(ProgrammeEvent, task.source_event_id) if task.source_event_id else None
    note = db.get(Notification, task.notification_id) if task.notification_id else None
    return TaskDetail(task, vault.get(task, "detail_ct"), event,
                      vault.get(event, "description_ct") if event else None, note.state if note else None)
