"""What a glance at her phone shows gives nothing away (issue 10, item 2; DESIGN §8 "The first screen").

The first screen is the visible text of a 360×740 viewport on load, with and without JavaScript, plus the title
and the path. On every page of hers, and on every page without her session, in en, de and ar, none of it may
hold a word from that locale's giveaway list (portal/content/giveaway_words, the list lint-content uses too).
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import url_for

from portal.content_rules import giveaway_locales, giveaways
from portal.models import PartnerContact, PartnerStatus
from portal.services.her.her_access import partner_actor, set_pin
from tests.browser.her_world import arrange_world, open_her_link
from tests.factories import context
from tests.locales import sweep_locales

pytestmark = pytest.mark.browser

# Every text node that is shown and has a box inside the viewport (what is inside a closed <details> is not shown).
VISIBLE_TEXT = """() => {
  const width = window.innerWidth, height = window.innerHeight, seen = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.textContent.trim();
    const parent = node.parentElement;
    if (!text || !parent) { continue; }
    // checkVisibility: false inside a closed <details> (its content is skipped), display:none, hidden,
    // visibility:hidden or opacity 0.
    if (!parent.checkVisibility({opacityProperty: true, visibilityProperty: true, contentVisibilityAuto: true})) {
      continue;
    }
    const range = document.createRange();
    range.selectNodeContents(node);
    for (const box of range.getClientRects()) {
      if (box.width > 0 && box.height > 0 && box.bottom > 0 && box.top < height && box.right > 0
          && box.left < width) { seen.push(text); break; }
    }
  }
  return seen.join("\\n");
}"""


def first_screen(page: Any) -> dict[str, str]:
    """What someone glancing at her phone sees of this page: the visible text on load, the title, the path."""
    page.wait_for_load_state()
    assert page.evaluate("() => [window.innerWidth, window.innerHeight]") == [360, 740]
    assert page.evaluate("() => window.scrollY") == 0
    return {"path": page.evaluate("() => location.pathname + location.search"), "title": page.title(),
            "text": page.evaluate(VISIBLE_TEXT)}


def giveaways_on(screen: dict[str, str], locale: str) -> list[str]:
    """Giveaway words of the page's locale in its title and text, and of any locale in its path."""
    found = [f"{word} (title or text)" for word in giveaways(screen["title"] + "\n" + screen["text"], locale)]
    # `?lang=el` names a language by its code, not a word she reads ("el" is "he" in Romanian and Spanish).
    path = re.sub(r"lang=[a-z]{2}\b", "", screen["path"])
    path = path.replace("/", " ").replace("?", " ").replace("=", " ").replace("-", " ")
    for code in giveaway_locales():
        found += [f"{word} (path)" for word in giveaways(path, code)]
    return found


def paths(live: Any) -> dict[str, str]:
    with live.app.test_request_context():
        names = ("home", "contact", "choices", "pin", "about", "patterns", "sharing", "support", "online", "stop",
                 "tell", "how_are_you", "index", "her_information")
        return {name: url_for(f"public.{name}") for name in names}


class Screens:
    """Collects every first screen with a giveaway word, to report them all at once."""

    def __init__(self, locale: str) -> None:
        self.locale, self.problems, self.seen = locale, [], 0

    def check(self, page: Any, label: str) -> None:
        screen = first_screen(page)
        self.seen += 1
        words = giveaways_on(screen, self.locale)
        if words:
            self.problems.append((label, screen["path"], words, screen["title"], screen["text"]))


PLAN_PARTS = ("people", "places", "things", "family", "quick", "later", "phone", "numbers")
PLAN_SCREENS = 7 + len(PLAN_PARTS)


def _submit(page: Any, selector: str) -> None:
    with page.expect_navigation():
        page.locator(selector).click()
    page.wait_for_load_state()


def check_plan_pages(page: Any, url: str, screens: Screens) -> None:
    """Every page of her plan (issue 11): none of their first screens may give her away either."""
    passphrase = "blue kettle on the windowsill"
    page.goto(url + "/plan")
    screens.check(page, "plan (before she starts)")
    page.fill("#passphrase", passphrase)
    page.fill("#passphrase_again", passphrase)
    _submit(page, "form[action='/plan/new'] button[type=submit]")
    screens.check(page, "plan priorities")
    _submit(page, "form[action='/plan/priorities'] button[type=submit]")
    screens.check(page, "plan (open)")
    for slug in PLAN_PARTS:
        page.goto(f"{url}/plan/part/{slug}")
        screens.check(page, f"plan part {slug}")
    page.goto(url + "/plan/print")
    screens.check(page, "plan print")
    page.goto(url + "/plan/delete")
    screens.check(page, "plan delete")
    page.goto(url + "/plan")
    _submit(page, "form[action='/plan/close'] button")
    screens.check(page, "plan (locked)")
    page.fill("#passphrase", "not the passphrase")
    _submit(page, "form[action='/plan/open'] button[type=submit]")
    screens.check(page, "plan (wrong passphrase)")


@pytest.mark.parametrize("locale", sweep_locales())
def test_no_first_screen_gives_her_away(live_server, new_page, javascript, locale):
    world = arrange_world(live_server, status=PartnerStatus.INVITED)
    live_server.app.config["PLAN_OPEN_FLOOR_SECONDS"] = 0.05  # her plan's pages: no need to wait here
    at = paths(live_server)
    url = live_server.url
    screens = Screens(locale)
    page = new_page(javascript=javascript, locale=locale)

    # Without her session: the start page, her link's page (any token), a page that does not exist.
    for label, path in (("start", at["index"]), ("link", "/v/" + "Z" * 22), ("404", "/no-such-page")):
        page.goto(f"{url}{path}?lang={locale}")
        screens.check(page, label)

    # Her first visit: what contact means, then the PIN offer, then her choices.
    open_her_link(page, url + live_server.invite_path(world.partner.id) + f"?lang={locale}")
    assert page.url.endswith(at["contact"])
    screens.check(page, "contact (invited)")
    page.locator("button[name=answer][value=yes]").click()
    page.wait_for_url("**/pin?next=choices")
    screens.check(page, "pin offer")
    page.locator("button[name=action][value=skip]").click()
    page.wait_for_url(f"**{at['choices']}")
    screens.check(page, "choices")

    # Every page of hers, and an unknown address inside her session.
    for name in ("home", "contact", "choices", "pin", "about", "patterns", "sharing", "support", "online", "stop",
                 "tell", "how_are_you", "her_information"):
        page.goto(url + at[name])
        screens.check(page, name)
    page.goto(url + "/no-such-page")
    screens.check(page, "404 (hers)")

    # What she sees after sending each note.
    for note in ("note-1", "note-2"):
        page.goto(url + at["tell"])
        page.locator(f"#{note} summary").click()
        page.locator(f"#{note} button[type=submit]").click()
        page.wait_for_url("**/message/sent")
        screens.check(page, f"sent ({note})")

    # Her plan: before she starts, each page of an open plan, the delete confirm, locked, a wrong passphrase.
    check_plan_pages(page, url, screens)

    # What she sees after her check-in, with a worrying answer and with a calm one.
    for step in ("1", "5"):
        page.goto(url + at["how_are_you"])
        page.locator("#check-in summary").click()
        page.locator(f"#step-{step}").check()
        with page.expect_navigation():
            page.locator("#check-in button[type=submit]").click()
        screens.check(page, f"checked in ({step})")

    # The PIN page of a later visit (her pending session).
    with live_server.db() as db:
        partner = db.get(PartnerContact, world.partner.id)
        set_pin(context(db, live_server.vault, live_server.audit_key, live_server.now(), partner_actor(partner.id)),
                partner, "4831", "4831")
        db.commit()
    open_her_link(page, url + live_server.invite_path(world.partner.id))
    page.wait_for_url("**/check")
    screens.check(page, "pin check")

    assert screens.seen == 25 + PLAN_SCREENS
    assert screens.problems == []


def test_the_first_screen_check_catches_a_giveaway(live_server, new_page):
    """The check above is not blind: an information page opened at its content does show giveaway words."""
    world = arrange_world(live_server, status=PartnerStatus.ACTIVE)
    page = new_page(javascript=False)
    open_her_link(page, live_server.url + live_server.invite_path(world.partner.id))
    page.goto(live_server.url + paths(live_server)["about"])
    assert giveaways_on(first_screen(page), "en") == []
    page.locator("main details summary").first.click()
    screen = first_screen(page)
    assert "course" in giveaways(screen["text"], "en")
