"""Simultaneous audited case views on the served app: none fails because another request wrote at the same time
(issue 9.5: on SQLite 20 of 24 returned 500, `UNIQUE constraint failed: audit_event.seq`)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select

from portal.clock import FrozenClock
from portal.models import AuditEvent
from portal.services.audit import verify_database
from tests.factories import served_world
from tests.served import fire
from tests.served_staff import StaffClient

VIEWS = 24


def test_simultaneous_audited_case_views_all_succeed(live_server_factory):
    clock = FrozenClock(datetime(2026, 3, 2, 10, 0, tzinfo=UTC))
    # Each client comes through the (trusted, loopback) proxy from its own address, as 24 colleagues would:
    # the per-address sign-in limit is not what this test is about.
    live = live_server_factory(clock=clock, trusted_proxies="127.0.0.1")
    world = served_world(live)
    clients = []
    for index in range(VIEWS):  # each its own signed-in session; a TOTP code is good once, so each gets a new step
        client = StaffClient(live.url)
        client.http.headers["X-Forwarded-For"] = f"192.0.2.{index + 1}"  # documentation range: a header only
        client.sign_in(world.worker.email, world.totp["worker"], clock)
        clients.append(client)
        clock.advance(seconds=30)
    case_path = f"/staff/cases/{world.partner.id}"
    with live.db() as db:
        before = db.scalar(select(func.count()).select_from(AuditEvent))

    try:
        statuses = fire(VIEWS, lambda i: clients[i].get(case_path).status_code)
    finally:
        for client in clients:
            client.close()

    assert statuses == [200] * VIEWS, f"{statuses.count(200)} of {VIEWS} succeeded: {statuses}"
    with live.db() as db:
        report = verify_database(db, live.audit_key)
        assert report.ok, report.problems
        assert db.scalar(select(func.count()).select_from(AuditEvent)) - before == VIEWS
