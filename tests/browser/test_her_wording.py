"""In Chromium, with JavaScript on and off: she picks how each kind of warning reads, writes her own words, asks
for her worker's number; a refusal is explained; her page and her worker's wording form pass axe-core."""

from __future__ import annotations

import pyotp
import pytest

from portal.models import PartnerContact, PartnerStatus
from portal.services.her import preferences
from tests.browser.conftest import axe_violations
from tests.browser.her_world import arrange_world, open_her_link
from tests.factories import STAFF_PASSWORD

pytestmark = pytest.mark.browser


def test_she_chooses_her_wording_on_her_page(live_server, new_page, javascript):
    world = arrange_world(live_server, status=PartnerStatus.ACTIVE)
    page = new_page(javascript=javascript)
    open_her_link(page, live_server.url + live_server.invite_path(world.partner.id))
    page.goto(live_server.url + "/choices")
    page.get_by_label("Text messages (SMS)").check()
    page.check("#tell-risk-message")
    page.check("#tell-dropout-message")
    risk = page.locator("#wording-risk")
    risk.get_by_label("“Hi, it would be good to talk soon. Please ring back today.”").check()
    risk.get_by_label("Add my worker’s number at the end").check()
    dropout = page.locator("#wording-dropout")
    dropout.get_by_label("My own words").check()
    page.fill("#own-dropout", "x" * 150)
    dropout.get_by_label("Add my worker’s number at the end").check()
    page.get_by_role("button", name="Save my choices").click()
    summary = page.locator(".error-summary")
    assert "do not fit in one text message" in summary.inner_text()
    if javascript:  # axe-core runs as a script
        assert axe_violations(page) == []  # the page with her error on it
    page.fill("#own-dropout", "Hi love, the dentist moved your appointment. Ring me x")
    page.get_by_role("button", name="Save my choices").click()
    page.wait_for_url("**/home")

    with live_server.db() as db:
        chosen = preferences.wordings(db, live_server.vault, db.get(PartnerContact, world.partner.id))
    assert chosen["risk"] == preferences.WordingInput("neutral_2", "", True)
    assert chosen["dropout"] == preferences.WordingInput(
        "own", "Hi love, the dentist moved your appointment. Ring me x", True)
    page.goto(live_server.url + "/choices")
    assert page.locator("#wording-risk-neutral_2").is_checked()
    assert page.input_value("#own-dropout") == "Hi love, the dentist moved your appointment. Ring me x"
    assert page.get_by_text("never hold a link or a phone number").is_visible()  # what sharing a phone changes


@pytest.mark.parametrize("locale", ["en", "ar"])
def test_her_choices_page_with_wordings_passes_axe(live_server, new_page, locale):
    world = arrange_world(live_server, status=PartnerStatus.ACTIVE)
    page = new_page(javascript=True)
    open_her_link(page, live_server.url + live_server.invite_path(world.partner.id))
    page.goto(live_server.url + f"/choices?lang={locale}")
    assert axe_violations(page) == []


def test_her_workers_wording_form_passes_axe(live_server, new_page):
    world = arrange_world(live_server, status=PartnerStatus.ACTIVE)
    page = new_page(javascript=True, viewport={"width": 1024, "height": 768})
    page.goto(live_server.url + "/staff/sign-in")
    page.fill("#email", world.worker.email)
    page.fill("#password", STAFF_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/staff/sign-in/**")
    if "authenticator" in page.url:
        secret = page.inner_text("#totp-secret").replace(" ", "")
    else:
        secret = world.totp["worker"]
    page.fill("#code", pyotp.TOTP(secret).now())
    page.click("form button[type=submit]")
    page.wait_for_url("**/staff/**")
    page.goto(live_server.url + f"/staff/cases/{world.partner.id}/preferences")
    assert page.get_by_role("heading", name="How her warnings read").is_visible()
    assert axe_violations(page) == []
    page.locator("#wording-risk").get_by_label("Her own words", exact=True).first.check()
    page.fill("#own-risk", "Your partner's course ended")
    page.get_by_role("button", name="Save her wording").click()
    assert page.get_by_text("could give her away").is_visible()
    assert axe_violations(page) == []
