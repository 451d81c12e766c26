"""The hold on texts to her after her plan was opened with her second passphrase: put on, released, lifted.

While `partner.texts_held_since` is set, services/messaging/sms_permission.why_not answers "held": texts are
still queued (nothing she asked for is lost) but the dispatcher leaves them waiting, neither sent nor cancelled
nor handed over. Her worker's release, or closing the plan_duress task, lifts the hold; waiting texts then go
in her next safe time as usual (one gone stale by then becomes a task for her worker, as always).
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select

from portal.domain_error import DomainError
from portal.models import PartnerContact, Task, TaskKind
from portal.services.context import DomainContext

HOLDING_TASK = TaskKind.PLAN_DURESS


class HoldError(DomainError):
    """The release cannot be done: `code` says why ("not_a_hold": no such plan_duress task)."""


def hold(partner: PartnerContact, now: datetime) -> None:
    """Texts to her wait from now (or from when they already began waiting)."""
    partner.texts_held_since = partner.texts_held_since or now


def held(partner: PartnerContact) -> bool:
    return partner.texts_held_since is not None


def _other_open_hold(ctx: DomainContext, task: Task) -> bool:
    return ctx.db.scalar(select(Task.id).where(Task.partner_id == task.partner_id, Task.kind == HOLDING_TASK,
                                               Task.done_at.is_(None), Task.released_at.is_(None),
                                               Task.id != task.id).limit(1)) is not None


def release(ctx: DomainContext, task_id: uuid.UUID) -> None:
    """Her worker releases texts (the task stays open until they close it); audited. Releasing twice is a no-op."""
    task = ctx.db.get(Task, task_id)
    if task is None or task.kind != HOLDING_TASK or task.partner_id is None:
        raise HoldError("not_a_hold")
    partner = ctx.db.get(PartnerContact, task.partner_id)
    assert partner is not None  # a task's partner row is never deleted (erasure keeps a tombstone)
    if task.released_at is not None and partner.texts_held_since is None:
        return
    task.released_at = task.released_at or ctx.now
    if not _other_open_hold(ctx, task):
        partner.texts_held_since = None
    ctx.audit("texts.released", "task", task.id)


def task_closed(ctx: DomainContext, task: Task) -> None:
    """A plan_duress task was closed: the hold it put on texts ends with it (unless another such task holds)."""
    if task.kind != HOLDING_TASK or task.partner_id is None:
        return
    partner = ctx.db.get(PartnerContact, task.partner_id)
    if partner is None or partner.texts_held_since is None or _other_open_hold(ctx, task):
        return
    partner.texts_held_since = None
    ctx.audit("texts.released", "task", task.id, {"task_closed": True})
