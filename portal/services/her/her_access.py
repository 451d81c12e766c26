"""Her way in: opening a discreet link, the optional PIN, and who the session belongs to.

Both limits hold under concurrent requests: a link is spent by one conditional UPDATE (of any number of
simultaneous openings exactly one wins), and every wrong PIN is counted by an atomic increment in its own
transaction, which commits whatever happens to the request afterwards (DESIGN.md section 8).
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Any, cast

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, CursorResult, Engine, Result, select, update
from sqlalchemy.orm import Session

from portal.crypto import hash_token
from portal.digits import parse_digits
from portal.domain_error import DomainError
from portal.models import (
    AccessToken,
    ActorKind,
    PartnerContact,
    PartnerStatus,
    Severity,
    TaskKind,
    TokenPurpose,
)
from portal.services.audit import Actor
from portal.services.casework.tasks import create_task
from portal.services.context import DomainContext
from portal.services.her.invites import LANDINGS, TOKEN_LENGTH, revoke_invites

TOKEN_SHAPE = re.compile(rf"[A-Za-z0-9_-]{{{TOKEN_LENGTH}}}")  # exactly what issue_invite makes
PIN_SHAPE = re.compile(r"[0-9]{4,8}")
PIN_LOCKED_TASK = TaskKind.PIN_LOCKED
UNREACHABLE = (PartnerStatus.CLOSED, PartnerStatus.ERASED)

# Argon2id with the library's (RFC 9106 low-memory) defaults: a PIN is short, so the hash must be slow.
_hasher = PasswordHasher()


class PinError(DomainError):
    """The PIN is not acceptable; `code` names the problem for the page to explain in her language."""

    def __init__(self, code: str) -> None:
        super().__init__(code, "pin")


@dataclass(frozen=True)
class Opened:
    """A link that worked: whose it was, and whether her PIN must be checked before anything is shown."""

    partner_id: uuid.UUID
    token_id: uuid.UUID
    needs_pin: bool
    locale: str
    session_epoch: int  # the epoch her session takes when it is signed in (see PartnerContact.session_epoch)
    lands_on: str | None = None  # where the link takes her once she is signed in (invites.LANDINGS; None: home)


@dataclass(frozen=True)
class PinCheck:
    """The outcome of one PIN attempt. `error` names typed input that is not a PIN at all (not counted)."""

    ok: bool
    tries_left: int
    locked: bool
    error: str | None = None


def partner_actor(partner_id: object) -> Actor:
    return Actor(ActorKind.PARTNER, str(partner_id))


def _uuid(value: object) -> uuid.UUID | None:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except ValueError:
        return None


def reachable_partner(db: Session, partner_id: object) -> PartnerContact | None:
    """Her record if her pages may be shown for it (not closed, not erased), else None."""
    key = _uuid(partner_id)
    if key is None:
        return None
    partner = db.get(PartnerContact, key)
    if partner is None or partner.status in UNREACHABLE or partner.erased_at is not None:
        return None
    return partner


def open_link(ctx: DomainContext, token: str) -> Opened | None:
    """Spend a valid link (single use) and say whose it is; None for anything else, with no reason given.

    The spending is one conditional UPDATE whose row count decides: of N simultaneous openings exactly one
    changes the row, on SQLite (writers are serialised) and PostgreSQL (the others wait for the row lock,
    then find used_at set). A read-then-write would let several through. The entry is audited as hers
    (whoever the context's actor was: nobody knew whose link it was before).
    """
    db, now = ctx.db, ctx.now
    if not TOKEN_SHAPE.fullmatch(token or ""):
        return None
    row = db.execute(select(AccessToken.id, AccessToken.partner_id, AccessToken.label)
                     .where(AccessToken.token_hash == hash_token(token),
                            AccessToken.purpose == TokenPurpose.INVITE)).first()
    if row is None or row.partner_id is None:
        return None
    partner = reachable_partner(db, row.partner_id)
    if partner is None:
        return None
    spent = _updated(db.execute(
        update(AccessToken)
        .where(AccessToken.id == row.id, AccessToken.used_at.is_(None), AccessToken.revoked_at.is_(None),
               AccessToken.expires_at > now)
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    ))
    if spent != 1:
        return None
    ctx.acting_as(partner_actor(partner.id)).audit("link.opened", "access_token", row.id)
    return Opened(partner.id, row.id, bool(partner.pin_hash), partner.locale, partner.session_epoch,
                  row.label if row.label in LANDINGS else None)


def _updated(result: Result[Any]) -> int:
    """How many rows an UPDATE changed."""
    return cast("CursorResult[Any]", result).rowcount


def _link_alive(db: Session, partner_id: uuid.UUID, token_id: uuid.UUID) -> bool:
    """The link a pending session came from is hers, was spent, and has not been closed since."""
    row = db.execute(select(AccessToken.partner_id, AccessToken.used_at, AccessToken.revoked_at)
                     .where(AccessToken.id == token_id, AccessToken.purpose == TokenPurpose.INVITE)).first()
    return row is not None and row.partner_id == partner_id and row.used_at is not None and row.revoked_at is None


def pending_partner(db: Session, partner_id: object, token_id: object) -> PartnerContact | None:
    """Her record while a pending session (link opened, PIN not yet right) may go on, else None.

    A pending session lives only as long as the link it came from: a PIN lock closes every link of hers,
    which ends every pending session opened from them, on whichever phone and in whichever request.
    """
    partner = reachable_partner(db, partner_id)
    token_key = _uuid(token_id)
    if partner is None or token_key is None or not _link_alive(db, partner.id, token_key):
        return None
    return partner


def _not_a_pin(typed: str) -> str:
    """Why typed text is not a PIN: digit-like characters that are not digits (superscripts...) or anything else."""
    return "pin_digits" if any(ch.isnumeric() and not ch.isascii() for ch in typed) else "pin_shape"


def check_pin(ctx: DomainContext, partner: PartnerContact, token_id: uuid.UUID, typed: str, *,
              max_attempts: int) -> PinCheck:
    """Compare her PIN; after max_attempts wrong tries her links die, and her worker gets one task.

    Wrong tries count per her record, across every pending session of hers (another link or another
    session gives a thief no fresh tries). Each is counted and audited in its own transaction on `db`'s
    engine, committed before this returns, so a request that fails afterwards still leaves the count.
    Any script's decimal digits count as digits; text that is not made of digits is refused and audited
    but costs no try (it cannot match any PIN). The caller commits `ctx.db` only when the result is ok.
    Every entry is audited as hers.
    """
    ctx = ctx.acting_as(partner_actor(partner.id))
    db = ctx.db
    pin = parse_digits(typed or "")
    if pin is None:
        with Session(db.get_bind()) as tally, tally.begin():
            ctx.on(tally).audit("pin.refused", "partner_contact", partner.id, {"reason": "not_digits"})
        return PinCheck(False, max(max_attempts - (partner.pin_failures or 0), 1), False, _not_a_pin(typed or ""))
    if partner.pin_hash and PIN_SHAPE.fullmatch(pin) and _matches(partner.pin_hash, pin):
        # Her record's row is written first, so a lock committed meanwhile is seen by the check after it.
        db.execute(update(PartnerContact).where(PartnerContact.id == partner.id)
                   .values(pin_failures=0, updated_at=ctx.now).execution_options(synchronize_session=False))
        if not _link_alive(db, partner.id, token_id):
            return PinCheck(False, 0, True)
        if _hasher.check_needs_rehash(partner.pin_hash):
            partner.pin_hash = _hasher.hash(pin)
        ctx.audit("pin.accepted", "partner_contact", partner.id)
        return PinCheck(True, max_attempts, False)
    return _count_failure(ctx, db.get_bind(), partner.id, token_id, max_attempts=max_attempts)


def _count_failure(ctx: DomainContext, bind: Engine | Connection, partner_id: uuid.UUID, token_id: uuid.UUID, *,
                   max_attempts: int) -> PinCheck:
    """Count one wrong PIN atomically and, at the limit, lock: exactly one of any simultaneous tries locks.

    Everything happens in a session of its own on `bind`, committed here (the context's session is not used)."""
    now = ctx.now
    with Session(bind) as tally, tally.begin():
        audit = ctx.on(tally).audit
        # The increment comes first: it holds her record's row (PostgreSQL) or the database (SQLite) until
        # commit, so the link check below and the lock decision see every earlier try, one at a time.
        failures = tally.execute(
            update(PartnerContact).where(PartnerContact.id == partner_id)
            .values(pin_failures=PartnerContact.pin_failures + 1, updated_at=now)
            .returning(PartnerContact.pin_failures)
            .execution_options(synchronize_session=False)
        ).scalar_one()
        if not _link_alive(tally, partner_id, token_id):  # another try locked her links meanwhile
            audit("pin.rejected", "partner_contact", partner_id, {"failures": failures, "link": "closed"})
            return PinCheck(False, 0, True)
        if failures < max_attempts:
            audit("pin.rejected", "partner_contact", partner_id, {"failures": failures})
            return PinCheck(False, max_attempts - failures, False)
        closed = revoke_invites(tally, partner_id, now)  # ends every pending session of hers too
        # The next link her worker sends starts afresh; tries still in flight count against it.
        tally.execute(update(PartnerContact).where(PartnerContact.id == partner_id)
                      .values(pin_failures=0, updated_at=now).execution_options(synchronize_session=False))
        partner = tally.get(PartnerContact, partner_id)
        assert partner is not None
        create_task(tally, partner, kind=PIN_LOCKED_TASK, severity=Severity.SOON, now=now)
        audit("pin.locked", "partner_contact", partner_id, {"attempts": max_attempts, "links_closed": closed})
        return PinCheck(False, 0, True)


def _matches(pin_hash: str, pin: str) -> bool:
    try:
        return _hasher.verify(pin_hash, pin)
    except (VerificationError, InvalidHashError):
        return False


def check_new_pin(pin: str, confirm: str) -> str:
    """A new PIN as ASCII digits (4 to 8 digits of any script, typed twice), or PinError saying what is wrong."""
    typed_pin, typed_confirm = parse_digits(pin or ""), parse_digits(confirm or "")
    if typed_pin is None:
        raise PinError(_not_a_pin(pin or ""))
    if not PIN_SHAPE.fullmatch(typed_pin):
        raise PinError("pin_shape")
    if typed_pin != typed_confirm:
        raise PinError("pin_mismatch")
    return typed_pin


def set_pin(ctx: DomainContext, partner: PartnerContact, pin: str, confirm: str) -> None:
    """Set or change her PIN (4 to 8 digits of any script, stored as ASCII, typed twice)."""
    typed_pin = check_new_pin(pin, confirm)
    changed = bool(partner.pin_hash)
    partner.pin_hash = _hasher.hash(typed_pin)
    partner.pin_failures = 0
    ctx.audit("pin.changed" if changed else "pin.set", "partner_contact", partner.id)


def clear_pin(ctx: DomainContext, partner: PartnerContact) -> None:
    """Remove her PIN (by her, or by her worker when she has forgotten it)."""
    if partner.pin_hash is None:
        return
    partner.pin_hash = None
    partner.pin_failures = 0
    ctx.audit("pin.removed", "partner_contact", partner.id)
