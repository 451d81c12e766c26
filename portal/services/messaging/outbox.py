"""The outbox: every message to her is a row written in the same transaction as its cause."""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, update
from sqlalchemy.orm import Session

from portal.crypto import Vault
from portal.models import Notification, NotificationKind, NotificationState, PartnerContact
from portal.sms.templates import PARAMS, TEMPLATES


def check_template(template: str, params: dict[str, str] | None) -> None:
    """Refuse, in the caller's transaction, a message the dispatcher could never render."""
    if template not in TEMPLATES:
        raise ValueError(f"unknown SMS template {template!r}")
    if set(params or {}) != set(PARAMS.get(template, ())):
        raise ValueError(f"SMS template {template!r} takes parameters {sorted(PARAMS.get(template, ()))}")


def enqueue(db: Session, vault: Vault, partner: PartnerContact, *, kind: str, template: str, now: datetime,
            params: dict[str, str] | None = None, serious: bool = False, not_before: datetime | None = None,
            stale_at: datetime | None = None, source_event_id: uuid.UUID | None = None) -> Notification:
    """Add one message for her to the outbox (the caller's transaction commits it with its cause).

    Scheduling into her safe windows is the dispatcher's job (services/dispatch); not_before is a floor.
    A warning without stale_at goes stale after Settings.warning_stale_hours (the dispatcher applies it).
    An unknown kind raises ValueError.
    """
    kind = NotificationKind(kind)
    check_template(template, params)
    note = Notification(id=uuid.uuid4(), partner_id=partner.id, kind=kind, template=template,
                        locale=partner.locale, serious=serious, state=NotificationState.PENDING,
                        not_before=not_before or now, stale_at=stale_at, source_event_id=source_event_id,
                        created_at=now)
    if params:
        vault.put(note, "params_ct", json.dumps(params))
    db.add(note)
    db.flush()
    return note


def cancel_pending(db: Session, partner_id: uuid.UUID, now: datetime) -> int:
    """Cancel everything not yet handed to the provider; returns how many were cancelled."""
    result = db.execute(
        update(Notification)
        .where(Notification.partner_id == partner_id, Notification.state == NotificationState.PENDING)
        .values(state=NotificationState.CANCELLED, finished_at=now, updated_at=now)
    )
    return cast(CursorResult[Any], result).rowcount or 0
