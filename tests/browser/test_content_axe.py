"""The pages this issue's content touched, in Chromium with JavaScript on and off: her sharing page (built-in
text, and an admin's text shown in another language inside a right-to-left page), the stop page, the about and
patterns pages (the new lines sit below the first screen), and the admin's sharing-policy page with a refusal —
each with zero axe-core violations."""

from __future__ import annotations

import pyotp
import pytest

from portal.models import PartnerStatus
from portal.services.admin import deployment, sharing_policy
from tests.browser.conftest import axe_violations
from tests.browser.her_world import arrange_world, open_her_link
from tests.factories import STAFF_PASSWORD, served_world

pytestmark = pytest.mark.browser

FIRST_SCREEN = {"width": 360, "height": 740}
# (endpoint, the neutral heading she opens first or None, words she then reads, whether what she sees first
# sits below the first screen)
HER_PAGES = (
    ("public.sharing", None, "if a court orders it", False),
    ("public.stop", "What stays the same", "Stopping contact does not stop your worker acting on a serious risk",
     False),
    ("public.about", None, "Finishing the course does not mean that you are safe.", True),
    ("public.about", "Sessions together",
     "Joint sessions or couples counselling with him are not part of his course", True),
    ("public.patterns", None, "push you to go to couples counselling", True),
)


def path_of(live, endpoint: str) -> str:  # type: ignore[no-untyped-def]
    from flask import url_for

    with live.app.test_request_context():
        return url_for(endpoint)


def top_of(page, words: str) -> float:  # type: ignore[no-untyped-def]
    """Where the words start, in CSS pixels from the top of the page as loaded (not scrolled)."""
    box = page.get_by_text(words, exact=False).first.bounding_box()
    assert box is not None, words
    return float(box["y"])


def axe_page(new_page, javascript: bool):  # type: ignore[no-untyped-def]
    """A page to run axe-core in. axe needs script to run, so for "JavaScript off" the page has it on but its
    own script blocked: the same document she gets with JavaScript off (her pages have no <noscript>)."""
    page = new_page(javascript=True, viewport=FIRST_SCREEN)
    if not javascript:
        page.route("**/*.js", lambda route: route.abort())
    return page


def test_her_pages_with_the_new_content_pass_axe(live_server, new_page, javascript):
    world = arrange_world(live_server, status=PartnerStatus.ACTIVE)
    page = new_page(javascript=javascript, viewport=FIRST_SCREEN)
    open_her_link(page, live_server.url + live_server.invite_path(world.partner.id))
    for endpoint, heading, words, below in HER_PAGES:
        page.goto(live_server.url + path_of(live_server, endpoint))
        page.wait_for_load_state()
        text = page.get_by_text(words, exact=False).first
        if heading:
            assert page.locator("details", has=text).last.locator("summary").first.inner_text() == heading
        if text.is_visible():  # shown on load: then never on the first screen
            assert not below or top_of(page, words) >= FIRST_SCREEN["height"], (endpoint, words, "first screen")
        while not text.is_visible():  # under a neutral heading: one tap opens it, with or without JavaScript
            page.locator("details:not([open])", has=text).first.locator("summary").first.click()
        assert words in page.inner_text("main"), (endpoint, words)
    checked = axe_page(new_page, javascript)
    open_her_link(checked, live_server.url + live_server.invite_path(world.partner.id))
    problems: list[tuple[str, object]] = []
    for endpoint in dict.fromkeys(endpoint for endpoint, _, _, _ in HER_PAGES):
        checked.goto(live_server.url + path_of(live_server, endpoint))
        checked.wait_for_load_state()
        for summary in checked.locator("main details > summary").all():
            summary.click()  # the content under each neutral heading too (the language list has its own tests)
        found = axe_violations(checked)
        if found:
            problems.append((endpoint, found))
    assert problems == []


def test_an_admin_text_in_another_language_passes_axe_in_a_right_to_left_page(live_server, new_page, javascript):
    world = arrange_world(live_server, status=PartnerStatus.ACTIVE)
    with live_server.db() as db:
        deployment.save(db, sharing_policy.KEY, {"en": "# Our policy\nOnly the dates of contact.\n- one\n- two"})
        db.commit()
    page = axe_page(new_page, javascript)
    open_her_link(page, live_server.url + live_server.invite_path(world.partner.id) + "?lang=ar")
    page.goto(live_server.url + path_of(live_server, "public.sharing") + "?lang=ar")
    page.wait_for_load_state()
    for summary in page.locator("details > summary").all():
        summary.click()
    block = page.locator("div.policy")
    assert block.get_attribute("lang") == "en" and block.get_attribute("dir") == "ltr"
    assert page.locator("div.policy h2").inner_text() == "Our policy"
    assert page.locator("div.policy li").count() == 2
    page.evaluate("() => window.scrollTo(0, 0)")  # the sticky exit bar must not cover a heading axe measures
    assert axe_violations(page) == []


def test_the_admin_sharing_page_and_its_refusal_pass_axe(live_server, new_page):
    world = served_world(live_server)
    page = new_page(javascript=True, viewport={"width": 1024, "height": 768})
    page.goto(live_server.url + "/staff/sign-in")
    page.fill("#email", world.admin.email)
    page.fill("#password", STAFF_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/staff/sign-in/authenticator")
    page.fill("#code", pyotp.TOTP(world.totp["admin"]).now())
    page.click("form button[type=submit]")
    page.wait_for_url("**/staff/")
    page.goto(live_server.url + path_of(live_server, "console.admin_sharing"))
    assert page.locator("script").count() == 0
    assert axe_violations(page) == []
    page.fill("#policy_en", "Your support will help him to change.")
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    assert "could make her feel responsible for him" in page.inner_text("#policy_en-error")
    assert page.locator("#policy_en").get_attribute("aria-invalid") == "true"
    assert axe_violations(page) == []
    page.set_viewport_size({"width": 320, "height": 640})
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 320
