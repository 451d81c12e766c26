"""Her copy of her information in a browser (issue 12 item 8): without JavaScript she opens it, ticks to include
her private details and sees them; axe-core finds no violation on it (ticked, en and ar)."""

from __future__ import annotations

import pytest

from tests.access_support import PRIVATE, SHOWN, seed_everything
from tests.browser.conftest import axe_violations
from tests.browser.her_world import open_her_link

pytestmark = pytest.mark.browser


def _seeded(live):  # type: ignore[no-untyped-def]
    from tests.factories import context

    with live.db() as db:
        def ctx_for(actor=None, *, now=None):  # type: ignore[no-untyped-def]
            from portal.services.audit import SYSTEM

            return context(db, live.vault, live.audit_key, now or live.now(), actor or SYSTEM)

        class Clock:
            @staticmethod
            def now():  # type: ignore[no-untyped-def]
                return live.now()

        world, _made = seed_everything(db, live.vault, live.audit_key, Clock, ctx_for)
    return world


def open_copy(live, page):  # type: ignore[no-untyped-def]
    world = _seeded(live)
    open_her_link(page, live.url + live.invite_path(world.partner.id))
    page.goto(live.url + "/home")
    with page.expect_navigation():
        page.locator("main a[href='/copy']").click()
    return world


def test_without_javascript_she_opens_her_copy_ticks_and_sees_her_private_details(live_server, new_page):
    page = new_page(javascript=False)
    open_copy(live_server, page)
    assert page.title() == "A copy of your information"
    text = page.locator("main").inner_text()
    assert SHOWN["own_words"] in text and SHOWN["child"] in text
    assert not any(value in text for value in PRIVATE.values())
    page.locator("#private").check()
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    text = page.locator("main").inner_text()
    assert all(value in text for value in PRIVATE.values())
    assert page.locator("#exit").is_visible()  # the quick exit stays on screen


@pytest.mark.parametrize("locale", ["en", "ar"])
def test_her_copy_has_no_accessibility_violations(live_server, new_page, locale):
    page = new_page(javascript=True, locale=locale)
    world = _seeded(live_server)
    open_her_link(page, live_server.url + live_server.invite_path(world.partner.id) + f"?lang={locale}")
    page.goto(live_server.url + f"/copy?lang={locale}")
    assert axe_violations(page) == []
    page.locator("#private").check()
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert axe_violations(page) == []
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 360


def test_her_workers_copy_to_hand_over_passes_axe_in_her_language(live_server, new_page):
    from tests.access_support import NEVER
    from tests.browser.staff_pages import check_console_page, sign_in

    world = _seeded(live_server)
    with live_server.db() as db:
        from portal.models import PartnerContact

        db.get(PartnerContact, world.partner.id).locale = "ar"
        db.commit()
    page = new_page(javascript=True)
    sign_in(page, live_server.url, NEVER["worker_email"], world.totp["worker"])
    page.goto(f"{live_server.url}/staff/cases/{world.partner.id}")
    with page.expect_navigation():
        page.locator("#her-copy").click()
    problems: list[tuple[str, object]] = []
    check_console_page(page, "her copy", problems)
    assert page.locator("article.her-copy[lang=ar][dir=rtl]").count() == 1
    page.locator("#private").check()
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    check_console_page(page, "her copy, ticked", problems)
    assert PRIVATE["safe_address"] in page.locator("article.her-copy").inner_text()
    assert problems == []
    page.screenshot(path="/tmp/access-worker-copy.png")
