"""Escalation: a task nobody acknowledged in time goes to the support service's administrator."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import Role, Severity, StaffUser, Task, TaskKind
from portal.services.admin import deployment
from portal.services.context import DomainContext

ESCALATION_KIND = TaskKind.ESCALATION


@dataclass(frozen=True)
class Escalated:
    task_id: uuid.UUID
    escalation_task_id: uuid.UUID
    admin_id: uuid.UUID | None


def service_admin(db: Session, service_id: uuid.UUID) -> StaffUser | None:
    """The service's longest-serving active administrator (None: the task waits in the service's queue)."""
    return db.scalar(select(StaffUser).where(StaffUser.role == Role.ADMIN, StaffUser.service_id == service_id,
                                             StaffUser.is_active.is_(True))
                     .order_by(StaffUser.created_at, StaffUser.id).limit(1))


def escalation_delay(db: Session) -> timedelta:
    return timedelta(minutes=int(deployment.load(db, "", "").escalate_after_minutes))


def escalate_overdue(ctx: DomainContext, after: timedelta | None = None) -> list[Escalated]:
    """Mark unacknowledged tasks past due + `after` as escalated, each with a task for the service's admin.

    `after` defaults to the deployment's escalation delay. Runs in the caller's transaction; safe to call
    repeatedly (a task escalates once; escalation tasks themselves do not escalate further). The context's
    actor is the system.
    """
    db, now = ctx.db, ctx.now
    delay = escalation_delay(db) if after is None else after
    overdue = list(db.scalars(
        select(Task)
        .where(Task.acknowledged_at.is_(None), Task.done_at.is_(None), Task.escalated_at.is_(None),
               Task.kind != ESCALATION_KIND, Task.due_at <= now - delay)
        .order_by(Task.due_at, Task.id)
        .with_for_update(skip_locked=True)))
    admins: dict[uuid.UUID, StaffUser | None] = {}
    done: list[Escalated] = []
    for task in overdue:
        if task.service_id not in admins:
            admins[task.service_id] = service_admin(db, task.service_id)
        admin = admins[task.service_id]
        task.escalated_at = now
        follow_up = Task(id=uuid.uuid4(), service_id=task.service_id, partner_id=task.partner_id,
                         assignee_id=admin.id if admin else None, kind=ESCALATION_KIND,
                         severity=Severity.URGENT if task.severity != Severity.IMMEDIATE else Severity.IMMEDIATE,
                         child_risk=task.child_risk, call_requested=task.call_requested,
                         contact_allowed=task.contact_allowed, source_event_id=task.source_event_id,
                         escalated_from_id=task.id, created_at=now, due_at=now)
        db.add(follow_up)
        db.flush()
        ctx.audit("task.escalate", "task", task.id,
                  {"escalation_task_id": str(follow_up.id), "admin_id": str(admin.id) if admin else None,
                   "severity": task.severity})
        done.append(Escalated(task.id, follow_up.id, admin.id if admin else None))
    return done


@dataclass(frozen=True)
class OpenEscalation:
    escalation: Task
    original: Task | None
    assignee: StaffUser | None  # who held the overdue task


def open_escalations(db: Session, service_id: uuid.UUID | None) -> list[OpenEscalation]:
    """Escalations not yet handled, oldest first; for one service (or all when service_id is None)."""
    query = select(Task).where(Task.kind == ESCALATION_KIND, Task.done_at.is_(None))
    if service_id is not None:
        query = query.where(Task.service_id == service_id)
    found = []
    for escalation in db.scalars(query.order_by(Task.created_at, Task.id).limit(500)):
        original = db.get(Task, escalation.escalated_from_id) if escalation.escalated_from_id else None
        holder = db.get(StaffUser, original.assignee_id) if original and original.assignee_id else None
        found.append(OpenEscalation(escalation, original, holder))
    return found


def service_workers(db: Session, service_id: uuid.UUID) -> list[StaffUser]:
    return list(db.scalars(select(StaffUser).where(StaffUser.role == Role.SUPPORT_WORKER,
                                                   StaffUser.service_id == service_id,
                                                   StaffUser.is_active.is_(True))
                           .order_by(StaffUser.display_name)))


def resolve(ctx: DomainContext, escalation: Task, *, admin: StaffUser, reassign_to: StaffUser | None = None) -> None:
    """The admin handled it: optionally hand the overdue task to another worker of the same service.

    The context's actor is that admin."""
    db, now = ctx.db, ctx.now
    original = db.get(Task, escalation.escalated_from_id) if escalation.escalated_from_id else None
    if reassign_to is not None:
        if (original is None or reassign_to.role != Role.SUPPORT_WORKER or not reassign_to.is_active
                or reassign_to.service_id != escalation.service_id):
            raise ValueError("reassign only to an active support worker of the same service")
        original.assignee_id = reassign_to.id
        ctx.audit("task.reassign", "task", original.id, {"assignee_id": str(reassign_to.id)})
    escalation.acknowledged_at = escalation.acknowledged_at or now
    escalation.acknowledged_by_id = escalation.acknowledged_by_id or admin.id
    escalation.done_at = now
    ctx.audit("task.done", "task", escalation.id)
