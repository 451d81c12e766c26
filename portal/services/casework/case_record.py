"""The read side of her case for her worker: links, consent history, preferences, messages, tasks."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.crypto import Vault
from portal.models import (
    ConsentEvent,
    Notification,
    Participant,
    PartnerLink,
    Preferences,
    Programme,
    SafeWindow,
    StaffUser,
    Task,
    Tell,
)
from portal.services.casework.casework import FLAGS, TELL_FIELDS


@dataclass
class LinkRow:
    id: uuid.UUID
    programme: str
    reference: str
    since: datetime
    ended_at: datetime | None


def links(db: Session, partner_id: uuid.UUID) -> list[LinkRow]:
    rows = db.execute(
        select(PartnerLink, Participant, Programme)
        .join(Participant, Participant.id == PartnerLink.participant_id)
        .join(Programme, Programme.id == Participant.programme_id)
        .where(PartnerLink.partner_id == partner_id).order_by(PartnerLink.created_at)
    ).all()
    return [LinkRow(link.id, programme.name, participant.reference, link.created_at, link.ended_at)
            for link, participant, programme in rows]


@dataclass
class ConsentRow:
    occurred_at: datetime
    action: str
    channel: str
    scope: str
    recorded_by: str | None


def consent_history(db: Session, partner_id: uuid.UUID) -> list[ConsentRow]:
    rows = db.execute(
        select(ConsentEvent, StaffUser.display_name)
        .outerjoin(StaffUser, StaffUser.id == ConsentEvent.recorded_by_id)
        .where(ConsentEvent.partner_id == partner_id).order_by(ConsentEvent.occurred_at, ConsentEvent.id)
    ).all()
    return [ConsentRow(event.occurred_at, event.action, event.channel, event.scope, name) for event, name in rows]


@dataclass
class PreferencesView:
    flags: dict[str, bool]
    tell: dict[str, str]
    code_word: str | None
    updated_at: datetime | None
    updated_by: str | None
    windows: list[SafeWindow] = field(default_factory=list)


def preferences_view(db: Session, vault: Vault, partner_id: uuid.UUID) -> PreferencesView:
    prefs = db.scalar(select(Preferences).where(Preferences.partner_id == partner_id))
    windows = list(db.scalars(select(SafeWindow).where(SafeWindow.partner_id == partner_id)
                              .order_by(SafeWindow.weekday, SafeWindow.start_minute)))
    if prefs is None:
        return PreferencesView({name: False for name in FLAGS}, {name: Tell.CALL for name in TELL_FIELDS},
                               None, None, None, windows)
    by = db.get(StaffUser, prefs.updated_by_id) if prefs.updated_by_id else None
    return PreferencesView({name: bool(getattr(prefs, name)) for name in FLAGS},
                           {name: getattr(prefs, name) for name in TELL_FIELDS},
                           vault.get(prefs, "code_word_ct"), prefs.updated_at, by.display_name if by else None,
                           windows)


@dataclass
class MessageRow:
    kind: str
    state: str
    created_at: datetime
    not_before: datetime
    sent_at: datetime | None
    finished_at: datetime | None
    provider_status: str | None
    error_code: str | None
    serious: bool


def messages(db: Session, partner_id: uuid.UUID) -> list[MessageRow]:
    """Every message to her with its delivery state (never the text or the link inside it)."""
    rows = db.scalars(select(Notification).where(Notification.partner_id == partner_id)
                      .order_by(Notification.created_at.desc(), Notification.id))
    return [MessageRow(n.kind, n.state, n.created_at, n.not_before, n.sent_at, n.finished_at, n.provider_status,
                       n.error_code, n.serious) for n in rows]


def open_tasks(db: Session, partner_id: uuid.UUID) -> list[Task]:
    return list(db.scalars(select(Task).where(Task.partner_id == partner_id, Task.done_at.is_(None))
                           .order_by(Task.due_at)))
