"""Times in the console: the staff member's zone and her zone, never bare UTC; date/time controls parsed."""

from __future__ import annotations

from datetime import UTC, date, datetime
from types import SimpleNamespace

import pytest
from flask import g

from portal.console import times

WINTER = datetime(2026, 12, 1, 17, 50, tzinfo=UTC)
SUMMER = datetime(2026, 7, 1, 17, 50, tzinfo=UTC)


@pytest.fixture
def as_staff(app):
    def enter(zone: str | None, locale: str = "en"):
        context = app.test_request_context("/staff/", headers={"Accept-Language": locale})
        context.push()
        g.staff = SimpleNamespace(timezone=zone)
        return context
    contexts = []
    yield lambda zone, locale="en": contexts.append(enter(zone, locale)) or contexts[-1]
    for context in reversed(contexts):
        context.pop()


def test_a_time_shows_on_the_staff_clock_with_its_zone(as_staff):
    as_staff("Europe/London")
    assert times.staff_time(WINTER) == '<time datetime="2026-12-01T17:50Z">Dec 1, 2026, 17:50 GMT</time>'
    assert "18:50 BST" in times.staff_time(SUMMER)
    assert "UTC" not in times.staff_time(WINTER)


def test_the_deployment_zone_when_the_account_has_none(as_staff, app):
    as_staff(None)
    assert app.config["PORTAL"].default_timezone == "Europe/London"
    assert "17:50 GMT" in times.staff_time(WINTER)


def test_her_zone_stands_beside_the_staff_time(as_staff):
    as_staff("Europe/London")
    shown = times.staff_time(WINTER, her_zone="Europe/Berlin")
    assert "17:50 GMT" in shown and "18:50 CET her time, Europe/Berlin" in shown
    late = times.staff_time(datetime(2026, 12, 1, 23, 30, tzinfo=UTC), her_zone="Asia/Amman")
    assert "Dec 2, 2026, 02:30 +03 her time" in late  # another day on her clock: the day is named
    assert "also her time" in times.staff_time(WINTER, her_zone="Europe/London")


def test_times_follow_the_console_language(as_staff):
    as_staff("Europe/Berlin", "de")
    assert "1. Dez. 2026, 18:50 CET" in times.staff_time(WINTER)
    assert times.staff_date(WINTER) == '<time datetime="2026-12-01">1. Dez. 2026</time>'


def test_a_date_is_the_day_on_the_staff_clock(as_staff):
    as_staff("Asia/Amman")
    assert "2026-12-02" in times.staff_date(datetime(2026, 12, 1, 22, 30, tzinfo=UTC))
    assert "2026-03-05" in times.staff_date(date(2026, 3, 5))


def test_datetime_local_values_round_trip_on_the_staff_clock(as_staff):
    as_staff("Europe/Berlin")
    assert times.local_input(WINTER) == "2026-12-01T18:50"
    assert times.parse_local("2026-12-01T18:50") == WINTER
    assert times.parse_local("٢٠٢٦-١٢-٠١T١٨:٥٠") == WINTER  # Arabic-Indic digits are digits


@pytest.mark.parametrize("text", ["", "yesterday", "2026-02-30T10:00", "2026-12-01T25:00", "2026-12-01",
                                  "2026-12-01T18:50+05:00", "２０２６-12-01T1８:5０x", "2026-12-01T18:5²",
                                  "2026-03-29T02:30"])  # the last never happens in Berlin (clocks go forward)
def test_garbage_is_not_a_time(as_staff, text):
    as_staff("Europe/Berlin")
    assert times.parse_local(text) is None


def test_date_controls(as_staff):
    as_staff("Europe/London")
    assert times.parse_date("2026-02-27") == date(2026, 2, 27)
    assert times.parse_date("٢٠٢٦-٠٢-٢٧") == date(2026, 2, 27)
    for bad in ("", "2026-02-30", "27/02/2026", "2026-02-2⁷"):
        assert times.parse_date(bad) is None
