"""In Chromium, with JavaScript on and off: a preview bot fetches her link first, then she opens it, sees one
neutral page with a Continue button, and lands on her home page; with a PIN, the PIN page is hers."""

from __future__ import annotations

import httpx
import pytest

from portal.models import PartnerStatus
from tests.browser.her_world import arrange_world, open_her_link

pytestmark = pytest.mark.browser


def _preview_fetch(url: str) -> None:
    agent = {"User-Agent": "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)"}
    with httpx.Client(timeout=30) as bot:
        assert bot.get(url, headers=agent).status_code == 200
        assert bot.head(url, headers=agent).status_code == 200


def test_open_link_continue_home_after_a_preview_fetch(live_server, new_page, javascript):
    world = arrange_world(live_server, status=PartnerStatus.ACTIVE)
    url = live_server.url + live_server.invite_path(world.partner.id)
    _preview_fetch(url)
    page = new_page(javascript=javascript)
    page.goto(url)
    assert page.title() == "Appointments"
    assert page.locator("#exit").count() == 0 and page.locator("a[href^='tel:']").count() == 0
    assert page.locator("input").count() == 0
    assert [c for c in page.context.cookies() if c["name"] == "__Host-sid"] == []  # nothing yet
    with page.expect_navigation():
        page.get_by_role("button", name="Continue").click()
    page.wait_for_url(live_server.url + "/home")  # the token has left the address bar
    assert page.get_by_role("heading", level=1).inner_text().startswith("Welcome")
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.id") == "exit"  # now she is in her pages


def test_with_a_pin_the_link_leads_to_her_pin_page_with_her_quick_exit(live_server, new_page, javascript):
    world = arrange_world(live_server, status=PartnerStatus.ACTIVE, pin="4831")
    url = live_server.url + live_server.invite_path(world.partner.id)
    _preview_fetch(url)
    page = new_page(javascript=javascript)
    open_her_link(page, url)
    page.wait_for_url("**/check")
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.id") == "exit"
    assert page.locator("a[href='tel:999']").count() >= 1
    page.fill("#pin", "٤٨٣١")  # her phone's own digits
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(live_server.url + "/home")
