"""Hash-chained audit log: append, and verify that nothing was edited, deleted or reordered."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from portal.crypto import derive_subkey
from portal.database import take_write_lock
from portal.models import ActorKind, AuditEvent

GENESIS = "0" * 64
_LOCK_ID = 7_411_223  # PostgreSQL advisory lock that serialises appends to the chain

# Only codes and field names may go in details: never her values.
_FORBIDDEN_DETAIL_KEYS = {"phone", "name", "email", "code_word", "body", "text", "password", "pin", "description"}


@dataclass(frozen=True)
class Actor:
    kind: str  # an ActorKind; anything else raises ValueError
    id: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", ActorKind(self.kind))


SYSTEM = Actor(ActorKind.SYSTEM)


def audit_key(index_key_b64: str) -> bytes:
    return derive_subkey(index_key_b64, "audit-chain")


def _canonical(seq: int, occurred_at: datetime, actor_type: str, actor_id: str | None, action: str,
               object_type: str | None, object_id: str | None, details: str) -> bytes:
    return json.dumps(
        [seq, occurred_at.isoformat(timespec="microseconds"), actor_type, actor_id, action,
         object_type, object_id, details],
        separators=(",", ":"), ensure_ascii=False,
    ).encode()


def _mac(key: bytes, prev_hash: str, body: bytes) -> str:
    return hmac.new(key, prev_hash.encode() + body, hashlib.sha256).hexdigest()


def record(db: Session, key: bytes, actor: Actor, action: str, object_type: str | None = None,
           object_id: object = None, details: dict[str, Any] | None = None, *,
           now: datetime) -> AuditEvent:
    """Append one entry to the chain inside the caller's transaction, at `now` (the caller's clock: always
    given, so an injected or frozen clock reaches every entry)."""
    details = details or {}
    leaked = _FORBIDDEN_DETAIL_KEYS.intersection(details)
    if leaked:
        raise ValueError(f"audit details must not carry values of {sorted(leaked)}")
    # Reading the head and appending after it must not interleave with another append.
    if db.get_bind().dialect.name == "postgresql":
        db.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": _LOCK_ID})
    else:
        take_write_lock(db)  # SQLite: BEGIN IMMEDIATE (the head read below is current until commit)
    last = db.execute(select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)).first()
    seq, prev = (last.seq + 1, last.hash) if last else (1, GENESIS)
    occurred = now
    details_json = json.dumps(details, sort_keys=True, separators=(",", ":"), default=str)
    oid = None if object_id is None else str(object_id)
    entry = AuditEvent(
        seq=seq, occurred_at=occurred, actor_type=actor.kind, actor_id=actor.id, action=action,
        object_type=object_type, object_id=oid, details=details_json, prev_hash=prev,
        hash=_mac(key, prev, _canonical(seq, occurred, actor.kind, actor.id, action, object_type, oid, details_json)),
    )
    db.add(entry)
    db.flush()
    return entry


@dataclass(frozen=True)
class ChainProblem:
    seq: int
    problem: str


@dataclass(frozen=True)
class ChainReport:
    entries: int
    head: str
    problems: list[ChainProblem]

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(entries: Iterable[AuditEvent], key: bytes) -> ChainReport:
    """Walk the chain in order; report edits (bad MAC), deletions (gaps) and reordering (broken links)."""
    problems: list[ChainProblem] = []
    prev_hash, expected_seq, count = GENESIS, 1, 0
    for entry in entries:
        count += 1
        if entry.seq != expected_seq:
            problems.append(ChainProblem(entry.seq, f"expected entry {expected_seq}: entries missing or reordered"))
        if entry.prev_hash != prev_hash:
            problems.append(ChainProblem(entry.seq, "does not follow the previous entry"))
        body = _canonical(entry.seq, entry.occurred_at, entry.actor_type, entry.actor_id, entry.action,
                          entry.object_type, entry.object_id, entry.details)
        if not hmac.compare_digest(_mac(key, entry.prev_hash, body), entry.hash):
            problems.append(ChainProblem(entry.seq, "content was changed"))
        prev_hash, expected_seq = entry.hash, entry.seq + 1
    return ChainReport(count, prev_hash, problems)


def verify_database(db: Session, key: bytes) -> ChainReport:
    return verify(db.scalars(select(AuditEvent).order_by(AuditEvent.seq)).yield_per(1000), key)
