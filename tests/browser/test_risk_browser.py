"""Her worker assesses her risk in a real browser: the prompt on her case page after she said she feels less
safe, the checklist form refused and then sent (nothing typed lost), the result, and the trend on her case
page; the facilitator's risk report with its factors. No script on any console page; axe-core (JavaScript on,
for axe only) finds no WCAG 2.2 AA violation; nothing scrolls sideways at 360 px. Screenshots go to /tmp."""

from __future__ import annotations

import re

import pytest

from portal.models import Severity, TaskKind
from portal.services.casework.tasks import create_task
from tests.browser.conftest import PHONE
from tests.browser.staff_pages import check_console_page, sign_in
from tests.factories import served_world

pytestmark = pytest.mark.browser

FEARS = "That he finds out where the children go to school"


def shot(page, name: str, *, full: bool = False) -> None:  # type: ignore[no-untyped-def]
    page.screenshot(path=f"/tmp/risk-{name}.png", full_page=full)


def test_a_worker_assesses_her_risk_and_sees_the_trend(live_server, new_page):
    world = served_world(live_server)
    with live_server.db() as db:
        task = create_task(db, db.merge(world.partner), kind=TaskKind.HER_LESS_SAFE, severity=Severity.URGENT,
                           now=live_server.now())
        db.commit()
        task_id = task.id
    base = live_server.url
    problems: list[tuple[str, object]] = []
    page = new_page(javascript=True, viewport=PHONE)
    sign_in(page, base, world.worker.email, world.totp["worker"])
    case = f"{base}/staff/cases/{world.partner.id}"

    page.goto(case + "#risk")
    assert "She has no risk assessment yet." in page.inner_text("#reassess")
    assert "She said she feels less safe" in page.inner_text("#reassess")
    check_console_page(page, "case page, prompt", problems)
    shot(page, "case-prompt")
    page.goto(f"{base}/staff/tasks/{task_id}")
    assert page.locator("#reassess").is_visible()
    check_console_page(page, "task page, prompt", problems)

    page.goto(case)
    with page.expect_navigation():
        page.click("#assess-risk")
    assert page.locator("fieldset.risk-item").count() == 24
    assert page.locator("#checklist-starter").is_visible()
    check_console_page(page, "risk form", problems)
    shot(page, "form")
    items = page.locator("fieldset.risk-item")
    for index in range(10):  # some answered, the rest left empty: refused, and said so
        items.nth(index).locator("input[value=yes]").check()
    page.fill("#fears", FEARS)
    page.fill("#incident_date_0", "2026-02-01")
    page.fill("#undated_incidents", "two")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert page.locator("#form-problems").is_visible()
    assert page.locator("#form-problems a").first.inner_text() == "Question 11"  # the first left unanswered
    assert page.input_value("#fears") == FEARS and page.input_value("#undated_incidents") == "two"
    assert items.nth(9).locator("input[value=yes]").is_checked()
    assert "Choose yes, no or not known." in items.nth(10).inner_text()
    check_console_page(page, "risk form, refused", problems)
    shot(page, "form-refused")

    for index in range(10, 24):
        items.nth(index).locator("input[value=yes]" if index < 14 else "input[value=no]").check()
    items.nth(23).locator("input[value=not_known]").check()
    page.fill("#undated_incidents", "2")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert re.search(r"/risk/[0-9a-f-]{36}$", page.url)
    assert "High risk" in page.inner_text("h1")
    assert page.locator("#escalation").is_visible()  # one dated and two undated incidents
    assert FEARS in page.inner_text("main")
    check_console_page(page, "risk result", problems)
    shot(page, "result", full=True)

    page.goto(case + "#risk")
    assert page.locator("#reassess").count() == 0
    assert page.locator("figure.risk-trend svg[role=img]").is_visible()
    assert "14 of 24" in page.inner_text("#risk ~ .table-wrap, section.risk")
    check_console_page(page, "case page, trend", problems)
    page.locator("#risk").scroll_into_view_if_needed()
    shot(page, "case-trend")
    page.goto(f"{base}/staff/tasks/{task_id}")
    assert page.locator("#reassess").count() == 0
    assert problems == [], problems


def test_a_facilitator_reports_risk_factors(live_server, new_page):
    world = served_world(live_server)
    base = live_server.url
    problems: list[tuple[str, object]] = []
    page = new_page(javascript=True, viewport=PHONE)
    sign_in(page, base, world.facilitator.email, world.totp["facilitator"])
    page.goto(f"{base}/staff/my-programmes/{world.programme.id}/participants/{world.participant.id}")
    check_console_page(page, "facilitator report form", problems)
    page.check("input[name=kind][value=dropout]")
    page.check("input[name=factors][value=weapons]")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert "Risk factors belong to a risk concern only." in page.inner_text("main")
    assert page.is_checked("input[name=factors][value=weapons]")
    check_console_page(page, "facilitator report form, refused", problems)
    page.check("input[name=kind][value=risk]")
    page.check("input[name=risk_to][value=partner]")
    page.select_option("#imminence", "low")
    page.check("input[name=factors][value=threats_to_kill]")
    page.locator("input[name=factors][value=weapons]").scroll_into_view_if_needed()
    shot(page, "facilitator-factors")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert "Threats to kill" in page.inner_text("table")
    check_console_page(page, "facilitator reported", problems)
    assert problems == [], problems
