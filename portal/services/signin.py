"""Staff sign-in: password then TOTP, per-account throttling in the database, single-use codes."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

import pyotp
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from portal.crypto import Vault
from portal.models import StaffUser, WebSession
from portal.services.audit import Actor, record
from portal.services.passwords import password_problem
from portal.services.staff_accounts import password_hasher

FREE_FAILURES = 4                   # failures allowed before the account starts to wait
LOCK_BASE = timedelta(minutes=1)    # then 1, 2, 4, 8 ... minutes
LOCK_CAP = timedelta(hours=1)
MFA_WINDOW = timedelta(minutes=5)   # time allowed between the password and the code
TOTP_DRIFT_STEPS = 1                # accept the previous and the next 30-second code too


@dataclass(frozen=True)
class PasswordResult:
    user: StaffUser | None  # None: refused, for whatever reason (never said which)


@cache
def _dummy_hash() -> str:
    """A real Argon2id hash to verify against for unknown or locked accounts, so timing is the same."""
    return password_hasher().hash("not-a-real-password-only-for-timing")


def _verify_hash(stored: str, password: str) -> bool:
    try:
        return password_hasher().verify(stored, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def is_locked(user: StaffUser, now: datetime) -> bool:
    return user.locked_until is not None and user.locked_until > now


def register_failure(user: StaffUser, now: datetime) -> None:
    """Count one failed attempt on this account only; past the free ones, wait exponentially longer."""
    user.failed_attempts += 1
    over = user.failed_attempts - FREE_FAILURES
    if over > 0:
        wait = min(LOCK_BASE * (2 ** min(over - 1, 20)), LOCK_CAP)
        user.locked_until = now + wait


def check_password(db: Session, audit_key: bytes, email: str, password: str, now: datetime) -> PasswordResult:
    """First factor. Unknown, disabled, locked and wrong all cost one Argon2id verification and look alike."""
    email = (email or "").strip().lower()
    plausible = bool(email) and len(email) <= 254 and email.isprintable()
    user = db.scalar(select(StaffUser).where(StaffUser.email == email)) if plausible else None
    if user is None or not user.is_active or is_locked(user, now):
        _verify_hash(_dummy_hash(), password)
        if user is not None:
            record(db, audit_key, Actor("staff", str(user.id)), "staff.sign_in_refused", "staff_user", user.id,
                   {"stage": "password", "reason": "disabled" if not user.is_active else "locked"}, now=now)
        return PasswordResult(None)
    if not _verify_hash(user.password_hash, password):
        register_failure(user, now)
        record(db, audit_key, Actor("staff", str(user.id)), "staff.sign_in_failed", "staff_user", user.id,
               {"stage": "password", "failures": user.failed_attempts}, now=now)
        return PasswordResult(None)
    if password_hasher().check_needs_rehash(user.password_hash):
        user.password_hash = password_hasher().hash(password)
    return PasswordResult(user)


def matching_step(secret: str, code: str, now: datetime, after_step: int | None) -> int | None:
    """The time step whose code this is (within the drift window, later than `after_step`), else None."""
    code = "".join((code or "").split())
    if len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    found = None
    for step in range(current - TOTP_DRIFT_STEPS, current + TOTP_DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            found = step
    if found is None or (after_step is not None and found <= after_step):
        return None
    return found


def check_code(db: Session, vault: Vault, audit_key: bytes, user: StaffUser, code: str, now: datetime) -> bool:
    """Second factor. A code is spent the moment it matches, so it never works twice, even if refused."""
    secret = vault.get(user, "totp_secret_ct")
    step = matching_step(secret, code, now, user.totp_last_step) if secret else None
    if step is not None:
        user.totp_last_step = step
    if step is None or is_locked(user, now) or not user.is_active:
        if step is None:
            register_failure(user, now)
        record(db, audit_key, Actor("staff", str(user.id)), "staff.sign_in_failed", "staff_user", user.id,
               {"stage": "totp", "failures": user.failed_attempts}, now=now)
        return False
    return True


def complete_sign_in(db: Session, audit_key: bytes, user: StaffUser, now: datetime) -> None:
    user.failed_attempts = 0
    user.locked_until = None
    user.last_login_at = now
    record(db, audit_key, Actor("staff", str(user.id)), "staff.sign_in", "staff_user", user.id, now=now)


def totp_setup(vault: Vault, user: StaffUser, issuer: str) -> tuple[str, str]:
    """The secret (to type into an app) and the otpauth:// URI, for the first sign-in or after a reset."""
    secret = vault.get(user, "totp_secret_ct")
    if not secret:
        secret = pyotp.random_base32()
        vault.put(user, "totp_secret_ct", secret)
    return secret, pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=issuer)


def confirm_totp(db: Session, vault: Vault, audit_key: bytes, user: StaffUser, code: str, now: datetime) -> bool:
    """Finish setting up the authenticator: the first code proves it works; every other session ends."""
    if not check_code(db, vault, audit_key, user, code, now):
        return False
    user.totp_confirmed_at = now
    end_all_sessions(db, user)
    record(db, audit_key, Actor("staff", str(user.id)), "staff.totp_confirm", "staff_user", user.id, now=now)
    return True


def end_all_sessions(db: Session, user: StaffUser) -> None:
    """Every session of this person stops working (the console compares the epoch on each request)."""
    user.session_epoch += 1
    db.execute(delete(WebSession).where(WebSession.staff_id == user.id))


def change_password(db: Session, audit_key: bytes, user: StaffUser, current: str, new: str,
                    now: datetime) -> str | None:
    """Change one's own password; returns a problem code (wrong-current, length, common, guessable) or None."""
    if not _verify_hash(user.password_hash, current):
        register_failure(user, now)
        return "wrong-current"
    problem = password_problem(new, (user.email, user.display_name))
    if problem is None and hmac.compare_digest(current.encode(), new.encode()):
        problem = "unchanged"
    if problem:
        return problem
    user.password_hash = password_hasher().hash(new)
    user.password_change_required = False
    end_all_sessions(db, user)
    record(db, audit_key, Actor("staff", str(user.id)), "staff.password_change", "staff_user", user.id, now=now)
    return None
