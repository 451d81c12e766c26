"""Her questions in Chromium (issue 13): with JavaScript off she opens the link the dispatcher texted her, lands on
her questions, answers some, sends, and sees the thanks; the first screen of every new page gives nothing away;
axe-core finds nothing on them (JavaScript on). Screenshots at 360×740 go to /tmp/her-questions-*.png (en and
ar) for a person to look at."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from portal.models import (
    ConsentChannel,
    Notification,
    Participant,
    PartnerContact,
    QuestionnaireResponse,
)
from portal.services.evaluation import offers
from portal.services.evaluation.answers import read_answers
from portal.services.her import consent
from portal.services.her.her_access import partner_actor
from portal.services.messaging.outbox import params_of
from tests.browser.conftest import axe_violations
from tests.browser.her_world import arrange_world, open_her_link
from tests.browser.test_first_screen import first_screen, giveaways_on
from tests.factories import context, set_prefs

pytestmark = pytest.mark.browser
SHOTS = "/tmp/her-questions-{}.png"


def _offered(live: Any, locale: str = "en") -> tuple[Any, str]:
    """She said yes; his programme began ten days ago; the dispatcher's pass texted her the intake stage.
    Returns the cast and the path of the link in that text."""
    world = arrange_world(live, status="active")
    with live.db() as db:
        set_prefs(db, world.partner.id, channel_sms=True)
        participant = db.get(Participant, world.participant.id)
        today = live.now().astimezone(ZoneInfo("Europe/London")).date()
        participant.started_on, participant.expected_end_on = today - timedelta(days=10), today + timedelta(days=170)
        partner = db.get(PartnerContact, world.partner.id)
        partner.locale = locale
        consent.evaluation_chosen(context(db, live.vault, live.audit_key, live.now(), partner_actor(partner.id)),
                                  partner, on=True, channel=ConsentChannel.WEB)
        db.commit()
        sessions = sessionmaker(db.get_bind(), expire_on_commit=False)
    made = offers.run_pass(sessions, live.vault, live.audit_key, live.now, offers.Links("https://p.test"),
                           ZoneInfo("Europe/London"))
    assert made.texted == 1
    with live.db() as db:
        note = db.scalar(select(Notification).where(Notification.partner_id == world.partner.id,
                                                    Notification.kind == "evaluation"))
        url = params_of(live.vault, note)["url"]
    return world, url.removeprefix("https://p.test")


def test_she_answers_her_questions_with_javascript_off(live_server, new_page):
    world, link = _offered(live_server)
    page = new_page(javascript=False)
    open_her_link(page, live_server.url + link)
    assert page.url.endswith("/questions")
    screen = first_screen(page)
    assert giveaways_on(screen, "en") == [], screen
    assert screen["title"].startswith("A few questions about the last four weeks")
    page.screenshot(path=SHOTS.format("en"))
    question = page.get_by_role("group", name="Did he listen to you when you spoke?")
    assert not question.is_visible()  # one tap further
    page.locator("#questions summary").click()
    question.get_by_label("Often").check()
    page.get_by_role("group", name="Did the children seem relaxed around him?").get_by_label(
        "Does not apply to me").check()
    page.screenshot(path=SHOTS.format("en-open"), full_page=True)
    with page.expect_navigation():
        page.get_by_role("button", name="Send my answers").click()
    assert page.url.endswith("/questions/thanks")
    assert "Your answers are saved." in page.locator("main").inner_text()
    assert giveaways_on(first_screen(page), "en") == []
    page.screenshot(path=SHOTS.format("thanks"))
    with live_server.db() as db:
        row = db.scalar(select(QuestionnaireResponse).where(QuestionnaireResponse.partner_id == world.partner.id))
        assert read_answers(live_server.vault, row) == {"listens": "often", "children_at_ease": "not_applicable"}
        assert row.recorded_by == "her"
    page.goto(live_server.url + "/questions/choice")
    assert giveaways_on(first_screen(page), "en") == []
    page.screenshot(path=SHOTS.format("choice"))


def test_her_questions_in_arabic_right_to_left(live_server, new_page):
    _world, link = _offered(live_server, locale="ar")
    page = new_page(javascript=False, locale="ar")
    open_her_link(page, live_server.url + link)
    assert page.url.endswith("/questions")
    assert page.evaluate("() => document.documentElement.dir") == "rtl"
    assert giveaways_on(first_screen(page), "ar") == []
    page.screenshot(path=SHOTS.format("ar"))
    page.locator("#questions summary").click()
    page.screenshot(path=SHOTS.format("ar-open"), full_page=True)


def test_the_questions_pages_have_no_axe_violations(live_server, new_page):
    _world, link = _offered(live_server)
    page = new_page(javascript=True)
    open_her_link(page, live_server.url + link)
    assert axe_violations(page) == []
    page.locator("#questions summary").click()
    assert axe_violations(page) == []
    page.goto(live_server.url + "/questions/choice")
    assert axe_violations(page) == []
    page.locator("#about summary").click()
    assert axe_violations(page) == []
    page.screenshot(path=SHOTS.format("choice-open"), full_page=True)
    page.goto(live_server.url + "/questions")
    with page.expect_navigation():
        page.locator("main form.actions").get_by_role("button", name="Skip these questions").click()
    assert "nobody will ask you about them again" in page.locator("main").inner_text()
    assert axe_violations(page) == []
    page.goto(live_server.url + "/questions")
    assert "There are no questions waiting for you at the moment." in page.locator("main").inner_text()
    assert axe_violations(page) == []
