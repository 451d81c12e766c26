"""His programme dates, as his facilitator gives them: when he started and when his programme is expected to end.

About him only: setting them reads and writes nothing of anyone linked to him, so the answer (and its timing) is
the same whoever is linked. Her optional evaluation stages count from these dates later, in the dispatcher
process (services/evaluation/stages.py); nothing here tells the facilitator of it.

Rules: each date may be left unknown (empty); a known date lies within `YEARS_BACK` years before and
`YEARS_AHEAD` years after today; the expected end is not before the start. The audit entry names the dates
that changed, never their values.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from portal.domain_error import DomainError
from portal.models import Participant
from portal.services.context import DomainContext

YEARS_BACK = 10
YEARS_AHEAD = 5


class DatesError(DomainError):
    """The dates cannot be saved: `code` says why, `field` which date ("started_on" or "expected_end_on")."""


@dataclass(frozen=True)
class ProgrammeDates:
    started_on: date | None
    expected_end_on: date | None


def date_range(today: date) -> tuple[date, date]:
    """The earliest and latest date accepted, from `today`."""
    return today - timedelta(days=365 * YEARS_BACK + 3), today + timedelta(days=365 * YEARS_AHEAD + 2)


def check_dates(dates: ProgrammeDates, today: date) -> ProgrammeDates:
    """The dates if they may be saved; DatesError("date_out_of_range" | "end_before_start", field) if not."""
    earliest, latest = date_range(today)
    for field in ("started_on", "expected_end_on"):
        value = getattr(dates, field)
        if value is not None and not earliest <= value <= latest:
            raise DatesError("date_out_of_range", field)
    if dates.started_on and dates.expected_end_on and dates.expected_end_on < dates.started_on:
        raise DatesError("end_before_start", "expected_end_on")
    return dates


def set_dates(ctx: DomainContext, participant: Participant, dates: ProgrammeDates) -> tuple[str, ...]:
    """Save his dates (checked as `check_dates`); returns the names of the dates that changed (none: no entry)."""
    check_dates(dates, ctx.now.date())
    changed = tuple(field for field in ("started_on", "expected_end_on")
                    if getattr(participant, field) != getattr(dates, field))
    if changed:
        participant.started_on, participant.expected_end_on = dates.started_on, dates.expected_end_on
        ctx.db.flush()
        ctx.audit("participant.dates_set", "participant", participant.id, {"fields": ",".join(changed)})
    return changed
