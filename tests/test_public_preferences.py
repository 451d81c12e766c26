"""Her choices: every field saved, validated with clear messages in her language, audited by field name only."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from portal.models import AuditEvent, PartnerContact, Preferences, SafeWindow
from tests.public_helpers import choose_language, csrf_token, open_link, post

VALID = {
    "channel": ["sms", "call"],
    "w0-day": ["0", "1", "2", "3", "4"], "w0-start": "10:00", "w0-end": "12:30",
    "w1-day": ["5"], "w1-start": "18:00", "w1-end": "00:00",
    "timezone": "Europe/Berlin",
    "voicemail_ok": "1",
    "shared_phone": "1",
    "tell-dropout": "both", "tell-suspended": "message", "tell-completed": "call", "tell-risk": "both",
    "serious_risk_any_time": "1",
    "code_word": "lighthouse",
    "locale": "de",
}


def _prefs(dbs, partner_id):  # type: ignore[no-untyped-def]
    dbs.expire_all()
    return dbs.scalar(select(Preferences).where(Preferences.partner_id == partner_id))


def test_she_sets_every_preference_and_it_is_stored(client, dbs, vault, world, clock):
    open_link(client, dbs, world.partner, clock)
    response = post(client, "/choices", VALID)
    assert response.status_code == 303 and response.headers["Location"].endswith("/home")
    prefs = _prefs(dbs, world.partner.id)
    assert (prefs.channel_sms, prefs.channel_call, prefs.channel_worker_only) == (True, True, False)
    assert prefs.voicemail_ok and prefs.shared_phone and prefs.serious_risk_any_time
    assert (prefs.tell_dropout, prefs.tell_suspended, prefs.tell_completed, prefs.tell_risk) == (
        "both", "message", "call", "both")
    assert vault.get(prefs, "code_word_ct") == "lighthouse"
    assert b"lighthouse" not in prefs.code_word_ct
    partner = dbs.get(PartnerContact, world.partner.id)
    assert (partner.timezone, partner.locale) == ("Europe/Berlin", "de")
    windows = {(w.weekday, w.start_minute, w.end_minute)
               for w in dbs.scalars(select(SafeWindow).where(SafeWindow.partner_id == world.partner.id))}
    assert windows == {(d, 600, 750) for d in range(5)} | {(5, 1080, 1440)}
    assert client.get("/home").status_code == 200


def test_every_change_is_one_audit_event_naming_fields_never_values(client, dbs, world, clock):
    open_link(client, dbs, world.partner, clock)
    post(client, "/choices", VALID)
    [event] = dbs.scalars(select(AuditEvent).where(AuditEvent.action == "preferences.changed"))
    details = json.loads(event.details)
    assert event.actor_type == "partner" and event.actor_id == str(world.partner.id)
    assert {"channel_call", "code_word", "safe_windows", "timezone", "locale", "tell_dropout"} <= set(
        details["fields"])
    assert "lighthouse" not in event.details and "Europe/Berlin" not in event.details
    post(client, "/choices", VALID)  # the same answers again: nothing changed, nothing audited
    assert len(list(dbs.scalars(select(AuditEvent).where(AuditEvent.action == "preferences.changed")))) == 1


def test_the_form_shows_her_choices_back_but_never_her_code_word(client, dbs, world, clock):
    open_link(client, dbs, world.partner, clock)
    post(client, "/choices", VALID)
    page = client.get("/choices?lang=en").get_data(as_text=True)
    assert "lighthouse" not in page
    assert "You have a code word" in page
    assert 'value="Europe/Berlin" selected' in page
    assert 'id="w0-start" name="w0-start" value="10:00"' in page
    assert 'id="w1-end" name="w1-end" value="00:00"' in page
    assert 'id="code_word" name="code_word" maxlength="40" autocomplete="off"' in page


def test_the_code_word_can_be_removed(client, dbs, vault, world, clock):
    open_link(client, dbs, world.partner, clock)
    post(client, "/choices", VALID)
    post(client, "/choices", {**VALID, "locale": "en", "code_word": "", "clear_code_word": "1"})
    assert _prefs(dbs, world.partner.id).code_word_ct is None


@pytest.mark.parametrize("change, field, message", [
    ({"w0-end": "09:00"}, "window-0", "The end time must be after the start time"),
    ({"w0-start": "25:00"}, "window-0", "Please enter both times"),
    ({"w0-day": []}, "window-0", "Choose at least one day"),
    ({"w0-day": ["9"]}, "window-0", "Choose at least one day"),
    ({"channel": []}, "channels", "Choose at least one way"),
    ({"channel": ["none", "sms"]}, "channels", "cannot be combined"),
    ({"channel": ["carrier-pigeon"]}, "channels", "Choose at least one way"),
    ({"channel": ["call"], "tell-risk": "message"}, "tell-risk", "also choose text messages"),
    ({"tell-dropout": "shout"}, "tell-dropout", "Please choose one answer."),
    ({"timezone": "Mars/Olympus"}, "timezone", "Please choose your time zone"),
    ({"timezone": "../../etc/passwd"}, "timezone", "Please choose your time zone"),
    ({"locale": "xx"}, "locale", "Please choose a language"),
    ({"code_word": "x" * 41}, "code_word", "up to 40"),
    ({"w0-day": [], "w0-start": "", "w0-end": "", "w1-day": [], "w1-start": "", "w1-end": ""}, "windows",
     "at least one time when contact is safe"),
])
def test_bad_answers_are_refused_with_a_clear_message_and_nothing_changes(
        client, dbs, world, clock, change, field, message):
    open_link(client, dbs, world.partner, clock)
    before = _prefs(dbs, world.partner.id).updated_at
    response = post(client, "/choices", {**VALID, **change})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in page
    assert f'href="#{field}"' in page  # the error summary links to the field
    assert _prefs(dbs, world.partner.id).updated_at == before
    assert dbs.get(PartnerContact, world.partner.id).timezone == "Europe/London"


def test_errors_keep_what_she_typed(client, dbs, world, clock):
    open_link(client, dbs, world.partner, clock)
    page = post(client, "/choices", {**VALID, "w0-end": "09:00"}).get_data(as_text=True)
    assert 'value="Europe/Berlin" selected' in page
    assert 'id="w0-end" name="w0-end" value="09:00"' in page


def test_errors_are_shown_in_her_language(app, client, dbs, world, clock):
    open_link(client, dbs, world.partner, clock)
    choose_language(app, client, "ar", back="/choices")
    page = post(client, "/choices", {**VALID, "w0-end": "09:00"}).get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in page


def test_only_through_her_worker_or_no_contact_needs_no_safe_times(client, dbs, world, clock):
    open_link(client, dbs, world.partner, clock)
    response = post(client, "/choices", {**VALID, "channel": ["none"], "w0-day": [], "w0-start": "",
                                         "w0-end": "", "w1-day": [], "w1-start": "", "w1-end": "",
                                         "tell-dropout": "call", "tell-suspended": "none",
                                         "tell-risk": "call"})
    assert response.status_code == 303
    prefs = _prefs(dbs, world.partner.id)
    assert not (prefs.channel_sms or prefs.channel_call or prefs.channel_worker_only)
    assert dbs.scalar(select(SafeWindow).where(SafeWindow.partner_id == world.partner.id)) is None


def test_the_time_zone_list_is_in_her_language(client, dbs, world, clock):
    open_link(client, dbs, world.partner, clock)
    assert "Deutschland" in client.get("/choices?lang=de").get_data(as_text=True)


field_names = st.sampled_from(sorted(VALID) + ["w2-day", "w5-start", "clear_code_word", "zzz"])
garbage = st.one_of(st.text(max_size=60), st.sampled_from(["", "0", "1", "24:00", "-1", "00:00", "\x00", "💥"]))


@pytest.fixture
def her_client(client, dbs, world, clock):  # type: ignore[no-untyped-def]
    open_link(client, dbs, world.partner, clock)
    return client


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(form=st.dictionaries(field_names, st.one_of(garbage, st.lists(garbage, max_size=9)), max_size=12))
def test_garbage_never_causes_a_server_error(her_client, form):
    token = csrf_token(her_client, "/choices")
    response = her_client.post("/choices", data={**form, "csrf_token": token})
    assert response.status_code in (303, 400)
    if response.status_code == 303:
        assert response.headers["Location"] == "/home"
