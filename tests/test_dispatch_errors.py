"""Each provider error class, lost answers, and crashed claims: retried, reconciled or handed over."""

from __future__ import annotations

from collections import deque
from datetime import timedelta

import pytest
import requests
from sqlalchemy import select

from portal.models import ConsentEvent, NotificationState, PartnerContact, Task
from portal.services.messaging.dispatch import Counts
from portal.sms.twilio_backend import TwilioGateway
from tests.factories import reloaded
from tests.sms_support import (
    RecordingHttpClient,
    dispatcher,
    error_response,
    message_json,
    queued_warning,
    signed_post,
    twilio_gateway,
)


@pytest.fixture
def world(sms_world):
    return sms_world


def gateway(*answers) -> tuple[TwilioGateway, RecordingHttpClient]:
    http = RecordingHttpClient(deque(answers))
    return twilio_gateway(http), http


def tasks_for(dbs, note):
    return list(dbs.scalars(select(Task).where(Task.notification_id == note.id)))


@pytest.mark.parametrize("answer, code", [
    (error_response(429, 20429), "20429"), (error_response(500, None), "http500"),
    (error_response(503, 20503), "20503"), (requests.ConnectTimeout("connect"), None),
])
def test_transient_errors_retry_with_growing_bounded_backoff(app, world, dbs, vault, clock, answer, code):
    note = queued_warning(dbs, vault, world.partner, clock)
    gw, http = gateway(*([answer] * 10))
    d = dispatcher(app, gw, max_attempts=4)
    pauses = []
    for _ in range(3):
        before = clock.now()
        d.run_once()
        row = reloaded(dbs, note)
        assert row.state == NotificationState.PENDING and row.error_code == code
        pauses.append(row.not_before - before)
        clock.current = row.not_before
    assert pauses == [timedelta(seconds=30), timedelta(seconds=60), timedelta(seconds=120)]
    d.run_once()  # the fourth try fails too: her worker takes over, nothing is dropped
    row = reloaded(dbs, note)
    assert row.state == NotificationState.HANDED_OVER and len(http.requests) == 4
    assert [t.kind for t in tasks_for(dbs, row)] == ["message_not_delivered"]


def test_a_retry_that_succeeds_sends_exactly_once(app, world, dbs, vault, clock):
    note = queued_warning(dbs, vault, world.partner, clock)
    gw, http = gateway(error_response(503, 20503), message_json(sid="SM" + "1" * 32))
    d = dispatcher(app, gw)
    d.run_once()
    clock.advance(seconds=31)
    d.run_once()
    row = reloaded(dbs, note)
    assert row.state == NotificationState.SENT and row.provider_sid == "SM" + "1" * 32 and row.attempts == 2
    # Each attempt tells Twilio which attempt it was in the callback address.
    assert [r.data["StatusCallback"].rsplit("a=", 1)[1] for r in http.requests] == ["1", "2"]


@pytest.mark.parametrize("code", [21211, 21614])
def test_a_permanent_number_error_marks_her_number_unusable_and_tells_her_worker(app, world, dbs, vault, clock,
                                                                                code):
    notes = [queued_warning(dbs, vault, world.partner, clock), queued_warning(dbs, vault, world.partner, clock)]
    gw, http = gateway(error_response(400, code))
    dispatcher(app, gw, batch=1).run_once()
    rows = sorted((reloaded(dbs, n) for n in notes), key=lambda r: r.state)
    # The first is refused; the second is not tried on a number we know is dead: her worker gets it.
    assert [r.state for r in rows] == [NotificationState.FAILED, NotificationState.HANDED_OVER]
    assert rows[0].error_code == f"unusable_{code}" and len(http.requests) == 1
    assert dbs.get(PartnerContact, world.partner.id).sms_unusable
    assert [t.kind for t in tasks_for(dbs, rows[0])] == ["message_not_delivered"]
    assert [t.kind for t in tasks_for(dbs, rows[1])] == ["message_not_delivered"]


def test_21610_means_she_opted_out_of_texts(app, world, dbs, vault, clock):
    note = queued_warning(dbs, vault, world.partner, clock)
    gw, _ = gateway(error_response(400, 21610))
    dispatcher(app, gw).run_once()
    row = reloaded(dbs, note)
    assert row.state == NotificationState.FAILED
    partner = dbs.get(PartnerContact, world.partner.id)
    assert partner.sms_opted_out
    [event] = dbs.scalars(select(ConsentEvent).where(ConsentEvent.partner_id == partner.id,
                                                      ConsentEvent.action == "withdrawn"))
    assert (event.scope, event.channel) == ("sms", "sms")
    kinds = {t.kind for t in dbs.scalars(select(Task).where(Task.partner_id == partner.id))}
    assert {"consent_withdrawn_sms", "message_not_delivered"} <= kinds


def test_30007_and_unknown_refusals_go_to_her_worker(app, world, dbs, vault, clock):
    a = queued_warning(dbs, vault, world.partner, clock)
    b = queued_warning(dbs, vault, world.partner, clock)
    gw, _ = gateway(error_response(400, 30007), error_response(401, 20003))
    dispatcher(app, gw).run_once()
    assert {reloaded(dbs, a).state, reloaded(dbs, b).state} == {NotificationState.FAILED}
    assert len(tasks_for(dbs, a)) == len(tasks_for(dbs, b)) == 1


def test_a_lost_answer_is_unknown_and_the_status_callback_settles_it_without_a_resend(app, client, world, dbs,
                                                                                     vault, clock):
    note = queued_warning(dbs, vault, world.partner, clock)
    gw, http = gateway(requests.ReadTimeout("read timed out"))
    d = dispatcher(app, gw)
    d.run_once()
    row = reloaded(dbs, note)
    assert row.state == NotificationState.UNKNOWN and row.provider_sid is None
    # Twilio did create it; its callback carries our id and attempt in the URL.
    path = f"/sms/status?n={note.id.hex}&a=1"
    sid = "SM" + "7" * 32
    assert signed_post(client, path, {"MessageSid": sid, "MessageStatus": "delivered"}).status_code == 204
    row = reloaded(dbs, note)
    assert row.state == NotificationState.DELIVERED and row.provider_sid == sid
    clock.advance(hours=1)
    d.run_once()
    assert len(http.requests) == 1  # never sent again


def test_a_lost_answer_is_found_by_looking_it_up_when_no_callback_comes(app, world, dbs, vault, clock):
    note = queued_warning(dbs, vault, world.partner, clock)
    gw, http = gateway(requests.ReadTimeout("read timed out"))
    d = dispatcher(app, gw)
    d.run_once()
    d.run_once()  # too early to look it up: still waiting for a callback
    assert len(http.requests) == 1
    body = http.requests[0].data["Body"]
    clock.advance(minutes=11)
    http.answers.append({"messages": [message_json(sid="SM" + "8" * 32, status="delivered", body=body),
                                      message_json(sid="SM" + "9" * 32, body="something else")],
                         "next_page_uri": None, "uri": "/x"})
    d.run_once()
    row = reloaded(dbs, note)
    assert row.state == NotificationState.DELIVERED and row.provider_sid == "SM" + "8" * 32
    assert [r.method for r in http.requests] == ["POST", "GET"]


def test_a_lost_request_that_never_arrived_is_sent_again_once(app, world, dbs, vault, clock):
    note = queued_warning(dbs, vault, world.partner, clock)
    gw, http = gateway(requests.ReadTimeout("read timed out"),
                       {"messages": [], "next_page_uri": None, "uri": "/x"},
                       message_json(sid="SM" + "5" * 32))
    d = dispatcher(app, gw)
    d.run_once()
    clock.advance(minutes=11)
    d.run_once()  # looked up: Twilio has no such message, so it may go again ...
    d.run_once()  # ... and it does, once
    row = reloaded(dbs, note)
    assert row.state == NotificationState.SENT and row.provider_sid == "SM" + "5" * 32 and row.attempts == 2
    assert [r.method for r in http.requests] == ["POST", "GET", "POST"]


def test_a_worker_that_died_holding_a_claim_never_causes_a_blind_resend(app, world, dbs, vault, clock):
    note = queued_warning(dbs, vault, world.partner, clock)
    gw, http = gateway()
    d = dispatcher(app, gw)
    [job] = d.claim(Counts())  # claimed and committed as `sending` ... then the process died
    assert reloaded(dbs, note).state == NotificationState.SENDING
    d.run_once()
    assert http.requests == []  # the lease has not run out: nobody touches it
    clock.advance(minutes=3)
    d.run_once()
    assert reloaded(dbs, note).state == NotificationState.UNKNOWN and http.requests == []
    clock.advance(minutes=10)
    http.answers.append({"messages": [], "next_page_uri": None, "uri": "/x"})
    d.run_once()  # not found at Twilio: it never left, so now it is sent (once)
    d.run_once()
    assert [r.method for r in http.requests] == ["GET", "POST"]
    assert reloaded(dbs, note).state == NotificationState.SENT


def test_two_identical_texts_are_told_apart_when_reconciling(app, world, dbs, vault, clock):
    notes = [queued_warning(dbs, vault, world.partner, clock), queued_warning(dbs, vault, world.partner, clock)]
    gw, http = gateway(message_json(sid="SM" + "a" * 32), requests.ReadTimeout("lost"))
    d = dispatcher(app, gw)
    d.run_once()
    rows = {reloaded(dbs, n).state: reloaded(dbs, n) for n in notes}
    assert rows[NotificationState.SENT].provider_sid == "SM" + "a" * 32
    lost = rows[NotificationState.UNKNOWN]
    body = http.requests[0].data["Body"]
    clock.advance(minutes=11)
    # Twilio lists both texts (same wording): the one already ours is not taken for the lost one.
    http.answers.append({"messages": [message_json(sid="SM" + "b" * 32, body=body),
                                      message_json(sid="SM" + "a" * 32, body=body)],
                         "next_page_uri": None, "uri": "/x"})
    d.run_once()
    assert reloaded(dbs, lost).provider_sid == "SM" + "b" * 32
