"""What was asked in a duress session: never applied to her record, kept for her worker on the plan_duress task.

A session opened with her duress passphrase may be someone else's hands on her phone (or hers, watched). What
is asked there (stop all contact, change her choices, a new PIN, delete her plan ...) is not done; the page
answers as if it were (portal/public/duress_view.py), and each request is added here, encrypted, to the open
plan_duress task, so her worker knows what was asked and when. Her own call for help ("send a note to your
worker") is the exception: it goes as usual, and is listed here too so her worker reads it in that light.

The task's detail holds a small JSON document of codes (never free text she typed): her worker's page words
them (console/labels.py DURESS_ASKED, DURESS_PARTS).
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.crypto import Vault
from portal.models import PartnerContact, Severity, Task, TaskKind
from portal.services.casework.tasks import create_task
from portal.services.context import DomainContext
from portal.services.messaging import texts_hold

# What can be asked in a duress session (each worded for her worker in console/labels.py).
STOP_CONTACT, SAY_NO, SAY_YES, CHANGE_CHOICES = "stop_contact", "say_no", "say_yes", "change_choices"
SET_PIN, REMOVE_PIN, CHANGE_LANGUAGE, SENT_NOTE = "set_pin", "remove_pin", "change_language", "sent_note"
DELETE_PLAN, SHARE_PLAN, WITHDRAW_SHARE, CHECK_IN = "delete_plan", "share_plan", "withdraw_share", "check_in"
EDIT_PLAN, NEW_PLAN = "edit_plan", "new_plan"
ASKED = (STOP_CONTACT, SAY_NO, SAY_YES, CHANGE_CHOICES, SET_PIN, REMOVE_PIN, CHANGE_LANGUAGE, SENT_NOTE,
         EDIT_PLAN, SHARE_PLAN, WITHDRAW_SHARE, DELETE_PLAN, NEW_PLAN, CHECK_IN)
# Which of her choices a CHANGE_CHOICES request touched; for SENT_NOTE, which note (her_reports.KINDS).
PARTS = ("channels", "safe_times", "time_zone", "voicemail", "shared_phone", "told", "wording", "any_time",
         "check_after_stop", "code_word", "language", "less_safe", "separating", "checkin_days")
MAX_KEPT = 200  # requests kept per task (a scripted flood cannot grow the detail without bound)
FORMAT = "duress-asked/1"


@dataclass(frozen=True)
class Asked:
    """One request made in the duress session: when, what, and which parts."""

    at: datetime
    what: str
    parts: tuple[str, ...] = ()


def open_task(db: Session, partner_id: uuid.UUID, *, lock: bool = False) -> Task | None:
    """Her open plan_duress task (the oldest, as safety_plan keeps one at a time), locked for update so that
    concurrent requests append in turn."""
    query = (select(Task).where(Task.partner_id == partner_id, Task.kind == TaskKind.PLAN_DURESS,
                                Task.done_at.is_(None))
             .order_by(Task.created_at, Task.id).limit(1))
    if lock:
        query = query.with_for_update()
    return db.scalar(query)


def asked(vault: Vault, task: Task) -> list[Asked]:
    """The requests kept on a plan_duress task, oldest first (none if its detail holds no such list)."""
    return _load(vault.get(task, "detail_ct"))[1]


def record(ctx: DomainContext, partner: PartnerContact, what: str, *, parts: tuple[str, ...] = ()) -> Task:
    """Keep one request of the duress session on her open plan_duress task, and return the task.

    If her worker has already closed that task while the duress session goes on, a new one is opened the
    same way (immediate, no contact unless she makes it) and texts are held again: the session is still
    one that may not be hers alone, so it is treated as a new signal, not as nothing.
    Unknown codes raise ValueError (a programming error, never her input)."""
    if what not in ASKED or not set(parts) <= set(PARTS):
        raise ValueError(f"unknown duress request {what!r} {parts!r}")
    task = open_task(ctx.db, partner.id, lock=True)
    if task is None:
        task = create_task(ctx.db, partner, kind=TaskKind.PLAN_DURESS, severity=Severity.IMMEDIATE, now=ctx.now)
        task.contact_allowed = False
        texts_hold.hold(partner, ctx.now)
        ctx.audit("task.create", "task", task.id)
    note, kept = _load(ctx.vault.get(task, "detail_ct"))
    kept = [*kept, Asked(ctx.now, what, tuple(sorted(set(parts), key=PARTS.index)))][-MAX_KEPT:]
    ctx.vault.put(task, "detail_ct", _dump(note, kept))
    ctx.db.flush()
    ctx.audit("task.detail_added", "task", task.id)
    return task


def note_of(vault: Vault, task: Task) -> str | None:
    """A detail written on the task by anything else (kept as it was, shown as it was)."""
    return _load(vault.get(task, "detail_ct"))[0]


def _load(text: str | None) -> tuple[str | None, list[Asked]]:
    if not text:
        return None, []
    try:
        data = json.loads(text)
    except ValueError:
        return text, []
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        return text, []
    kept = []
    for item in data.get("asked", []):
        try:
            parts = tuple(part for part in item.get("parts", ()) if part in PARTS)
            if item["what"] in ASKED:
                kept.append(Asked(datetime.fromisoformat(item["at"]), item["what"], parts))
        except (KeyError, TypeError, ValueError, AttributeError):
            continue
    note = data.get("note")
    return (note if isinstance(note, str) else None), kept


def _dump(note: str | None, kept: list[Asked]) -> str:
    data: dict[str, object] = {"format": FORMAT,
                               "asked": [{"at": a.at.isoformat(), "what": a.what, "parts": list(a.parts)}
                                         for a in kept]}
    if note:
        data["note"] = note
    return json.dumps(data, separators=(",", ":"))
