"""Her worker's high-risk period form and the admin's duress-task words in a real browser. With JavaScript off, a
worker starts her period from her case page (refused first without a reason: the summary, a 400, the months typed
kept), sees it on her case page, and ends it with the confirm tick. With JavaScript on (for axe-core only), the
form page, the refused form and the case page with her period pass WCAG 2.2 AA at desktop and 360 px; so does
the settings page with its duress-task words, saved and refused (301 characters)."""

from __future__ import annotations

import pytest

from tests.browser.conftest import PHONE
from tests.browser.staff_pages import check_console_page, sign_in
from tests.factories import served_world

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 800}
VIEWPORTS = pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "360px"])
WAIT_MS = 10_000


def period_section(page):  # type: ignore[no-untyped-def]
    return page.locator("section[aria-labelledby=high-risk]")


def refuse_without_reason(page, months: str):  # type: ignore[no-untyped-def]
    """Send the start form with months but no reason: the refused page, answered 400."""
    page.fill("#start-months", months)
    with page.expect_navigation(timeout=WAIT_MS) as sent:
        page.click("#start-reason ~ .actions button[type=submit]")
    return sent.value


def test_a_worker_starts_and_ends_her_high_risk_period_without_javascript(live_server, new_page):
    world = served_world(live_server)
    base = live_server.url
    page = new_page(javascript=False, viewport=DESKTOP)
    sign_in(page, base, world.worker.email, world.totp["worker"])
    case = f"{base}/staff/cases/{world.partner.id}"

    page.goto(case)
    assert "None. It starts when she tells us" in period_section(page).inner_text()
    response = refuse_without_reason(page, "3")
    assert response is not None and response.status == 400
    assert page.url.endswith(f"/staff/cases/{world.partner.id}/high-risk")
    summary = page.locator("#period-errors")
    summary.wait_for(timeout=WAIT_MS)
    assert "Choose a reason from the list." in summary.inner_text()
    assert page.input_value("#start-months") == "3"  # nothing typed is lost

    page.select_option("#start-reason", "risk_assessment")
    with page.expect_navigation(timeout=WAIT_MS):
        page.click("#start-reason ~ .actions button[type=submit]")
    assert page.url.endswith(f"/staff/cases/{world.partner.id}#high-risk")
    assert "Her high-risk period has started." in page.inner_text(".flashes")
    shown = period_section(page).inner_text()
    assert "From " in shown and " until " in shown
    assert "Programme events about her case are raised one severity during it." in shown
    assert page.locator("#start-reason").count() == 0 and page.locator("#end-reason").is_visible()

    page.select_option("#end-reason", "she_asked")
    with page.expect_navigation(timeout=WAIT_MS) as sent:  # no tick: refused, the reason kept
        page.click("#end-reason ~ .actions button[type=submit]")
    assert sent.value is not None and sent.value.status == 400
    assert "Tick the box to confirm that the period ends now." in page.inner_text("#period-errors")
    assert page.input_value("#end-reason") == "she_asked"
    page.check("#end-confirm")
    with page.expect_navigation(timeout=WAIT_MS):
        page.click("#end-reason ~ .actions button[type=submit]")
    assert "Her high-risk period has ended." in page.inner_text(".flashes")
    assert "Her last high-risk period ended on" in period_section(page).inner_text()
    assert page.locator("#start-reason").is_visible()  # she can be given a new one


@VIEWPORTS
def test_the_high_risk_period_pages_pass_axe(live_server, new_page, viewport):
    world = served_world(live_server)
    base = live_server.url
    problems: list[tuple[str, object]] = []
    page = new_page(javascript=True, viewport=viewport)
    sign_in(page, base, world.worker.email, world.totp["worker"])
    form_page = f"{base}/staff/cases/{world.partner.id}/high-risk"

    page.goto(form_page)
    check_console_page(page, "period form", problems)
    if viewport is DESKTOP:
        page.screenshot(path="/tmp/hrpb-form.png", full_page=True)
    refuse_without_reason(page, "30")  # out of range and no reason: refused
    page.locator("#period-errors").wait_for(timeout=WAIT_MS)
    check_console_page(page, "period form, refused", problems)
    if viewport is DESKTOP:
        page.screenshot(path="/tmp/hrpb-refused.png", full_page=True)

    page.fill("#start-months", "")
    page.select_option("#start-reason", "facilitator_report")
    with page.expect_navigation(timeout=WAIT_MS):
        page.click("#start-reason ~ .actions button[type=submit]")
    period_section(page).locator("#end-reason").wait_for(timeout=WAIT_MS)
    check_console_page(page, "case page with her period", problems)
    page.goto(form_page)
    check_console_page(page, "period page, extend and end", problems)
    assert problems == [], problems


@VIEWPORTS
def test_an_admin_sets_the_duress_task_words_and_the_page_passes_axe(live_server, new_page, viewport):
    world = served_world(live_server)
    base = live_server.url
    problems: list[tuple[str, object]] = []
    page = new_page(javascript=True, viewport=viewport)
    sign_in(page, base, world.admin.email, world.totp["admin"])
    settings = f"{base}/staff/admin/settings"
    words = "Call her on the agreed number; do not text about the plan."

    page.goto(settings)
    check_console_page(page, "settings", problems)
    page.fill("#exit_url", "https://weather.example")  # the served app's own exit site is http://127.0.0.1
    page.fill("#duress_guidance_en", words)
    with page.expect_navigation(timeout=WAIT_MS):
        page.click("main form .actions button[type=submit]")
    assert "Settings saved." in page.inner_text(".flashes")
    assert page.input_value("#duress_guidance_en") == words
    check_console_page(page, "settings, saved", problems)

    too_long = "a" * 301
    page.evaluate("() => document.getElementById('duress_guidance_de').removeAttribute('maxlength')")
    page.fill("#duress_guidance_de", too_long)
    with page.expect_navigation(timeout=WAIT_MS) as sent:
        page.click("main form .actions button[type=submit]")
    assert sent.value is not None and sent.value.status == 400
    assert page.locator("#duress_guidance_de-error").is_visible()
    assert page.get_attribute("#duress_guidance_de", "aria-invalid") == "true"
    assert page.input_value("#duress_guidance_de") == too_long and page.input_value("#duress_guidance_en") == words
    check_console_page(page, "settings, refused", problems)
    assert problems == [], problems
