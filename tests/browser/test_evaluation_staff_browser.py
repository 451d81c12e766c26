"""The staff side of her evaluation questions in a real browser: her worker asks a stage by phone (the form
with every question, each optional; sent with some left unanswered; her case page then shows the stage
answered and none of her answers), and his facilitator sets his programme dates (a bad pair refused, then
saved). No script on any page; axe-core finds no WCAG 2.2 AA violation; nothing scrolls sideways at 360 px.
Screenshots go to /tmp/console-*.png."""

from __future__ import annotations

import pytest

from portal.services.audit import Actor
from tests.browser.conftest import PHONE
from tests.browser.staff_pages import check_console_page, sign_in
from tests.evaluation_support import her_yes, offer_stage
from tests.factories import context, served_world

pytestmark = pytest.mark.browser


def test_her_worker_asks_a_stage_by_phone(live_server, new_page):
    world = served_world(live_server)
    with live_server.db() as db:
        her = db.merge(world.partner)
        her_yes(context(db, live_server.vault, live_server.audit_key, live_server.now(), Actor("system")), her)
        offer, task = offer_stage(db, her, world.programme.id, live_server.now(), stage="middle")
        db.commit()
        offer_id, task_id = offer.id, task.id
    base = live_server.url
    problems: list[tuple[str, object]] = []
    page = new_page(javascript=True, viewport=PHONE)
    sign_in(page, base, world.worker.email, world.totp["worker"])
    page.goto(f"{base}/staff/tasks/{task_id}")
    with page.expect_navigation():
        page.click("#ask-by-phone a")
    assert page.url.endswith(f"/evaluation/{offer_id}/phone")
    assert "exactly as it is written" in page.inner_text("#phone-note")
    questions = page.locator("fieldset.risk-item")
    assert questions.count() == 14
    check_console_page(page, "ask by phone", problems)
    page.screenshot(path="/tmp/console-ask-by-phone.png", full_page=True)
    page.screenshot(path="/tmp/console-ask-by-phone-top.png")
    page.get_by_role("button", name="Record her answers").scroll_into_view_if_needed()
    page.screenshot(path="/tmp/console-ask-by-phone-end.png")
    questions.nth(0).locator("input[value=rarely]").check()
    questions.nth(6).locator("input[value=often]").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Record her answers").click()
    assert "2 of 14 questions answered" in page.inner_text("main")
    section = page.inner_text("section[aria-labelledby=evaluation]")
    assert "Answered" in section and "Ask by phone" not in section
    assert "Often" not in section and "Rarely" not in section
    check_console_page(page, "case page, stage answered", problems)
    assert problems == []


def test_his_facilitator_sets_his_programme_dates(live_server, new_page):
    world = served_world(live_server)
    base = live_server.url
    problems: list[tuple[str, object]] = []
    page = new_page(javascript=True, viewport=PHONE)  # for axe only: the console has no script
    sign_in(page, base, world.facilitator.email, world.totp["facilitator"])
    page.goto(f"{base}/staff/my-programmes/{world.programme.id}/participants/{world.participant.id}#dates")
    page.fill("#started_on", "2026-05-01")
    page.fill("#expected_end_on", "2026-04-01")
    with page.expect_navigation():
        page.click("text=Save his dates")
    assert "The expected end cannot be before the start." in page.inner_text("main")
    assert page.get_attribute("#expected_end_on", "aria-invalid") == "true"
    page.locator("#dates").scroll_into_view_if_needed()
    page.screenshot(path="/tmp/console-facilitator-dates-refused.png", full_page=False)
    check_console_page(page, "dates refused", problems)
    page.fill("#expected_end_on", "2026-11-02")
    with page.expect_navigation():
        page.click("text=Save his dates")
    assert "His programme dates are saved." in page.inner_text("main")
    assert page.input_value("#started_on") == "2026-05-01"
    page.locator("#dates").scroll_into_view_if_needed()
    page.screenshot(path="/tmp/console-facilitator-dates.png", full_page=False)
    check_console_page(page, "dates saved", problems)
    assert problems == []
