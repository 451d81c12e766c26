"""Staff sign-in in a real browser (password, authenticator set-up, code), then axe-core on the sign-in and
admin pages: no WCAG 2.2 AA violations, no sideways scrolling at 320 CSS pixels, and no script on any page
(so every console flow works without JavaScript; axe itself needs it on to run)."""

from __future__ import annotations

import pyotp
import pytest

from tests.browser.staff_pages import check_console_page
from tests.factories import STAFF_PASSWORD, served_world
from tests.locales import console_sweep_locales

pytestmark = pytest.mark.browser

ADMIN_PAGES = ("/staff/", "/staff/admin/users", "/staff/admin/programmes", "/staff/admin/settings",
               "/staff/admin/sharing", "/staff/admin/helplines", "/staff/admin/tokens", "/staff/admin/audit",
               "/staff/admin/escalations", "/staff/account/password")


@pytest.mark.parametrize("locale", console_sweep_locales())
def test_admin_signs_in_and_every_page_passes_axe(live_server, new_page, locale):
    world = served_world(live_server)
    problems: list[tuple[str, object]] = []
    page = new_page(javascript=True, viewport={"width": 1024, "height": 768}, locale=locale)
    page.goto(live_server.url + "/staff/sign-in")
    check_console_page(page, "sign-in", problems)
    page.fill("#email", world.admin.email)
    page.fill("#password", "a wrong password")
    page.click("button[type=submit]")
    assert page.locator("#sign-in-error").is_visible()
    assert page.get_attribute("html", "lang") == locale
    check_console_page(page, "sign-in (refused)", problems)
    page.fill("#password", STAFF_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/staff/sign-in/authenticator")
    check_console_page(page, "authenticator set-up", problems)
    secret = page.inner_text("#totp-secret").replace(" ", "")
    assert secret == world.totp["admin"]
    page.fill("#code", pyotp.TOTP(secret).now())
    page.click("form button[type=submit]")
    page.wait_for_url("**/staff/")
    assert page.locator("form.signout button").is_visible()
    for path in ADMIN_PAGES:
        page.goto(live_server.url + path)
        check_console_page(page, path, problems)
    page.set_viewport_size({"width": 320, "height": 640})
    for path in ADMIN_PAGES:
        page.goto(live_server.url + path)
        check_console_page(page, f"{path} at 320px", problems)
    page.click("form.signout button")
    page.wait_for_url("**/staff/sign-in")
    page.goto(live_server.url + "/staff/admin/users")
    assert page.url.endswith("/staff/sign-in")
    assert problems == [], problems
