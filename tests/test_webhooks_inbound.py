"""POST /sms/inbound: signed by Twilio or refused; each text claimed once; keywords act; nothing dropped."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from portal.models import (
    AccessToken,
    ConsentEvent,
    InboundMessage,
    Notification,
    NotificationState,
    PartnerContact,
    PartnerStatus,
    Task,
)
from portal.services.messaging.outbox import enqueue
from tests.sms_support import signed_post, text_in, twilio_signature

PHONE = "+447400123456"


@pytest.fixture
def world(sms_world):
    return sms_world


def tasks(dbs, partner_id, kind=None):
    dbs.expire_all()
    query = select(Task).where(Task.partner_id == partner_id)
    if kind:
        query = query.where(Task.kind == kind)
    return list(dbs.scalars(query))


def test_unsigned_and_wrongly_signed_requests_are_refused(client, world, dbs):
    params = {"MessageSid": "SM" + "a" * 32, "From": PHONE, "Body": "STOP"}
    assert client.post("/sms/inbound", data=params).status_code == 403
    assert signed_post(client, "/sms/inbound", params, token="not-the-token").status_code == 403
    assert signed_post(client, "/sms/inbound", params, signature="bm90IGEgc2lnbmF0dXJl").status_code == 403
    # Signed for another address (e.g. the internal http:// URL behind the TLS proxy): refused.
    assert signed_post(client, "/sms/inbound", params, base="http://portal.test").status_code == 403
    tampered = dict(params, Body="START")
    sig = twilio_signature("/sms/inbound", params)
    assert signed_post(client, "/sms/inbound", tampered, signature=sig).status_code == 403
    dbs.expire_all()
    assert dbs.scalar(select(func.count()).select_from(InboundMessage)) == 0
    assert not dbs.get(PartnerContact, world.partner.id).sms_opted_out


def test_without_an_auth_token_every_webhook_is_refused(app, client, world):
    from dataclasses import replace

    app.config["PORTAL"] = replace(app.config["PORTAL"], twilio_auth_token="")
    assert text_in(client, "STOP").status_code == 403


def test_signature_is_checked_against_the_public_url_behind_a_tls_proxy(client, world):
    # The request reaches the app over plain http on another host name; Twilio signed the public https URL.
    response = text_in(client, "hello", base="https://portal.test", base_url="http://10.0.0.5:8000")
    assert response.status_code == 200


def test_answers_with_twiml_and_sets_no_cookie(client, world):
    response = text_in(client, "STOP")
    assert response.status_code == 200
    assert response.mimetype == "text/xml"
    assert response.data.decode().endswith("<Response />")
    assert "Set-Cookie" not in response.headers


@pytest.mark.parametrize("body", ["STOP", "stop", "Stop.", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT",
                                  "REVOKE", "OPTOUT"])
def test_standard_stop_words_stop_everything_and_leave_the_reply_to_twilio(client, world, dbs, vault, clock, body):
    pending = enqueue(dbs, vault, world.partner, kind="warning", template="warning", now=clock.now())
    dbs.commit()
    response = text_in(client, body)
    assert response.data.decode().endswith("<Response />")  # Twilio sends its own confirmation
    dbs.expire_all()
    partner = dbs.get(PartnerContact, world.partner.id)
    assert partner.sms_opted_out and partner.status == PartnerStatus.WITHDRAWN
    assert dbs.get(Notification, pending.id).state == NotificationState.CANCELLED
    scopes = {(e.scope, e.action, e.channel) for e in dbs.scalars(select(ConsentEvent).where(
        ConsentEvent.partner_id == partner.id))}
    assert {("contact", "withdrawn", "sms"), ("sms", "withdrawn", "sms")} <= scopes
    assert [t.kind for t in tasks(dbs, partner.id)] == ["consent_withdrawn_contact"]


@pytest.mark.parametrize("body, locale", [("OPT OUT", "en"), ("STOPP", "de"), ("Halt!", "de"), ("ARRÊT", "en"),
                                          ("ALTO", "en"), ("توقف", "ar")])
def test_other_stop_words_stop_everything_and_we_confirm_once(client, world, dbs, body, locale):
    dbs.get(PartnerContact, world.partner.id).locale = locale
    dbs.commit()
    response = text_in(client, body)
    reply = response.data.decode()
    assert reply.count("<Message>") == 1 and "START" in reply
    dbs.expire_all()
    assert dbs.get(PartnerContact, world.partner.id).sms_opted_out


def test_stop_twice_makes_no_second_task(client, world, dbs):
    text_in(client, "STOP")
    text_in(client, "STOP")
    assert len(tasks(dbs, world.partner.id)) == 1


@pytest.mark.parametrize("body", ["START", "yes", "Unstop", "ANMELDEN", "ابدأ"])
def test_start_turns_texts_back_on_and_sends_her_a_fresh_link(client, world, dbs, body):
    text_in(client, "STOP")
    response = text_in(client, body)
    assert response.status_code == 200
    dbs.expire_all()
    partner = dbs.get(PartnerContact, world.partner.id)
    assert not partner.sms_opted_out
    invites = list(dbs.scalars(select(Notification).where(Notification.partner_id == partner.id,
                                                          Notification.kind == "invite")))
    assert len(invites) == 1 and invites[0].state == NotificationState.PENDING
    live = dbs.scalar(select(func.count()).select_from(AccessToken).where(
        AccessToken.partner_id == partner.id, AccessToken.revoked_at.is_(None)))
    assert live == 1
    assert tasks(dbs, partner.id, "sms_opt_in")
    standard = body.upper() in {"START", "YES", "UNSTOP"}
    assert ("<Message>" in response.data.decode()) is not standard


@pytest.mark.parametrize("body", ["HELP", "info", "Hilfe", "مساعدة"])
def test_help_reaches_her_worker_urgently(client, world, dbs, body):
    response = text_in(client, body)
    assert ("<Message>" in response.data.decode()) is (body not in {"HELP", "info"})
    [task] = tasks(dbs, world.partner.id)
    assert task.kind == "sms_help" and task.severity == "urgent"


def test_free_text_goes_to_her_worker_encrypted(client, world, dbs, vault):
    response = text_in(client, "Can you ring me after 3 tomorrow?")
    assert response.data.decode().endswith("<Response />")
    [task] = tasks(dbs, world.partner.id)
    assert task.kind == "sms_free_text" and task.severity == "soon"
    assert vault.get(task, "detail_ct") == "Can you ring me after 3 tomorrow?"
    row = dbs.scalar(select(InboundMessage))
    assert b"ring me" not in row.body_ct and vault.get(row, "body_ct").startswith("Can you")


def test_stop_like_text_is_not_ignored_it_is_urgent(client, world, dbs):
    text_in(client, "please stop texting me")
    [task] = tasks(dbs, world.partner.id)
    assert task.kind == "sms_stop_like" and task.severity == "urgent"


def test_a_duplicate_webhook_is_handled_once(client, world, dbs):
    sid = "SM" + uuid.uuid4().hex
    assert text_in(client, "Call me", sid=sid).status_code == 200
    assert text_in(client, "Call me", sid=sid).status_code == 200
    assert len(tasks(dbs, world.partner.id)) == 1
    assert dbs.scalar(select(func.count()).select_from(InboundMessage)) == 1


def test_unknown_numbers_get_no_content_and_nothing_is_kept(client, world, dbs):
    response = text_in(client, "HELP", sender="+447700900123")
    assert response.status_code == 200 and response.data.decode().endswith("<Response />")
    response = text_in(client, "who is this?", sender="Alphanumeric")
    assert response.data.decode().endswith("<Response />")
    dbs.expire_all()
    rows = list(dbs.scalars(select(InboundMessage)))
    assert {r.keyword for r in rows} == {"unknown_sender"} and all(r.body_ct is None for r in rows)
    assert dbs.scalar(select(func.count()).select_from(Task)) == 0


def test_her_number_is_found_in_any_format(client, world, dbs):
    text_in(client, "hello", sender="+44 7400 123456")
    assert tasks(dbs, world.partner.id, "sms_free_text")


@pytest.mark.parametrize("params", [
    {"From": PHONE, "Body": "x"},  # no MessageSid
    {"MessageSid": "not-a-sid", "From": PHONE, "Body": "x"},
    {"MessageSid": "SM" + "a" * 32, "Body": "x"},  # no sender
    {"MessageSid": "SM" + "a" * 32, "From": PHONE, "Body": "x" * 2000},
])
def test_garbage_gets_a_helpful_400_not_a_500(client, world, params):
    response = signed_post(client, "/sms/inbound", params)
    assert response.status_code == 400
    assert response.get_json()["message"]


def test_a_get_is_not_allowed(client, world):
    assert client.get("/sms/inbound").status_code == 405


def test_her_number_and_words_never_reach_the_logs(client, world, caplog):
    caplog.set_level("DEBUG")
    text_in(client, "Meet at the blue cafe")
    text_in(client, "STOPP")
    assert "7400123456" not in caplog.text and "blue cafe" not in caplog.text
