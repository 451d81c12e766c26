"""Admin: the audit log, a page at a time, with who and what by name; and verification of its hash chain.

The chain stores codes and ids only; this page looks the names up (staff names, case numbers, programme
names, task kinds) so an admin reads who did what, never a raw id. Her name is never looked up: her record
shows as its short case number.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.models import (
    AccessToken,
    AuditEvent,
    Notification,
    Participant,
    Programme,
    StaffUser,
    SupportService,
    Task,
)
from portal.services.audit import ChainReport, verify_database
from portal.services.context import DomainContext

PAGE_SIZE = 50


@dataclass(frozen=True)
class AuditRow:
    """One entry as an admin reads it: codes for the page to word, names where the chain holds ids."""

    seq: int
    occurred_at: datetime
    actor_kind: str
    actor_name: str | None          # a staff member's name; None for her, the API, the portal, her texts
    action: str
    object_type: str | None
    object_name: str | None         # 'Case 1A2B3C', a staff name, a programme name, a task kind code ...
    object_kind: str | None = None  # a code the page words (a task's kind, a message's kind)
    case: str | None = None         # the case number the object belongs to, when it has one
    details: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class AuditPage:
    entries: list[AuditRow]
    page: int
    pages: int
    total: int


def case_number(partner_id: object) -> str:
    """The short case number staff know her record by (as casework.case_label)."""
    try:
        return uuid.UUID(str(partner_id)).hex[:6].upper()
    except ValueError:
        return "?"


def _uuids(values: Iterable[str | None]) -> set[uuid.UUID]:
    found = set()
    for value in values:
        try:
            found.add(uuid.UUID(str(value)))
        except ValueError:
            continue
    return found


def _details(raw: str, participants: dict[uuid.UUID, str]) -> dict[str, str]:
    try:
        data = json.loads(raw) if raw else {}
    except ValueError:
        return {}
    shown: dict[str, str] = {}
    for key, value in (data.items() if isinstance(data, dict) else ()):
        if isinstance(value, list):
            shown[key] = ", ".join(str(item) for item in value)
        elif key == "participant":
            shown[key] = participants.get(next(iter(_uuids([value])), uuid.UUID(int=0)), "?")
        else:
            shown[key] = str(value)
    return shown


def _pairs(rows: Iterable[Any]) -> dict[uuid.UUID, str]:
    return {key: value for key, value in rows}


def _rows(db: Session, entries: list[AuditEvent]) -> list[AuditRow]:
    def ids(object_type: str) -> set[uuid.UUID]:
        return _uuids(e.object_id for e in entries if e.object_type == object_type)

    staff_ids = _uuids(e.actor_id for e in entries if e.actor_type == "staff") | ids("staff_user")
    staff = _pairs(db.execute(select(StaffUser.id, StaffUser.display_name).where(StaffUser.id.in_(staff_ids))))
    programmes = _pairs(db.execute(select(Programme.id, Programme.name)
                                 .where(Programme.id.in_(ids("programme")))))
    services = _pairs(db.execute(select(SupportService.id, SupportService.name)
                               .where(SupportService.id.in_(ids("support_service")))))
    tasks = {t.id: t for t in db.scalars(select(Task).where(Task.id.in_(ids("task"))))}
    notes = {n.id: n for n in db.scalars(select(Notification).where(Notification.id.in_(ids("notification"))))}
    tokens = _pairs(db.execute(select(AccessToken.id, Programme.name)
                             .join(Programme, Programme.id == AccessToken.programme_id, isouter=True)
                             .where(AccessToken.id.in_(ids("access_token") | ids("api_token")))))
    participant_ids = ids("participant") | _uuids(
        str(json.loads(e.details).get("participant")) for e in entries
        if e.details and e.details.startswith("{") and '"participant"' in e.details)
    participants = _pairs(db.execute(select(Participant.id, Participant.reference)
                                   .where(Participant.id.in_(participant_ids))))
    rows = []
    for entry in entries:
        oid = next(iter(_uuids([entry.object_id])), None) if entry.object_id else None
        name: str | None = None
        kind: str | None = None
        case: str | None = None
        otype = entry.object_type
        if otype == "partner_contact" and entry.object_id:
            case = case_number(entry.object_id)
        elif otype == "staff_user" and oid is not None:
            name = staff.get(oid)
        elif otype == "programme" and oid is not None:
            name = programmes.get(oid)
        elif otype == "support_service" and oid is not None:
            name = services.get(oid)
        elif otype == "participant" and oid is not None:
            name = participants.get(oid)
        elif otype in ("access_token", "api_token") and oid is not None:
            name = tokens.get(oid)
        elif otype == "task" and oid is not None and oid in tasks:
            kind = tasks[oid].kind
            case = case_number(tasks[oid].partner_id) if tasks[oid].partner_id else None
        elif otype == "notification" and oid is not None and oid in notes:
            kind = notes[oid].kind
            case = case_number(notes[oid].partner_id)
        actor_id = next(iter(_uuids([entry.actor_id])), None) if entry.actor_id else None
        rows.append(AuditRow(entry.seq, entry.occurred_at, entry.actor_type,
                             staff.get(actor_id) if entry.actor_type == "staff" and actor_id else None,
                             entry.action, otype, name, kind, case, _details(entry.details, participants)))
    return rows


def audit_page(db: Session, page: int, size: int = PAGE_SIZE) -> AuditPage:
    """Newest first; a page past the end shows the last page."""
    total = db.scalar(select(func.count()).select_from(AuditEvent)) or 0
    pages = max(1, -(-total // size))
    page = min(max(1, page), pages)
    entries = list(db.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc())
                              .offset((page - 1) * size).limit(size)))
    return AuditPage(_rows(db, entries), page, pages, total)


def verify_chain(ctx: DomainContext) -> ChainReport:
    """Walk the whole chain; the check itself is audited (how many entries, whether it held)."""
    report = verify_database(ctx.db, ctx.audit_key)
    ctx.audit("audit.verify", None, None, {"entries": report.entries, "ok": report.ok})
    return report
