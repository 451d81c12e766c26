"""Her safety plan, sealed by her passphrase: two slots always, a second passphrase that opens a harmless plan
and quietly tells her worker, wrong tries slowed down (never a wipe), and a copy she may share.

Sealing (portal/crypto.py): each slot has a random 256-bit data key; her content is sealed under it with
AES-256-GCM bound to the plan row and slot, and the data key is wrapped under Argon2id(passphrase, the slot's
salt). Every slot's plaintext is padded to one fixed size, so the ciphertexts are all the same length. Which
slot is her plan and which the harmless one is chosen at random and written only inside the ciphertext (the
content's "kind"); with no second passphrase the other slot is wrapped under a random passphrase nobody
knows. Opening always derives both slots' keys and tries both unwraps, then opens one slot's content: the
work is the same whichever passphrase was typed.

Wrong tries are counted per plan before any key is derived, by one conditional UPDATE in a transaction of its
own that commits at once (so a request that fails later still leaves the count, and simultaneous tries
cannot get past the limit). While a wait is running nothing is derived.
"""

from __future__ import annotations

import json
import math
import secrets
import struct
import unicodedata
import uuid
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete as sql_delete
from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from portal.crypto import (
    DecryptionError,
    KdfParams,
    new_data_key,
    new_salt,
    open_with,
    passphrase_key,
    seal_with,
    unwrap_key,
    wrap_key,
)
from portal.database import take_write_lock
from portal.domain_error import DomainError
from portal.models import PartnerContact, SafetyPlan, SafetyPlanShare, Severity, Task, TaskKind
from portal.services.casework.tasks import configured_due, create_task
from portal.services.context import DomainContext
from portal.services.messaging import texts_hold

PRIORITIES: tuple[str, ...] = ("safety", "children", "privacy", "money_housing", "feelings", "staying_leaving")
SECTIONS: tuple[str, ...] = ("people", "places", "documents", "children", "emergency", "after_separation",
                             "technology", "support")
FIELDS: dict[str, tuple[str, ...]] = {
    "people": ("contacts", "code_word", "signal"),
    "places": ("safe_places", "routes"),
    "documents": ("papers", "bag", "bag_kept"),
    "children": ("what_they_do", "school", "who_collects"),
    "emergency": ("way_out", "transport", "money"),
    "after_separation": ("home", "routines", "legal"),
    "technology": ("phone", "accounts", "location"),
    "support": ("services", "notes"),
}
# The sections each priority brings forward (her first priority's sections come first).
PRIORITY_SECTIONS: dict[str, tuple[str, ...]] = {
    "safety": ("emergency", "people", "places"),
    "children": ("children",),
    "privacy": ("technology",),
    "money_housing": ("documents", "after_separation"),
    "feelings": ("support", "people"),
    "staying_leaving": ("after_separation", "emergency", "places"),
}
FIELD_MAX = 2000  # characters per field, after NFC
PASSPHRASE_MIN = 8
PASSPHRASE_MAX = 200
KINDS = ("plan", "duress")
SLOTS = (0, 1)
# Every slot's plaintext is exactly this long (compressed JSON, then zeros): lengths tell a reader nothing.
SLOT_PLAINTEXT_BYTES = 64 * 1024
_LENGTH = struct.Struct(">I")
FORMAT = 1


class PlanError(DomainError):
    """Her plan cannot do this; `code` names why (her pages word it in portal/public/messages.py)."""


@dataclass(frozen=True)
class PlanContent:
    priorities: tuple[str, ...]  # her order of what matters most (a subset of PRIORITIES)
    fields: dict[str, str]  # "<section>.<field>" -> her text (only non-empty ones)
    kind: str = "plan"  # "plan" | "duress"


@dataclass(frozen=True)
class Unlocked:
    """What her session keeps after an open (portal/public/plan_session.py seals it under the raw session id)."""

    plan_id: uuid.UUID
    slot: int
    data_key: bytes = field(repr=False)
    duress: bool  # True when the second passphrase opened it


@dataclass(frozen=True)
class OpenOutcome:
    unlocked: Unlocked | None  # None: a wrong passphrase, or waiting
    wait_seconds: int  # > 0: too many wrong tries; the next try is taken after this long (nothing computed)
    tries_left_before_wait: int | None


@dataclass(frozen=True)
class PlanStatus:
    exists: bool
    shared: bool  # a copy is shared with her worker (of the slot she opened, when `unlocked` was given)
    updated_at: datetime | None


@dataclass(frozen=True)
class TryLimits:
    """Wrong passphrases per plan: `free_tries` without waiting, then a wait that doubles, capped; never a wipe."""

    free_tries: int = 5
    first_wait_seconds: int = 30
    max_wait_seconds: int = 3600

    def wait_after(self, wrong_tries: int) -> int:
        """Seconds to wait after this many wrong tries in a row (0 while still free)."""
        if wrong_tries < self.free_tries:
            return 0
        doublings = min(wrong_tries - self.free_tries, 32)
        return min(self.first_wait_seconds * 2 ** doublings, self.max_wait_seconds)

    def left(self, wrong_tries: int) -> int:
        return max(self.free_tries - wrong_tries, 0)


@dataclass(frozen=True)
class SharedCopy:
    """The copy her worker reads, and whether it came from the harmless plan of her second passphrase."""

    content: PlanContent
    shared_at: datetime
    from_duress: bool


# -- her content ---------------------------------------------------------------------------------------------


def section_order(priorities: Sequence[str]) -> tuple[str, ...]:
    """SECTIONS reordered by her priorities: what matters most to her first, the rest in their usual order."""
    ordered: list[str] = []
    for priority in priorities:
        for section in PRIORITY_SECTIONS.get(priority, ()):
            if section not in ordered:
                ordered.append(section)
    return (*ordered, *(section for section in SECTIONS if section not in ordered))


def blank_content() -> PlanContent:
    return PlanContent(priorities=(), fields={})


def field_codes() -> tuple[str, ...]:
    """Every "<section>.<field>" code, in section order."""
    return tuple(f"{section}.{name}" for section in SECTIONS for name in FIELDS[section])


def _nfc(text: str | None) -> str:
    return unicodedata.normalize("NFC", text or "")


def checked(content: PlanContent, *, kind: str | None = None) -> PlanContent:
    """Her content as it is stored: priorities known and once each, fields known, trimmed, within FIELD_MAX."""
    priorities: list[str] = []
    for priority in content.priorities:
        if priority not in PRIORITIES:
            raise PlanError("unknown_priority", "priorities")
        if priority not in priorities:
            priorities.append(priority)
    known = set(field_codes())
    fields: dict[str, str] = {}
    for code, text in content.fields.items():
        if code not in known:
            raise PlanError("unknown_field", code)
        value = _nfc(text).strip()
        if len(value) > FIELD_MAX:
            raise PlanError("too_long", code)
        if value:
            fields[code] = value
    final_kind = kind or content.kind
    if final_kind not in KINDS:
        raise ValueError(f"a plan's kind is one of {KINDS}")
    return PlanContent(tuple(priorities), {code: fields[code] for code in field_codes() if code in fields},
                       final_kind)


def _encode(content: PlanContent) -> bytes:
    doc = {"v": FORMAT, "kind": content.kind, "priorities": list(content.priorities), "fields": content.fields}
    packed = zlib.compress(json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode(), 9)
    room = SLOT_PLAINTEXT_BYTES - _LENGTH.size
    if len(packed) > room:
        raise PlanError("too_long")  # the whole plan: only random text of many thousand characters gets here
    return _LENGTH.pack(len(packed)) + packed + bytes(room - len(packed))


def _decode(plaintext: bytes) -> PlanContent:
    (length,) = _LENGTH.unpack_from(plaintext)
    doc = json.loads(zlib.decompress(plaintext[_LENGTH.size:_LENGTH.size + length]))
    return PlanContent(tuple(doc["priorities"]), dict(doc["fields"]), doc["kind"])


# -- sealing ----------------------------------------------------------------------------------------------------


def _aad(plan_id: uuid.UUID, slot: int, part: str) -> bytes:
    return f"pcp:safety_plan:{plan_id}:{slot}:{part}".encode()


def _params(plan: SafetyPlan) -> KdfParams:
    return KdfParams(plan.memory_kib, plan.time_cost, plan.parallelism)


def _slot(plan: SafetyPlan, slot: int) -> tuple[bytes, bytes, bytes]:
    """(salt, wrapped key, content) of one slot."""
    return getattr(plan, f"salt_{slot}"), getattr(plan, f"wrapped_key_{slot}"), getattr(plan, f"content_{slot}")


def _seal_slot(plan: SafetyPlan, slot: int, passphrase: str, content: PlanContent, params: KdfParams) -> bytes:
    """Fill one slot afresh: new salt, new data key wrapped under her passphrase, content sealed. The data key."""
    salt, data_key = new_salt(), new_data_key()
    setattr(plan, f"salt_{slot}", salt)
    setattr(plan, f"wrapped_key_{slot}", wrap_key(passphrase_key(passphrase, salt, params), data_key,
                                                  _aad(plan.id, slot, "wrap")))
    _seal_content(plan, slot, data_key, content)
    return data_key


def _seal_content(plan: SafetyPlan, slot: int, data_key: bytes, content: PlanContent) -> None:
    setattr(plan, f"content_{slot}", seal_with(data_key, _encode(content), _aad(plan.id, slot, "content")))


def _open_content(plan: SafetyPlan, slot: int, data_key: bytes) -> PlanContent:
    try:
        return _decode(open_with(data_key, _slot(plan, slot)[2], _aad(plan.id, slot, "content")))
    except DecryptionError as exc:
        raise PlanError("key_invalid") from exc


def _unwrap_both(plan: SafetyPlan, passphrase: str) -> tuple[int, bytes] | None:
    """Derive both slots' keys and try both unwraps, always (the same work whichever passphrase it is)."""
    params = _params(plan)
    found: tuple[int, bytes] | None = None
    for slot in SLOTS:
        salt, wrapped, _content = _slot(plan, slot)
        data_key = unwrap_key(passphrase_key(passphrase, salt, params), wrapped, _aad(plan.id, slot, "wrap"))
        if data_key is not None and found is None:
            found = (slot, data_key)
    return found


def _passphrase(typed: str | None, field_name: str) -> str:
    value = _nfc(typed)
    if len(value) < PASSPHRASE_MIN:
        raise PlanError("passphrase_short", field_name)
    if len(value) > PASSPHRASE_MAX:
        raise PlanError("passphrase_long", field_name)
    return value


# -- her plan -------------------------------------------------------------------------------------------------


def _plan_of(db: Session, partner_id: uuid.UUID) -> SafetyPlan | None:
    return db.scalar(select(SafetyPlan).where(SafetyPlan.partner_id == partner_id))


def _share_of(db: Session, plan_id: uuid.UUID, slot: int) -> SafetyPlanShare | None:
    return db.scalar(select(SafetyPlanShare).where(SafetyPlanShare.plan_id == plan_id, SafetyPlanShare.slot == slot))


def _lock_her_row(db: Session, partner_id: uuid.UUID) -> None:
    """Hold her record's row (PostgreSQL) or the database's write lock (SQLite) until the caller commits."""
    take_write_lock(db)
    if db.get_bind().dialect.name == "postgresql":
        db.execute(select(PartnerContact.id).where(PartnerContact.id == partner_id).with_for_update())


def status(db: Session, partner_id: uuid.UUID, *, unlocked: Unlocked | None = None) -> PlanStatus:
    """Whether she has a plan, whether a copy is shared (of the slot she opened, if given), when it last changed."""
    plan = _plan_of(db, partner_id)
    if plan is None:
        return PlanStatus(False, False, None)
    shares = select(SafetyPlanShare.id).where(SafetyPlanShare.plan_id == plan.id)
    if unlocked is not None:
        shares = shares.where(SafetyPlanShare.slot == unlocked.slot)
    return PlanStatus(True, db.scalar(shares.limit(1)) is not None, plan.updated_at)


def create(ctx: DomainContext, partner: PartnerContact, passphrase: str, *, duress_passphrase: str | None = None,
           decoy: PlanContent | None = None, kdf: KdfParams, content: PlanContent | None = None) -> Unlocked:
    """Her new plan (blank, or `content`), sealed by her passphrase; with a second passphrase, the harmless
    `decoy` (blank if None) it opens instead. Without one, the other slot is filled with random filler under a
    random passphrase nobody knows. The same work either way."""
    if _plan_of(ctx.db, partner.id) is not None:
        raise PlanError("plan_exists")
    real = _passphrase(passphrase, "passphrase")
    second = _passphrase(duress_passphrase, "duress_passphrase") if duress_passphrase else None
    if second is not None and second == real:
        raise PlanError("passphrases_same", "duress_passphrase")
    mine = checked(content or blank_content(), kind="plan")
    harmless = checked(decoy or blank_content(), kind="duress")
    plan = SafetyPlan(id=uuid.uuid4(), partner_id=partner.id, memory_kib=kdf.memory_kib, time_cost=kdf.time_cost,
                      parallelism=kdf.parallelism, wrong_tries=0, created_at=ctx.now, updated_at=ctx.now)
    real_slot = secrets.randbelow(2)
    data_key = _seal_slot(plan, real_slot, real, mine, kdf)
    _seal_slot(plan, 1 - real_slot, second or secrets.token_urlsafe(32), harmless, kdf)
    # The slow part is done; now one at a time: a second submit (another tab) finds the first plan, not an error.
    _lock_her_row(ctx.db, partner.id)
    if _plan_of(ctx.db, partner.id) is not None:
        raise PlanError("plan_exists")
    ctx.db.add(plan)
    ctx.db.flush()
    ctx.audit("plan.created", "safety_plan", plan.id)  # never whether a second passphrase was set
    return Unlocked(plan.id, real_slot, data_key, duress=False)


@dataclass(frozen=True)
class _Try:
    wrong_tries: int  # counting this one (as if wrong until it proves right)
    waiting: int = 0  # > 0: a wait is running, this try is not taken (nothing is derived)
    starts_wait: int = 0  # the wait this try starts if it proves wrong


def _count_try(ctx: DomainContext, plan_id: uuid.UUID, limits: TryLimits) -> _Try | None:
    """Count this try before any key is derived, in a transaction of its own committed here.

    One conditional UPDATE: it only counts while no wait is running, and holds the plan's row (PostgreSQL) or
    the database (SQLite) until commit, so simultaneous tries are counted one at a time and the one that
    starts a wait stops every later one. None: the plan is gone."""
    now = ctx.now
    with Session(ctx.db.get_bind()) as tally, tally.begin():
        counted = tally.execute(
            update(SafetyPlan)
            .where(SafetyPlan.id == plan_id, or_(SafetyPlan.wait_until.is_(None), SafetyPlan.wait_until <= now))
            .values(wrong_tries=SafetyPlan.wrong_tries + 1)
            .returning(SafetyPlan.wrong_tries)
            .execution_options(synchronize_session=False)
        ).scalar_one_or_none()
        if counted is None:
            row = tally.execute(select(SafetyPlan.wrong_tries, SafetyPlan.wait_until)
                                .where(SafetyPlan.id == plan_id)).first()
            if row is None:
                return None
            return _Try(row.wrong_tries, waiting=max(math.ceil((row.wait_until - now).total_seconds()), 1))
        wait = limits.wait_after(counted)
        if wait:
            tally.execute(update(SafetyPlan).where(SafetyPlan.id == plan_id)
                          .values(wait_until=now + timedelta(seconds=wait))
                          .execution_options(synchronize_session=False))
        return _Try(counted, starts_wait=wait)


def _audit_wrong(ctx: DomainContext, plan_id: uuid.UUID, wrong_tries: int, wait_seconds: int) -> None:
    with Session(ctx.db.get_bind()) as tally, tally.begin():
        ctx.on(tally).audit("plan.wrong_passphrase", "safety_plan", plan_id,
                            {"tries": wrong_tries, "wait_seconds": wait_seconds})


def open_plan(ctx: DomainContext, partner: PartnerContact, passphrase: str, *, kdf: KdfParams | None = None,
              limits: TryLimits | None = None) -> OpenOutcome:
    """Open her plan with either passphrase; PlanError("no_plan") if she has none.

    Every try is counted first (see _count_try); a right one, with either passphrase, resets the count in the
    same way in the caller's transaction. The second passphrase also, in that transaction, gives her worker
    one immediate task (never a second while one is open), holds texts to her and is audited; nothing else
    differs. `kdf` is not used (each plan keeps the parameters it was sealed with, the same for both slots);
    it is accepted so that callers can pass the deployment's. Call this before the request writes anything.
    """
    limits = limits or TryLimits()
    plan = _plan_of(ctx.db, partner.id)
    if plan is None:
        raise PlanError("no_plan")
    tried = _count_try(ctx, plan.id, limits)
    if tried is None:
        raise PlanError("no_plan")
    if tried.waiting:
        return OpenOutcome(None, tried.waiting, 0)
    typed = _nfc(passphrase)
    found = _unwrap_both(plan, typed[:PASSPHRASE_MAX + 1])
    if found is None:
        _audit_wrong(ctx, plan.id, tried.wrong_tries, tried.starts_wait)
        return OpenOutcome(None, tried.starts_wait, limits.left(tried.wrong_tries))
    slot, data_key = found
    duress = _open_content(plan, slot, data_key).kind == "duress"
    # The reset writes the plan's row first: simultaneous openings wait here, one at a time.
    ctx.db.execute(update(SafetyPlan).where(SafetyPlan.id == plan.id).values(wrong_tries=0, wait_until=None)
                   .execution_options(synchronize_session=False))
    # Both paths read the same rows (her open duress task, the due times) so that only the writes differ.
    open_task, due = _open_duress_task(ctx.db, partner.id), configured_due(ctx.db)
    if duress:
        _under_pressure(ctx, partner, plan, open_task, due)
    else:
        ctx.audit("plan.opened", "safety_plan", plan.id)
    return OpenOutcome(Unlocked(plan.id, slot, data_key, duress), 0, limits.free_tries)


def _open_duress_task(db: Session, partner_id: uuid.UUID) -> Task | None:
    return db.scalar(select(Task).where(Task.partner_id == partner_id, Task.kind == TaskKind.PLAN_DURESS,
                                        Task.done_at.is_(None)).order_by(Task.created_at).limit(1))


def _under_pressure(ctx: DomainContext, partner: PartnerContact, plan: SafetyPlan, task: Task | None,
                    due: dict[str, timedelta]) -> None:
    """The second passphrase: her worker gets one immediate "do not call" task (never a second while `task`, her
    open one, is open), texts to her wait, audited."""
    new = task is None
    if task is None:
        task = create_task(ctx.db, partner, kind=TaskKind.PLAN_DURESS, severity=Severity.IMMEDIATE, now=ctx.now,
                           due=due)
        task.contact_allowed = False
    else:
        task.released_at = None  # her worker released texts, and now she is under pressure again
    texts_hold.hold(partner, ctx.now)
    ctx.audit("plan.opened_duress", "safety_plan", plan.id, {"task": str(task.id), "new_task": new})


def _her_plan(db: Session, unlocked: Unlocked, partner: PartnerContact | None = None) -> SafetyPlan:
    plan = db.get(SafetyPlan, unlocked.plan_id)
    if plan is None:
        raise PlanError("no_plan")
    if (partner is not None and plan.partner_id != partner.id) or unlocked.slot not in SLOTS:
        raise PlanError("key_invalid")
    return plan


def read(db: Session, unlocked: Unlocked) -> PlanContent:
    """Her content; PlanError("key_invalid") if the key no longer opens it, "no_plan" if it was deleted."""
    return _open_content(_her_plan(db, unlocked), unlocked.slot, unlocked.data_key)


def save(ctx: DomainContext, partner: PartnerContact, unlocked: Unlocked, content: PlanContent) -> None:
    """Seal her new content in the slot she opened (same data key); its kind stays what the slot is."""
    plan = _her_plan(ctx.db, unlocked, partner)
    kind = _open_content(plan, unlocked.slot, unlocked.data_key).kind  # the key still opens it
    _seal_content(plan, unlocked.slot, unlocked.data_key, checked(content, kind=kind))
    plan.updated_at = ctx.now
    ctx.audit("plan.saved", "safety_plan", plan.id)


def delete_plan_rows(db: Session, partner_id: uuid.UUID) -> bool:
    """Delete her plan and every shared copy (rows deleted, not flagged); whether there was one."""
    plan_ids = list(db.scalars(select(SafetyPlan.id).where(SafetyPlan.partner_id == partner_id)))
    if not plan_ids:
        return False
    db.execute(sql_delete(SafetyPlanShare).where(SafetyPlanShare.plan_id.in_(plan_ids)))
    db.execute(sql_delete(SafetyPlan).where(SafetyPlan.id.in_(plan_ids)))
    return True


PLAN_TABLES = (SafetyPlan.__tablename__, SafetyPlanShare.__tablename__)


def delete(ctx: DomainContext, partner: PartnerContact) -> bool:
    """Destroy her plan, both slots and any shared copy, at once (with either passphrase: it is all gone).

    SQLite zeroes the freed pages (secure_delete); the caller may run erasure_storage.clean_storage after
    commit (StorageCleanup(PLAN_TABLES)) so that the write-ahead log gives up the old pages too. Whether
    there was a plan; nothing happens (and nothing is audited) when there was none."""
    plan = _plan_of(ctx.db, partner.id)
    if plan is None:
        return False
    plan_id = plan.id
    ctx.db.expunge(plan)
    delete_plan_rows(ctx.db, partner.id)
    ctx.audit("plan.deleted", "safety_plan", plan_id)
    return True


def share(ctx: DomainContext, partner: PartnerContact, unlocked: Unlocked) -> None:
    """Her choice: a copy of the slot she opened for her worker, under the service's keys (row-bound), audited.

    From the harmless plan of her second passphrase the copy is made just the same (her screen must not
    differ), marked inside so that her worker reads it as what it is; it never replaces a copy of her plan."""
    plan = _her_plan(ctx.db, unlocked, partner)
    content = _open_content(plan, unlocked.slot, unlocked.data_key)
    row = _share_of(ctx.db, plan.id, unlocked.slot)
    if row is None:
        row = SafetyPlanShare(id=uuid.uuid4(), plan_id=plan.id, slot=unlocked.slot)
        ctx.db.add(row)
    row.shared_at = ctx.now
    ctx.vault.put(row, "content_ct", json.dumps(
        {"kind": content.kind, "priorities": list(content.priorities), "fields": content.fields},
        ensure_ascii=False))
    ctx.db.flush()
    ctx.audit("plan.shared", "safety_plan", plan.id)


def withdraw_share(ctx: DomainContext, partner: PartnerContact, unlocked: Unlocked | None = None) -> None:
    """The copy is destroyed (its row deleted), audited: the copy of the slot she opened, or every copy."""
    plan = _plan_of(ctx.db, partner.id)
    if plan is None:
        return
    rows = sql_delete(SafetyPlanShare).where(SafetyPlanShare.plan_id == plan.id)
    if unlocked is not None:
        rows = rows.where(SafetyPlanShare.slot == unlocked.slot)
    if int(getattr(ctx.db.execute(rows), "rowcount", 0) or 0):
        ctx.audit("plan.share_withdrawn", "safety_plan", plan.id)


def _copies(ctx: DomainContext, partner: PartnerContact) -> list[SharedCopy]:
    plan = _plan_of(ctx.db, partner.id)
    if plan is None:
        return []
    copies = []
    for row in ctx.db.scalars(select(SafetyPlanShare).where(SafetyPlanShare.plan_id == plan.id)):
        doc: dict[str, Any] = json.loads(ctx.vault.get(row, "content_ct") or "{}")
        content = PlanContent(tuple(doc.get("priorities", ())), dict(doc.get("fields", {})), doc.get("kind", "plan"))
        copies.append(SharedCopy(content, row.shared_at, content.kind == "duress"))
    copies.sort(key=lambda copy: (copy.from_duress, copy.shared_at))
    return copies


def shared_copies(ctx: DomainContext, partner: PartnerContact) -> list[SharedCopy]:
    """For her worker (ctx.actor is staff): every copy she shared, her plan's first; the read is audited."""
    copies = _copies(ctx, partner)
    if copies:
        ctx.audit("plan.share_read", "partner_contact", partner.id, {"copies": len(copies)})
    return copies


def shared_copy(ctx: DomainContext, partner: PartnerContact) -> PlanContent | None:
    """For her worker: the copy of her plan she shared (else the harmless one, kind "duress"); audited."""
    copies = shared_copies(ctx, partner)
    return copies[0].content if copies else None


def release_texts(ctx: DomainContext, task_id: uuid.UUID) -> None:
    """Her worker releases texts after a second-passphrase opening: waiting texts go in her next safe time.

    HoldError("not_a_hold") for a task that is not a plan_duress task. Audited ("texts.released")."""
    texts_hold.release(ctx, task_id)
