"""Probes: is the process answering (/healthz/live), can it serve her (/healthz/ready), is all well (/healthz).

- Liveness touches nothing: a restart cannot fix the database, so a database outage must not make the
  supervisor kill healthy web processes.
- Readiness is 503 when the database does not answer a cheap `SELECT 1`: a load balancer stops sending her
  requests here until it does.
- /healthz is readiness and the dispatcher: also 503 when a programme event's fan-out has waited past 60 s
  (the dispatcher process is down or stuck). For monitoring, not routing: web processes can still serve her
  while the dispatcher is down.
Probes come over plain HTTP on loopback (the proxy does not forward them), so production's redirect to HTTPS
is off for these three paths only; every security header is still sent.
Answers are short JSON holding a status, a count and an age in seconds: never an error's text, a host name,
or anything about her.
"""

from __future__ import annotations

import logging

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue
from sqlalchemy import text

from portal.extensions import db, talisman
from portal.runtime import db_session, now
from portal.services.programme.fanout import backlog

log = logging.getLogger(__name__)
bp = Blueprint("health", __name__)


@bp.get("/healthz/live")
@talisman(force_https=False)
def live() -> ResponseReturnValue:
    return jsonify(status="ok")


def _unavailable(exc: Exception) -> ResponseReturnValue:
    log.warning("readiness: the database did not answer (%s)", type(exc).__name__)  # its kind, not its text
    db.session.rollback()
    return jsonify(status="unavailable"), 503


@bp.get("/healthz/ready")
@talisman(force_https=False)
def ready() -> ResponseReturnValue:
    try:
        db_session().execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 - any database failure means "not ready"
        return _unavailable(exc)
    return jsonify(status="ok")


@bp.get("/healthz")
@talisman(force_https=False)
def healthz() -> ResponseReturnValue:
    session = db_session()
    try:
        session.execute(text("SELECT 1"))
        waiting = backlog(session, now())
    except Exception as exc:  # noqa: BLE001 - any database failure means "not ready"
        return _unavailable(exc)
    fanout = {"waiting": waiting.waiting, "oldest_seconds": waiting.oldest_seconds}
    if waiting.delayed:
        return jsonify(status="fanout_delayed", fanout=fanout), 503
    return jsonify(status="ok", fanout=fanout)
