"""Staff sign-in: password then TOTP, throttled in the database per (account, address) and per account.

How failures are limited, and why (the trade-off between online guessing and denial of service):

* Every failure is counted with one atomic UPDATE ... RETURNING (never read-modify-write in Python), so N
  simultaneous wrong passwords count N on SQLite and PostgreSQL alike, and the lock is computed from the
  value the database returned. The caller commits at once (DESIGN.md 8: counters and the audit of refusals
  commit even when the request fails later).
* The lock that refuses even the right password is earned per (account, client address): after
  FREE_FAILURES failures from one address, that address waits 1, 2, 4, 8 and then at most 15 minutes
  (LOCK_CAP) between tries on that account. Someone who knows a staff email can therefore only lock out
  their own address: the real person signs in from hers, and a lock never lasts longer than LOCK_CAP.
* Distributed guessing (many addresses against one account) is still throttled account-wide: each address
  contributes at most FREE_FAILURES + 1 to the account's spread, and past ACCOUNT_FREE_FAILURES the account
  waits progressively (same 15-minute cap) -- except at addresses from which this account has completed a
  sign-in before (NIST SP 800-63B 5.2.2), so a botnet can slow new devices down but cannot lock her out of
  her usual ones. Per-address request limits in front (console.auth) cap how fast any one address can try.
* Addresses are stored only as an HMAC (client_key), and a quiet day forgets an address's failures.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any, cast

import pyotp
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import CursorResult, Table, case, delete, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from portal.crypto import Vault
from portal.digits import parse_digits
from portal.models import ActorKind, SignInThrottle, StaffUser, WebSession
from portal.services.admin.passwords import password_problem
from portal.services.admin.staff_accounts import password_hasher
from portal.services.audit import Actor
from portal.services.context import DomainContext

FREE_FAILURES = 4                   # failures from one address before that address starts to wait
ACCOUNT_FREE_FAILURES = 20          # spread of failures over several addresses before the account waits
LOCK_BASE = timedelta(minutes=1)    # then 1, 2, 4, 8 ... minutes
LOCK_CAP = timedelta(minutes=15)    # never longer: a lock can delay a real person, not keep her out
FORGET_AFTER = timedelta(days=1)    # an address's failures older than this no longer count
MFA_WINDOW = timedelta(minutes=5)   # time allowed between the password and the code
TOTP_DRIFT_STEPS = 1                # accept the previous and the next 30-second code too


@dataclass(frozen=True)
class PasswordResult:
    user: StaffUser | None  # None: refused, for whatever reason (never said which)


@dataclass(frozen=True)
class CodeResult:
    ok: bool
    problem: str | None = None  # "not-digits" | "wrong" | "locked"


@dataclass(frozen=True)
class Failure:
    account_failures: int        # every failure on the account since its last sign-in
    address_failures: int        # failures from this address on this account
    locked_until: datetime | None  # when this address may try this account again


@cache
def _dummy_hash() -> str:
    """A real Argon2id hash to verify against for unknown or locked accounts, so timing is the same."""
    return password_hasher().hash("not-a-real-password-only-for-timing")


def _verify_hash(stored: str, password: str) -> bool:
    try:
        return password_hasher().verify(stored, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def client_key(audit_key: bytes, address: str | None) -> str:
    """The client address as a keyed hash: enough to count by, not enough to learn where staff work."""
    digest = hmac.new(audit_key, b"staff-sign-in-client\x00" + (address or "").encode(), hashlib.sha256)
    return digest.hexdigest()[:32]


def _wait(over: int) -> timedelta:
    return min(LOCK_BASE * (2 ** min(max(over, 1) - 1, 20)), LOCK_CAP)


def _insert(db: Session):  # type: ignore[no-untyped-def]
    return pg_insert if db.get_bind().dialect.name == "postgresql" else sqlite_insert


def lock_until(db: Session, user: StaffUser, client: str, now: datetime) -> datetime | None:
    """When `client` (a client_key) may next try this account; None if it may try now."""
    row = db.get(SignInThrottle, (user.id, client))
    db.refresh(user, ["locked_until"])
    waits = []
    if row is not None and row.locked_until is not None and row.locked_until > now:
        waits.append(row.locked_until)
    known = row is not None and row.last_success_at is not None
    if not known and user.locked_until is not None and user.locked_until > now:
        waits.append(user.locked_until)
    return max(waits) if waits else None


def register_failure(db: Session, user_id: object, client: str, now: datetime) -> Failure:
    """Count one failure atomically, for the account and for (account, address); set the locks it earns.

    The first statement locks the account's row (PostgreSQL) or the database (SQLite) until the caller
    commits, so everything after it, the audit entry included, sees every earlier failure.
    """
    account = db.execute(
        update(StaffUser).where(StaffUser.id == user_id)
        .values(failed_attempts=StaffUser.failed_attempts + 1)
        .returning(StaffUser.failed_attempts)
        .execution_options(synchronize_session=False)
    ).scalar_one()
    table = cast(Table, SignInThrottle.__table__)
    insert = _insert(db)(table).values(staff_id=user_id, client_key=client, failures=1, last_failure_at=now)
    stale = or_(table.c.last_failure_at.is_(None), table.c.last_failure_at < now - FORGET_AFTER)
    address = db.execute(
        insert.on_conflict_do_update(
            index_elements=[table.c.staff_id, table.c.client_key],
            set_={"failures": case((stale, 1), else_=table.c.failures + 1), "last_failure_at": now},
        ).returning(table.c.failures)
    ).scalar_one()
    until = None
    if address > FREE_FAILURES:
        until = now + _wait(address - FREE_FAILURES)
        db.execute(update(table).where(table.c.staff_id == user_id, table.c.client_key == client)
                   .values(locked_until=until))
    capped = case((table.c.failures > FREE_FAILURES + 1, FREE_FAILURES + 1), else_=table.c.failures)
    spread = db.execute(select(func.coalesce(func.sum(capped), 0)).where(
        table.c.staff_id == user_id, table.c.last_failure_at >= now - FORGET_AFTER)).scalar_one()
    if spread > ACCOUNT_FREE_FAILURES:
        db.execute(update(StaffUser).where(StaffUser.id == user_id)
                   .values(locked_until=now + _wait(spread - ACCOUNT_FREE_FAILURES))
                   .execution_options(synchronize_session=False))
    return Failure(account, address, until)


def _as_account(ctx: DomainContext, user: StaffUser) -> DomainContext:
    """Sign-in entries are the account's own, whoever the request's context says acts."""
    return ctx.acting_as(Actor(ActorKind.STAFF, str(user.id)))


def _refused(ctx: DomainContext, user: StaffUser, stage: str, reason: str) -> None:
    _as_account(ctx, user).audit("staff.sign_in_refused", "staff_user", user.id, {"stage": stage, "reason": reason})


def _failed(ctx: DomainContext, user: StaffUser, stage: str, reason: str, client: str) -> Failure:
    failure = register_failure(ctx.db, user.id, client, ctx.now)
    _as_account(ctx, user).audit("staff.sign_in_failed", "staff_user", user.id,
                                 {"stage": stage, "reason": reason, "failures": failure.account_failures,
                                  "address_failures": failure.address_failures})
    return failure


def check_password(ctx: DomainContext, email: str, password: str, client: str) -> PasswordResult:
    """First factor. Unknown, disabled, locked and wrong all cost one Argon2id verification and look alike.

    `client` is client_key() of the request's address. The caller commits straight after.
    """
    db, now = ctx.db, ctx.now
    email = (email or "").strip().lower()
    plausible = bool(email) and len(email) <= 254 and email.isprintable()
    user = db.scalar(select(StaffUser).where(StaffUser.email == email)) if plausible else None
    locked = user is not None and user.is_active and lock_until(db, user, client, now) is not None
    if user is None or not user.is_active or locked:
        _verify_hash(_dummy_hash(), password)
        if user is not None:
            _refused(ctx, user, "password", "disabled" if not user.is_active else "locked")
        return PasswordResult(None)
    if not _verify_hash(user.password_hash, password):
        _failed(ctx, user, "password", "mismatch", client)
        return PasswordResult(None)
    if password_hasher().check_needs_rehash(user.password_hash):
        user.password_hash = password_hasher().hash(password)
    return PasswordResult(user)


def normalise_code(code: str) -> str | None:
    """The typed code as six ASCII digits (any script's decimal digits, spaces ignored), else None."""
    digits = parse_digits("".join((code or "").split()))
    return digits if digits is not None and len(digits) == 6 else None


def matching_step(secret: str, code: str, now: datetime, after_step: int | None) -> int | None:
    """The time step whose code this is (within the drift window, later than `after_step`), else None."""
    digits = normalise_code(code)
    if digits is None:
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    found = None
    for step in range(current - TOTP_DRIFT_STEPS, current + TOTP_DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.generate_otp(step).encode(), digits.encode()):
            found = step
    if found is None or (after_step is not None and found <= after_step):
        return None
    return found


def _spend(db: Session, user: StaffUser, step: int) -> bool:
    """Mark this time step used, in one conditional update: two requests with one code cannot both win."""
    spent = cast(CursorResult[Any], db.execute(
        update(StaffUser).where(StaffUser.id == user.id,
                                or_(StaffUser.totp_last_step.is_(None), StaffUser.totp_last_step < step))
        .values(totp_last_step=step).execution_options(synchronize_session=False)
    )).rowcount
    db.refresh(user, ["totp_last_step"])
    return spent == 1


def check_code(ctx: DomainContext, user: StaffUser, code: str, client: str) -> CodeResult:
    """Second factor. A code is spent the moment it matches, so it never works twice, even if refused.

    Whatever is typed, a refusal is counted and audited: digits from any script count as digits;
    superscripts and other digit-like characters are a clear "not digits" refusal.
    """
    db, now = ctx.db, ctx.now
    if normalise_code(code) is None:
        _failed(ctx, user, "totp", "not_digits", client)
        return CodeResult(False, "not-digits")
    secret = ctx.vault.get(user, "totp_secret_ct")
    step = matching_step(secret, code, now, user.totp_last_step) if secret else None
    if step is not None and not _spend(db, user, step):
        step = None
    if step is None:
        _failed(ctx, user, "totp", "mismatch", client)
        return CodeResult(False, "locked" if lock_until(db, user, client, now) else "wrong")
    if not user.is_active or lock_until(db, user, client, now) is not None:
        _refused(ctx, user, "totp", "disabled" if not user.is_active else "locked")
        return CodeResult(False, "locked")
    return CodeResult(True)


def complete_sign_in(ctx: DomainContext, user: StaffUser, client: str) -> None:
    """Both factors passed: the account starts afresh, and this address becomes one she is known at."""
    db, now = ctx.db, ctx.now
    db.execute(update(StaffUser).where(StaffUser.id == user.id)
               .values(failed_attempts=0, locked_until=None, last_login_at=now)
               .execution_options(synchronize_session=False))
    db.refresh(user, ["failed_attempts", "locked_until", "last_login_at"])
    table = cast(Table, SignInThrottle.__table__)
    insert = _insert(db)(table).values(staff_id=user.id, client_key=client, failures=0, last_success_at=now)
    db.execute(insert.on_conflict_do_update(
        index_elements=[table.c.staff_id, table.c.client_key],
        set_={"failures": 0, "locked_until": None, "last_success_at": now}))
    _as_account(ctx, user).audit("staff.sign_in", "staff_user", user.id)


def totp_setup(vault: Vault, user: StaffUser, issuer: str) -> tuple[str, str]:
    """The secret (to type into an app) and the otpauth:// URI, for the first sign-in or after a reset."""
    secret = vault.get(user, "totp_secret_ct")
    if not secret:
        secret = pyotp.random_base32()
        vault.put(user, "totp_secret_ct", secret)
    return secret, pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=issuer)


def confirm_totp(ctx: DomainContext, user: StaffUser, code: str, client: str) -> CodeResult:
    """Finish setting up the authenticator: the first code proves it works; every other session ends."""
    result = check_code(ctx, user, code, client)
    if not result.ok:
        return result
    user.totp_confirmed_at = ctx.now
    end_all_sessions(ctx.db, user)
    _as_account(ctx, user).audit("staff.totp_confirm", "staff_user", user.id)
    return result


def end_all_sessions(db: Session, user: StaffUser) -> None:
    """Every session of this person stops working (the console compares the epoch on each request)."""
    user.session_epoch += 1
    db.execute(delete(WebSession).where(WebSession.staff_id == user.id))


def change_password(ctx: DomainContext, user: StaffUser, current: str, new: str, client: str) -> str | None:
    """Change one's own password; returns a problem code (wrong-current, length, common, guessable) or None."""
    if not _verify_hash(user.password_hash, current):
        _failed(ctx, user, "password_change", "mismatch", client)
        return "wrong-current"
    problem = password_problem(new, (user.email, user.display_name))
    if problem is None and hmac.compare_digest(current.encode(), new.encode()):
        problem = "unchanged"
    if problem:
        return problem
    user.password_hash = password_hasher().hash(new)
    user.password_change_required = False
    end_all_sessions(ctx.db, user)
    _as_account(ctx, user).audit("staff.password_change", "staff_user", user.id)
    return None
