"""POST /programme-events (bearer token, JSON, Idempotency-Key) and GET /openapi.json."""

from __future__ import annotations

import time
import uuid
from typing import Any

from flask import Response, jsonify, request
from flask.typing import ResponseReturnValue
from sqlalchemy.exc import IntegrityError

from portal.api import bp
from portal.api.messages import message
from portal.api.openapi import document
from portal.api.payload import PayloadError, load_json, parse_report
from portal.crypto import hash_token
from portal.extensions import db, limiter
from portal.models import Programme
from portal.response_floor import pad_to_floor
from portal.runtime import db_session, domain_context, now, settings
from portal.services.programme.events import (
    EventError,
    EventReceipt,
    Reporter,
    replay_after_race,
    report_event,
    validate,
)
from portal.services.programme.events import api_token as find_api_token

TOKEN_MAX = 200


def _error(status: int, code: str, message: str, field: str | None = None) -> tuple[Response, int]:
    return jsonify({"error": code, "message": message, "field": field}), status


def _unauthorized() -> tuple[Response, int]:
    response, status = _error(401, "unauthorized", "Send a valid programme API token: Authorization: Bearer <token>.")
    response.headers["WWW-Authenticate"] = 'Bearer realm="programme-events"'
    return response, status


def _bearer() -> str | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or len(token) > TOKEN_MAX:
        return None
    return token


def _token_key() -> str:
    token = _bearer()
    return "api:" + (hash_token(token) if token else (request.remote_addr or "unknown"))


@bp.post("/programme-events")
@limiter.limit("300 per minute", key_func=_token_key)
def programme_events() -> ResponseReturnValue:
    started = time.perf_counter()
    token = _bearer()
    found = find_api_token(db_session(), hash_token(token), now()) if token else None
    if found is None:
        return _unauthorized()
    api_token, programme = found
    try:
        result = _report(api_token.id, programme)
    finally:
        # Every authenticated answer takes at least the floor: the work it caused cannot be timed.
        pad_to_floor(started)
    return result


def _report(token_id: uuid.UUID, programme: Programme) -> ResponseReturnValue:
    if request.mimetype != "application/json":
        return _error(415, "unsupported_media_type", "Send the report as Content-Type: application/json.")
    try:
        report = parse_report(load_json(request.get_data(cache=False)))
    except PayloadError as exc:
        return _error(exc.status, exc.code, str(exc), exc.field)
    key = request.headers.get("Idempotency-Key")
    fields: dict[str, Any] = {"participant_ref": report.participant_ref, "kind": report.kind,
              "risk_to_partner": report.risk_to_partner, "risk_to_children": report.risk_to_children,
              "imminence": report.imminence, "description": report.description,
              "occurred_at": report.occurred_at, "factors": report.factors}
    receipt: EventReceipt | None
    try:
        reporter = Reporter(api_token_id=token_id)
        receipt = report_event(domain_context(reporter.actor), programme=programme, reporter=reporter,
                               idempotency_key=key, **fields)
        db.session.flush()  # a concurrent twin's Idempotency-Key fails here, not at the commit
    except EventError as exc:
        return _error(422, exc.code, message(exc), exc.field)
    except IntegrityError:
        # Two requests with one Idempotency-Key at once: the other one won; answer with its receipt. The one
        # explicit rollback of a request (portal/unit_of_work.py): the winner's receipt is read afresh.
        db.session.rollback()
        try:
            fingerprint = validate(now=now(), **fields).fingerprint()
            receipt = replay_after_race(db_session(), programme, key or "", report.participant_ref, fingerprint)
        except EventError as exc:
            return _error(422, exc.code, message(exc), exc.field)
        if receipt is None:
            raise
    return jsonify(receipt.as_json()), 201


@bp.get("/openapi.json")
def openapi() -> ResponseReturnValue:
    return jsonify(document(settings().public_url.rstrip("/") + "/api/v1"))
