"""GET /healthz: is the process up, can it reach its database, and is the dispatcher keeping up with fan-out.

Unhealthy (503) when the database does not answer, or when a programme event's fan-out has waited past 60 s
(the dispatcher process is down or stuck). The answer holds a count and an age in seconds, nothing about her.
"""

from __future__ import annotations

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue

from portal.extensions import db
from portal.runtime import db_session, now
from portal.services.programme.fanout import backlog

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> ResponseReturnValue:
    try:
        waiting = backlog(db_session(), now())
    except Exception:  # noqa: BLE001 - any database failure means "not healthy"
        db.session.rollback()
        return jsonify(status="unavailable"), 503
    fanout = {"waiting": waiting.waiting, "oldest_seconds": waiting.oldest_seconds}
    if waiting.delayed:
        return jsonify(status="fanout_delayed", fanout=fanout), 503
    return jsonify(status="ok", fanout=fanout)
