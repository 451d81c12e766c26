"""A minimum response time for event reports: defence in depth for the facilitator's view.

A report's own work no longer depends on her (it writes the event and one fan-out entry; the dispatcher
process makes her side), so the floor is not what keeps her hidden; it also evens out what the request does
not control (a cold cache, a busy database) and costs nothing that matters for a form sent a few times a day.
"""

from __future__ import annotations

import time

from flask import current_app

CONFIG_KEY = "EVENT_RESPONSE_FLOOR_SECONDS"
DEFAULT_SECONDS = 0.25


def pad_to_floor(started: float) -> None:
    """Sleep until `started` (a time.perf_counter() value) is at least the configured floor ago."""
    floor = float(current_app.config.get(CONFIG_KEY, DEFAULT_SECONDS))
    remaining = floor - (time.perf_counter() - started)
    if remaining > 0:
        time.sleep(remaining)
