"""In Chromium: her language outlasts her visit; numbers read left to right in Arabic; calm confirmations;
her error summaries take focus. JavaScript on and off where a page must work without it; axe-core on each."""

from __future__ import annotations

import uuid

import pytest

from portal.models import Helpline, PartnerContact, PartnerStatus
from tests.browser.conftest import axe_violations
from tests.browser.her_world import arrange_world, open_her_link

pytestmark = pytest.mark.browser

GROUPS = ("+44", "808", "2000", "247")


def _lang(page) -> str:  # type: ignore[no-untyped-def]
    return page.get_attribute("html", "lang")


def test_her_language_chosen_in_the_top_bar_outlasts_her_visit(live_server, new_page, javascript):
    world = arrange_world(live_server, status=PartnerStatus.ACTIVE)
    page = new_page(javascript=javascript, locale="de-DE")
    open_her_link(page, live_server.url + live_server.invite_path(world.partner.id))
    assert _lang(page) == "de"  # before she chose: her browser's language, not her record's English
    page.goto(live_server.url + "/about")
    languages = page.get_by_role("navigation", name="Sprache")
    languages.locator("summary").click()  # the list opens from one line naming the current language
    with page.expect_navigation():
        languages.get_by_role("button", name="العربية").click()
    assert page.url.endswith("/about") and _lang(page) == "ar"
    assert page.get_attribute("html", "dir") == "rtl"
    if javascript:  # axe runs as a script: with JavaScript off, Playwright's evaluate never returns
        assert axe_violations(page) == []
    with live_server.db() as db:
        partner = db.get(PartnerContact, world.partner.id)
        assert partner.locale == "ar" and partner.locale_chosen  # on her record: her texts follow it too
    # A new visit: another browser session (German again), a new link from her text.
    later = new_page(javascript=javascript, locale="de-DE")
    open_her_link(later, live_server.url + live_server.invite_path(world.partner.id))
    assert _lang(later) == "ar"
    later.goto(live_server.url + "/help?lang=en")  # a GET changes this view only
    assert _lang(later) == "en"
    later.goto(live_server.url + "/help")
    assert _lang(later) == "ar"


def _group_lefts(locator) -> list[float]:  # type: ignore[no-untyped-def]
    """The left edge, on screen, of each digit group of the number in this element, in reading order."""
    return locator.evaluate(
        """(el, groups) => {
             const node = el.firstChild, text = node.textContent;
             return groups.map(g => { const i = text.indexOf(g), r = document.createRange();
                                     r.setStart(node, i); r.setEnd(node, i + g.length);
                                     return r.getBoundingClientRect().left; });
           }""", list(GROUPS))


def test_a_helpline_number_reads_left_to_right_on_arabic_pages(live_server, new_page):
    world = arrange_world(live_server, status=PartnerStatus.ACTIVE)
    with live_server.db() as db:
        db.add(Helpline(id=uuid.uuid4(), locale="ar", name="خط المساعدة", phone=" ".join(GROUPS),
                        hours="على مدار الساعة", on_every_page=True))
        db.commit()
    page = new_page(locale="ar")
    open_her_link(page, live_server.url + live_server.invite_path(world.partner.id))
    assert page.get_attribute("html", "dir") == "rtl"
    for path in ("/help", "/home"):
        page.goto(live_server.url + path)
        if path == "/home":
            page.locator("details.lines-foot summary").click()
            number = page.locator("details.lines-foot a[href^='tel:+44']")
        else:  # the numbers sit under a heading of their own (first screens name no helpline): open it
            page.locator("main details", has=page.locator("a[href^='tel:+44']")).locator("summary").click()
            number = page.locator("main a[href^='tel:+44']")
        assert number.evaluate("el => getComputedStyle(el).direction") == "ltr"
        lefts = _group_lefts(number)
        assert lefts == sorted(lefts) and len(set(lefts)) == len(GROUPS), (path, lefts)  # "+44 808 2000 247"
        page.evaluate("() => window.scrollTo(0, 0)")  # the sticky exit bar must not cover a link axe measures
        assert axe_violations(page) == []


def test_her_pin_saved_is_confirmed_calmly(live_server, new_page, javascript):
    world = arrange_world(live_server, status=PartnerStatus.ACTIVE)
    page = new_page(javascript=javascript)
    open_her_link(page, live_server.url + live_server.invite_path(world.partner.id))
    page.goto(live_server.url + "/pin")
    page.fill("#pin", "4831")
    page.fill("#confirm", "4831")
    with page.expect_navigation():
        page.get_by_role("button", name="Save my PIN").click()
    assert "Your PIN is saved." in page.get_by_role("status").inner_text()
    if javascript:
        assert axe_violations(page) == []


def test_saying_yes_again_is_explained(live_server, new_page, javascript):
    world = arrange_world(live_server, status=PartnerStatus.WITHDRAWN)
    page = new_page(javascript=javascript)
    open_her_link(page, live_server.url + live_server.invite_path(world.partner.id))
    page.goto(live_server.url + "/contact")
    with page.expect_navigation():
        page.get_by_role("button", name="Yes, keep in touch").click()
    if "/pin" in page.url:
        with page.expect_navigation():
            page.get_by_role("button", name="Not now").click()
    assert page.url.endswith("/choices")
    assert "You said yes to contact again." in page.locator("main").inner_text()
    if javascript:
        assert axe_violations(page) == []


@pytest.mark.parametrize("locale", ["en", "ar"])
def test_focus_moves_to_her_error_summary(live_server, new_page, locale):
    world = arrange_world(live_server, status=PartnerStatus.ACTIVE)
    page = new_page(locale=locale)
    open_her_link(page, live_server.url + live_server.invite_path(world.partner.id))
    page.goto(live_server.url + "/choices")
    page.fill("#w0-start", "23:00")
    page.fill("#w0-end", "01:00")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").last.click()
    page.wait_for_function("() => document.activeElement && document.activeElement.id === 'error-summary'")
    assert page.title().startswith({"en": "Error:", "ar": "خطأ:"}[locale])
    assert axe_violations(page) == []
    page.goto(live_server.url + "/pin")
    page.fill("#pin", "12")
    page.fill("#confirm", "12")
    page.locator("#pin").evaluate("el => { el.removeAttribute('minlength'); }")
    page.locator("#confirm").evaluate("el => { el.removeAttribute('minlength'); }")
    with page.expect_navigation():
        page.locator("button[name=action][value=set]").click()
    page.wait_for_function("() => document.activeElement && document.activeElement.id === 'error-summary'")
    assert axe_violations(page) == []


def test_without_javascript_the_error_summary_is_first_and_announced(live_server, new_page):
    world = arrange_world(live_server, status=PartnerStatus.ACTIVE)
    page = new_page(javascript=False)
    open_her_link(page, live_server.url + live_server.invite_path(world.partner.id))
    page.goto(live_server.url + "/choices")
    page.fill("#w0-start", "23:00")
    page.fill("#w0-end", "01:00")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").last.click()
    first = page.locator("main > *").first
    assert first.get_attribute("id") == "error-summary" and first.get_attribute("role") == "alert"
    assert first.get_attribute("tabindex") == "-1" and page.title().startswith("Error:")
