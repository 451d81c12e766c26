"""Her worker's log of contacts with her: attempt, safe-to-talk check, outcome, information given, next step."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.crypto import Vault
from portal.domain_error import DomainError
from portal.models import (
    ContactLogEntry,
    ContactMethod,
    ContactOutcome,
    PartnerContact,
    SafeToTalk,
    StaffUser,
    Task,
)
from portal.services.context import DomainContext
from portal.services.messaging import texts_hold

METHODS = tuple(ContactMethod)
SAFE_TO_TALK = tuple(SafeToTalk)
OUTCOMES = tuple(ContactOutcome)
# What the guidelines require her to be told (WWP EN B.1 c, d, e; confidentiality limits).
INFORMATION = ("contact_voluntary", "programme_limits", "manipulation", "what_is_shared",
               "confidentiality_limits", "support_and_helplines", "safety_planning")
NOTES_MAX = 4000


class ContactLogError(DomainError):
    """The contact cannot be logged; `code` picks the message, `field` the input at fault."""


@dataclass(frozen=True)
class ContactInput:
    occurred_at: datetime
    method: str
    reached: bool
    safe_to_talk: str
    outcome: str
    information_given: tuple[str, ...]
    notes: str
    next_step: str


def check(entry: ContactInput, now: datetime) -> ContactInput:
    if entry.method not in METHODS:
        raise ContactLogError("method_invalid", "method")
    if entry.safe_to_talk not in SAFE_TO_TALK:
        raise ContactLogError("safe_invalid", "safe_to_talk")
    if entry.outcome not in OUTCOMES:
        raise ContactLogError("outcome_invalid", "outcome")
    if entry.occurred_at > now + timedelta(minutes=5):
        raise ContactLogError("in_future", "occurred_at")
    unknown = [code for code in entry.information_given if code not in INFORMATION]
    if unknown:
        raise ContactLogError("information_invalid", "information_given")
    if entry.information_given and not (entry.reached and entry.safe_to_talk == SafeToTalk.YES):
        # Information can only have been given in a conversation she said was safe.
        raise ContactLogError("information_needs_safe_talk", "information_given")
    if entry.outcome == ContactOutcome.TALKED and not entry.reached:
        raise ContactLogError("talked_needs_reached", "reached")
    if len(entry.notes) > NOTES_MAX or len(entry.next_step) > NOTES_MAX:
        raise ContactLogError("too_long", "notes")
    return entry


def log_contact(ctx: DomainContext, partner: PartnerContact, worker: StaffUser, entry: ContactInput, *,
                task: Task | None = None) -> ContactLogEntry:
    """Record one contact (notes and next step encrypted); a task it answers is marked done.

    The context's actor is the worker who logs it (the view builds it for her worker)."""
    now = ctx.now
    entry = check(entry, now)
    row = ContactLogEntry(id=uuid.uuid4(), partner_id=partner.id, worker_id=worker.id,
                          occurred_at=entry.occurred_at, method=entry.method, reached=entry.reached,
                          safe_to_talk=entry.safe_to_talk, outcome=entry.outcome,
                          information_given=",".join(sorted(set(entry.information_given))) or None)
    ctx.vault.put(row, "notes_ct", entry.notes.strip() or None)
    ctx.vault.put(row, "next_step_ct", entry.next_step.strip() or None)
    ctx.db.add(row)
    if task is not None and task.partner_id == partner.id and task.done_at is None:
        task.acknowledged_at = task.acknowledged_at or now
        task.acknowledged_by_id = task.acknowledged_by_id or worker.id
        task.done_at = now
        ctx.audit("task.done", "task", task.id, {"via": "contact_log"})
        texts_hold.task_closed(ctx, task)
    ctx.audit("contact.log", "partner_contact", partner.id,
              {"method": entry.method, "outcome": entry.outcome, "information": list(entry.information_given)})
    ctx.db.flush()
    return row


@dataclass(frozen=True)
class ContactRow:
    occurred_at: datetime
    worker: str
    method: str
    reached: bool
    safe_to_talk: str
    outcome: str
    information_given: list[str]
    notes: str | None
    next_step: str | None


def entries(db: Session, vault: Vault, partner_id: uuid.UUID) -> list[ContactRow]:
    rows = db.execute(select(ContactLogEntry, StaffUser.display_name)
                      .join(StaffUser, StaffUser.id == ContactLogEntry.worker_id)
                      .where(ContactLogEntry.partner_id == partner_id)
                      .order_by(ContactLogEntry.occurred_at.desc(), ContactLogEntry.id)).all()
    return [ContactRow(e.occurred_at, name, e.method, e.reached, e.safe_to_talk, e.outcome,
                       [c for c in (e.information_given or "").split(",") if c],
                       vault.get(e, "notes_ct"), vault.get(e, "next_step_ct")) for e, name in rows]


def information_status(db: Session, partner_id: uuid.UUID) -> dict[str, datetime | None]:
    """For each required topic: when she was first told, or None while it is still outstanding."""
    given: dict[str, datetime | None] = dict.fromkeys(INFORMATION)
    rows = db.execute(select(ContactLogEntry.information_given, ContactLogEntry.occurred_at)
                      .where(ContactLogEntry.partner_id == partner_id,
                             ContactLogEntry.information_given.is_not(None))
                      .order_by(ContactLogEntry.occurred_at)).all()
    for codes, when in rows:
        for code in (codes or "").split(","):  # never None: the query skips rows without any
            if code in given and given[code] is None:
                given[code] = when
    return given
