"""Her opened plan in her session (placeholder until H2's plan pages land: only the duress flag is read here)."""

from __future__ import annotations

from flask import session

DURESS = "plan_duress"  # session key, set only on the duress path (PLAN_API.md "Her session")


def in_duress() -> bool:
    """Whether this session's plan was opened with her duress passphrase."""
    return session.get(DURESS) is True
