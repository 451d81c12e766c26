"""The outbox: every message to her is a row written in the same transaction as its cause, and the one place
its text is composed (`compose`, right before it is sent, from her choices as they are then)."""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import Session

from portal.crypto import Vault
from portal.models import (
    Notification,
    NotificationKind,
    NotificationState,
    PartnerContact,
    Preferences,
    StaffUser,
    WarningWording,
    Wording,
)
from portal.services.messaging.sms_permission import text_limits
from portal.sms.templates import (
    PARAMS,
    TEMPLATES,
    WARNING_TEMPLATES,
    Catalogs,
    neutral_wording,
    render,
    with_number,
)

KIND_OF_TEMPLATE = {template: kind for kind, template in WARNING_TEMPLATES.items()}


def warning_template(kind: str) -> str:
    """The template a warning about this kind of news is queued with (worded as she chose when it is sent)."""
    return WARNING_TEMPLATES[kind]


def worker_number(db: Session, partner: PartnerContact) -> str | None:
    """Her worker's number for her texts, if her worker has given one."""
    worker = db.get(StaffUser, partner.worker_id) if partner.worker_id else None
    return worker.callback_phone if worker is not None and worker.is_active and worker.callback_phone else None


def params_of(vault: Vault, note: Notification) -> dict[str, str]:
    raw = vault.get(note, "params_ct")
    return json.loads(raw) if raw else {}


def compose(db: Session, vault: Vault, catalogs: Catalogs, note: Notification, partner: PartnerContact,
            prefs: Preferences | None) -> str:
    """The text she receives for this message, worded now: a warning as she chose for its kind of news (one of
    the neutral texts, or her own words; her worker's number if she asked), within what her phone allows
    (services/messaging/sms_permission.text_limits). Raises TemplateError for a message that cannot be worded.
    """
    locale = note.locale or partner.locale
    kind = KIND_OF_TEMPLATE.get(note.template)
    if kind is None:
        return render(catalogs, note.template, locale, params_of(vault, note) or None)
    limits = text_limits(prefs)
    row = db.scalar(select(WarningWording).where(WarningWording.partner_id == partner.id,
                                                 WarningWording.kind == kind))
    text = None
    if row is not None and row.wording == Wording.OWN and limits.own_words:
        own = vault.get(row, "own_words_ct")
        text = own.strip() if own and own.strip() else None
    if text is None:
        text = neutral_wording(catalogs, kind, row.wording if row is not None else Wording.NEUTRAL_1, locale)
    wants_number = row is not None and row.with_number and limits.number
    return with_number(text, worker_number(db, partner) if wants_number else None)


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
