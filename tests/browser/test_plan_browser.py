"""Her plan in Chromium with JavaScript off, as she would use it on her phone (issue 11, items 1-3): set up with a
second passphrase, say what matters most, fill two parts, print, lock, open with the second passphrase (the
harmless plan), then with her own; and axe-core finds nothing on any of its pages (JavaScript on)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import select

from portal.models import Helpline, PartnerStatus, Task, TaskKind
from tests.browser.conftest import axe_violations
from tests.browser.her_world import arrange_world, open_her_link

pytestmark = pytest.mark.browser

MAIN = "blue kettle on the windowsill"
SECOND = "seven green apples"
MINE = "Aunt Rosa 07700 900123"
HARMLESS = "Dentist 0161 496 0000"
SHOTS = "/tmp/plan-{name}.png"


def submit(page: Any, selector: str) -> None:
    with page.expect_navigation():
        page.locator(selector).click()
    page.wait_for_load_state()


def shot(page: Any, name: str) -> None:
    page.screenshot(path=SHOTS.format(name=name))


def open_with(page: Any, passphrase: str) -> None:
    page.fill("#passphrase", passphrase)
    submit(page, "main form[action='/plan/open'] button[type=submit]")


def lock(page: Any) -> None:
    submit(page, "form[action='/plan/close'] button")


@pytest.fixture
def her(live_server):  # type: ignore[no-untyped-def]
    live_server.app.config["PLAN_OPEN_FLOOR_SECONDS"] = 0.05
    world = arrange_world(live_server, status=PartnerStatus.ACTIVE)
    with live_server.db() as db:
        db.add(Helpline(id=uuid.uuid4(), locale="en", name="Night line", phone="0808 000 0000", hours="24 hours"))
        db.commit()
    return world


def test_her_plan_with_javascript_off_from_set_up_to_either_passphrase(live_server, new_page, her):
    page = new_page(javascript=False)
    open_her_link(page, live_server.url + live_server.invite_path(her.partner.id))
    page.goto(live_server.url + "/plan")
    shot(page, "start")
    page.fill("#passphrase", MAIN)
    page.fill("#passphrase_again", MAIN)
    page.locator("#second-choice summary").click()
    page.fill("#second", SECOND)
    page.fill("#second_again", SECOND)
    page.fill("#decoy-people-contacts", HARMLESS)
    shot(page, "start-second")
    submit(page, "form[action='/plan/new'] button[type=submit]")
    assert page.url.endswith("/plan/priorities")
    page.locator("main details summary").click()
    page.select_option("#rank-children", "1")
    page.select_option("#rank-safety", "2")
    shot(page, "priorities")
    submit(page, "form[action='/plan/priorities'] button[type=submit]")
    assert page.url.endswith("/plan")
    slugs = [link.get_attribute("href") for link in page.locator(".parts a").all()]
    assert slugs[:3] == ["/plan/part/family", "/plan/part/quick", "/plan/part/people"]
    shot(page, "plan")

    page.click("a[href='/plan/part/people']")
    page.wait_for_url("**/plan/part/people")
    page.fill("#people-contacts", MINE)
    page.fill("#people-code_word", "sunflower: please call")
    shot(page, "part-people")
    submit(page, "form[action='/plan/part/people'] button[type=submit]")
    assert "Saved in your plan." in page.content()
    page.goto(live_server.url + "/plan/part/family")
    page.fill("#children-who_collects", "My sister, after school")
    submit(page, "form[action='/plan/part/family'] button[type=submit]")
    page.goto(live_server.url + "/plan/part/numbers")
    assert "Night line: 0808 000 0000 (24 hours)" in page.input_value("#support-services")
    shot(page, "part-numbers")

    page.goto(live_server.url + "/plan/print")
    shot(page, "print")
    body = page.content()
    assert MINE in body and "My sister, after school" in body and "Night line" in body
    assert body.index("My sister") < body.index(MINE)  # her order
    page.emulate_media(media="print")
    printed = page.locator("body").inner_text()
    assert live_server.app.config["PORTAL"].site_name not in printed  # nothing names the service
    assert "Leave this site now" not in printed and "Menu" not in printed
    assert printed.lstrip().startswith("Your plan")
    assert "999" in printed and "Night line" in printed  # the numbers, on paper
    page.screenshot(path=SHOTS.format(name="print-media"), full_page=True)
    page.emulate_media(media="screen")

    page.goto(live_server.url + "/plan")
    lock(page)
    assert "Your plan is locked." in page.content() and MINE not in page.content()
    shot(page, "locked")
    open_with(page, "not my passphrase")
    assert "That passphrase did not open your plan." in page.content()
    shot(page, "wrong")

    open_with(page, SECOND)
    assert page.url.endswith("/plan")
    page.goto(live_server.url + "/plan/part/people")
    assert page.input_value("#people-contacts") == HARMLESS
    assert MINE not in page.content()
    with live_server.db() as db:
        assert db.scalar(select(Task).where(Task.partner_id == her.partner.id,
                                            Task.kind == TaskKind.PLAN_DURESS)) is not None
    page.goto(live_server.url + "/plan")
    lock(page)
    open_with(page, MAIN)
    page.goto(live_server.url + "/plan/part/people")
    assert page.input_value("#people-contacts") == MINE

    page.goto(live_server.url + "/plan/delete")
    shot(page, "delete")
    submit(page, "form[action='/plan/delete'] button[type=submit]")
    assert "Your plan is deleted." in page.content()


@pytest.mark.parametrize("locale", ["en", "ar"])
def test_no_accessibility_violations_on_her_plan_pages(live_server, new_page, her, locale):
    page = new_page(javascript=True, locale=locale)
    open_her_link(page, live_server.url + live_server.invite_path(her.partner.id) + f"?lang={locale}")
    problems: list[tuple[str, object]] = []

    def check(label: str) -> None:
        closed = page.locator("main details:not([open]) > summary")
        while closed.count():
            closed.first.click()
        page.evaluate("() => window.scrollTo(0, 0)")
        page.screenshot(path=SHOTS.format(name=f"{locale}-{label.replace(' ', '-')}-opened"))
        found = axe_violations(page)
        if found:
            problems.append((label, found))
        width = page.evaluate("() => document.documentElement.scrollWidth")
        if width > page.viewport_size["width"]:
            problems.append((label, f"scrolls sideways: {width}px"))

    page.goto(live_server.url + "/plan")
    check("start")
    page.fill("#passphrase", "long enough one")
    page.fill("#passphrase_again", "long enough two")
    submit(page, "form[action='/plan/new'] button[type=submit]")
    check("start with errors")
    page.fill("#passphrase", MAIN)
    page.fill("#passphrase_again", MAIN)
    submit(page, "form[action='/plan/new'] button[type=submit]")
    check("priorities")
    page.goto(live_server.url + "/plan")
    check("plan")
    for slug in ("people", "family", "numbers"):
        page.goto(live_server.url + f"/plan/part/{slug}")
        check(f"part {slug}")
    page.goto(live_server.url + "/plan/print")
    check("print")
    page.goto(live_server.url + "/plan/delete")
    check("delete")
    page.goto(live_server.url + "/plan")
    lock(page)
    check("locked")
    open_with(page, "not my passphrase")
    check("wrong passphrase")
    assert problems == []
