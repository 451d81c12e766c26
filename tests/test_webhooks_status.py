"""POST /sms/status: signed, idempotent per (MessageSid, status), never backwards, failures acted on."""

from __future__ import annotations

from collections import deque

import pytest
from sqlalchemy import func, select

from portal.models import DeliveryReceipt, Notification, NotificationState, PartnerContact, Task
from portal.services.messaging.outbox import enqueue
from tests.sms_support import (
    ACCOUNT_SID,
    RecordingHttpClient,
    dispatcher,
    message_json,
    signed_post,
    twilio_gateway,
)

SID = "SM" + "4" * 32


@pytest.fixture
def world(sms_world):
    return sms_world


def send(app, dbs, vault, world, clock, kind="warning"):
    params = {"url": "https://portal.test/v/abc"} if kind == "invite" else None
    note = enqueue(dbs, vault, world.partner, kind=kind, template=kind, now=clock.now(), params=params)
    dbs.commit()
    http = RecordingHttpClient(deque([message_json(sid=SID)]))
    d = dispatcher(app, twilio_gateway(http))
    d.run_once()
    return note, d, http


def report(client, status, code=None, sid=SID, query=""):
    params = {"MessageSid": sid, "MessageStatus": status, "AccountSid": ACCOUNT_SID}
    if code:
        params["ErrorCode"] = str(code)
    return signed_post(client, "/sms/status" + query, params)


def state(dbs, note):
    dbs.expire_all()
    return dbs.get(Notification, note.id)


def test_unsigned_reports_are_refused(client, world, app, dbs, vault, clock):
    note, _, _ = send(app, dbs, vault, world, clock)
    assert client.post("/sms/status", data={"MessageSid": SID, "MessageStatus": "failed"}).status_code == 403
    assert signed_post(client, "/sms/status", {"MessageSid": SID, "MessageStatus": "failed"},
                       token="wrong").status_code == 403
    assert state(dbs, note).state == NotificationState.SENT


def test_delivered_is_recorded_once_and_duplicates_change_nothing(client, world, app, dbs, vault, clock):
    note, _, _ = send(app, dbs, vault, world, clock)
    for _ in range(3):
        assert report(client, "delivered").status_code == 204
    row = state(dbs, note)
    assert row.state == NotificationState.DELIVERED and row.provider_status == "delivered"
    assert dbs.scalar(select(func.count()).select_from(DeliveryReceipt)) == 1


def test_a_late_sent_never_overwrites_delivered(client, world, app, dbs, vault, clock):
    note, _, _ = send(app, dbs, vault, world, clock)
    report(client, "delivered")
    report(client, "sent")
    report(client, "queued")
    row = state(dbs, note)
    assert (row.state, row.provider_status) == (NotificationState.DELIVERED, "delivered")


def test_reports_that_arrive_before_the_send_is_recorded_are_kept_and_applied(client, world, app, dbs, vault,
                                                                              clock):
    # Twilio can call back before our worker has written down the SID: the report waits for it.
    assert report(client, "delivered").status_code == 204
    note, _, _ = send(app, dbs, vault, world, clock)
    assert state(dbs, note).state == NotificationState.DELIVERED


def test_an_undelivered_warning_goes_to_her_worker_and_is_never_resent(client, world, app, dbs, vault, clock):
    note, d, http = send(app, dbs, vault, world, clock)
    report(client, "sent")
    report(client, "undelivered", 30003)
    row = state(dbs, note)
    assert row.state == NotificationState.FAILED
    [task] = dbs.scalars(select(Task).where(Task.notification_id == note.id))
    assert task.kind == "message_not_delivered"
    clock.advance(hours=2)
    d.run_once()
    assert len(http.requests) == 1


def test_30007_carrier_filtering_goes_to_her_worker(client, world, app, dbs, vault, clock):
    note, _, _ = send(app, dbs, vault, world, clock, kind="invite")
    report(client, "undelivered", 30007)
    assert state(dbs, note).state == NotificationState.FAILED
    assert dbs.scalar(select(Task).where(Task.notification_id == note.id)).kind == "message_not_sent"


def test_a_transient_delivery_failure_of_a_link_is_tried_again(client, world, app, dbs, vault, clock):
    note, d, http = send(app, dbs, vault, world, clock, kind="invite")
    report(client, "undelivered", 30003)
    row = state(dbs, note)
    assert row.state == NotificationState.PENDING and row.provider_sid is None
    clock.advance(seconds=31)
    http.answers.append(message_json(sid="SM" + "6" * 32))
    d.run_once()
    assert state(dbs, note).provider_sid == "SM" + "6" * 32
    # A late report about the first attempt does not touch the second ...
    report(client, "delivered")
    assert state(dbs, note).state == NotificationState.SENT
    # ... and the second attempt's own reports count, even after the first one's "undelivered".
    report(client, "delivered", sid="SM" + "6" * 32)
    assert state(dbs, note).state == NotificationState.DELIVERED


@pytest.mark.parametrize("code", [30004, 30005, 30006])
def test_permanent_delivery_errors_mark_her_number_unusable(client, world, app, dbs, vault, clock, code):
    note, _, _ = send(app, dbs, vault, world, clock)
    report(client, "undelivered", code)
    assert state(dbs, note).state == NotificationState.FAILED
    assert dbs.get(PartnerContact, world.partner.id).sms_unusable


def test_a_report_for_an_unknown_message_is_kept_quietly(client, world):
    assert report(client, "delivered", sid="SM" + "0" * 32).status_code == 204


@pytest.mark.parametrize("params, query", [
    ({"MessageStatus": "delivered"}, ""),
    ({"MessageSid": SID}, ""),
    ({"MessageSid": SID, "MessageStatus": "<script>"}, ""),
    ({"MessageSid": SID, "MessageStatus": "failed", "ErrorCode": "abc"}, ""),
    ({"MessageSid": SID, "MessageStatus": "sent"}, "?n=zz&a=1"),
])
def test_garbage_gets_a_helpful_400(client, world, params, query):
    response = signed_post(client, "/sms/status" + query, params)
    assert response.status_code == 400 and response.get_json()["message"]
