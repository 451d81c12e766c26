"""A risk-conference referral (Marac) in a real browser: her worker, JavaScript off, records an assessment, refers
her case from the result without her agreement (refused first for want of a reason, nothing typed lost); an
admin finds it waiting on the console's home page, approves it; her sharing page then shows the sharing without
her agreement. axe-core (JavaScript on, for axe only) finds no WCAG 2.2 AA violation on any new page; no script;
nothing scrolls sideways at 360 px. Screenshots go to /tmp/marac-*.png."""

from __future__ import annotations

import re

import pytest

from portal.models import Role
from tests.browser.conftest import PHONE
from tests.browser.staff_pages import check_console_page, sign_in
from tests.factories import make_staff, served_world

pytestmark = pytest.mark.browser

CONFERENCE = "North City Marac"
REASON = "He threatened to kill her on Monday and has bought a knife."


def shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    page.screenshot(path=f"/tmp/marac-{name}.png", full_page=True)


def test_assessment_referral_without_consent_approval_and_the_sharing_record(live_server, new_page):
    world = served_world(live_server)
    with live_server.db() as db:
        colleague, colleague_totp = make_staff(db, live_server.vault, live_server.audit_key, Role.SUPPORT_WORKER,
                                               world.service.id)
        db.commit()
        colleague_email = colleague.email
    base = live_server.url
    case = f"{base}/staff/cases/{world.partner.id}"

    # Her worker, JavaScript off: the assessment, then the referral from its result.
    page = new_page(javascript=False, viewport=PHONE)
    sign_in(page, base, world.worker.email, world.totp["worker"])
    page.goto(case)
    assert "A referral is built from a risk assessment" in page.inner_text("#conference ~ p, section.conference")
    with page.expect_navigation():
        page.click("#assess-risk")
    items = page.locator("fieldset.risk-item")
    for index in range(24):
        items.nth(index).locator("input[value=yes]" if index < 15 else "input[value=no]").check()
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert re.search(r"/risk/[0-9a-f-]{36}$", page.url) and "High risk" in page.inner_text("h1")
    with page.expect_navigation():
        page.click("#refer-conference")
    form_url = page.url
    assert "/conference/new/" in form_url and "15 of 24" in page.inner_text("#built-from ~ dl, section.guidance")
    shot(page, "form")
    page.fill("#conference_name", CONFERENCE)
    page.check("input[name=knows][value=yes]")
    page.check("input[name=consents][value=no]")
    page.check("input[name=basis][value=risk_to_life]")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert page.locator("#error-summary").is_visible()
    assert "Write why you refer without her agreement" in page.inner_text("#error-summary")
    assert page.input_value("#conference_name") == CONFERENCE and page.is_checked("input[value=risk_to_life]")
    assert page.locator("#reason[aria-invalid=true]").count() == 1
    shot(page, "form-refused")
    page.fill("#reason", REASON)
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    referral_url = page.url
    assert "Waiting for a second approver" in page.inner_text("h1")
    assert page.locator("#approve").count() == 0  # not hers to approve
    shot(page, "waiting")

    # An admin, JavaScript on: the home page says a referral waits; the queue; the referral; the approval.
    admin = new_page(javascript=True, viewport=PHONE)
    problems: list[tuple[str, object]] = []
    sign_in(admin, base, world.admin.email, world.totp["admin"])
    assert admin.locator("#approvals-link").is_visible()
    check_console_page(admin, "admin home, a referral waits", problems)
    with admin.expect_navigation():
        admin.click("#approvals-link")
    check_console_page(admin, "approvals queue", problems)
    shot(admin, "queue")
    with admin.expect_navigation():
        admin.click("main ul.records a")
    assert admin.url == referral_url and REASON in admin.inner_text("main")
    check_console_page(admin, "referral page, to approve", problems)
    shot(admin, "to-approve")
    admin.goto(referral_url + "/summary")
    check_console_page(admin, "printable summary", problems)
    assert admin.locator("nav").count() == 0 and CONFERENCE in admin.inner_text("main")
    admin.goto(referral_url)
    with admin.expect_navigation():
        admin.click("#approve")
    assert "Referred" in admin.inner_text("h1") and "Approved." in admin.inner_text(".flashes")
    check_console_page(admin, "referral page, approved", problems)
    shot(admin, "approved")
    admin.goto(referral_url + "/summary")
    shot(admin, "summary")
    admin.emulate_media(media="print")
    shot(admin, "summary-print")

    # Her worker's sharing page shows the sharing without her agreement (JavaScript still off).
    page.goto(f"{case}/sharing")
    sharing = page.inner_text("main")
    assert CONFERENCE in sharing and "Shared without her agreement on" in sharing
    shot(page, "sharing")
    page.goto(case + "#conference")
    assert "Referred" in page.inner_text("section.conference")

    # The worker's new pages with axe-core (a colleague of her service, JavaScript on).
    other = new_page(javascript=True, viewport=PHONE)
    sign_in(other, base, colleague_email, colleague_totp)
    for label, url in (("referral form", form_url), ("referral page, worker", referral_url),
                       ("case page, conference section", case), ("sharing page", f"{case}/sharing"),
                       ("erase page", f"{case}/erase")):
        other.goto(url)
        check_console_page(other, label, problems)
    other.goto(form_url)
    with other.expect_navigation():
        other.click("main form button[type=submit]")  # nothing chosen: the error summary, with axe
    check_console_page(other, "referral form, refused", problems)
    shot(other, "form-refused-js")
    other.goto(case + "#conference")
    other.locator("#conference").scroll_into_view_if_needed()
    other.screenshot(path="/tmp/marac-case-section.png")
    assert problems == [], problems
