"""Safe windows in her own time zone, correct across daylight-saving changes (examples and properties)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal.services.her.safe_windows import Window, is_inside, state

ALWAYS = [Window(d, 0, 1440) for d in range(7)]


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_a_window_in_the_skipped_hour_does_not_happen_that_day():
    # London, Sunday 29 March 2026: clocks go from 01:00 to 02:00. A 01:00-01:59 window cannot happen.
    windows = [Window(6, 60, 119)]
    s = state(windows, "Europe/London", utc(2026, 3, 28, 12))
    assert not s.open
    assert s.next_opens_at == utc(2026, 4, 5, 0, 0)  # next Sunday 01:00 BST


def test_a_window_that_straddles_the_skipped_hour_opens_at_the_change():
    s = state([Window(6, 90, 180)], "Europe/London", utc(2026, 3, 29, 0, 0))  # 01:30-03:00 local
    assert s.next_opens_at == utc(2026, 3, 29, 1, 0)  # 02:00 BST, the first wall time inside
    opened = state([Window(6, 90, 180)], "Europe/London", s.next_opens_at)
    assert opened.open and opened.closes_at == utc(2026, 3, 29, 2, 0)  # 03:00 BST


def test_a_window_in_the_repeated_hour_lasts_both_times_round():
    # Sunday 25 October 2026: 01:00-02:00 local happens twice (BST, then GMT).
    s = state([Window(6, 60, 120)], "Europe/London", utc(2026, 10, 25, 0, 0))
    assert s.open and s.closes_at == utc(2026, 10, 25, 2, 0)
    assert s.time_left(utc(2026, 10, 25, 0, 0)) == timedelta(hours=2)


def test_office_hours_follow_her_clock_not_utc():
    nine_to_five = [Window(d, 9 * 60, 17 * 60) for d in range(5)]
    before = state(nine_to_five, "America/New_York", utc(2026, 3, 6, 12, 0))  # Friday, EST
    assert before.open is False and before.next_opens_at == utc(2026, 3, 6, 14, 0)
    after = state(nine_to_five, "America/New_York", utc(2026, 3, 9, 12, 0))  # Monday, EDT now
    assert after.next_opens_at == utc(2026, 3, 9, 13, 0)


def test_half_hour_daylight_saving_is_handled():
    # Lord Howe Island moves its clocks by 30 minutes (Sunday 5 April 2026, 02:00 -> 01:30).
    s = state([Window(6, 90, 120)], "Australia/Lord_Howe", utc(2026, 4, 4, 14, 0))
    assert s.next_opens_at is not None and is_inside([Window(6, 90, 120)], ZoneInfo("Australia/Lord_Howe"),
                                                    s.next_opens_at)


def test_no_windows_means_never_and_always_open_means_open():
    assert state([], "Europe/Berlin", utc(2026, 3, 2, 10)) == state([], "Europe/Berlin", utc(2026, 3, 2, 10))
    assert state([], "Europe/Berlin", utc(2026, 3, 2, 10)).next_opens_at is None
    assert state(ALWAYS, "Asia/Tokyo", utc(2026, 3, 2, 10)).open


def test_an_unknown_time_zone_is_an_error_not_a_guess():
    with pytest.raises(ValueError):
        state(ALWAYS, "Mars/Olympus_Mons", utc(2026, 3, 2, 10))


ZONES = ["Europe/London", "Europe/Berlin", "America/New_York", "America/Santiago", "Australia/Lord_Howe",
         "Pacific/Chatham", "Asia/Beirut", "Africa/Cairo", "America/Havana", "UTC"]
# Instants near 2026's clock changes in those zones (and some ordinary days).
ANCHORS = [utc(2026, 3, 8, 7), utc(2026, 3, 29, 1), utc(2026, 10, 25, 1), utc(2026, 11, 1, 6),
           utc(2026, 4, 4, 15), utc(2026, 9, 6, 4), utc(2026, 3, 27, 22), utc(2026, 4, 5, 2), utc(2026, 6, 1, 0)]

window_st = st.builds(
    lambda d, a, b: Window(d, min(a, b), max(a, b) + (1 if a == b else 0)),
    st.integers(0, 6), st.integers(0, 1439), st.integers(0, 1440))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(windows=st.lists(window_st, min_size=0, max_size=4), zone=st.sampled_from(ZONES),
       anchor=st.sampled_from(ANCHORS), shift=st.integers(-3 * 1440, 3 * 1440))
def test_state_agrees_with_a_minute_by_minute_scan(windows, zone, anchor, shift):
    """The answer matches walking her clock forward one minute at a time (edges are whole minutes)."""
    tz = ZoneInfo(zone)
    now = anchor + timedelta(minutes=shift)
    s = state(windows, zone, now)
    inside_now = is_inside(windows, tz, now)
    assert s.open == inside_now
    change = None
    for minute in range(1, 15 * 1440 + 1):
        t = now + timedelta(minutes=minute)
        if is_inside(windows, tz, t) != inside_now:
            change = t
            break
    if inside_now:
        assert s.closes_at == (change or now + timedelta(days=15))
    else:
        assert s.next_opens_at == change


@settings(max_examples=40, deadline=None)
@given(windows=st.lists(window_st, min_size=1, max_size=3), zone=st.sampled_from(ZONES),
       anchor=st.sampled_from(ANCHORS), seconds=st.integers(0, 6 * 86400))
def test_at_any_second_open_means_inside_until_close_and_closed_means_outside_until_open(
        windows, zone, anchor, seconds):
    tz = ZoneInfo(zone)
    now = anchor + timedelta(seconds=seconds)
    s = state(windows, zone, now)
    if s.open:
        assert s.closes_at is not None and s.closes_at > now
        assert is_inside(windows, tz, s.closes_at - timedelta(seconds=1))
        assert s.time_left(now) <= timedelta(days=15)
    else:
        assert not is_inside(windows, tz, now)
        if s.next_opens_at is not None:
            assert is_inside(windows, tz, s.next_opens_at)
            assert not is_inside(windows, tz, s.next_opens_at - timedelta(seconds=1))
