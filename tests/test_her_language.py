"""Her language (DESIGN 8): her explicit choice (a POST, saved on her record), then her record, then her
browser, then the default; a GET's ?lang= changes the current view only."""

from __future__ import annotations

import re

import pytest
from flask import url_for

from portal.models import AuditEvent, PartnerContact
from portal.services.her import language
from tests.public_helpers import BASE, choose_language, follow_link, new_link, post

GERMAN = {"Accept-Language": "de-DE,de;q=0.9"}
ARABIC = {"Accept-Language": "ar"}
ENGLISH = {"Accept-Language": "en-GB,en;q=0.9"}


def lang_of(response) -> str:  # type: ignore[no-untyped-def]
    match = re.search(r'<html lang="([^"]+)"', response.get_data(as_text=True))
    assert match, response.status_code
    return match.group(1)


def url(app, endpoint: str, **values: object) -> str:  # type: ignore[no-untyped-def]
    with app.test_request_context():
        return url_for(endpoint, **values)


def browser(app, headers):  # type: ignore[no-untyped-def]
    """A fresh phone browser (no cookie) whose every request carries this Accept-Language."""
    client = app.test_client()
    client.environ_base.update({"HTTP_ACCEPT_LANGUAGE": headers["Accept-Language"]})
    return client


def test_a_german_browser_gets_german_after_opening_her_link_before_she_chose(app, dbs, world, clock):
    assert world.partner.locale == "en" and not world.partner.locale_chosen  # recorded, never chosen
    client = browser(app, GERMAN)
    assert follow_link(client, new_link(dbs, world.partner, clock)).status_code == 303
    assert lang_of(client.get(url(app, "public.home"))) == "de"
    assert lang_of(client.get(url(app, "public.about"))) == "de"
    dbs.refresh(world.partner)
    assert world.partner.locale == "en" and not world.partner.locale_chosen  # a page view changes nothing


def test_the_top_bar_choice_is_a_post_saved_on_her_record_and_outlasts_her_visit(app, dbs, world, clock):
    client = browser(app, GERMAN)
    follow_link(client, new_link(dbs, world.partner, clock))
    about = url(app, "public.about")
    page = client.get(about).get_data(as_text=True)
    assert f'action="{url(app, "public.choose_language")}"' in page and 'name="csrf_token"' in page
    response = choose_language(app, client, "ar", back=about)
    assert response.status_code == 303 and response.headers["Location"].endswith(about)  # the same page
    assert lang_of(client.get(about)) == "ar"
    dbs.refresh(world.partner)
    assert world.partner.locale == "ar" and world.partner.locale_chosen  # her texts use it too
    audit = dbs.query(AuditEvent).filter_by(action="partner.language_chosen").one()
    assert "ar" in str(audit.details)
    # A new visit, a new session, an English browser: still her language.
    again = browser(app, ENGLISH)
    follow_link(again, new_link(dbs, world.partner, clock))
    assert lang_of(again.get(url(app, "public.home"))) == "ar"


def test_a_get_with_lang_changes_only_that_view(app, dbs, world, clock):
    client = browser(app, ENGLISH)
    follow_link(client, new_link(dbs, world.partner, clock))
    choose_language(app, client, "de")
    assert lang_of(client.get(url(app, "public.about", lang="ar"))) == "ar"
    assert lang_of(client.get(url(app, "public.about"))) == "de"  # nothing stored by the GET
    dbs.refresh(world.partner)
    assert world.partner.locale == "de"


def test_the_choice_needs_her_csrf_token_and_a_known_language(app, dbs, world, clock):
    client = browser(app, ENGLISH)
    follow_link(client, new_link(dbs, world.partner, clock))
    path = url(app, "public.choose_language")
    forged = client.post(path, data={"locale": "ar", "next": "/home"}, headers={"Referer": BASE + path})
    assert forged.status_code == 400
    unknown = choose_language(app, client, "xx")
    assert unknown.status_code == 400 and "Please choose a language from the list." in unknown.get_data(as_text=True)
    dbs.refresh(world.partner)
    assert world.partner.locale == "en" and not world.partner.locale_chosen


def test_the_choice_needs_her_session(app, client, dbs, world):
    response = client.post(url(app, "public.choose_language"), data={"locale": "ar"})
    assert response.status_code in (303, 400)
    dbs.refresh(world.partner)
    assert not world.partner.locale_chosen


@pytest.mark.parametrize("back", ["//elsewhere.example/x", "https://elsewhere.example/", "/no-such-page",
                                  "/exit", "/staff/", "javascript:alert(1)"])
def test_the_choice_returns_only_to_a_page_of_hers(app, dbs, world, clock, back):
    client = browser(app, ENGLISH)
    follow_link(client, new_link(dbs, world.partner, clock))
    response = choose_language(app, client, "de", back="/home")
    assert response.status_code == 303
    token_page = url(app, "public.home")
    response = post(client, url(app, "public.choose_language"), {"locale": "de", "next": back}, token_from=token_page)
    assert response.status_code == 303 and response.headers["Location"].endswith(token_page)


def test_choosing_on_her_link_page_then_continuing_saves_it(app, dbs, world, clock):
    client = browser(app, ENGLISH)
    link = new_link(dbs, world.partner, clock)
    assert lang_of(client.get(link + "?lang=ar")) == "ar"  # the neutral page, in Arabic, nothing stored
    dbs.refresh(world.partner)
    assert not world.partner.locale_chosen
    client.post(link + "?lang=ar")  # its Continue button posts to its own address
    dbs.refresh(world.partner)
    assert world.partner.locale == "ar" and world.partner.locale_chosen


def test_with_a_pin_the_choice_is_saved_once_her_pin_is_right(app, dbs, world, clock, ctx_for):
    from portal.services.her.her_access import partner_actor, set_pin

    set_pin(ctx_for(partner_actor(world.partner.id)), world.partner, "4831", "4831")
    dbs.commit()
    client = browser(app, ENGLISH)
    link = new_link(dbs, world.partner, clock)
    client.get(link + "?lang=de")
    client.post(link + "?lang=de")
    check = url(app, "public.check_pin")
    assert lang_of(client.get(check)) == "de"  # her pending page already speaks it
    dbs.refresh(world.partner)
    assert not world.partner.locale_chosen  # not before her PIN
    post(client, check, {"pin": "4831"}, token_from=check)
    dbs.refresh(world.partner)
    assert world.partner.locale == "de" and world.partner.locale_chosen


def test_her_choices_offer_the_language_she_sees_and_saving_them_chooses_it(app, dbs, world, clock):
    client = browser(app, GERMAN)
    follow_link(client, new_link(dbs, world.partner, clock))
    page = client.get(url(app, "public.choices")).get_data(as_text=True)
    assert re.search(r'id="locale-de" name="locale" value="de" checked', page)


def test_her_saved_language_is_her_record_and_nothing_else(dbs, world):
    partner = dbs.get(PartnerContact, world.partner.id)
    assert language.saved_language(partner, ("en", "de", "ar")) is None
    assert language.apply_choice(partner, "de") and language.saved_language(partner, ("en", "de", "ar")) == "de"
    assert not language.apply_choice(partner, "de")
    assert language.saved_language(None, ("en",)) is None


def test_her_worker_changing_other_preferences_does_not_choose_her_language(dbs, world, ctx_for):
    from portal.services.casework import casework

    change = casework.PreferenceChange(flags={"voicemail_ok": True}, tell={}, code_word=None)
    casework.update_preferences(ctx_for(casework.actor_for(world.worker)), world.partner, change)
    dbs.flush()
    assert not world.partner.locale_chosen


def test_the_configured_default_is_the_last_resort(app):  # type: ignore[no-untyped-def]
    import dataclasses

    from portal.i18n import select_locale

    app.config["PORTAL"] = dataclasses.replace(app.config["PORTAL"], default_locale="de")
    with app.test_request_context("/", headers={"Accept-Language": "xx"}):
        assert select_locale() == "de"
