"""Her way in: opening a discreet link, the optional PIN, and who the session belongs to."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.crypto import hash_token
from portal.models import AccessToken, PartnerContact, PartnerStatus, Severity, TokenPurpose
from portal.services.audit import Actor, record
from portal.services.tasks import create_task

TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{16,64}")
PIN_SHAPE = re.compile(r"[0-9]{4,8}")
PIN_LOCKED_TASK = "pin_locked"
UNREACHABLE = (PartnerStatus.CLOSED, PartnerStatus.ERASED)

# Argon2id with the library's (RFC 9106 low-memory) defaults: a PIN is short, so the hash must be slow.
_hasher = PasswordHasher()


class PinError(ValueError):
    """The PIN is not acceptable; `code` names the problem for the page to explain in her language."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Opened:
    """A link that worked: whose it was, and whether her PIN must be checked before anything is shown."""

    partner_id: uuid.UUID
    token_id: uuid.UUID
    needs_pin: bool
    locale: str


@dataclass(frozen=True)
class PinCheck:
    """The outcome of one PIN attempt."""

    ok: bool
    tries_left: int
    locked: bool


def partner_actor(partner_id: object) -> Actor:
    return Actor("partner", str(partner_id))


def reachable_partner(db: Session, partner_id: object) -> PartnerContact | None:
    """Her record if her pages may be shown for it (not closed, not erased), else None."""
    try:
        key = partner_id if isinstance(partner_id, uuid.UUID) else uuid.UUID(str(partner_id))
    except ValueError:
        return None
    partner = db.get(PartnerContact, key)
    if partner is None or partner.status in UNREACHABLE or partner.erased_at is not None:
        return None
    return partner


def open_link(db: Session, audit_key: bytes, token: str, *, now: datetime) -> Opened | None:
    """Spend a valid link (single use) and say whose it is; None for anything else, with no reason given."""
    if not TOKEN_SHAPE.fullmatch(token or ""):
        return None
    row = db.scalar(select(AccessToken).where(AccessToken.token_hash == hash_token(token),
                                              AccessToken.purpose == TokenPurpose.INVITE))
    if row is None or row.partner_id is None or row.used_at is not None or row.revoked_at is not None:
        return None
    if row.expires_at is not None and row.expires_at <= now:
        return None
    partner = reachable_partner(db, row.partner_id)
    if partner is None:
        return None
    row.used_at = now
    record(db, audit_key, partner_actor(partner.id), "link.opened", "access_token", row.id, now=now)
    return Opened(partner.id, row.id, bool(partner.pin_hash), partner.locale)


def check_pin(db: Session, audit_key: bytes, partner: PartnerContact, token_id: uuid.UUID, pin: str, *,
              now: datetime, max_attempts: int) -> PinCheck:
    """Compare her PIN; after max_attempts wrong tries the link dies and her worker gets a task."""
    if partner.pin_hash and PIN_SHAPE.fullmatch(pin or "") and _matches(partner.pin_hash, pin):
        partner.pin_failures = 0
        if _hasher.check_needs_rehash(partner.pin_hash):
            partner.pin_hash = _hasher.hash(pin)
        record(db, audit_key, partner_actor(partner.id), "pin.accepted", "partner_contact", partner.id, now=now)
        return PinCheck(True, max_attempts, False)
    partner.pin_failures = (partner.pin_failures or 0) + 1
    if partner.pin_failures < max_attempts:
        record(db, audit_key, partner_actor(partner.id), "pin.rejected", "partner_contact", partner.id,
               {"failures": partner.pin_failures}, now=now)
        return PinCheck(False, max_attempts - partner.pin_failures, False)
    token = db.get(AccessToken, token_id)
    if token is not None and token.revoked_at is None:
        token.revoked_at = now
    partner.pin_failures = 0  # the next link her worker sends starts afresh
    create_task(db, partner, kind=PIN_LOCKED_TASK, severity=Severity.SOON, now=now)
    record(db, audit_key, partner_actor(partner.id), "pin.locked", "partner_contact", partner.id,
           {"attempts": max_attempts}, now=now)
    return PinCheck(False, 0, True)


def _matches(pin_hash: str, pin: str) -> bool:
    try:
        return _hasher.verify(pin_hash, pin)
    except (VerificationError, InvalidHashError):
        return False


def set_pin(db: Session, audit_key: bytes, partner: PartnerContact, pin: str, confirm: str, *, now: datetime,
            actor: Actor) -> None:
    """Set or change her PIN (4 to 8 digits, typed twice)."""
    pin, confirm = (pin or "").strip(), (confirm or "").strip()
    if not PIN_SHAPE.fullmatch(pin):
        raise PinError("pin_shape")
    if pin != confirm:
        raise PinError("pin_mismatch")
    changed = bool(partner.pin_hash)
    partner.pin_hash = _hasher.hash(pin)
    partner.pin_failures = 0
    record(db, audit_key, actor, "pin.changed" if changed else "pin.set", "partner_contact", partner.id, now=now)


def clear_pin(db: Session, audit_key: bytes, partner: PartnerContact, *, now: datetime, actor: Actor) -> None:
    """Remove her PIN (by her, or by her worker when she has forgotten it)."""
    if partner.pin_hash is None:
        return
    partner.pin_hash = None
    partner.pin_failures = 0
    record(db, audit_key, actor, "pin.removed", "partner_contact", partner.id, now=now)
