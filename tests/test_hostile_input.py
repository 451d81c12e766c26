"""Hostile input found by the outside review: each answers a clear 4xx (or is understood), never a 5xx.

DESIGN.md section 8: Unicode decimal digits (full-width, Arabic-Indic ...) are converted to ASCII before
checking; other digit-like characters (superscripts) get a clear 4xx in her language.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal.models import Preferences, ProgrammeEvent, SafeWindow
from tests.api_support import make_token, post_event
from tests.factories import login_as
from tests.public_helpers import open_link, post
from tests.staff_console import csrf_from

pytestmark = pytest.mark.usefixtures("no_event_floor")


def _windows(dbs, partner_id):  # type: ignore[no-untyped-def]
    dbs.expire_all()
    return {(w.weekday, w.start_minute, w.end_minute)
            for w in dbs.scalars(select(SafeWindow).where(SafeWindow.partner_id == partner_id))}


@pytest.mark.parametrize("occurred_at", ["0001-01-01T00:00:00+01:00", "0001-01-01T00:30:00+14:00",
                                         "9999-12-31T23:59:59-12:00"])
def test_an_event_time_that_cannot_be_expressed_in_utc_is_a_422(client, dbs, world, clock, occurred_at):
    token = make_token(dbs, world.programme, clock.now())
    response = post_event(client, token, {"participant_ref": world.participant.reference, "kind": "dropout",
                                          "occurred_at": occurred_at})
    assert response.status_code == 422, response.status_code
    assert response.get_json()["error"] == "invalid_occurred_at"
    assert response.get_json()["field"] == "occurred_at"
    assert dbs.scalar(select(func.count()).select_from(ProgrammeEvent)) == 0


def test_year_one_in_utc_is_still_accepted_as_a_past_time(client, dbs, world, clock):
    token = make_token(dbs, world.programme, clock.now())
    response = post_event(client, token, {"participant_ref": world.participant.reference, "kind": "dropout",
                                          "occurred_at": "0001-01-01T01:00:00+01:00"})
    assert response.status_code == 201, response.get_json()


PREFS = {"channel": ["sms"], "timezone": "Europe/London", "tell-dropout": "message",
         "tell-suspended": "message", "tell-completed": "message", "tell-risk": "message", "locale": "en"}


def test_her_full_width_and_arabic_indic_digits_are_her_times(client, dbs, world, clock):
    open_link(client, dbs, world.partner, clock)
    form = {**PREFS, "w0-day": ["２"], "w0-start": "０９:３０", "w0-end": "١١:٠٠"}
    response = post(client, "/choices", form, token_from="/choices")
    assert response.status_code == 303, response.get_data(as_text=True)[:400]
    assert _windows(dbs, world.partner.id) == {(2, 570, 660)}


@pytest.mark.parametrize("field", [{"w0-day": ["²"], "w0-start": "09:00", "w0-end": "10:00"},
                                   {"w0-day": ["1"], "w0-start": "0⁹:00", "w0-end": "10:00"},
                                   {"w0-day": ["1"], "w0-start": "09:00", "w0-end": "1①:00"}])
def test_her_superscript_digits_get_a_clear_message_in_her_language(client, dbs, world, clock, field):
    open_link(client, dbs, world.partner, clock)
    dbs.expire_all()
    before = _windows(dbs, world.partner.id)
    prefs_before = dbs.scalar(select(Preferences.channel_sms).where(Preferences.partner_id == world.partner.id))
    response = post(client, "/choices?lang=de", {**PREFS, **field}, token_from="/choices?lang=de")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'class="error' in html or "errors" in html
    assert "Uhrzeit" in html or "Tag" in html  # the message is German, as her page is
    assert _windows(dbs, world.partner.id) == before
    dbs.expire_all()
    assert dbs.scalar(select(Preferences.channel_sms).where(
        Preferences.partner_id == world.partner.id)) == prefs_before


def _worker_post(client, world, data):  # type: ignore[no-untyped-def]
    page = f"/staff/cases/{world.partner.id}/preferences"
    token = csrf_from(client.get(page).data)
    return client.post(f"/staff/cases/{world.partner.id}/windows", data={"csrf_token": token, **data})


def test_worker_safe_time_with_full_width_digits_is_understood(client, dbs, world):
    login_as(client, world.worker)
    before = _windows(dbs, world.partner.id)
    response = _worker_post(client, world, {"weekday": "３", "start": "０９:３０", "end": "١١:٠٠"})
    assert response.status_code == 303
    assert _windows(dbs, world.partner.id) == before | {(3, 570, 660)}


@pytest.mark.parametrize("data", [{"weekday": "²", "start": "09:00", "end": "10:00"},
                                  {"weekday": "1", "start": "0²:00", "end": "10:00"},
                                  {"weekday": "1", "start": "09:00", "end": "10:⁰⁰"},
                                  {"weekday": "1", "start": "9" * 5000 + ":00", "end": "10:00"},
                                  {"weekday": "9" * 5000, "start": "09:00", "end": "10:00"}])
def test_worker_safe_time_with_digit_like_characters_is_a_clear_400(client, dbs, world, data):
    login_as(client, world.worker)
    before = _windows(dbs, world.partner.id)
    response = _worker_post(client, world, data)
    assert response.status_code == 400
    assert b'class="errors"' in response.data
    assert _windows(dbs, world.partner.id) == before
