"""The one source of 'now' for request handling; tests swap it for a controlled clock."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from portal.models.base import utcnow


class Clock:
    def now(self) -> datetime:
        return utcnow()


@dataclass
class FrozenClock(Clock):
    """A clock that moves only when told to."""

    current: datetime = field(default_factory=utcnow)

    def now(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> None:
        self.current = self.current + timedelta(**delta)
