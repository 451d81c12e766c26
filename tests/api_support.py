"""Helpers for API tests: a programme token stored hashed, and requests that carry it."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from portal.crypto import hash_token, new_token
from portal.models import AccessToken, Programme, TokenPurpose

URL = "/api/v1/programme-events"


def make_token(dbs, programme: Programme, now: datetime, *, expires_in: timedelta | None = timedelta(days=30),
               revoked: bool = False) -> str:
    token = new_token(32)
    dbs.add(AccessToken(id=uuid.uuid4(), purpose=TokenPurpose.API, token_hash=hash_token(token),
                        programme_id=programme.id, created_at=now,
                        expires_at=now + expires_in if expires_in else None,
                        revoked_at=now if revoked else None))
    dbs.commit()
    return token


def post_event(client, token: str | None, body: object = None, *, raw: bytes | None = None,
               content_type: str = "application/json", key: str | None = None, **headers: str):  # type: ignore[no-untyped-def]
    import json

    sent = dict(headers)
    if token is not None:
        sent["Authorization"] = f"Bearer {token}"
    if key is not None:
        sent["Idempotency-Key"] = key
    data = raw if raw is not None else json.dumps(body).encode()
    return client.post(URL, data=data, headers=sent, content_type=content_type)
