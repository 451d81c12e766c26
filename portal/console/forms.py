"""Reading the console's form controls without trusting them: weekday checkboxes and time ranges.

What is valid is decided by the services (safe times: services/her/preferences); this only reads.
"""

from __future__ import annotations

from werkzeug.datastructures import MultiDict

from portal.digits import ascii_digits, parse_digits
from portal.services.her.preferences import WindowInput

DAYS = range(7)


def weekdays(values: list[str]) -> tuple[int, ...]:
    """Ticked weekday numbers (0 = Monday); anything that is not one decimal digit becomes -1 (refused)."""
    days = []
    for value in values[:7]:
        digits = parse_digits(value[:8])
        days.append(int(digits) if digits is not None and len(digits) == 1 else -1)
    return tuple(sorted(set(days)))


def time_text(form: MultiDict[str, str], name: str) -> str:
    """A time control's value with any script's digits as ASCII; anything else stays, to be refused."""
    return ascii_digits(form.get(name, "")[:8])


def window_row(form: MultiDict[str, str], prefix: str = "") -> WindowInput:
    """One time range on several days: `<prefix>-day` checkboxes, `<prefix>-start` and `<prefix>-end`
    (without a prefix: `weekday` checkboxes, `start` and `end`)."""
    days, start, end = (f"{prefix}-day", f"{prefix}-start", f"{prefix}-end") if prefix else ("weekday", "start", "end")
    return WindowInput(weekdays(form.getlist(days)), time_text(form, start), time_text(form, end))
