"""Times as staff read and type them: in the staff member's own zone, her zone beside it where it concerns her.

Never bare UTC. In templates: `{{ when|staff_time }}`, `{{ when|staff_time(her_zone=partner.timezone) }}`,
`{{ when|staff_date }}`. Forms: `local_input(moment)` fills a `datetime-local` control in the staff zone,
`parse_local(text)` reads one back (any script's digits; None for anything that is not a date and time),
`parse_date(text)` reads a `date` control.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_skeleton
from flask import Blueprint, g
from flask_babel import get_locale
from flask_babel import gettext as _
from markupsafe import Markup, escape

from portal.digits import ascii_digits
from portal.runtime import settings
from portal.services.her.preferences import is_valid_zone

_LOCAL = re.compile(r"(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?", re.ASCII)
_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})", re.ASCII)


def staff_zone_name() -> str:
    """The signed-in staff member's zone (their account setting), else the deployment's."""
    staff = g.get("staff")
    chosen = getattr(staff, "timezone", None) if staff is not None else None
    return chosen if chosen and is_valid_zone(chosen) else settings().default_timezone


def _zone(name: str | None) -> ZoneInfo:
    return ZoneInfo(name if name and is_valid_zone(name) else settings().default_timezone)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _locale() -> str:
    return str(get_locale() or "en")


def _day(local: datetime) -> str:
    return format_skeleton("yMMMd", local, locale=_locale())


def _clock(local: datetime) -> str:
    return format_skeleton("Hm", local, locale=_locale())


def staff_time(moment: datetime | None, her_zone: str | None = None) -> Markup:
    """'1 Dec 2026, 17:50 GMT' in the staff zone; with her_zone also '18:50 CET her time (Europe/Berlin)'."""
    if moment is None:
        return Markup("")
    moment = _aware(moment)
    mine = moment.astimezone(_zone(staff_zone_name()))
    text = f"{_day(mine)}, {_clock(mine)} {mine.tzname() or ''}".strip()
    iso = moment.astimezone(UTC).isoformat(timespec="minutes").replace("+00:00", "Z")
    out = Markup('<time datetime="{}">{}</time>').format(iso, text)
    if her_zone:
        hers = moment.astimezone(_zone(her_zone))
        if hers.utcoffset() == mine.utcoffset() and hers.tzname() == mine.tzname():
            out += Markup(' <span class="her-time">({})</span>').format(_("also her time"))
        else:
            clock = f"{_clock(hers)} {hers.tzname() or ''}".strip()
            if hers.date() != mine.date():
                clock = f"{_day(hers)}, {clock}"
            out += Markup(' <span class="her-time">({})</span>').format(
                _("%(time)s her time, %(zone)s", time=clock, zone=her_zone))
    return out


def staff_date(moment: datetime | date | None) -> Markup:
    """The calendar day of this moment in the staff zone ('1 Dec 2026'); a plain date as it is."""
    if moment is None:
        return Markup("")
    if isinstance(moment, datetime):
        local = _aware(moment).astimezone(_zone(staff_zone_name()))
        return Markup('<time datetime="{}">{}</time>').format(local.date().isoformat(), _day(local))
    return Markup('<time datetime="{}">{}</time>').format(moment.isoformat(),
                                                         escape(format_skeleton("yMMMd", moment, locale=_locale())))


def zone_label(name: str | None = None) -> str:
    """The staff member's zone name, for a form's hint ('times in Europe/London')."""
    return name or staff_zone_name()


def local_input(moment: datetime) -> str:
    """The value of a datetime-local control showing this moment on the staff member's clock."""
    return _aware(moment).astimezone(_zone(staff_zone_name())).strftime("%Y-%m-%dT%H:%M")


def parse_local(text: str) -> datetime | None:
    """A datetime-local value (YYYY-MM-DDTHH:MM, any script's digits) on the staff member's clock, as UTC.

    None for anything else, an impossible date or a wall time that never happens there (a clock change).
    """
    match = _LOCAL.fullmatch(ascii_digits((text or "").strip()[:25]))
    if match is None:
        return None
    year, month, day, hour, minute = (int(part) for part in match.groups()[:5])
    second = int(match.group(6) or 0)
    zone = _zone(staff_zone_name())
    try:
        wall = datetime(year, month, day, hour, minute, second)
    except ValueError:
        return None
    local = wall.replace(tzinfo=zone)
    if local.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != wall:
        return None  # skipped by a clock change: not a time anyone lived
    return local.astimezone(UTC)


def parse_date(text: str) -> date | None:
    """A date control's value (YYYY-MM-DD, any script's digits), or None."""
    match = _DATE.fullmatch(ascii_digits((text or "").strip()[:12]))
    if match is None:
        return None
    try:
        return date(*(int(part) for part in match.groups()))
    except ValueError:
        return None


def register_time_filters(bp: Blueprint) -> None:
    bp.add_app_template_filter(staff_time, "staff_time")
    bp.add_app_template_filter(staff_date, "staff_date")
    bp.add_app_template_global(staff_zone_name, "staff_zone_name")
