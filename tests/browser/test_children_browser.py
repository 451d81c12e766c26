"""Her worker, in a real browser at 360 px, after a facilitator's report of a risk to children: records her child
(the school stays hidden until Show), records a child-protection referral (without her agreement the form asks
for the legal basis and a reason, and keeps what was typed), her sharing record, her safe address, and the
erasure page listing what the law keeps. Every page passes axe-core (WCAG 2.2 AA), has no script and does not
scroll sideways; screenshots go to /tmp/children-*.png."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from portal.models import ChildProtectionReferral, Severity, SharingConsentEvent, TaskKind
from portal.services.casework.tasks import create_task
from tests.browser.conftest import PHONE
from tests.browser.staff_pages import check_console_page, sign_in
from tests.factories import served_world

pytestmark = pytest.mark.browser


def shot(page, name: str, *, full: bool = False) -> None:  # type: ignore[no-untyped-def]
    page.screenshot(path=f"/tmp/children-{name}.png", full_page=full)


def test_a_worker_records_a_child_and_a_child_protection_referral_with_its_basis(live_server, new_page):
    world = served_world(live_server)
    with live_server.db() as db:
        task = create_task(db, db.merge(world.partner), kind=TaskKind.EVENT_RISK, severity=Severity.URGENT,
                           now=live_server.now(), child_risk=True)
        db.commit()
        task_id = task.id
    base = live_server.url
    case = f"{base}/staff/cases/{world.partner.id}"
    problems: list[tuple[str, object]] = []
    page = new_page(javascript=True, viewport=PHONE)  # JavaScript only for axe-core: the console ships no script
    sign_in(page, base, world.worker.email, world.totp["worker"])

    # The task about a risk to children links to her children and to recording a referral.
    page.goto(f"{base}/staff/tasks/{task_id}")
    check_console_page(page, "task", problems)
    links = page.locator("#child-protection-links a")
    assert links.count() == 2
    with page.expect_navigation():
        links.nth(0).click()
    assert page.url.endswith("#children")
    with page.expect_navigation():
        page.click("text=Record a child")
    check_console_page(page, "record a child", problems)
    shot(page, "child-new")
    page.fill("#first_name", "Mia")
    page.fill("#age", "²")  # a superscript is not a number: refused, and said so
    page.fill("#school", "Rosehill Primary")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert "Enter the age as a whole number" in page.inner_text("#age-error")
    assert page.input_value("#school") == "Rosehill Primary" and page.input_value("#first_name") == "Mia"
    check_console_page(page, "record a child (refused)", problems)
    shot(page, "child-refused")
    page.fill("#age", "7")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert "Rosehill" not in page.inner_text("main") and "hidden — press Show" in page.inner_text("#children ~ ul.records")
    check_console_page(page, "case with her child", problems)
    page.locator("#children").scroll_into_view_if_needed()
    shot(page, "case-children")
    with page.expect_navigation():
        page.locator("#children ~ ul.records form.show-form button").first.click()
    assert "Rosehill Primary" in page.inner_text("main")
    check_console_page(page, "case after Show", problems)
    shot(page, "case-shown")
    page.goto(case)
    assert "Rosehill" not in page.inner_text("main")  # hidden again
    shot(page, "case-top")

    # A referral from the task: the form shows where sharing stands and asks for the basis.
    page.goto(f"{base}/staff/tasks/{task_id}")
    with page.expect_navigation():
        page.locator("#child-protection-links a").nth(1).click()
    check_console_page(page, "referral form", problems)
    assert "No sharing recorded" in page.inner_text("#her-agreement ~ *")
    assert page.is_checked("input[name=children]")
    shot(page, "referral-new")
    page.fill("#agency_name", "North children's social care")
    page.fill("#outcome_notes", "Phoned the duty desk.")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert "She has not agreed to share this with this agency" in page.inner_text("#basis-error")
    assert page.input_value("#agency_name") == "North children's social care"
    assert page.input_value("#outcome_notes") == "Phoned the duty desk."
    check_console_page(page, "referral form (asks for the basis)", problems)
    page.locator("#basis-fields").scroll_into_view_if_needed()
    shot(page, "referral-basis")
    page.check("input[name=basis][value=child_protection]")
    page.fill("#reason", "He threatened to take the children; our duty to refer.")
    page.check("input[name=required_by_law]")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert re.search(r"/staff/cases/[0-9a-f-]{36}#referrals$", page.url)
    assert "Without her agreement: to protect a child from significant harm" in page.inner_text("#referrals ~ ul.records")
    with live_server.db() as db:
        referral = db.scalar(select(ChildProtectionReferral))
        assert (referral.basis, referral.required_by_law, referral.source_task_id) == ("child_protection", True,
                                                                                      task_id)
        assert db.scalar(select(SharingConsentEvent.action)) == "without_consent"
        referral_id = referral.id

    # Her sharing record: she agrees to sharing with her GP.
    page.goto(f"{case}/sharing")
    check_console_page(page, "sharing record", problems)
    shot(page, "sharing")
    page.select_option("#a_agency", "health")
    page.check("input[name=a_information][value=children]")
    with page.expect_navigation():
        page.click("#agree ~ form button[type=submit]")
    assert "Her agreement is recorded." in page.inner_text("main")
    check_console_page(page, "sharing record (agreed)", problems)
    shot(page, "sharing-agreed", full=True)
    page.goto(case)
    shot(page, "case-full", full=True)
    # The referral's outcome page, her safe address page and the erasure page.
    for path, label in ((f"{case}/referrals/{referral_id}", "referral outcome"), (f"{case}/private", "safe address"),
                        (f"{case}/erase", "erase")):
        page.goto(path)
        check_console_page(page, label, problems)
        shot(page, label.replace(" ", "-"))
    assert "North children's social care" in page.inner_text("#kept ~ ul")
    assert problems == [], problems
