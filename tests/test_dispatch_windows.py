"""The dispatcher sends only inside her safe windows (her zone, DST included) and never past their end."""

from __future__ import annotations

from collections import deque
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from portal.models import Notification, NotificationState, Task
from portal.services.messaging.outbox import enqueue
from tests.factories import make_world, reloaded
from tests.sms_support import (
    RecordingHttpClient,
    dispatcher,
    queued_warning,
    twilio_gateway,
)


def setup(dbs, vault, audit_key, clock, windows, tz="Europe/London", **prefs):
    w = make_world(dbs, vault, audit_key, timezone=tz, windows=windows, prefs={"channel_sms": True, **prefs})
    dbs.commit()
    return w


def test_outside_her_window_it_waits_for_the_window_then_goes_with_validity_to_its_end(app, dbs, vault, audit_key,
                                                                                       clock):
    # Monday 10:00 UTC = 10:00 in London (GMT). Her window: Monday 18:00-19:30 local.
    w = setup(dbs, vault, audit_key, clock, [(0, 18 * 60, 19 * 60 + 30)])
    note = queued_warning(dbs, vault, w.partner, clock)
    http = RecordingHttpClient()
    d = dispatcher(app, twilio_gateway(http))
    counts = d.run_once()
    assert counts.rescheduled == 1 and http.requests == []
    assert reloaded(dbs, note).not_before == datetime(2026, 3, 2, 18, 0, tzinfo=UTC)
    clock.advance(hours=8, minutes=15)  # 18:15
    d.run_once()
    [req] = http.requests
    assert req.data["ValidityPeriod"] == 75 * 60  # exactly the time left in her window
    assert reloaded(dbs, note).state == NotificationState.SENT


def test_validity_never_exceeds_twilios_ceiling_or_staleness(app, dbs, vault, audit_key, clock):
    w = setup(dbs, vault, audit_key, clock, [(d, 0, 1440) for d in range(7)])
    queued_warning(dbs, vault, w.partner, clock, stale_at=clock.now() + timedelta(hours=1))
    enqueue(dbs, vault, w.partner, kind="invite", template="invite", now=clock.now(),
            params={"url": "https://portal.test/v/abc"})
    dbs.commit()
    http = RecordingHttpClient(deque())
    dispatcher(app, twilio_gateway(http)).run_once()
    assert sorted(r.data["ValidityPeriod"] for r in http.requests) == [3600, 36000]


def test_the_window_is_checked_again_at_send_time(app, dbs, vault, audit_key, clock):
    w = setup(dbs, vault, audit_key, clock, [(0, 9 * 60, 10 * 60 + 1), (1, 9 * 60, 10 * 60)])  # closes 10:01
    note = queued_warning(dbs, vault, w.partner, clock)
    http = RecordingHttpClient()
    counts = dispatcher(app, twilio_gateway(http)).run_once()
    # One minute left is less than the minimum validity: it waits for Tuesday's window instead.
    assert counts.rescheduled == 1 and http.requests == []
    assert reloaded(dbs, note).not_before == datetime(2026, 3, 3, 9, 0, tzinfo=UTC)


def test_a_claim_whose_window_closes_before_the_send_is_put_back(app, dbs, vault, audit_key, clock):
    w = setup(dbs, vault, audit_key, clock, [(0, 9 * 60, 10 * 60 + 5)])
    note = queued_warning(dbs, vault, w.partner, clock)
    http = RecordingHttpClient()
    d = dispatcher(app, twilio_gateway(http))
    from portal.services.messaging.dispatch import Counts

    [job] = d.claim(Counts())
    clock.advance(minutes=4)  # the worker was slow: one minute of window left
    d.deliver(job, Counts())
    assert http.requests == []
    note = reloaded(dbs, note)
    assert note.state == NotificationState.PENDING and note.attempts == 0


def test_across_the_spring_clock_change_the_window_follows_her_clock(app, dbs, vault, audit_key, clock):
    clock.current = datetime(2026, 3, 28, 12, 0, tzinfo=UTC)  # Saturday
    w = setup(dbs, vault, audit_key, clock, [(6, 90, 180)])  # Sunday 01:30-03:00 London time
    note = queued_warning(dbs, vault, w.partner, clock)
    http = RecordingHttpClient()
    d = dispatcher(app, twilio_gateway(http))
    d.run_once()
    # 01:30 does not exist that night: the window opens at the change, 01:00 UTC = 02:00 BST.
    assert reloaded(dbs, note).not_before == datetime(2026, 3, 29, 1, 0, tzinfo=UTC)
    clock.current = datetime(2026, 3, 29, 1, 0, tzinfo=UTC)
    d.run_once()
    assert http.requests[0].data["ValidityPeriod"] == 3600  # until 03:00 BST = 02:00 UTC


def test_in_another_zone_the_window_is_hers_not_ours(app, dbs, vault, audit_key, clock):
    w = setup(dbs, vault, audit_key, clock, [(0, 9 * 60, 12 * 60)], tz="America/New_York")
    note = queued_warning(dbs, vault, w.partner, clock)
    dispatcher(app, twilio_gateway(RecordingHttpClient())).run_once()
    assert reloaded(dbs, note).not_before == datetime(2026, 3, 2, 14, 0, tzinfo=UTC)  # 09:00 EST


def test_serious_risk_goes_outside_windows_only_if_she_allowed_it(app, dbs, vault, audit_key, clock):
    w = setup(dbs, vault, audit_key, clock, [(1, 9 * 60, 10 * 60)], serious_risk_any_time=True)
    serious = queued_warning(dbs, vault, w.partner, clock, serious=True)
    ordinary = queued_warning(dbs, vault, w.partner, clock)
    http = RecordingHttpClient()
    dispatcher(app, twilio_gateway(http)).run_once()
    assert len(http.requests) == 1
    assert reloaded(dbs, serious).state == NotificationState.SENT
    assert reloaded(dbs, ordinary).state == NotificationState.PENDING


def test_serious_risk_waits_for_the_window_when_she_did_not_allow_any_time(app, dbs, vault, audit_key, clock):
    w = setup(dbs, vault, audit_key, clock, [(1, 9 * 60, 10 * 60)], serious_risk_any_time=False)
    note = queued_warning(dbs, vault, w.partner, clock, serious=True)
    http = RecordingHttpClient()
    dispatcher(app, twilio_gateway(http)).run_once()
    assert http.requests == [] and reloaded(dbs, note).state == NotificationState.PENDING


def test_a_warning_that_would_be_stale_before_her_window_goes_to_her_worker_now(app, dbs, vault, audit_key, clock):
    w = setup(dbs, vault, audit_key, clock, [(5, 9 * 60, 10 * 60)])  # Saturdays only
    note = queued_warning(dbs, vault, w.partner, clock, serious=True)  # stale after 48 h (Settings.warning_stale_hours)
    http = RecordingHttpClient()
    counts = dispatcher(app, twilio_gateway(http)).run_once()
    assert counts.handed_over == 1 and http.requests == []
    note = reloaded(dbs, note)
    assert note.state == NotificationState.HANDED_OVER and note.error_code == "stale_before_window"
    [task] = dbs.scalars(select(Task).where(Task.notification_id == note.id))
    assert task.kind == "message_not_delivered" and task.severity == "urgent"
    assert task.assignee_id == w.worker.id


def test_a_warning_past_its_stale_time_is_handed_over_not_sent(app, dbs, vault, audit_key, clock):
    w = setup(dbs, vault, audit_key, clock, [(0, 20 * 60, 21 * 60)])
    note = queued_warning(dbs, vault, w.partner, clock, stale_at=clock.now() + timedelta(hours=12))
    d = dispatcher(app, twilio_gateway(RecordingHttpClient()))
    d.run_once()
    clock.advance(hours=13)
    dbs.expire_all()
    row = dbs.get(Notification, note.id)
    row.not_before = clock.now()
    dbs.commit()
    d.run_once()
    assert reloaded(dbs, note).state == NotificationState.HANDED_OVER


def test_with_no_windows_at_all_a_warning_is_handed_over(app, dbs, vault, audit_key, clock):
    w = setup(dbs, vault, audit_key, clock, [])
    note = queued_warning(dbs, vault, w.partner, clock)
    dispatcher(app, twilio_gateway(RecordingHttpClient())).run_once()
    note = reloaded(dbs, note)
    assert note.state == NotificationState.HANDED_OVER and note.error_code == "no_window"
