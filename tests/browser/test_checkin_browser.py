"""Her check-in in Chromium (issue 11 item 4): with JavaScript off she checks in with a worrying answer, and her
worker sees an urgent task and the trend on her case page; axe-core finds nothing on the new pages (JavaScript
on). Screenshots at 360×740 go to /tmp/checkin-*.png for a person to look at."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from portal.models import HerCheckin, PartnerContact, Severity, Task, TaskKind
from portal.services.casework import high_risk
from tests.browser.conftest import axe_violations
from tests.browser.her_world import arrange_world, open_her_link
from tests.browser.staff_pages import check_console_page, sign_in
from tests.factories import set_prefs

pytestmark = pytest.mark.browser
SHOTS = "/tmp/checkin-{}.png"


def _arrange(live: Any, *, period: bool = False):  # type: ignore[no-untyped-def]
    world = arrange_world(live, status="active")
    with live.db() as db:
        set_prefs(db, world.partner.id, channel_call=True)
        if period:
            partner = db.get(PartnerContact, world.partner.id)
            high_risk.start_period(partner, now=live.now(), rules=high_risk.Rules())
        db.commit()
    return world


def _concern_tasks(live, partner_id):  # type: ignore[no-untyped-def]
    with live.db() as db:
        return [(task.kind, task.severity, task.assignee_id) for task in db.scalars(
            select(Task).where(Task.partner_id == partner_id, Task.kind == TaskKind.HER_CHECKIN_CONCERN))]


def test_a_worrying_check_in_reaches_her_worker_with_javascript_off(live_server, new_page):
    world = _arrange(live_server)
    page = new_page(javascript=False)
    open_her_link(page, live_server.url + live_server.invite_path(world.partner.id))
    page.locator("#menu").get_by_role("link", name="How are things? A quick check-in").click()
    page.wait_for_url("**/how-are-you")
    assert page.get_by_role("heading", level=1).inner_text() == "How are things?"
    scale = page.get_by_text("How safe do you feel at the moment?")
    assert not scale.is_visible()  # one tap further, under a neutral heading
    page.screenshot(path=SHOTS.format("page"))
    page.locator("#check-in summary").click()
    assert scale.is_visible()
    page.get_by_label("Not safe at all").check()
    page.get_by_label("What has changed? (only if you want to say)").fill("He knows where I work now")
    page.screenshot(path=SHOTS.format("form"), full_page=True)
    assert _concern_tasks(live_server, world.partner.id) == []
    with page.expect_navigation():
        page.get_by_role("button", name="Send my check-in").click()
    assert page.url.endswith("/how-are-you/thanks")
    text = page.locator("main").inner_text()
    assert "Your worker has been told, and will try to reach you soon, in the ways you chose." in text
    page.screenshot(path=SHOTS.format("thanks"))
    assert _concern_tasks(live_server, world.partner.id) == [
        (TaskKind.HER_CHECKIN_CONCERN, Severity.URGENT, world.worker.id)]

    staff = new_page(javascript=False, viewport={"width": 1100, "height": 900})
    sign_in(staff, live_server.url, world.worker.email, world.totp["worker"], start="/console")
    staff.goto(f"{live_server.url}/staff/cases/{world.partner.id}")
    tasks = staff.locator("ul.tasks").inner_text()
    assert "Her check-in says she feels less safe" in tasks and "Urgent" in tasks
    trend = staff.locator("section[aria-labelledby=check-ins] table")
    row = trend.locator("tbody tr").first.inner_text()
    assert "1/5" in row and "Not safe at all" in row and "He knows where I work now" in row
    assert "Urgent task for you" in row
    staff.locator("#check-ins").scroll_into_view_if_needed()
    staff.screenshot(path=SHOTS.format("case"))


def test_the_check_in_pages_have_no_axe_violations(live_server, new_page):
    world = _arrange(live_server, period=True)
    page = new_page(javascript=True)
    open_her_link(page, live_server.url + live_server.invite_path(world.partner.id))
    page.goto(live_server.url + "/how-are-you")
    assert axe_violations(page) == []
    for summary in ("#check-in summary", "#days summary"):
        page.locator(summary).click()
    assert axe_violations(page) == []

    # Her own days, during her high-risk period (JavaScript on; the form is plain HTML).
    page.get_by_label("Wednesday").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Save these days").click()
    assert "Your check-in days are saved." in page.locator("main").inner_text()
    assert axe_violations(page) == []
    page.screenshot(path=SHOTS.format("days"), full_page=True)

    # A refused answer: the error summary, her note kept.
    page.locator("#check-in summary").click()
    page.get_by_label("What has changed? (only if you want to say)").fill("kept")
    with page.expect_navigation():
        page.get_by_role("button", name="Send my check-in").click()
    assert page.get_by_role("heading", name="Please check these answers").is_visible()
    assert page.get_by_label("What has changed? (only if you want to say)").input_value() == "kept"
    assert axe_violations(page) == []
    page.screenshot(path=SHOTS.format("error"))

    page.get_by_label("Mostly safe").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Send my check-in").click()
    assert "Your worker will see your check-in on your record." in page.locator("main").inner_text()
    assert axe_violations(page) == []
    page.goto(live_server.url + "/how-are-you")
    page.locator("#earlier summary").click()
    assert "Mostly safe" in page.locator("#earlier").inner_text()
    assert axe_violations(page) == []
    page.screenshot(path=SHOTS.format("earlier"), full_page=True)
    with live_server.db() as db:
        assert db.scalar(select(HerCheckin.feeling).where(HerCheckin.partner_id == world.partner.id)) == "mostly"

    problems: list[tuple[str, object]] = []
    staff = new_page(javascript=True)
    sign_in(staff, live_server.url, world.worker.email, world.totp["worker"], start="/console")
    staff.goto(f"{live_server.url}/staff/cases/{world.partner.id}")
    check_console_page(staff, "case page with check-ins", problems)
    staff.locator("#agreed-days").scroll_into_view_if_needed()
    staff.screenshot(path=SHOTS.format("staff-days"))
    staff.get_by_label("Wednesday").uncheck()
    with staff.expect_navigation():
        staff.get_by_role("button", name="Save the agreed days").click()
    assert "Tick at least one day" in staff.locator("main").inner_text()
    check_console_page(staff, "agreed days refused", problems)
    assert problems == []
