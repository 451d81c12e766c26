"""Admin: programme API tokens, shown once, stored only as a hash, revocable."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.crypto import hash_token, new_token
from portal.models import AccessToken, ActorKind, Programme, TokenPurpose
from portal.services.admin.admin_users import AdminError
from portal.services.admin.printable import printable
from portal.services.context import DomainContext

VALID_DAYS = (1, 730)


@dataclass(frozen=True)
class NewToken:
    id: uuid.UUID
    token: str  # shown once to the admin
    expires_at: datetime


def create_token(ctx: DomainContext, programme: Programme, *, label: str, valid_days: int) -> NewToken:
    label = (label or "").strip()
    if not 1 <= len(label) <= 100 or not printable(label):
        raise AdminError("label", "label")
    if not VALID_DAYS[0] <= valid_days <= VALID_DAYS[1]:
        raise AdminError("range", "valid_days")
    if not programme.is_active:
        raise AdminError("programme_inactive", "programme")
    token, actor, now = new_token(32), ctx.actor, ctx.now
    staff_id = uuid.UUID(actor.id) if actor.kind == ActorKind.STAFF and actor.id else None
    row = AccessToken(id=uuid.uuid4(), purpose=TokenPurpose.API, token_hash=hash_token(token),
                      programme_id=programme.id, label=label, created_by_id=staff_id, created_at=now,
                      expires_at=now + timedelta(days=valid_days))
    ctx.db.add(row)
    ctx.db.flush()
    ctx.audit("api_token.create", "access_token", row.id, {"programme_id": str(programme.id)})
    return NewToken(row.id, token, now + timedelta(days=valid_days))


def revoke_token(ctx: DomainContext, row: AccessToken) -> None:
    if row.revoked_at is None:
        row.revoked_at = ctx.now
        ctx.audit("api_token.revoke", "access_token", row.id, {"programme_id": str(row.programme_id)})


def api_token(db: Session, token_id: uuid.UUID) -> AccessToken | None:
    row = db.get(AccessToken, token_id)
    return row if row is not None and row.purpose == TokenPurpose.API else None


def list_tokens(db: Session) -> list[tuple[AccessToken, str]]:
    return [(row, name) for row, name in db.execute(
        select(AccessToken, Programme.name).join(Programme, Programme.id == AccessToken.programme_id)
        .where(AccessToken.purpose == TokenPurpose.API).order_by(AccessToken.created_at.desc()))]
