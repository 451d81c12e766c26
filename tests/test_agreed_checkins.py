"""Agreed check-ins (issue 11 item 5): check-in days on her clock, set by her worker or by her (the actor recorded,
the input validated); a missed agreed day gives her worker one task, made by the dispatcher process, never a
text; stopping contact, closing and erasure end them, and so does the end of the high-risk period they came from."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker

from portal.models import (
    ActorKind,
    AgreedCheckin,
    AuditEvent,
    MissedCheckin,
    Notification,
    PartnerContact,
    Severity,
    Task,
    TaskKind,
)
from portal.services.casework import high_risk
from portal.services.her import her_checkins
from tests.factories import reloaded, set_prefs, signed_in
from tests.public_helpers import her_client, post
from tests.served import fire
from tests.staff_console import post_form
from tests.test_high_risk_period import dispatcher_pass

PAGE = "/how-are-you"
MONDAY = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)  # the clock fixture's start; her clock is Europe/London (GMT)
MISSED = TaskKind.AGREED_CHECKIN_MISSED


def case_path(world) -> str:  # type: ignore[no-untyped-def]
    return f"/staff/cases/{world.partner.id}"


def worker_sets(app, world, days: list[str], action: str = "save"):  # type: ignore[no-untyped-def]
    """Her worker ticks days on her case page and saves (or stops them)."""
    worker = signed_in(app, world.worker)
    return post_form(worker, case_path(world) + "/agreed-check-ins", {"day": days, "action": action},
                     page=case_path(world))


def she_sets(app, world, days: list[str], action: str = "save"):  # type: ignore[no-untyped-def]
    her = her_client(app, world.partner)
    return post(her, PAGE + "/days", {"day": days, "action": action}, token_from=PAGE)


def she_checks_in(app, world, step: str = "4"):  # type: ignore[no-untyped-def]
    return post(her_client(app, world.partner), PAGE, {"step": step}, token_from=PAGE)


def agreed(dbs, world) -> AgreedCheckin | None:  # type: ignore[no-untyped-def]
    dbs.expire_all()
    return dbs.scalar(select(AgreedCheckin).where(AgreedCheckin.partner_id == world.partner.id))


def missed_tasks(dbs, world) -> list[Task]:  # type: ignore[no-untyped-def]
    dbs.expire_all()
    return list(dbs.scalars(select(Task).where(Task.partner_id == world.partner.id, Task.kind == MISSED)
                            .order_by(Task.created_at)))


def start_period(dbs, world, clock) -> PartnerContact:  # type: ignore[no-untyped-def]
    partner = dbs.get(PartnerContact, world.partner.id)
    high_risk.start_period(partner, now=clock.now(), rules=high_risk.Rules())
    dbs.commit()
    return partner


# -- setting the days ----------------------------------------------------------------------------------------

def test_her_worker_sets_the_days_with_the_actor_recorded_and_she_sees_them(app, dbs, world, clock):
    response = worker_sets(app, world, ["1", "3"])
    assert response.status_code == 303 and response.headers["Location"].endswith("#check-ins")
    row = agreed(dbs, world)
    assert (row.weekdays, row.changed_by, row.changed_by_id, row.changed_at) == (
        0b1010, ActorKind.STAFF, world.worker.id, clock.now())
    assert row.ends_with_period is False
    entry = dbs.scalar(select(AuditEvent).where(AuditEvent.action == "agreed_checkin.set"))
    assert entry.actor_id == str(world.worker.id) and entry.object_id == str(world.partner.id)
    case = signed_in(app, world.worker).get(case_path(world)).get_data(as_text=True)
    assert "Tuesday, Thursday" in case and "Last changed by" in case
    page = her_client(app, world.partner).get(PAGE).get_data(as_text=True)
    assert "You and your worker agreed that you check in on: Tuesday and Thursday." in page
    assert "Next: <bdi>Tuesday, March 3, 2026</bdi>." in page
    assert "We never send you a text about it." in page


def test_she_can_choose_days_herself_during_her_high_risk_period_only(app, dbs, world, clock):
    page = her_client(app, world.partner).get(PAGE).get_data(as_text=True)
    assert 'action="/how-are-you/days"' not in page  # outside her period, with none agreed: not offered
    assert "your worker can agree them with you" in page
    refused = she_sets(app, world, ["2"])
    assert refused.status_code == 400
    assert "Check-in days are agreed with your worker." in refused.get_data(as_text=True)
    assert agreed(dbs, world) is None
    start_period(dbs, world, clock)
    her = her_client(app, world.partner)
    saved = post(her, PAGE + "/days", {"day": ["2", "4"], "action": "save"}, token_from=PAGE)
    assert saved.status_code == 303 and saved.headers["Location"].endswith("/how-are-you#days")
    row = agreed(dbs, world)
    assert (row.weekdays, row.changed_by, row.changed_by_id, row.ends_with_period) == (
        0b10100, ActorKind.PARTNER, None, True)
    page = her.get(PAGE).get_data(as_text=True)
    assert "Your check-in days are saved." in page
    assert "These days end on <bdi>September 2, 2026</bdi>" in page


def test_she_changes_and_stops_days_her_worker_agreed(app, dbs, world, clock):
    worker_sets(app, world, ["0", "2"])
    clock.advance(minutes=5)
    assert she_sets(app, world, ["4"]).status_code == 303
    row = agreed(dbs, world)
    assert (row.weekdays, row.changed_by, row.changed_by_id) == (0b10000, ActorKind.PARTNER, None)
    clock.advance(minutes=5)
    assert she_sets(app, world, [], action="stop").status_code == 303
    row = agreed(dbs, world)
    assert (row.weekdays, row.changed_by) == (0, ActorKind.PARTNER)
    assert dbs.scalar(select(AuditEvent.actor_type).where(AuditEvent.action == "agreed_checkin.stop")) == "partner"
    page = her_client(app, world.partner).get(PAGE).get_data(as_text=True)
    assert "You have no check-in days." in page
    case = signed_in(app, world.worker).get(case_path(world)).get_data(as_text=True)
    assert "Last changed by her, on her pages" in case and "None at the moment." in case


@pytest.mark.parametrize("days", [["7"], ["x"], ["²"], ["-1"], ["1", "12"], ["٩"]])
def test_garbage_days_get_a_clear_400_from_either_side_and_nothing_changes(app, dbs, world, clock, days):
    worker_sets(app, world, ["1"])
    start_period(dbs, world, clock)
    before = agreed(dbs, world).weekdays
    mine = she_sets(app, world, ["3", *days])
    assert mine.status_code == 400
    html = mine.get_data(as_text=True)
    assert "Please choose days from the list." in html and "Error:" in html.split("</title>")[0]
    assert 'id="day-3" name="day" value="3" checked' in html  # what she ticked is kept
    theirs = worker_sets(app, world, ["3", *days])
    assert theirs.status_code == 400
    html = theirs.get_data(as_text=True)
    assert "Choose days from the list." in html and 'name="day" value="3" checked' in html
    assert agreed(dbs, world).weekdays == before


def test_saving_with_no_day_ticked_is_refused_in_her_language(app, dbs, world, clock):
    partner = start_period(dbs, world, clock)
    partner.locale, partner.locale_chosen = "de", True
    dbs.commit()
    response = she_sets(app, world, [])
    assert response.status_code == 400
    assert "Bitte kreuzen Sie mindestens einen Tag an." in response.get_data(as_text=True)
    assert worker_sets(app, world, []).status_code == 400


def test_any_scripts_digits_name_a_day(app, dbs, world, clock):
    assert worker_sets(app, world, ["٢", "４"]).status_code == 303  # Arabic-Indic 2, full-width 4
    assert agreed(dbs, world).weekdays == 0b10100


def test_get_and_head_change_nothing(app, dbs, world, clock):
    worker_sets(app, world, ["1"])
    before = dbs.scalar(select(func.count()).select_from(AuditEvent))
    her = her_client(app, world.partner)
    for method in ("get", "head"):
        assert getattr(her, method)(PAGE).status_code == 200
        assert getattr(her, method)(PAGE + "/days").status_code == 405
    dbs.expire_all()
    assert agreed(dbs, world).changed_by == ActorKind.STAFF
    assert dbs.scalar(select(func.count()).select_from(AuditEvent)) == before


def test_only_while_contact_is_agreed(app, dbs, world, clock):
    partner = dbs.get(PartnerContact, world.partner.id)
    partner.status = "invited"
    dbs.commit()
    response = worker_sets(app, world, ["1"])
    assert response.status_code == 400 and "need her yes to contact" in response.get_data(as_text=True)
    assert agreed(dbs, world) is None


# -- missed days ---------------------------------------------------------------------------------------------

def test_a_missed_agreed_day_gives_her_worker_one_task_and_never_a_text(app, dbs, world, clock):
    set_prefs(dbs, world.partner.id, channel_sms=True, channel_call=True)
    dbs.commit()
    worker_sets(app, world, ["1"])  # Tuesday
    texts = dbs.scalar(select(func.count()).select_from(Notification))
    clock.current = datetime(2026, 3, 3, 23, 59, tzinfo=UTC)  # Tuesday still, on her clock
    dispatcher_pass(app, clock)
    assert missed_tasks(dbs, world) == []
    clock.current = datetime(2026, 3, 4, 0, 1, tzinfo=UTC)  # Tuesday has ended
    dispatcher_pass(app, clock)
    dispatcher_pass(app, clock)
    [task] = missed_tasks(dbs, world)
    assert (task.severity, task.raised_high_risk, task.call_requested, task.contact_allowed) == (
        Severity.SOON, False, True, True)
    assert task.assignee_id == world.worker.id
    [day] = dbs.scalars(select(MissedCheckin).where(MissedCheckin.partner_id == world.partner.id))
    assert (day.day_start, day.task_id) == (datetime(2026, 3, 3, 0, 0, tzinfo=UTC), task.id)
    assert dbs.scalar(select(func.count()).select_from(Notification)) == texts  # nothing texted to her
    page = signed_in(app, world.worker).get(f"/staff/tasks/{task.id}").get_data(as_text=True)
    assert "She did not check in on a day you agreed." in page


def test_one_task_per_missed_day_and_none_for_a_day_she_checked_in(app, dbs, world, clock):
    worker_sets(app, world, ["1", "2", "3"])  # Tuesday, Wednesday, Thursday
    clock.current = datetime(2026, 3, 4, 18, 0, tzinfo=UTC)  # Wednesday evening: she checks in
    assert she_checks_in(app, world).status_code == 303
    clock.current = datetime(2026, 3, 6, 9, 0, tzinfo=UTC)  # Friday: the dispatcher was down since Tuesday
    dispatcher_pass(app, clock)
    days = list(dbs.scalars(select(MissedCheckin.day_start).where(MissedCheckin.partner_id == world.partner.id)
                            .order_by(MissedCheckin.day_start)))
    assert days == [datetime(2026, 3, 3, tzinfo=UTC), datetime(2026, 3, 5, tzinfo=UTC)]
    assert len(missed_tasks(dbs, world)) == 2


def test_the_day_is_hers_not_ours(app, dbs, world, clock):
    partner = dbs.get(PartnerContact, world.partner.id)
    partner.timezone = "America/New_York"  # UTC-5 in early March
    dbs.commit()
    worker_sets(app, world, ["1"])
    clock.current = datetime(2026, 3, 4, 3, 0, tzinfo=UTC)  # still Tuesday 22:00 on her clock
    dispatcher_pass(app, clock)
    assert missed_tasks(dbs, world) == []
    clock.current = datetime(2026, 3, 4, 4, 30, tzinfo=UTC)  # she checks in at 23:30, her Tuesday
    she_checks_in(app, world)
    clock.current = datetime(2026, 3, 4, 6, 0, tzinfo=UTC)
    dispatcher_pass(app, clock)
    assert missed_tasks(dbs, world) == []
    clock.current = datetime(2026, 3, 11, 6, 0, tzinfo=UTC)  # the next Tuesday passed without one
    dispatcher_pass(app, clock)
    [_task] = missed_tasks(dbs, world)
    assert dbs.scalar(select(MissedCheckin.day_start)) == datetime(2026, 3, 10, 4, 0, tzinfo=UTC)


def test_a_missed_day_in_her_high_risk_period_is_raised_and_the_days_end_with_it(app, dbs, world, clock):
    partner = start_period(dbs, world, clock)
    she_sets(app, world, ["1"])
    clock.current = datetime(2026, 3, 4, 1, 0, tzinfo=UTC)
    dispatcher_pass(app, clock)
    [task] = missed_tasks(dbs, world)
    assert (task.severity, task.raised_high_risk) == (Severity.URGENT, True)
    clock.current = partner.high_risk_until + timedelta(days=8)
    dispatcher_pass(app, clock)
    row = agreed(dbs, world)
    assert (row.weekdays, row.changed_by) == (0, ActorKind.SYSTEM)  # ended with her period
    made = len(missed_tasks(dbs, world))
    clock.advance(days=14)
    dispatcher_pass(app, clock)
    assert len(missed_tasks(dbs, world)) == made
    assert "Ended with her high-risk period" in signed_in(app, world.worker).get(case_path(world)).get_data(
        as_text=True)


@pytest.mark.parametrize("how", ["her_stop", "worker_stop", "close", "erase", "days_stopped"])
def test_no_task_after_contact_stops_the_case_closes_or_the_days_are_stopped(app, dbs, world, clock, how):
    worker_sets(app, world, ["1"])
    clock.current = datetime(2026, 3, 4, 1, 0, tzinfo=UTC)
    dispatcher_pass(app, clock)
    [first] = missed_tasks(dbs, world)
    worker = signed_in(app, world.worker)
    pid = world.partner.id
    if how == "her_stop":
        her = her_client(app, world.partner)
        response = post(her, "/unsubscribe", {"confirm": "yes"}, token_from="/home")
    elif how == "worker_stop":
        response = post_form(worker, f"{case_path(world)}/withdraw", {}, page=case_path(world))
    elif how == "close":
        response = post_form(worker, f"{case_path(world)}/close", {"reason": "no_longer_needed"},
                             page=case_path(world))
    elif how == "erase":
        response = post_form(worker, f"{case_path(world)}/erase", {"confirm": "ERASE"})
    else:
        response = worker_sets(app, world, [], action="stop")
    assert response.status_code in (200, 303), response.status_code
    if how != "days_stopped":
        assert reloaded(dbs, first).done_at is not None  # her worker is not asked to chase her any more
        assert agreed(dbs, world) is None
    clock.advance(days=14)
    dispatcher_pass(app, clock)
    assert len(missed_tasks(dbs, world)) == 1
    if how == "erase":
        assert dbs.scalar(select(func.count()).select_from(MissedCheckin).where(MissedCheckin.partner_id == pid)) == 0


def test_concurrent_dispatchers_make_one_task_per_missed_day(app, dbs, vault, audit_key, world, clock):
    worker_sets(app, world, ["1"])
    clock.current = datetime(2026, 3, 4, 1, 0, tzinfo=UTC)
    sessions = sessionmaker(dbs.get_bind(), expire_on_commit=False)
    made = fire(6, lambda _i: her_checkins.run_pass(sessions, vault, audit_key, clock.now))
    assert sum(made) == 1
    assert len(missed_tasks(dbs, world)) == 1
    assert dbs.scalar(select(func.count()).select_from(MissedCheckin)) == 1


def test_days_count_from_the_day_after_they_are_agreed(app, dbs, world, clock):
    clock.current = datetime(2026, 3, 3, 22, 0, tzinfo=UTC)  # Tuesday night
    worker_sets(app, world, ["1"])  # Tuesdays, agreed on a Tuesday: this one does not count
    clock.current = datetime(2026, 3, 4, 1, 0, tzinfo=UTC)
    dispatcher_pass(app, clock)
    assert missed_tasks(dbs, world) == []
    page = her_client(app, world.partner).get(PAGE).get_data(as_text=True)
    assert "Next: <bdi>Tuesday, March 10, 2026</bdi>." in page
