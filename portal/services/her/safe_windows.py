"""Her safe windows: weekly local-time ranges in her IANA zone, turned into real instants across DST.

An instant is inside a window when her wall clock at that instant shows that weekday and a minute in
[start, end). Around a clock change this means: a window in the skipped hour does not happen that day,
and a window in the repeated hour happens twice. Every answer is derived from that one definition.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

HORIZON = timedelta(days=15)  # two weeks and a day: any weekly window shows up, DST gaps included


@dataclass(frozen=True)
class Window:
    weekday: int  # 0 = Monday
    start_minute: int
    end_minute: int  # exclusive; 1440 = midnight


@dataclass(frozen=True)
class WindowState:
    open: bool
    closes_at: datetime | None  # when open: the first instant outside every window
    next_opens_at: datetime | None  # when closed: the next instant inside one (None: never)

    def time_left(self, now: datetime) -> timedelta:
        return (self.closes_at - now) if self.open and self.closes_at else timedelta(0)


def zone(name: str) -> ZoneInfo:
    """Her zone, or ValueError for a name that is not an IANA zone."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {name!r}") from exc


def windows_from_rows(rows: Iterable[object]) -> list[Window]:
    return [Window(r.weekday, r.start_minute, r.end_minute) for r in rows]  # type: ignore[attr-defined]


def is_inside(windows: Sequence[Window], tz: ZoneInfo, instant: datetime) -> bool:
    """The definition: her wall clock at this instant falls in one of her windows."""
    local = instant.astimezone(tz)
    minute = local.hour * 60 + local.minute
    weekday = local.weekday()
    return any(w.weekday == weekday and w.start_minute <= minute < w.end_minute for w in windows)


def _instants_at(tz: ZoneInfo, wall: datetime) -> list[datetime]:
    """Every real instant at which her clock shows this wall time: none in a gap, two in a fold."""
    found = []
    for fold in (0, 1):
        candidate = wall.replace(tzinfo=tz, fold=fold).astimezone(UTC)
        if candidate.astimezone(tz).replace(tzinfo=None) == wall and candidate not in found:
            found.append(candidate)
    return found


def _offset_changes(tz: ZoneInfo, start: datetime, end: datetime) -> list[datetime]:
    """Instants in [start, end] where her UTC offset changes (found by bisection, to the second)."""
    changes: list[datetime] = []
    step = timedelta(hours=6)
    cursor = start
    while cursor < end:
        nxt = min(cursor + step, end)
        if cursor.astimezone(tz).utcoffset() != nxt.astimezone(tz).utcoffset():
            lo, hi = cursor, nxt
            while hi - lo > timedelta(seconds=1):
                mid = lo + (hi - lo) / 2
                if mid.astimezone(tz).utcoffset() == lo.astimezone(tz).utcoffset():
                    lo = mid
                else:
                    hi = mid
            changes.append(hi.replace(microsecond=0) if hi.microsecond else hi)
        cursor = nxt
    return changes


def _change_points(windows: Sequence[Window], tz: ZoneInfo, start: datetime, end: datetime) -> list[datetime]:
    """Instants where being inside can change: window edges on her clock, and her clock changes."""
    points = set(_offset_changes(tz, start, end))
    first_day: date = start.astimezone(tz).date() - timedelta(days=1)
    last_day: date = end.astimezone(tz).date() + timedelta(days=1)
    day = first_day
    while day <= last_day:
        midnight = datetime.combine(day, time())
        for w in windows:
            if w.weekday != day.weekday():
                continue
            for minute in (w.start_minute, w.end_minute):
                points.update(_instants_at(tz, midnight + timedelta(minutes=minute)))
        day += timedelta(days=1)
    return sorted(p for p in points if start < p <= end)


def state(windows: Sequence[Window], tz_name: str, now: datetime, horizon: timedelta = HORIZON) -> WindowState:
    """Is she inside a window now; if so until when; if not, when the next one opens."""
    tz = zone(tz_name)
    now = now.astimezone(UTC)
    valid = [w for w in windows if 0 <= w.weekday <= 6 and 0 <= w.start_minute < w.end_minute <= 1440]
    end = now + horizon
    inside = is_inside(valid, tz, now)
    for point in _change_points(valid, tz, now, end):
        if is_inside(valid, tz, point) != inside:
            return WindowState(True, point, None) if inside else WindowState(False, None, point)
    return WindowState(True, end, None) if inside else WindowState(False, None, None)
