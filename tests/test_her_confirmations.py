"""Calm confirmations on her pages (post, redirect, get; no JavaScript needed) and her error summaries."""

from __future__ import annotations

import re

import pytest
from flask import url_for

from portal.models import PartnerStatus, Preferences
from portal.services.messaging.sms_permission import can_text
from tests.factories import set_prefs
from tests.public_helpers import choose_language, open_link, post

PIN_SAVED = {"en": "Your PIN is saved.", "de": "Ihre PIN ist gespeichert.", "ar": "تم حفظ رقمك السري."}
AGAIN_BLANK = {"en": "Until you do, we will not send you any text messages.",
               "de": "Bis Sie das tun, schicken wir Ihnen keine SMS.",
               "ar": "إلى أن تفعلي ذلك، لن نرسل إليك أي رسائل نصية."}


def url(app, endpoint: str, **values: object) -> str:  # type: ignore[no-untyped-def]
    with app.test_request_context():
        return url_for(endpoint, **values)


def signed_in(app, client, dbs, world, clock, locale: str) -> None:  # type: ignore[no-untyped-def]
    open_link(client, dbs, world.partner, clock)
    if locale != "en":
        choose_language(app, client, locale)


@pytest.mark.parametrize("locale", ["en", "de", "ar"])
def test_saving_her_pin_is_confirmed_on_the_next_page_once(app, client, dbs, world, clock, locale):
    signed_in(app, client, dbs, world, clock, locale)
    pin = url(app, "public.pin")
    response = post(client, pin, {"action": "set", "pin": "4831", "confirm": "4831", "next": "home"})
    assert response.status_code == 303  # post, redirect, get
    home = client.get(response.headers["Location"]).get_data(as_text=True)
    assert PIN_SAVED[locale] in home and 'role="status"' in home
    assert PIN_SAVED[locale] not in client.get(url(app, "public.home")).get_data(as_text=True)  # once


def test_removing_her_pin_is_confirmed_and_skipping_says_nothing(app, client, dbs, world, clock):
    signed_in(app, client, dbs, world, clock, "en")
    pin = url(app, "public.pin")
    post(client, pin, {"action": "set", "pin": "4831", "confirm": "4831", "next": "home"})
    client.get(url(app, "public.home"))
    response = post(client, pin, {"action": "remove", "next": "home"})
    assert "Your PIN is removed." in client.get(response.headers["Location"]).get_data(as_text=True)
    response = post(client, pin, {"action": "skip", "next": "home"})
    assert 'class="notice"' not in client.get(response.headers["Location"]).get_data(as_text=True)


def test_after_saying_yes_her_pin_is_confirmed_on_her_choices(app, client, dbs, world, clock):
    world.partner.status = PartnerStatus.INVITED
    dbs.commit()
    open_link(client, dbs, world.partner, clock)
    response = post(client, url(app, "public.pin", next="choices"),
                    {"action": "set", "pin": "4831", "confirm": "4831", "next": "choices"},
                    token_from=url(app, "public.pin", next="choices"))
    assert response.headers["Location"].endswith(url(app, "public.choices"))
    assert "Your PIN is saved." in client.get(response.headers["Location"]).get_data(as_text=True)


def _stop_and_say_yes_again(app, client, dbs, world, clock):  # type: ignore[no-untyped-def]
    open_link(client, dbs, world.partner, clock)
    post(client, url(app, "public.stop"), {"confirm": "yes"}, token_from=url(app, "public.home"))
    response = post(client, url(app, "public.contact"), {"answer": "yes"})
    assert response.status_code == 303
    page = client.get(response.headers["Location"], follow_redirects=True)
    if 'value="skip"' in page.get_data(as_text=True):  # offered a PIN first
        response = post(client, url(app, "public.pin", next="choices"), {"action": "skip", "next": "choices"},
                        token_from=url(app, "public.pin", next="choices"))
        page = client.get(response.headers["Location"])
    return page.get_data(as_text=True)


@pytest.mark.parametrize("locale", ["en", "de", "ar"])
def test_saying_yes_again_with_no_way_chosen_explains_that_nothing_is_texted_until_she_chooses(
        app, client, dbs, world, clock, locale):
    set_prefs(dbs, world.partner.id, channel_sms=False, channel_call=False, channel_worker_only=False)
    dbs.commit()
    open_link(client, dbs, world.partner, clock)
    if locale != "en":
        choose_language(app, client, locale)
    post(client, url(app, "public.stop"), {"confirm": "yes"}, token_from=url(app, "public.home"))
    response = post(client, url(app, "public.contact"), {"answer": "yes"})
    page = client.get(response.headers["Location"], follow_redirects=True).get_data(as_text=True)
    if 'value="skip"' in page:
        response = post(client, url(app, "public.pin", next="choices"), {"action": "skip", "next": "choices"},
                        token_from=url(app, "public.pin", next="choices"))
        page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert AGAIN_BLANK[locale] in page
    # ... and it is true: no text may go to her until she ticks texts.
    dbs.expire_all()
    prefs = dbs.query(Preferences).filter_by(partner_id=world.partner.id).one()
    assert world.partner.status == PartnerStatus.ACTIVE and not can_text(world.partner, prefs)
    assert AGAIN_BLANK[locale] not in client.get(url(app, "public.choices")).get_data(as_text=True)  # once


def test_saying_yes_again_with_earlier_choices_says_they_apply_again(app, client, dbs, world, clock):
    set_prefs(dbs, world.partner.id, channel_sms=True)
    dbs.commit()
    page = _stop_and_say_yes_again(app, client, dbs, world, clock)
    assert "The choices you made before are below, and they apply again from now." in page
    dbs.expire_all()
    prefs = dbs.query(Preferences).filter_by(partner_id=world.partner.id).one()
    assert can_text(world.partner, prefs)  # true: they do apply again


def test_a_first_yes_is_not_called_yes_again(app, client, dbs, world, clock):
    world.partner.status = PartnerStatus.INVITED
    dbs.commit()
    open_link(client, dbs, world.partner, clock)
    post(client, url(app, "public.contact"), {"answer": "yes"})
    assert "again" not in client.get(url(app, "public.choices")).get_data(as_text=True).split("<main")[1][:400]


def _main(html: str) -> str:
    return html.split('<main id="main" tabindex="-1">', 1)[1].lstrip()


@pytest.mark.parametrize("locale", ["en", "de", "ar"])
def test_her_choices_with_errors_put_the_summary_first_and_say_error_in_the_title(
        app, client, dbs, world, clock, locale):
    signed_in(app, client, dbs, world, clock, locale)
    response = post(client, url(app, "public.choices"), {"channel": "sms", "w0-day": "0", "w0-start": "23:00",
                                                        "w0-end": "01:00", "timezone": "Europe/London",
                                                        "locale": locale})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    title = re.search(r"<title>([^<]*)</title>", html).group(1)
    assert title.startswith({"en": "Error:", "de": "Fehler:", "ar": "خطأ:"}[locale])
    assert _main(html).startswith('<div class="error-summary" id="error-summary" role="alert" tabindex="-1"')
    assert "js/errors.js" in html
    plain = client.get(url(app, "public.choices")).get_data(as_text=True)
    assert "js/errors.js" not in plain and "error-summary" not in plain


def test_her_pin_errors_use_the_same_summary(app, client, dbs, world, clock):
    signed_in(app, client, dbs, world, clock, "en")
    response = post(client, url(app, "public.pin"), {"action": "set", "pin": "12", "confirm": "12"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "<title>Error: " in html
    assert _main(html).startswith('<div class="error-summary"') and 'href="#pin"' in html
