"""In Chromium, with JavaScript on and off: open her link, say yes, skip the PIN, set her choices, stop contact."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.models import ConsentEvent, PartnerContact, PartnerStatus, Preferences, SafeWindow, Task
from tests.browser.her_world import arrange_world, open_her_link

pytestmark = pytest.mark.browser


def test_open_consent_choose_and_stop(live_server, new_page, javascript):
    world = arrange_world(live_server)
    page = new_page(javascript=javascript)
    open_her_link(page, live_server.url + live_server.invite_path(world.partner.id))
    assert page.url == live_server.url + "/contact"  # the token is gone from the address bar
    assert "/v/" not in page.evaluate("() => location.href") if javascript else True
    page.get_by_role("button", name="Yes, keep in touch").click()
    page.wait_for_url("**/pin?next=choices")
    page.get_by_role("button", name="Not now").click()
    page.wait_for_url("**/choices")

    page.get_by_label("Text messages (SMS)").check()
    page.get_by_label("Phone calls from my support worker").check()
    window = page.locator("#window-0")
    for day in ("Monday", "Wednesday", "Friday"):
        window.get_by_label(day).check()
    for day in ("Tuesday", "Thursday", "Saturday", "Sunday"):
        window.get_by_label(day).uncheck()
    page.fill("#w0-start", "09:30")
    page.fill("#w0-end", "11:00")
    page.select_option("#timezone", "Europe/Vienna")
    page.get_by_label("It is OK to leave a voicemail").check()
    page.check("#tell-dropout-both")
    page.check("#tell-risk-message")
    page.get_by_label("If there is a serious risk to me, contact me even outside the safe times").check()
    page.fill("#code_word", "marigold")
    page.get_by_role("button", name="Save my choices").click()
    if page.get_by_role("alert").count():
        raise AssertionError(page.locator(".error-summary").inner_html())
    page.wait_for_url("**/home")
    assert page.get_by_role("status").inner_text() == "Your choices are saved."

    with live_server.db() as db:
        prefs = db.scalar(select(Preferences).where(Preferences.partner_id == world.partner.id))
        assert prefs.channel_sms and prefs.channel_call and prefs.voicemail_ok and prefs.serious_risk_any_time
        assert (prefs.tell_dropout, prefs.tell_risk) == ("both", "message")
        assert live_server.vault.get(prefs, "code_word_ct") == "marigold"
        windows = {(w.weekday, w.start_minute, w.end_minute)
                   for w in db.scalars(select(SafeWindow).where(SafeWindow.partner_id == world.partner.id))}
        assert windows == {(0, 570, 660), (2, 570, 660), (4, 570, 660)}
        assert db.get(PartnerContact, world.partner.id).timezone == "Europe/Vienna"
        given = db.scalar(select(ConsentEvent).where(ConsentEvent.partner_id == world.partner.id,
                                                     ConsentEvent.channel == "web"))
        assert given.action == "given" and given.text_version == "web-2026-12/en"

    page.get_by_role("button", name="Stop all contact").click()
    page.wait_for_url("**/unsubscribe")
    page.get_by_role("button", name="Yes, stop all contact").click()
    page.wait_for_url("**/home")
    assert page.get_by_role("heading", level=1).inner_text() == "Contact has stopped"
    with live_server.db() as db:
        assert db.get(PartnerContact, world.partner.id).status == PartnerStatus.WITHDRAWN
        assert db.scalar(select(Task).where(Task.partner_id == world.partner.id,
                                            Task.kind == "consent_withdrawn_contact"))


def test_a_mistake_in_her_choices_is_explained_and_nothing_she_typed_is_lost(live_server, new_page, javascript):
    world = arrange_world(live_server, status=PartnerStatus.ACTIVE)
    page = new_page(javascript=javascript)
    open_her_link(page, live_server.url + live_server.invite_path(world.partner.id))
    page.goto(live_server.url + "/choices")
    page.get_by_label("Text messages (SMS)").check()
    page.locator("#window-0").get_by_label("Tuesday").check()
    page.fill("#w0-start", "15:00")
    page.fill("#w0-end", "14:00")
    page.get_by_role("button", name="Save my choices").click()
    alert = page.get_by_role("alert")
    assert "The end time must be after the start time" in alert.inner_text()
    assert page.input_value("#w0-start") == "15:00"
    alert.get_by_role("link").first.click()
    assert page.url.endswith("#window-0")


def test_the_language_choice_works_without_javascript_and_arabic_is_right_to_left(live_server, new_page,
                                                                                  javascript):
    world = arrange_world(live_server, status=PartnerStatus.ACTIVE)
    page = new_page(javascript=javascript)
    open_her_link(page, live_server.url + live_server.invite_path(world.partner.id))
    page.goto(live_server.url + "/about")
    languages = page.get_by_role("navigation", name="Language")
    languages.locator("summary").click()  # the list opens from one line naming the current language
    with page.expect_navigation():  # a POST (saved on her record), back to the same page
        languages.get_by_role("button", name="العربية").click()
    assert page.url.endswith("/about")
    assert page.get_attribute("html", "dir") == "rtl" and page.get_attribute("html", "lang") == "ar"
    exit_box = page.locator("#exit").bounding_box()
    assert exit_box["width"] >= 300 and exit_box["height"] >= 44  # big tap target, full width
    page.goto(live_server.url + "/home")
    assert page.get_attribute("html", "lang") == "ar"  # the choice stays (on her record, tests/browser/test_her_language.py)
