"""A support worker records her in a real browser: safe times for several days with the time controls, her
language and zone; then her preferences, the contact log and the time-zone page. axe-core finds no WCAG 2.2 AA
violation on any of these pages (errors shown too), nothing scrolls sideways at 320 CSS pixels, no script."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from portal.models import PartnerContact, SafeWindow
from tests.browser.staff_pages import check_console_page, sign_in
from tests.factories import served_world

pytestmark = pytest.mark.browser


def test_a_worker_records_her_with_safe_times_and_every_form_passes_axe(live_server, new_page):
    world = served_world(live_server)
    problems: list[tuple[str, object]] = []
    page = new_page(javascript=True, viewport={"width": 1024, "height": 768})
    base = live_server.url
    sign_in(page, base, world.worker.email, world.totp["worker"], qr=True)
    page.goto(base + "/staff/cases/new")
    check_console_page(page, "new case", problems)
    page.fill("#name", "Jo Browser")
    page.fill("#phone", "07400 555 123")
    page.select_option("#locale", "de")
    page.select_option("#timezone", "Europe/Berlin")
    for day in ("0", "1", "2", "3", "4"):
        page.check(f"input[name=w0-day][value='{day}']")
    page.fill("#w0-start", "10:00")
    page.fill("#w0-end", "12:00")
    page.check("input[name=w1-day][value='6']")
    page.fill("#w1-start", "13:00")
    page.fill("#w1-end", "12:00")  # ends before it starts: refused, and said so
    page.check("input[name=consent_given]")
    page.click("main form button[type=submit]")
    assert "The start must be before the end" in page.inner_text("#window-1")
    check_console_page(page, "new case (refused)", problems)
    assert page.input_value("#w0-start") == "10:00" and page.is_checked("input[name=w0-day][value='4']")
    page.fill("#w1-end", "15:30")
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r".*/staff/cases/[0-9a-f-]{36}$"))
    case_url = page.url
    with live_server.db() as db:
        partner = db.scalar(select(PartnerContact).where(
            PartnerContact.phone_bidx == live_server.vault.index.phone("+447400555123")))
        windows = {(w.weekday, w.start_minute, w.end_minute)
                   for w in db.scalars(select(SafeWindow).where(SafeWindow.partner_id == partner.id))}
        assert (partner.locale, partner.timezone) == ("de", "Europe/Berlin")
    assert windows == {(d, 600, 720) for d in range(5)} | {(6, 780, 930)}
    page.goto(case_url + "/preferences")
    check_console_page(page, "preferences", problems)
    page.check("#window-new input[name=weekday][value='5']")
    page.fill("#start", "19:00")
    page.fill("#end", "18:00")
    page.click("#window-new ~ .actions button")
    assert page.locator("#window-new-error").is_visible()
    check_console_page(page, "preferences (refused safe time)", problems)
    page.goto(case_url + "/contacts/new")
    check_console_page(page, "contact log", problems)
    assert page.get_attribute("#occurred_at", "type") == "datetime-local"
    page.goto(base + "/staff/account/time-zone")
    check_console_page(page, "time zone", problems)
    page.select_option("#timezone", "Europe/Berlin")
    page.click("main form button[type=submit]")
    page.wait_for_url("**/staff/")
    assert "Europe/Berlin" in page.inner_text("main")
    page.set_viewport_size({"width": 320, "height": 640})
    for path in ("/staff/cases/new", case_url.removeprefix(base) + "/preferences",
                 case_url.removeprefix(base) + "/contacts/new", "/staff/account/time-zone"):
        page.goto(base + path)
        check_console_page(page, f"{path} at 320px", problems)
    assert problems == [], problems
