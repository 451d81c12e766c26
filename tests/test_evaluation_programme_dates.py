"""His programme dates set by his facilitator, and a programme's evaluation stage timing set by an admin
(issue 13): her stages count from both; garbage is refused with a message and changes nothing; the audit chain
records codes and names of fields only."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import select

from portal.models import AuditEvent, Participant, StagePlan
from portal.services.evaluation import stages
from tests.factories import login_as, make_participant, make_programme, make_world, reloaded
from tests.staff_console import csrf_from


def his_page(world, participant=None) -> str:
    return f"/staff/my-programmes/{world.programme.id}/participants/{(participant or world.participant).id}"


def set_dates(client, world, started: str, end: str, participant=None):
    page = his_page(world, participant)
    token = csrf_from(client.get(page).data)
    return client.post(page + "/dates", data={"csrf_token": token, "started_on": started, "expected_end_on": end})


@pytest.fixture
def facilitator(client, world):
    login_as(client, world.facilitator)
    return client


def test_his_facilitator_sets_his_programme_dates(facilitator, dbs, world):
    response = set_dates(facilitator, world, "2026-02-16", "2026-08-17")
    assert response.status_code == 303 and response.headers["Location"].endswith(his_page(world) + "#dates")
    him = reloaded(dbs, world.participant)
    assert (him.started_on, him.expected_end_on) == (date(2026, 2, 16), date(2026, 8, 17))
    page = facilitator.get(his_page(world)).get_data(as_text=True)
    assert 'value="2026-02-16"' in page and 'value="2026-08-17"' in page
    assert "His programme dates are saved." in page
    [entry] = dbs.scalars(select(AuditEvent).where(AuditEvent.action == "participant.dates_set"))
    assert entry.object_id == str(world.participant.id)
    assert json.loads(entry.details) == {"fields": "started_on,expected_end_on"}  # names, never the dates
    # Her stages now count from them (the default plan: intake a week after his start, middle halfway).
    due = stages.due_dates(stages.programme_plan(dbs, world.programme.id),
                           stages.ProgrammeDates(him.started_on, him.expected_end_on, None))
    assert due[stages.EvaluationStage.INTAKE] == date(2026, 2, 23)
    assert due[stages.EvaluationStage.MIDDLE] == date(2026, 5, 18)
    # Cleared again (not known after all): saved; the same dates twice: no new entry.
    assert set_dates(facilitator, world, "2026-02-16", "").status_code == 303
    assert reloaded(dbs, world.participant).expected_end_on is None
    assert set_dates(facilitator, world, "2026-02-16", "").status_code == 303
    assert len(list(dbs.scalars(select(AuditEvent).where(AuditEvent.action == "participant.dates_set")))) == 2


@pytest.mark.parametrize(("started", "end", "message"), [
    ("2026-05-01", "2026-04-30", b"The expected end cannot be before the start."),
    ("yesterday", "", b"Enter the date as YYYY-MM-DD"),
    ("2026-02-30", "", b"Enter the date as YYYY-MM-DD"),
    ("", "31/12/2026", b"Enter the date as YYYY-MM-DD"),
    ("1900-01-01", "", b"within ten years before and five years after today"),
    ("2026-01-01", "2099-01-01", b"within ten years before and five years after today"),
    ("2026-01-01" + "x" * 5000, "", b"Enter the date as YYYY-MM-DD"),
])
def test_bad_dates_are_refused_with_a_message_and_change_nothing(facilitator, dbs, world, started, end, message):
    response = set_dates(facilitator, world, started, end)
    assert response.status_code == 400 and message in response.data
    assert b'aria-invalid="true"' in response.data
    him = reloaded(dbs, world.participant)
    assert (him.started_on, him.expected_end_on) == (None, None)
    assert dbs.scalar(select(AuditEvent).where(AuditEvent.action == "participant.dates_set")) is None


def test_any_scripts_digits_are_digits(facilitator, dbs, world):
    assert set_dates(facilitator, world, "٢٠٢٦-٠٢-١٦", "").status_code == 303
    assert reloaded(dbs, world.participant).started_on == date(2026, 2, 16)


def test_only_his_programmes_facilitator_sets_his_dates(app, dbs, vault, audit_key, world):
    other = make_world(dbs, vault, audit_key, partner_phone="+447400555666")
    elsewhere = make_participant(dbs, make_programme(dbs, world.service, "Another", members=()))
    dbs.commit()
    browser = app.test_client()
    login_as(browser, other.facilitator)
    token = csrf_from(browser.get("/staff/my-programmes").data)
    data = {"csrf_token": token, "started_on": "2026-02-16", "expected_end_on": ""}
    assert browser.post(his_page(world) + "/dates", data=data).status_code == 404
    login_as(browser, world.facilitator)  # his facilitator, but a participant of a programme he is not in
    path = f"/staff/my-programmes/{world.programme.id}/participants/{elsewhere.id}/dates"
    assert browser.post(path, data=data).status_code == 404
    login_as(browser, world.worker)
    assert browser.post(his_page(world) + "/dates", data=data).status_code == 404
    assert dbs.scalar(select(Participant.started_on).where(Participant.started_on.is_not(None))) is None


# -- the admin's stage timing ----------------------------------------------------------------------------------

def timing_url(world) -> str:
    return f"/staff/admin/programmes/{world.programme.id}/stage-timing"


def default_form() -> dict[str, str]:
    form: dict[str, str] = {}
    for timing in stages.DEFAULT_PLAN:
        form[f"{timing.stage}-anchor"] = timing.anchor
        form[f"{timing.stage}-offset"] = str(timing.offset_days)
        form[f"{timing.stage}-enabled"] = "yes"
    return form


@pytest.fixture
def admin(client, world):
    login_as(client, world.admin)
    return client


def save_timing(client, world, form):
    token = csrf_from(client.get(timing_url(world)).data)
    return client.post(timing_url(world), data={"csrf_token": token, **form})


def test_the_admin_changes_a_programmes_stage_timing(admin, dbs, world):
    page = admin.get(timing_url(world)).get_data(as_text=True)
    assert "Six months after" in page and 'value="182"' in page and "His end date" in page
    assert timing_url(world) in admin.get("/staff/admin/programmes").get_data(as_text=True)
    form = default_form()
    form.update({"intake-anchor": "start", "intake-offset": "14", "after_12-offset": "−30"})  # a minus sign
    del form["after_6-enabled"]  # switched off
    response = save_timing(admin, world, form)
    assert response.status_code == 303
    plan = {t.stage: t for t in stages.programme_plan(dbs, world.programme.id)}
    assert (plan["intake"].anchor, plan["intake"].offset_days, plan["intake"].enabled) == ("start", 14, True)
    assert plan["after_6"].enabled is False and plan["after_12"].offset_days == -30
    assert plan["middle"] == stages.DEFAULT_PLAN[1]  # untouched
    entries = [json.loads(e.details) for e in dbs.scalars(
        select(AuditEvent).where(AuditEvent.action == "evaluation.stage_timing_set").order_by(AuditEvent.seq))]
    assert [e["stage"] for e in entries] == ["intake", "after_6", "after_12"]  # only what changed
    assert "Stages changed: 3." in admin.get(timing_url(world)).get_data(as_text=True)
    # Another programme keeps the default plan.
    other = make_programme(dbs, world.service, "Other")
    dbs.commit()
    assert stages.programme_plan(dbs, other.id) == stages.DEFAULT_PLAN
    dbs.commit()
    # The same form again changes nothing.
    assert save_timing(admin, world, form).status_code == 303
    assert len(list(dbs.scalars(select(StagePlan)))) == 3


@pytest.mark.parametrize(("field", "value", "message"), [
    ("middle-offset", "ten", b"Enter a whole number."),
    ("middle-offset", "", b"Enter a whole number."),
    ("middle-offset", "1.5", b"Enter a whole number."),
    ("middle-offset", "²", b"Enter a whole number."),
    ("middle-offset", "5000", b"outside the allowed range"),
    ("middle-offset", "-5000", b"outside the allowed range"),
    ("end-anchor", "tomorrow", b"Choose which of his dates the stage counts from."),
    ("end-anchor", "", b"Choose which of his dates the stage counts from."),
])
def test_garbage_timing_is_refused_with_a_message_and_nothing_saved(admin, dbs, world, field, value, message):
    form = default_form()
    form["intake-offset"] = "3"  # a valid change alongside: all or nothing
    form[field] = value
    response = save_timing(admin, world, form)
    assert response.status_code == 400 and message in response.data
    assert b"nothing was saved" in response.data
    assert stages.programme_plan(dbs, world.programme.id) == stages.DEFAULT_PLAN
    assert dbs.scalar(select(AuditEvent).where(AuditEvent.action == "evaluation.stage_timing_set")) is None


def test_only_admins_reach_the_stage_timing(app, world):
    for who in (world.worker, world.facilitator):
        browser = app.test_client()
        login_as(browser, who)
        assert browser.get(timing_url(world)).status_code == 404
    browser = app.test_client()
    login_as(browser, world.admin)
    assert browser.get("/staff/admin/programmes/not-an-id/stage-timing").status_code == 404
