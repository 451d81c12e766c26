"""Her worker starts, extends or ends her high-risk period (issue 11 item 5, "or set by her worker"): her case page
shows it, events are raised, the dispatcher makes check-in tasks, agreed days can be set; ending closes the tasks;
bad input gets a 400 with what was typed kept; audited with words; her page promises only what happens."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from portal.models import AgreedCheckin, AuditEvent, Severity
from portal.services.casework import high_risk
from tests.factories import reloaded, set_prefs, signed_in
from tests.staff_console import post_form
from tests.test_agreed_checkins import worker_sets
from tests.test_high_risk_period import checkin_tasks, dispatcher_pass, her_path, report

START = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


@pytest.fixture
def calls_world(dbs, world):  # type: ignore[no-untyped-def]
    """Her worker may call her (the way she chose), in always-open safe times."""
    set_prefs(dbs, world.partner.id, channel_call=True)
    dbs.commit()
    return world


def period_post(app, world, data):  # type: ignore[no-untyped-def]
    worker = signed_in(app, world.worker)
    case = her_path(app, "console.worker_case", partner_id=world.partner.id)
    action = her_path(app, "console.worker_high_risk_period", partner_id=world.partner.id)
    return post_form(worker, action, data, page=case), worker, case


def actions(dbs) -> list[str]:  # type: ignore[no-untyped-def]
    dbs.expire_all()
    return list(dbs.scalars(select(AuditEvent.action).where(AuditEvent.action.like("high_risk.%"))
                            .order_by(AuditEvent.seq)))


def test_her_worker_starts_a_period_and_everything_follows(app, dbs, vault, audit_key, calls_world, clock):
    response, worker, case = period_post(app, calls_world, {"action": "start", "reason": "risk_assessment",
                                                           "months": "٣"})  # Arabic-Indic three
    assert response.status_code == 303
    partner = reloaded(dbs, calls_world.partner)
    assert (partner.high_risk_from, partner.high_risk_until) == (START, datetime(2026, 6, 2, 10, 0, tzinfo=UTC))
    text = re.sub(r"<[^>]+>", "", worker.get(case).get_data(as_text=True))
    assert "From Mar 2, 2026 until Jun 2, 2026." in text and "End the period" in text
    assert actions(dbs) == ["high_risk.start"]
    task = report(dbs, vault, audit_key, calls_world, "attendance_concern", clock)
    assert (task.severity, task.raised_high_risk) == (Severity.URGENT, True)
    clock.advance(days=7)
    dispatcher_pass(app, clock)
    assert len(checkin_tasks(dbs, calls_world.partner.id)) == 1
    assert worker_sets(app, calls_world, ["0", "3"]).status_code == 303
    row = dbs.scalar(select(AgreedCheckin).where(AgreedCheckin.partner_id == calls_world.partner.id))
    assert row is not None and row.ends_with_period and row.weekdays


def test_the_deployments_months_by_default_and_extending(app, dbs, calls_world, clock):
    period_post(app, calls_world, {"action": "start", "reason": "she_told_me_separating", "months": ""})
    assert reloaded(dbs, calls_world.partner).high_risk_until == datetime(2026, 9, 2, 10, 0, tzinfo=UTC)
    response, _w, _c = period_post(app, calls_world, {"action": "extend", "reason": "facilitator_report",
                                                      "months": "2"})
    assert response.status_code == 303
    assert reloaded(dbs, calls_world.partner).high_risk_until == datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
    assert actions(dbs) == ["high_risk.start", "high_risk.extend"]


def test_ending_it_closes_check_in_tasks_and_the_agreed_days(app, dbs, calls_world, clock):
    period_post(app, calls_world, {"action": "start", "reason": "risk_assessment"})
    worker_sets(app, calls_world, ["2"])
    clock.advance(days=7)
    dispatcher_pass(app, clock)
    assert [t.done_at for t in checkin_tasks(dbs, calls_world.partner.id)] == [None]
    refused, _w, _c = period_post(app, calls_world, {"action": "end", "reason": "risk_lowered"})
    assert refused.status_code == 400 and "Tick the box" in refused.get_data(as_text=True)
    assert 'value="risk_lowered" selected' in refused.get_data(as_text=True)
    done, _w, case = period_post(app, calls_world, {"action": "end", "reason": "risk_lowered", "confirm": "yes"})
    assert done.status_code == 303
    assert [t.done_at for t in checkin_tasks(dbs, calls_world.partner.id)] == [clock.now()]
    assert not high_risk.in_period(reloaded(dbs, calls_world.partner), clock.now())
    dbs.expire_all()
    row = dbs.scalar(select(AgreedCheckin).where(AgreedCheckin.partner_id == calls_world.partner.id))
    assert row is not None and row.weekdays == 0 and row.changed_by_id == calls_world.worker.id
    clock.advance(days=7)
    dispatcher_pass(app, clock)
    assert len(checkin_tasks(dbs, calls_world.partner.id)) == 1
    assert "Start the period" in signed_in(app, calls_world.worker).get(case).get_data(as_text=True)
    assert actions(dbs) == ["high_risk.start", "high_risk.end"]


@pytest.mark.parametrize("data", [
    {"action": "start", "reason": "", "months": "3"},
    {"action": "start", "reason": "because", "months": "3"},
    {"action": "start", "reason": "risk_assessment", "months": "0"},
    {"action": "start", "reason": "risk_assessment", "months": "25"},
    {"action": "start", "reason": "risk_assessment", "months": "²"},
    {"action": "start", "reason": "risk_assessment", "months": "x" * 500},
    {"action": "extend", "reason": "risk_assessment", "months": "3"},
    {"action": "end", "reason": "risk_lowered", "confirm": "yes"},
    {"action": "nonsense"},
])
def test_bad_input_is_a_400_that_keeps_what_was_typed(app, dbs, calls_world, clock, data):
    response, _w, _c = period_post(app, calls_world, data)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'class="errors"' in page
    if data.get("months", "").isdigit():
        assert f'value="{data["months"]}"' in page
    assert reloaded(dbs, calls_world.partner).high_risk_from is None
    assert actions(dbs) == []


def test_extending_past_24_months_from_today_is_refused(app, dbs, calls_world, clock):
    period_post(app, calls_world, {"action": "start", "reason": "risk_assessment", "months": "24"})
    response, _w, _c = period_post(app, calls_world, {"action": "extend", "reason": "risk_assessment",
                                                      "months": "1"})
    assert response.status_code == 400 and "at most 24 months" in response.get_data(as_text=True)


def test_get_and_head_change_nothing(app, dbs, calls_world):
    worker = signed_in(app, calls_world.worker)
    path = her_path(app, "console.worker_high_risk_period", partner_id=calls_world.partner.id)
    assert worker.get(path).status_code == 200 and worker.head(path).status_code == 200
    assert reloaded(dbs, calls_world.partner).high_risk_from is None


@pytest.mark.parametrize("locale", ["en", "de", "ar"])
def test_the_audit_page_words_each_change(app, locale):
    from portal.console import audit_labels

    with app.test_request_context(headers={"Accept-Language": locale}):
        for code in ("high_risk.start", "high_risk.extend", "high_risk.end"):
            assert audit_labels.action_words(code) != code.replace(".", " · ").replace("_", " ").capitalize()
        assert audit_labels.detail_words("period_reason", "risk_assessment") != "risk_assessment"


def test_her_page_offers_her_own_days_in_a_period_her_worker_set_and_not_after_it_ends(app, dbs, calls_world,
                                                                                       clock):
    from tests.test_agreed_checkins import she_sets

    assert she_sets(app, calls_world, ["1"]).status_code == 400  # no period: only her worker may agree days
    period_post(app, calls_world, {"action": "start", "reason": "risk_assessment", "months": "2"})
    page = she_sets(app, calls_world, ["1"])
    assert page.status_code == 303
    period_post(app, calls_world, {"action": "end", "reason": "she_asked", "confirm": "yes"})
    assert she_sets(app, calls_world, ["1"]).status_code == 400


@pytest.mark.parametrize("data, control", [
    ({"action": "start", "reason": "", "months": "3"}, 'id="start-reason" name="reason" aria-invalid="true"'),
    ({"action": "start", "reason": "risk_assessment", "months": "30"}, 'value="30" aria-invalid="true"'),
])
def test_a_refused_field_points_at_the_error_list(app, dbs, calls_world, clock, data, control):
    response, _w, _c = period_post(app, calls_world, data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert control in page and 'aria-describedby="period-errors"' in page and 'id="period-errors"' in page
    assert page.count('aria-invalid="true"') == 1  # only the control the refusal is about
