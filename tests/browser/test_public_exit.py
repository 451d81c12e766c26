"""The quick exit in Chromium: by click, by double Esc, and with JavaScript off it lands on the neutral site,
Back shows nothing of the portal (back/forward cache included), and it is first in the tab order everywhere."""

from __future__ import annotations

import pytest

from portal.models import PartnerStatus
from tests.browser.conftest import EXIT_PAGE_TITLE
from tests.browser.her_world import arrange_world, open_her_link

pytestmark = pytest.mark.browser

HER_PAGES = ("/home", "/choices", "/contact", "/about", "/faq", "/privacy", "/help", "/online", "/pin",
             "/unsubscribe", "/message")
HER_WORDS = ("Menu", "Your choices", "Send a note to your worker", "Stop all contact", "Welcome")


def _signed_in(live_server, new_page, javascript=True):  # type: ignore[no-untyped-def]
    world = arrange_world(live_server, status=PartnerStatus.ACTIVE)
    page = new_page(javascript=javascript)
    open_her_link(page, live_server.url + live_server.invite_path(world.partner.id))
    page.goto(live_server.url + "/choices")
    return page


def _assert_no_portal_content(page, live_server) -> None:  # type: ignore[no-untyped-def]
    body = page.locator("body").inner_text()
    for words in HER_WORDS:
        assert words not in body, (page.url, words)
    if page.url.startswith(live_server.url):
        # Back reloaded a portal address: with no session it can only be the neutral start page.
        assert page.url == live_server.url + "/"
    cookies = [c for c in page.context.cookies() if c["name"] == "__Host-sid"]
    assert cookies == [], "her session cookie must be gone"


def _assert_on_exit_site(page, exit_site) -> None:  # type: ignore[no-untyped-def]
    page.wait_for_url(exit_site.url)
    assert page.title() == EXIT_PAGE_TITLE


def test_exit_by_click_hides_the_page_and_leaves_without_a_history_entry(live_server, exit_site, new_page):
    page = _signed_in(live_server, new_page)
    history_before = page.evaluate("() => history.length")
    page.click("#exit")
    _assert_on_exit_site(page, exit_site)
    assert page.evaluate("() => history.length") == history_before  # location.replace: no new entry
    page.go_back()
    page.wait_for_load_state()
    _assert_no_portal_content(page, live_server)


def test_exit_by_pressing_escape_twice(live_server, exit_site, new_page):
    page = _signed_in(live_server, new_page)
    page.locator("h1").click()  # focus on the page, not in a form field
    page.keyboard.press("Escape")
    page.keyboard.press("Escape")
    _assert_on_exit_site(page, exit_site)
    page.go_back()
    page.wait_for_load_state()
    _assert_no_portal_content(page, live_server)


def test_escape_inside_a_form_field_does_not_exit(live_server, new_page):
    page = _signed_in(live_server, new_page)
    page.focus("#code_word")
    page.keyboard.press("Escape")
    page.keyboard.press("Escape")
    page.wait_for_timeout(300)
    assert page.url == live_server.url + "/choices"


def test_one_escape_alone_does_not_exit(live_server, new_page):
    page = _signed_in(live_server, new_page)
    page.locator("h1").click()
    page.keyboard.press("Escape")
    page.wait_for_timeout(1200)
    page.keyboard.press("Escape")
    page.wait_for_timeout(300)
    assert page.url == live_server.url + "/choices"


def test_exit_without_javascript_lands_on_the_neutral_site_and_back_shows_nothing(live_server, exit_site,
                                                                                   new_page):
    page = _signed_in(live_server, new_page, javascript=False)
    page.click("#exit")
    _assert_on_exit_site(page, exit_site)
    page.go_back()
    page.wait_for_load_state()
    _assert_no_portal_content(page, live_server)
    page.go_back()  # and the page before that too
    page.wait_for_load_state()
    _assert_no_portal_content(page, live_server)


def test_the_page_is_not_restored_from_the_back_forward_cache(live_server, exit_site, new_page):
    page = _signed_in(live_server, new_page)
    page.evaluate("() => { window.__restored = 'no'; }")
    page.click("#exit")
    _assert_on_exit_site(page, exit_site)
    page.go_back()
    page.wait_for_load_state()
    _assert_no_portal_content(page, live_server)
    assert page.evaluate("() => window.__restored") is None  # a fresh document, not the cached one


@pytest.mark.parametrize("javascript", [True, False], ids=["js-on", "js-off"])
def test_the_exit_is_the_first_focusable_element_on_every_page(live_server, new_page, javascript):
    world = arrange_world(live_server, status=PartnerStatus.ACTIVE)
    page = new_page(javascript=javascript)
    page.goto(live_server.url + "/")  # the start page, without her session: an ordinary site, no exit
    assert page.locator("#exit").count() == 0
    open_her_link(page, live_server.url + live_server.invite_path(world.partner.id))
    for path in HER_PAGES:
        page.goto(live_server.url + path)
        page.keyboard.press("Tab")
        assert page.evaluate("() => document.activeElement.id") == "exit", path
        label = page.locator("#exit").inner_text()
        assert label == "Leave this site now"
        position = page.evaluate("() => getComputedStyle(document.getElementById('exit').parentElement).position")
        assert position == "sticky", path
    page.goto(live_server.url + "/v/not-a-valid-link-at-all")  # her link's page, for any token: an ordinary site
    assert page.locator("#exit").count() == 0


def test_the_exit_stays_on_screen_when_she_scrolls(live_server, new_page):
    page = _signed_in(live_server, new_page)
    page.mouse.wheel(0, 3000)
    page.wait_for_timeout(200)
    top = page.evaluate("() => document.getElementById('exit').getBoundingClientRect().top")
    assert top == 0


def _stored_sessions(live_server) -> int:  # type: ignore[no-untyped-def]
    from sqlalchemy import func, select

    from portal.models import WebSession

    with live_server.db() as db:
        return int(db.scalar(select(func.count()).select_from(WebSession)) or 0)


def _requests_received(live_server, monkeypatch) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    """What the server itself received, as (method, path). Playwright's page events can miss a beacon that the
    browser queues while the page unloads (the server's log shows it arrived), so the server is asked."""
    received: list[tuple[str, str]] = []
    app = live_server.app
    inner = app.wsgi_app

    def recording(environ, start_response):  # type: ignore[no-untyped-def]
        received.append((environ["REQUEST_METHOD"], environ.get("PATH_INFO", "")))
        return inner(environ, start_response)

    monkeypatch.setattr(app, "wsgi_app", recording)
    return received


def _wait_for(predicate, seconds: float = 5.0) -> bool:  # type: ignore[no-untyped-def]
    import time

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


def test_with_javascript_the_neutral_site_opens_at_once_and_a_background_post_ends_her_session(
        live_server, exit_site, new_page, monkeypatch):
    page = _signed_in(live_server, new_page)
    received = _requests_received(live_server, monkeypatch)
    assert _stored_sessions(live_server) == 1
    page.click("#exit")
    _assert_on_exit_site(page, exit_site)
    assert _wait_for(lambda: ("POST", "/exit") in received), received  # the beacon
    assert ("GET", "/exit") not in received  # the neutral site was opened directly
    assert _wait_for(lambda: _stored_sessions(live_server) == 0), "her session ended on the server"
    page.go_back()
    page.wait_for_load_state()
    _assert_no_portal_content(page, live_server)


def test_the_background_exit_clears_the_sites_storage_and_cookies_in_the_browser(live_server, exit_site, new_page):
    """Clear-Site-Data on the beacon's answer is applied by Chromium: what a script of the site could have
    stored is gone (a cookie the server never set, and local storage), not only her session cookie."""
    page = _signed_in(live_server, new_page)
    page.evaluate("() => { localStorage.setItem('left', 'behind'); document.cookie = 'left=behind; path=/'; }")
    page.click("#exit")
    _assert_on_exit_site(page, exit_site)
    assert _wait_for(lambda: page.context.cookies(live_server.url) == []), page.context.cookies(live_server.url)
    check = page.context.new_page()
    check.goto(live_server.url + "/")
    assert check.evaluate("() => localStorage.getItem('left')") is None


@pytest.mark.parametrize("beacon", ["undefined", "() => false"], ids=["no-beacon", "beacon-refused"])
def test_without_a_beacon_the_exit_leaves_through_the_server_as_without_javascript(live_server, exit_site,
                                                                                   new_page, beacon, monkeypatch):
    page = _signed_in(live_server, new_page)
    page.add_init_script(f"Object.defineProperty(navigator, 'sendBeacon', {{value: {beacon}}})")
    page.goto(live_server.url + "/choices")
    received = _requests_received(live_server, monkeypatch)
    page.click("#exit")
    _assert_on_exit_site(page, exit_site)
    assert ("GET", "/exit") in received and ("POST", "/exit") not in received
    assert _stored_sessions(live_server) == 0
    page.go_back()
    page.wait_for_load_state()
    _assert_no_portal_content(page, live_server)
