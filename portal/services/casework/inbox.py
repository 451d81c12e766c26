"""Her worker's inbox: open tasks, immediate then overdue then by due time, acknowledged and done by a person."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from portal.crypto import Vault
from portal.models import Notification, ProgrammeEvent, Severity, StaffUser, Task
from portal.services.context import DomainContext
from portal.services.messaging import texts_hold

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


def acknowledge(ctx: DomainContext, task: Task, worker: StaffUser) -> bool:
    """She is in good hands: the task stops escalating and is assigned to whoever acknowledged it."""
    now = ctx.now
    if task.acknowledged_at is not None or task.done_at is not None:
        return False
    task.acknowledged_at = now
    task.acknowledged_by_id = worker.id
    task.assignee_id = task.assignee_id or worker.id
    ctx.audit("task.acknowledge", "task", task.id)
    return True


def complete(ctx: DomainContext, task: Task, worker: StaffUser) -> bool:
    now = ctx.now
    if task.done_at is not None:
        return False
    task.acknowledged_at = task.acknowledged_at or now
    task.acknowledged_by_id = task.acknowledged_by_id or worker.id
    task.done_at = now
    ctx.audit("task.done", "task", task.id)
    texts_hold.task_closed(ctx, task)  # a plan_duress task's hold on texts ends with it
    return True


@dataclass(frozen=True)
class TaskDetail:
    task: Task
    detail: str | None
    event: ProgrammeEvent | None
    event_description: str | None
    message_state: str | None


def read_detail(ctx: DomainContext, task: Task) -> TaskDetail:
    """The task with its decrypted text; reading decrypted text is audited (who, which task, never the text)."""
    info = detail(ctx.db, ctx.vault, task)
    if info.detail is not None or info.event_description is not None:
        ctx.audit("task.read", "task", task.id)
    return info


def detail(db: Session, vault: Vault, task: Task) -> TaskDetail:
    event = db.get(ProgrammeEvent, task.source_event_id) if task.source_event_id else None
    note = db.get(Notification, task.notification_id) if task.notification_id else None
    return TaskDetail(task, vault.get(task, "detail_ct"), event,
                      vault.get(event, "description_ct") if event else None, note.state if note else None)
