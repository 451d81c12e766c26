"""Probes: GET /healthz/live (is the process answering) and GET /healthz (is it ready to serve her).

Liveness touches nothing: a restart cannot fix the database, so a database outage must not make the
supervisor kill healthy web processes. Readiness is unhealthy (503) when the database does not answer a cheap
`SELECT 1`, or when a programme event's fan-out has waited past 60 s (the dispatcher process is down or
stuck). Answers are short JSON holding a status, a count and an age in seconds: never an error's text, a host
name, or anything about her.
"""

from __future__ import annotations

import logging

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue
from sqlalchemy import text

from portal.extensions import db
from portal.runtime import db_session, now
from portal.services.programme.fanout import backlog

log = logging.getLogger(__name__)
bp = Blueprint("health", __name__)


@bp.get("/healthz/live")
def live() -> ResponseReturnValue:
    return jsonify(status="ok")


@bp.get("/healthz")
def healthz() -> ResponseReturnValue:
    session = db_session()
    try:
        session.execute(text("SELECT 1"))
        waiting = backlog(session, now())
    except Exception as exc:  # noqa: BLE001 - any database failure means "not ready"
        log.warning("readiness: the database did not answer (%s)", type(exc).__name__)  # its kind, not its text
        db.session.rollback()
        return jsonify(status="unavailable"), 503
    fanout = {"waiting": waiting.waiting, "oldest_seconds": waiting.oldest_seconds}
    if waiting.delayed:
        return jsonify(status="fanout_delayed", fanout=fanout), 503
    return jsonify(status="ok", fanout=fanout)
