"""A minimum response time for event reports, so the work a report causes for anyone linked cannot be timed."""

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
