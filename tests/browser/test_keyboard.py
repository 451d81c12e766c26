"""Her pages with the keyboard only, in every locale of the sweep (tests/locales.py): the quick exit comes first and
is named in her language; every control Tab reaches shows a visible focus ring and is scrolled into view; the
language list opens and a language is chosen without a mouse (and without JavaScript); touch targets are at least
24×24 CSS pixels (44 high for the exit)."""

from __future__ import annotations

from typing import Any

import pytest
from flask_babel import force_locale, gettext

from portal.models import PartnerContact, PartnerStatus
from tests.browser.her_world import arrange_world, open_her_link
from tests.locales import sweep_locales

pytestmark = pytest.mark.browser

PAGES = ("/home", "/choices", "/help")

FOCUS = """() => {
  const el = document.activeElement, style = getComputedStyle(el), box = el.getBoundingClientRect();
  return {tag: el.tagName, id: el.id, text: (el.innerText || el.value || '').trim().slice(0, 40),
          outline: parseFloat(style.outlineWidth) || 0, outlineStyle: style.outlineStyle,
          shadow: style.boxShadow, inView: box.bottom > 0 && box.top < innerHeight && box.width > 0,
          width: box.width, height: box.height, inline: style.display === 'inline'};
}"""


def _exit_words(live_server: Any, locale: str) -> str:
    with live_server.app.test_request_context(), force_locale(locale):
        return gettext("Leave this site now")


def _walk(page: Any, stops: int = 60) -> list[dict[str, Any]]:
    """Tab from the top of the page until focus comes back round (or `stops` presses)."""
    page.evaluate("() => { document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0); }")
    seen: list[dict[str, Any]] = []
    for _ in range(stops):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUS)
        if focused["tag"] == "BODY" or (seen and focused == seen[0]):
            break
        seen.append(focused)
    return seen


@pytest.mark.parametrize("locale", sweep_locales())
def test_her_pages_work_with_the_keyboard_alone(live_server, new_page, locale):
    world = arrange_world(live_server, status=PartnerStatus.ACTIVE)
    with live_server.db() as db:
        db.get(PartnerContact, world.partner.id).locale = locale
        db.commit()
    page = new_page(javascript=True, locale=locale)
    open_her_link(page, live_server.url + live_server.invite_path(world.partner.id))
    problems = []
    for path in PAGES:
        page.goto(live_server.url + path)
        stops = _walk(page)
        assert stops, (locale, path, "Tab reaches nothing")
        assert stops[0]["id"] == "exit" and stops[0]["text"] == _exit_words(live_server, locale), (locale, stops[0])
        assert stops[0]["height"] >= 44, (locale, "the exit is a big target", stops[0])
        for stop in stops:
            ring = stop["outline"] >= 2 and stop["outlineStyle"] != "none" or stop["shadow"] not in ("", "none")
            if not ring:
                problems.append((path, "no visible focus", stop))
            if not stop["inView"]:
                problems.append((path, "focused but off screen", stop))
            if not stop["inline"] and (stop["width"] < 24 or stop["height"] < 24):
                problems.append((path, "smaller than 24×24", stop))
    assert problems == [], (locale, [(p, w, {k: s[k] for k in ("id", "outline", "outlineStyle", "shadow", "inView")}) for p, w, s in problems[:5]])


@pytest.mark.parametrize("locale", sweep_locales())
def test_she_chooses_her_language_with_the_keyboard_and_without_javascript(live_server, new_page, locale):
    world = arrange_world(live_server, status=PartnerStatus.ACTIVE)
    page = new_page(javascript=False, locale="en")
    open_her_link(page, live_server.url + live_server.invite_path(world.partner.id))
    page.goto(live_server.url + "/choices")
    page.locator("nav.langs summary").focus()
    page.keyboard.press("Enter")  # opens the list
    target = page.locator(f"nav.langs button[value={locale}]")
    target.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/choices") and page.get_attribute("html", "lang") == locale
    assert page.locator("nav.langs summary").inner_text().strip() == (target.text_content() or "").strip()
    with live_server.db() as db:
        partner = db.get(PartnerContact, world.partner.id)
        assert partner.locale == locale and partner.locale_chosen  # kept on her record
