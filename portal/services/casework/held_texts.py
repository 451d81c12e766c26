"""What her worker's plan_duress task page says about texts to her: held since when, how many wait, who released
them and when, and what was asked in the duress session (services/her/duress_requests.py)."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.crypto import Vault
from portal.models import (
    ActorKind,
    AuditEvent,
    Notification,
    NotificationState,
    PartnerContact,
    StaffUser,
    Task,
)
from portal.services.her import duress_requests

RELEASED = "texts.released"  # the audit action of a release (services/messaging/texts_hold.py)


@dataclass(frozen=True)
class HeldTexts:
    held_since: datetime | None  # texts to her wait from then (None: nothing is held now)
    waiting: int  # her messages waiting to be sent (held, or queued for her next safe time)
    released_at: datetime | None  # when texts were released (by her worker, or by closing the task)
    released_by: str | None  # who released them (a staff member's name)
    released_by_closing: bool  # the release came from closing the task
    asked: tuple[duress_requests.Asked, ...]  # what was asked in the duress session, oldest first
    note: str | None  # anything else written on the task, as it was


def waiting_messages(db: Session, partner_id: uuid.UUID) -> int:
    """How many messages to her wait to be sent (none is dropped while texts are held: principle 7)."""
    return int(db.scalar(select(func.count()).select_from(Notification).where(
        Notification.partner_id == partner_id, Notification.state == NotificationState.PENDING)) or 0)


def _details(event: AuditEvent) -> dict[str, object]:
    try:
        details = json.loads(event.details or "{}")
    except ValueError:
        return {}
    return details if isinstance(details, dict) else {}


def view(db: Session, vault: Vault, task: Task) -> HeldTexts:
    """The state of texts to her for one plan_duress task. The caller audits reading the task's detail."""
    partner = db.get(PartnerContact, task.partner_id) if task.partner_id else None
    release = db.scalar(select(AuditEvent).where(AuditEvent.action == RELEASED, AuditEvent.object_type == "task",
                                                 AuditEvent.object_id == str(task.id))
                        .order_by(AuditEvent.seq.desc()).limit(1))
    released_by = None
    if release is not None and release.actor_type == ActorKind.STAFF and release.actor_id:
        try:
            staff = db.get(StaffUser, uuid.UUID(release.actor_id))
        except ValueError:
            staff = None
        released_by = staff.display_name if staff else None
    return HeldTexts(
        held_since=partner.texts_held_since if partner else None,
        waiting=waiting_messages(db, partner.id) if partner else 0,
        released_at=task.released_at or (release.occurred_at if release is not None else None),
        released_by=released_by,
        released_by_closing=release is not None and _details(release).get("task_closed") is True,
        asked=tuple(duress_requests.asked(vault, task)),
        note=duress_requests.note_of(vault, task),
    )
