"""Her advance choice (DESIGN 8, issue 10 item 5): a STOP texted from her phone (maybe by him) stops every text as
the law requires; if she agreed beforehand, her worker's task says they may check once, by a call (the other way
she chose), that it was her; otherwise it says "do not contact her". Through the signed SMS webhook."""

from __future__ import annotations

from flask import url_for
from sqlalchemy import select

from portal.models import PartnerContact, Preferences, Task
from portal.services.her import preferences as prefs_service
from tests.factories import reloaded, set_prefs, signed_in
from tests.public_helpers import open_link, post
from tests.sms_support import text_in
from tests.staff_console import post_form

CHOICES = {
    "channel": ["sms", "call"], "w0-day": ["0", "1", "2", "3", "4", "5", "6"], "w0-start": "00:00",
    "w0-end": "00:00", "timezone": "Europe/London", "tell-dropout": "call", "tell-suspended": "call",
    "tell-completed": "call", "tell-risk": "call", "locale": "en",
}
DO_NOT_CONTACT = "Do not contact her."
CHECK_ONCE = "you may check once, by a phone call"


def path(app, endpoint: str, **values) -> str:  # type: ignore[no-untyped-def]
    with app.test_request_context():
        return url_for(endpoint, **values)


def _prefs(dbs, partner_id) -> Preferences:  # type: ignore[no-untyped-def]
    dbs.expire_all()
    row = dbs.scalar(select(Preferences).where(Preferences.partner_id == partner_id))
    assert row is not None
    return row


def stop_task(dbs, partner_id) -> Task:  # type: ignore[no-untyped-def]
    dbs.expire_all()
    [task] = dbs.scalars(select(Task).where(Task.partner_id == partner_id, Task.kind == "consent_withdrawn_contact"))
    return task


def test_the_default_is_no_and_her_choices_page_offers_it(app, client, dbs, world, clock):
    assert _prefs(dbs, world.partner.id).check_after_stop is False
    open_link(client, dbs, world.partner, clock)
    page = client.get(path(app, "public.choices")).get_data(as_text=True)
    assert "If STOP is texted from your phone" in page
    assert 'id="check_after_stop-no" name="check_after_stop" value="0" checked' in page


def test_she_can_agree_only_with_calls_among_her_ways(app, client, dbs, world, clock):
    open_link(client, dbs, world.partner, clock)
    choices = path(app, "public.choices")
    refused = post(client, choices, CHOICES | {"channel": ["sms"], "check_after_stop": "1"})
    assert refused.status_code == 400
    assert "please also choose phone calls" in refused.get_data(as_text=True)
    assert _prefs(dbs, world.partner.id).check_after_stop is False
    assert post(client, choices, CHOICES | {"check_after_stop": "1"}).status_code == 303
    assert _prefs(dbs, world.partner.id).check_after_stop is True
    page = client.get(choices).get_data(as_text=True)
    assert 'id="check_after_stop-yes" name="check_after_stop" value="1" checked' in page
    assert post(client, choices, CHOICES | {"check_after_stop": "0"}).status_code == 303
    assert _prefs(dbs, world.partner.id).check_after_stop is False


def test_her_worker_records_it_with_her_under_the_same_rule(app, dbs, world):
    worker = signed_in(app, world.worker)
    form = path(app, "console.worker_preferences", partner_id=world.partner.id)
    base = {"tell_dropout": "call", "tell_suspended": "call", "tell_completed": "call", "tell_risk": "call"}
    refused = post_form(worker, form, base | {"channel_sms": "yes", "check_after_stop": "yes"})
    assert refused.status_code == 400 and "phone calls must be safe for her" in refused.get_data(as_text=True)
    assert _prefs(dbs, world.partner.id).check_after_stop is False
    saved = post_form(worker, form, base | {"channel_call": "yes", "check_after_stop": "yes"})
    assert saved.status_code == 303
    prefs = _prefs(dbs, world.partner.id)
    assert prefs.check_after_stop is True and prefs.updated_by_id == world.worker.id


def test_the_preferences_service_is_the_one_validation_owner() -> None:
    data = prefs_service.PreferencesInput(channels=frozenset({"sms"}), windows=(), timezone="Europe/London",
                                          voicemail_ok=False, shared_phone=False,
                                          tell={topic: "none" for topic in prefs_service.TOPICS},
                                          serious_risk_any_time=False, locale="en", check_after_stop=True)
    _, errors = prefs_service.validate(data, {"en"})
    assert prefs_service.FieldError("check_after_stop", "check_after_stop_needs_call") in errors


def test_a_texted_stop_when_she_agreed_lets_her_worker_check_once_by_call(app, client, dbs, sms_world):
    set_prefs(dbs, sms_world.partner.id, channel_call=True, check_after_stop=True)
    dbs.commit()
    assert text_in(client, "STOP").status_code == 200
    partner = reloaded(dbs, sms_world.partner)
    assert partner.sms_opted_out and partner.status == "withdrawn"  # texts stop, as the law requires
    task = stop_task(dbs, partner.id)
    assert (task.contact_allowed, task.check_once_allowed) == (False, True)
    page = signed_in(app, sms_world.worker).get(path(app, "console.worker_task", task_id=task.id))
    html = page.get_data(as_text=True)
    assert CHECK_ONCE in html and "do not try again" in html
    assert "She has stopped contact, declined it, or her case is closed." not in html


def test_a_texted_stop_without_her_advance_yes_says_do_not_contact_her(app, client, dbs, sms_world):
    set_prefs(dbs, sms_world.partner.id, channel_call=True)
    dbs.commit()
    text_in(client, "STOPP")  # German, and every other locale's keyword, acts the same
    task = stop_task(dbs, sms_world.partner.id)
    assert (task.contact_allowed, task.check_once_allowed) == (False, False)
    html = signed_in(app, sms_world.worker).get(path(app, "console.worker_task", task_id=task.id)).get_data(
        as_text=True)
    assert DO_NOT_CONTACT in html and CHECK_ONCE not in html


def test_her_yes_needs_calls_still_agreed_when_stop_arrives(app, client, dbs, sms_world):
    set_prefs(dbs, sms_world.partner.id, channel_call=False, check_after_stop=True)  # e.g. an old record
    dbs.commit()
    text_in(client, "STOP")
    assert stop_task(dbs, sms_world.partner.id).check_once_allowed is False


def test_only_a_texted_stop_allows_the_check_her_own_stop_button_does_not(app, client, dbs, world, clock):
    set_prefs(dbs, world.partner.id, channel_call=True, check_after_stop=True)
    dbs.commit()
    open_link(client, dbs, world.partner, clock)
    post(client, path(app, "public.stop"), {"confirm": "yes"}, token_from=path(app, "public.home"))
    assert dbs.get(PartnerContact, world.partner.id) is not None
    assert stop_task(dbs, world.partner.id).check_once_allowed is False
