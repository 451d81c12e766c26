"""Minimum response times: defence in depth for the facilitator's view, and what keeps her two plan
passphrases apart.

Event reports: a report's own work no longer depends on her (it writes the event and one fan-out entry; the
dispatcher process makes her side), so the floor is not what keeps her hidden; it also evens out what the
request does not control (a cold cache, a busy database) and costs nothing that matters for a form sent a few
times a day.

Opening her plan (portal/public/plan.py): the service does the same work for either passphrase, but the
second one also writes her worker's task in the request's transaction. `floor_after_commit` pads the answer
after that transaction has committed (the hook below runs after the unit of work's commit), so neither the
work nor the commit can be timed.
"""

from __future__ import annotations

import time

from flask import Flask, Response, current_app, g

CONFIG_KEY = "EVENT_RESPONSE_FLOOR_SECONDS"
DEFAULT_SECONDS = 0.25
# Opening her plan derives two Argon2id keys (RFC 9106's 64 MiB, 3 passes, 2 lanes): the whole request took 0.2-0.7 s on the
# development machine (2 shared cores). The floor is well above that; raise it if a server is slower.
PLAN_OPEN_KEY = "PLAN_OPEN_FLOOR_SECONDS"
PLAN_OPEN_DEFAULT_SECONDS = 1.5
_PENDING = "response_floor_pending"


def pad_to_floor(started: float, key: str = CONFIG_KEY, default: float = DEFAULT_SECONDS) -> None:
    """Sleep until `started` (a time.perf_counter() value) is at least the configured floor ago."""
    floor = float(current_app.config.get(key, default))
    remaining = floor - (time.perf_counter() - started)
    if remaining > 0:
        time.sleep(remaining)


def floor_after_commit(started: float, key: str, default: float) -> None:
    """Pad this request's answer to the floor `key`, counted from `started`, once its writes are committed."""
    setattr(g, _PENDING, (started, key, default))


def _pad_pending(response: Response) -> Response:
    pending = g.pop(_PENDING, None)
    if pending is not None:
        pad_to_floor(*pending)
    return response


def configure_response_floor(app: Flask) -> None:
    """Register before the unit of work: Flask runs after_request hooks in reverse, so this runs after its commit."""
    app.after_request(_pad_pending)
