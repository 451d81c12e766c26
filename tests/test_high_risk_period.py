"""Her high-risk period after she says she is separating: her page's promise, her case page, events raised one
severity, and her worker's check-in tasks made by the dispatcher process (one per slot, on both databases)."""

from __future__ import annotations

import dataclasses
import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from flask import url_for
from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker

from portal.models import CheckIn, PartnerContact, Severity, Task
from portal.services.casework import high_risk
from portal.services.programme.events import Reporter, report_event
from portal.worker import build_dispatcher, run
from tests.factories import context, reloaded, set_prefs, signed_in
from tests.fanout_support import fan_out_now
from tests.public_helpers import open_link, post
from tests.served import fire
from tests.staff_console import post_form

START = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)  # the clock fixture's Monday


def her_path(app, endpoint: str, **values) -> str:  # type: ignore[no-untyped-def]
    with app.test_request_context():
        return url_for(endpoint, **values)


def report_separating(app, client, dbs, world, clock):  # type: ignore[no-untyped-def]
    """She taps "I am separating" and confirms, as on her page; returns the confirmation page's text."""
    open_link(client, dbs, world.partner, clock)
    path = her_path(app, "public.alert")
    response = post(client, path, {"kind": "separating"}, token_from=her_path(app, "public.home"))
    assert response.status_code == 303
    return client.get(response.headers["Location"]).get_data(as_text=True)


def checkin_tasks(dbs, partner_id) -> list[Task]:  # type: ignore[no-untyped-def]
    dbs.expire_all()
    return list(dbs.scalars(select(Task).where(Task.partner_id == partner_id, Task.kind == "high_risk_checkin")
                            .order_by(Task.created_at)))


def dispatcher_pass(app, clock) -> None:  # type: ignore[no-untyped-def]
    """One pass of the dispatcher process, as `flask --app portal worker --once` runs it."""
    from portal.worker import checkin_rules

    with app.app_context():
        dispatcher = build_dispatcher(app, out=io.StringIO())
        run(dispatcher, once=True, poll_seconds=0.1, echo=lambda _line: None, rules=checkin_rules(app))


@pytest.fixture
def calls_world(dbs, world):  # type: ignore[no-untyped-def]
    """Her worker may call her (the way she chose), in always-open safe times."""
    set_prefs(dbs, world.partner.id, channel_call=True)
    dbs.commit()
    return world


def test_her_report_starts_the_period_and_her_page_promises_only_what_happens(app, client, dbs, calls_world,
                                                                              clock):
    page = report_separating(app, client, dbs, calls_world, clock)
    partner = reloaded(dbs, calls_world.partner)
    assert partner.high_risk_from == START
    assert partner.high_risk_until == datetime(2026, 9, 2, 10, 0, tzinfo=UTC)
    assert "Until <bdi>September 2, 2026</bdi>, your worker will check in with you more often" in page
    assert "six months" not in page


def test_the_period_follows_the_deployments_setting(app, client, dbs, calls_world, clock):
    app.config["PORTAL"] = dataclasses.replace(app.config["PORTAL"], high_risk_months=3)
    page = report_separating(app, client, dbs, calls_world, clock)
    assert reloaded(dbs, calls_world.partner).high_risk_until == datetime(2026, 6, 2, 10, 0, tzinfo=UTC)
    assert "June 2, 2026" in page


def test_her_page_promises_no_check_in_when_she_chose_only_to_contact_her_worker(app, client, dbs, world, clock):
    set_prefs(dbs, world.partner.id, channel_worker_only=True)
    dbs.commit()
    page = report_separating(app, client, dbs, world, clock)
    assert "your worker will not contact you to check in" in page
    assert "will check in with you" not in page


def test_her_page_is_in_her_language(app, client, dbs, calls_world, clock):
    calls_world.partner.locale, calls_world.partner.locale_chosen = "de", True  # her saved choice
    dbs.merge(calls_world.partner)
    dbs.commit()
    page = report_separating(app, client, dbs, calls_world, clock)
    assert "2. September 2026" in page


def test_the_dispatcher_makes_one_check_in_task_per_week_and_never_two_for_a_slot(app, client, dbs, calls_world,
                                                                                  clock):
    report_separating(app, client, dbs, calls_world, clock)
    dispatcher_pass(app, clock)
    assert checkin_tasks(dbs, calls_world.partner.id) == []  # her report's own alert is the first contact
    clock.advance(days=7)
    dispatcher_pass(app, clock)
    dispatcher_pass(app, clock)
    [task] = checkin_tasks(dbs, calls_world.partner.id)
    assert (task.severity, task.call_requested, task.contact_allowed) == (Severity.SOON, True, True)
    assert task.assignee_id == calls_world.worker.id
    clock.advance(days=6)
    dispatcher_pass(app, clock)
    assert len(checkin_tasks(dbs, calls_world.partner.id)) == 1
    clock.advance(days=1)
    dispatcher_pass(app, clock)
    assert len(checkin_tasks(dbs, calls_world.partner.id)) == 2
    slots = list(dbs.scalars(select(CheckIn.slot_at).where(CheckIn.partner_id == calls_world.partner.id)
                             .order_by(CheckIn.slot_at)))
    assert slots == [START + timedelta(days=7), START + timedelta(days=14)]


def test_after_a_pause_only_the_newest_missed_slot_becomes_a_task(app, client, dbs, calls_world, clock):
    report_separating(app, client, dbs, calls_world, clock)
    clock.advance(days=30)
    dispatcher_pass(app, clock)
    [task] = checkin_tasks(dbs, calls_world.partner.id)
    assert dbs.scalar(select(CheckIn.slot_at).where(CheckIn.task_id == task.id)) == START + timedelta(days=28)


def test_the_deployments_rhythm_and_her_workers_own_rhythm(app, client, dbs, calls_world, clock):
    app.config["PORTAL"] = dataclasses.replace(app.config["PORTAL"], checkin_every_days=2)
    report_separating(app, client, dbs, calls_world, clock)
    clock.advance(days=2)
    dispatcher_pass(app, clock)
    assert len(checkin_tasks(dbs, calls_world.partner.id)) == 1

    worker = signed_in(app, calls_world.worker)
    case = her_path(app, "console.worker_case", partner_id=calls_world.partner.id)
    action = her_path(app, "console.worker_checkin_every", partner_id=calls_world.partner.id)
    refused = post_form(worker, action, {"every_days": "0"}, page=case)
    assert refused.status_code == 303
    assert "from 1 to 28" in worker.get(case).get_data(as_text=True)
    assert reloaded(dbs, calls_world.partner).checkin_every_days is None
    post_form(worker, action, {"every_days": "5"}, page=case)
    assert reloaded(dbs, calls_world.partner).checkin_every_days == 5
    clock.advance(days=4)
    dispatcher_pass(app, clock)
    assert len(checkin_tasks(dbs, calls_world.partner.id)) == 1
    clock.advance(days=1)
    dispatcher_pass(app, clock)
    assert len(checkin_tasks(dbs, calls_world.partner.id)) == 2
    worker = signed_in(app, calls_world.worker)  # days later: signed in again
    post_form(worker, action, {"every_days": "5", "default": "yes"}, page=case)
    assert reloaded(dbs, calls_world.partner).checkin_every_days is None


def test_her_case_page_shows_the_period_and_the_next_check_in(app, client, dbs, calls_world, clock):
    worker = signed_in(app, calls_world.worker)
    case = her_path(app, "console.worker_case", partner_id=calls_world.partner.id)
    assert "It starts when she tells us she is separating, or when you start one." in worker.get(case).get_data(as_text=True)
    report_separating(app, client, dbs, calls_world, clock)
    page = worker.get(case).get_data(as_text=True)
    text = re.sub(r"<[^>]+>", "", page)  # dates are <time> elements
    assert "From Mar 2, 2026 until Sep 2, 2026." in text
    assert "You get a check-in task every 7 days." in page and "Next: Mar 9, 2026, 10:00 GMT" in text
    assert "Programme events about her case are raised one severity during it." in page


@pytest.mark.parametrize("how", ["her_stop", "worker_stop", "close", "erase"])
def test_check_ins_stop_when_contact_stops_or_the_case_closes_or_is_erased(app, client, dbs, calls_world, clock,
                                                                           how):
    report_separating(app, client, dbs, calls_world, clock)
    clock.advance(days=7)
    dispatcher_pass(app, clock)
    [task] = checkin_tasks(dbs, calls_world.partner.id)
    worker = signed_in(app, calls_world.worker)
    pid = calls_world.partner.id
    case = her_path(app, "console.worker_case", partner_id=pid)
    if how == "her_stop":
        open_link(client, dbs, calls_world.partner, clock)  # a week later: a fresh link from her worker
        response = post(client, her_path(app, "public.stop"), {"confirm": "yes"},
                        token_from=her_path(app, "public.home"))
    elif how == "worker_stop":
        response = post_form(worker, her_path(app, "console.worker_withdraw", partner_id=pid), {}, page=case)
    elif how == "close":
        response = post_form(worker, her_path(app, "console.worker_close", partner_id=pid),
                             {"reason": "no_longer_needed"}, page=case)
    else:
        response = post_form(worker, her_path(app, "console.worker_erase", partner_id=pid), {"confirm": "ERASE"},
                             page=her_path(app, "console.worker_erase", partner_id=pid))
    assert response.status_code in (200, 303)
    assert reloaded(dbs, task).done_at == clock.now()
    clock.advance(days=7)
    dispatcher_pass(app, clock)
    assert len(checkin_tasks(dbs, pid)) == 1
    if how == "erase":
        assert dbs.scalar(select(func.count()).select_from(CheckIn).where(CheckIn.partner_id == pid)) == 0
        assert reloaded(dbs, calls_world.partner).high_risk_from is None


def test_check_ins_stop_when_the_period_ends(app, client, dbs, calls_world, clock):
    report_separating(app, client, dbs, calls_world, clock)
    partner = reloaded(dbs, calls_world.partner)
    clock.current = partner.high_risk_until + timedelta(days=1)
    dispatcher_pass(app, clock)
    assert checkin_tasks(dbs, calls_world.partner.id) == []


def test_no_check_in_task_while_she_chose_no_way_to_be_contacted_first(app, client, dbs, world, clock):
    set_prefs(dbs, world.partner.id, channel_worker_only=True)
    dbs.commit()
    report_separating(app, client, dbs, world, clock)
    clock.advance(days=7)
    dispatcher_pass(app, clock)
    assert checkin_tasks(dbs, world.partner.id) == []


def report(dbs, vault, audit_key, world, kind, clock, **extra):  # type: ignore[no-untyped-def]
    report_event(context(dbs, vault, audit_key, clock.now()), programme=world.programme,
                 participant_ref=world.participant.reference, kind=kind,
                 reporter=Reporter(staff_id=world.facilitator.id), **extra)
    dbs.commit()
    fan_out_now(dbs, vault, audit_key, clock)
    return dbs.scalar(select(Task).where(Task.partner_id == world.partner.id, Task.kind == f"event_{kind}")
                      .order_by(Task.created_at.desc()).limit(1))


@pytest.mark.parametrize(("kind", "extra", "usual", "during"), [
    ("dropout", {}, Severity.URGENT, Severity.IMMEDIATE),
    ("completed", {}, Severity.ROUTINE, Severity.SOON),
    ("attendance_concern", {}, Severity.SOON, Severity.URGENT),
    ("risk", {"risk_to_partner": True, "imminence": "low"}, Severity.SOON, Severity.URGENT),
    ("risk", {"risk_to_partner": True, "imminence": "imminent"}, Severity.IMMEDIATE, Severity.IMMEDIATE),
])
def test_events_during_her_period_are_raised_one_severity_and_the_task_says_so(app, dbs, vault, audit_key, world,
                                                                               clock, kind, extra, usual, during):
    before = report(dbs, vault, audit_key, world, kind, clock, **extra)
    assert (before.severity, before.raised_high_risk) == (usual, False)
    partner = dbs.get(PartnerContact, world.partner.id)
    high_risk.start_period(partner, now=clock.now(), rules=high_risk.Rules())
    dbs.commit()
    clock.advance(minutes=5)
    task = report(dbs, vault, audit_key, world, kind, clock, **extra)
    assert task.severity == during and task.raised_high_risk is (usual != during)
    page = signed_in(app, world.worker).get(her_path(app, "console.worker_task", task_id=task.id))
    assert ("Raised one severity" in page.get_data(as_text=True)) is task.raised_high_risk
    clock.current = partner.high_risk_until + timedelta(minutes=1)
    after = report(dbs, vault, audit_key, world, kind, clock, **extra)
    assert (after.severity, after.raised_high_risk) == (usual, False)


def test_concurrent_dispatchers_make_one_task_per_slot(app, dbs, vault, audit_key, calls_world, clock):
    partner = dbs.get(PartnerContact, calls_world.partner.id)
    high_risk.start_period(partner, now=clock.now(), rules=high_risk.Rules())
    dbs.commit()
    clock.advance(days=7)
    sessions = sessionmaker(dbs.get_bind(), expire_on_commit=False)
    made = fire(6, lambda _i: high_risk.run_pass(sessions, vault, audit_key, clock.now, high_risk.Rules()))
    assert sum(made) == 1
    assert len(checkin_tasks(dbs, partner.id)) == 1
    assert dbs.scalar(select(func.count()).select_from(CheckIn).where(CheckIn.partner_id == partner.id)) == 1
