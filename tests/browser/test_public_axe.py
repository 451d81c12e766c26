"""axe-core in Chromium finds no violations on any of her pages (en, and ar right-to-left), and no page
scrolls sideways at 320 CSS pixels (what a 640 px phone shows at 200% zoom)."""

from __future__ import annotations

import pytest

from portal.models import PartnerStatus
from tests.browser.conftest import axe_violations
from tests.browser.her_world import arrange_world, open_her_link
from tests.locales import sweep_locales

pytestmark = pytest.mark.browser

SIGNED_OUT = ("/", "/v/not-a-valid-link-at-all", "/no-such-page")
SIGNED_IN = ("/home", "/contact", "/choices", "/pin", "/about", "/faq", "/privacy", "/help", "/online",
             "/unsubscribe", "/message", "/copy", "/no-such-page")


def _visit(page, url):  # type: ignore[no-untyped-def]
    page.goto(url)
    page.wait_for_load_state()


def _check(page, label, problems, narrow):  # type: ignore[no-untyped-def]
    found = axe_violations(page)
    if found:
        problems.append((label, found))
    if narrow:
        width = page.evaluate("() => document.documentElement.scrollWidth")
        if width > 320:
            problems.append((label, f"scrolls sideways at 320px: {width}px wide"))


@pytest.mark.parametrize("locale", sweep_locales())
def test_no_accessibility_violations_and_no_sideways_scrolling_on_any_page(live_server, new_page, locale):
    world = arrange_world(live_server, status=PartnerStatus.ACTIVE)
    problems: list[tuple[str, object]] = []
    for viewport, narrow in (({"width": 360, "height": 740}, False), ({"width": 320, "height": 640}, True)):
        page = new_page(viewport=viewport)
        for path in SIGNED_OUT:
            _visit(page, f"{live_server.url}{path}?lang={locale}")
            _check(page, path, problems, narrow)
        open_her_link(page, live_server.url + live_server.invite_path(world.partner.id) + f"?lang={locale}")
        for path in SIGNED_IN:
            _visit(page, live_server.url + path)
            _check(page, path, problems, narrow)
        # Every heading opened (what sits one tap further), what she told her worker, and her choices with
        # mistakes shown.
        for path in ("/about", "/faq", "/privacy", "/help", "/message", "/contact"):
            _visit(page, live_server.url + path)
            for summary in page.locator("main details summary").all():
                summary.click()
            page.evaluate("() => window.scrollTo(0, 0)")  # nothing left under the sticky exit bar
            _check(page, f"{path} (opened)", problems, narrow)
        _visit(page, live_server.url + "/message")
        page.locator("#note-1 summary").click()
        page.locator("#note-1 button[type=submit]").click()
        page.wait_for_url("**/message/sent")
        _check(page, "/message/sent", problems, narrow)
        _visit(page, live_server.url + "/choices")
        page.fill("#w0-start", "23:00")
        page.fill("#w0-end", "01:00")
        page.locator("form[action='/choices'] button[type=submit]").click()
        page.wait_for_load_state()
        _check(page, "/choices (with errors)", problems, narrow)
    assert problems == []


def test_the_pin_page_has_no_accessibility_violations(live_server, new_page):
    world = arrange_world(live_server, status=PartnerStatus.ACTIVE, pin="4831")
    page = new_page()
    open_her_link(page, live_server.url + live_server.invite_path(world.partner.id))
    page.wait_for_url("**/check")
    assert axe_violations(page) == []
    page.fill("#pin", "0000")
    page.click("button[type=submit]")
    page.wait_for_load_state()
    assert "Tries left" in page.locator("#pin-error").inner_text()
    assert axe_violations(page) == []
