"""Her discreet links `/v/<token>`: 128 random bits, stored only as a hash, single-use, expiring, revocable.

Short on purpose (DESIGN §8 "One segment"): with a public URL of at most 30 characters (config.py refuses a
longer one in production) her whole link is at most 55 characters, so a text with it stays one segment.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, update
from sqlalchemy.orm import Session

from portal.config import PUBLIC_URL_MAX  # the longest PORTAL_PUBLIC_URL production accepts
from portal.crypto import hash_token, new_token
from portal.models import AccessToken, TokenPurpose

LINK_LETTER = "v"
LINK_PATH = f"/{LINK_LETTER}/"  # her link: one letter, then the token (the route in public/access.py)
TOKEN_BYTES = 16  # 128 bits
TOKEN_LENGTH = 22  # base64url characters for 16 bytes, unpadded
LINK_MAX = PUBLIC_URL_MAX + len(LINK_PATH) + TOKEN_LENGTH
# Where a link lands once it has signed her in (kept in the token row's `label`; none: her start page). The
# address itself stays the same for every link, so it says nothing of where it leads.
QUESTIONS = "questions"  # her evaluation questions (services/evaluation/offers.py)
LANDINGS = (QUESTIONS,)


@dataclass(frozen=True)
class Invite:
    token_id: uuid.UUID
    token: str
    expires_at: datetime

    def url(self, public_url: str) -> str:
        return public_url.rstrip("/") + LINK_PATH + self.token


def issue_invite(db: Session, partner_id: uuid.UUID, *, now: datetime, ttl: timedelta,
                 created_by: uuid.UUID | None = None, lands_on: str | None = None) -> Invite:
    """A new link of hers, single-use, live for `ttl`; `lands_on` (one of LANDINGS) is where it takes her."""
    if lands_on is not None and lands_on not in LANDINGS:
        raise ValueError(f"unknown landing {lands_on!r}")
    token = new_token(TOKEN_BYTES)
    expires_at = now + ttl
    row = AccessToken(id=uuid.uuid4(), purpose=TokenPurpose.INVITE, token_hash=hash_token(token),
                      partner_id=partner_id, created_by_id=created_by, created_at=now, expires_at=expires_at,
                      label=lands_on)
    db.add(row)
    db.flush()
    return Invite(row.id, token, expires_at)


def revoke_invites(db: Session, partner_id: uuid.UUID, now: datetime) -> int:
    """Close every link of hers: an unused one no longer opens, and a pending session opened from a used one
    (waiting for her PIN) ends, since it lives only while its link does. Returns how many were closed."""
    result = db.execute(
        update(AccessToken)
        .where(AccessToken.partner_id == partner_id, AccessToken.purpose == TokenPurpose.INVITE,
               AccessToken.revoked_at.is_(None))
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    )
    return cast("CursorResult[Any]", result).rowcount or 0
