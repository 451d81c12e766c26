"""Her number registered in two services: every inbound text reaches both, each on its own, neither told.

And a service's duplicate check and its worker's find-by-number look only within that service.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal.models import (
    ConsentEvent,
    Notification,
    NotificationState,
    PartnerContact,
    PartnerStatus,
    Task,
)
from portal.services.messaging.outbox import enqueue
from tests.factories import make_world, signed_in
from tests.sms_support import ACCOUNT_SID, signed_post, text_in
from tests.staff_console import csrf_from

PHONE = "+447400123456"


@pytest.fixture
def worlds(app, dbs, vault, audit_key, clock, sms_world):
    """Service A recorded her first, service B later: the same number, two independent records."""
    second = make_world(dbs, vault, audit_key, prefs={"channel_sms": True})
    sms_world.partner.created_at = clock.now().replace(year=2025)
    dbs.commit()
    return sms_world, second


def tasks_of(dbs, world):
    dbs.expire_all()
    return list(dbs.scalars(select(Task).where(Task.partner_id == world.partner.id)))


def records(dbs, worlds):
    dbs.expire_all()
    return [dbs.get(PartnerContact, w.partner.id) for w in worlds]


def assert_each_service_alone(dbs, worlds, kind, vault=None, detail=None):
    for world in worlds:
        [task] = tasks_of(dbs, world)
        assert task.kind == kind
        assert task.service_id == world.service.id and task.assignee_id == world.worker.id
        if detail is not None:
            assert vault.get(task, "detail_ct") == detail  # her words only: nothing about the other service


def test_stop_withdraws_every_live_record_with_her_number(client, dbs, vault, worlds, clock):
    pending = [enqueue(dbs, vault, w.partner, kind="warning", template="warning", now=clock.now()).id
               for w in worlds]
    dbs.commit()
    response = text_in(client, "STOPP")
    assert response.data.decode().count("<Message>") == 1  # one reply, whatever the number of records
    withdrawn = [p for p in records(dbs, worlds) if p.status == PartnerStatus.WITHDRAWN and p.sms_opted_out]
    assert len(withdrawn) == 2, f"STOP with her in 2 services: {len(withdrawn)} of 2 records withdrawn"
    assert {dbs.get(Notification, n).state for n in pending} == {NotificationState.CANCELLED}
    assert_each_service_alone(dbs, worlds, "consent_withdrawn_contact")


def test_help_reaches_both_services(client, dbs, worlds):
    text_in(client, "HELP")
    assert_each_service_alone(dbs, worlds, "sms_help")


def test_free_text_reaches_both_services_with_only_her_words(client, dbs, vault, worlds):
    text_in(client, "Can you ring me after 3?")
    assert_each_service_alone(dbs, worlds, "sms_free_text", vault, "Can you ring me after 3?")


def test_start_reaches_both_services_each_with_its_own_link(client, dbs, worlds):
    text_in(client, "STOP")
    text_in(client, "START")
    for partner in records(dbs, worlds):
        assert not partner.sms_opted_out
        links = dbs.scalar(select(func.count()).select_from(Notification).where(
            Notification.partner_id == partner.id, Notification.kind == "invite",
            Notification.state == NotificationState.PENDING))
        assert links == 1
    for world in worlds:
        assert {t.kind for t in tasks_of(dbs, world)} == {"consent_withdrawn_contact", "sms_opt_in"}


def test_a_closed_record_is_not_acted_on_the_live_one_is(client, dbs, worlds):
    first, second = worlds
    dbs.get(PartnerContact, second.partner.id).status = PartnerStatus.CLOSED  # the newest record
    dbs.commit()
    text_in(client, "HELP")
    assert tasks_of(dbs, second) == []
    assert [t.kind for t in tasks_of(dbs, first)] == ["sms_help"]


def test_21610_turns_texts_off_on_every_live_record_with_her_number(client, dbs, vault, worlds, clock):
    first, second = worlds
    sent = enqueue(dbs, vault, second.partner, kind="invite", template="invite", now=clock.now(),
                   params={"url": "https://portal.test/v/abc"})
    sent.state, sent.provider_sid, sent.provider_status, sent.attempts = NotificationState.SENT, "SM" + "8" * 32, \
        "sent", 1
    dbs.commit()
    signed_post(client, "/sms/status", {"MessageSid": "SM" + "8" * 32, "MessageStatus": "undelivered",
                                        "ErrorCode": "21610", "AccountSid": ACCOUNT_SID})
    opted = [p.sms_opted_out for p in records(dbs, worlds)]
    assert opted == [True, True], f"21610 with her in 2 services: {sum(opted)} of 2 records opted out"
    for partner in records(dbs, worlds):
        assert partner.status == PartnerStatus.ACTIVE  # calls are still agreed
        assert dbs.scalar(select(ConsentEvent).where(ConsentEvent.partner_id == partner.id,
                                                     ConsentEvent.action == "withdrawn",
                                                     ConsentEvent.scope == "sms"))
    for world in worlds:
        assert [t.kind for t in tasks_of(dbs, world)] == ["consent_withdrawn_sms"]


def _register(staff, phone="07400 123456"):
    token = csrf_from(staff.get("/staff/cases/new").data)
    return staff.post("/staff/cases/new", data={
        "csrf_token": token, "name": "Sam Again", "phone": phone, "email": "", "locale": "en",
        "timezone": "Europe/London", "consent_given": "yes", "consent_date": "2026-03-02"})


def test_the_duplicate_check_looks_only_within_the_service(app, dbs, vault, audit_key, worlds):
    first, _second = worlds
    response = _register(signed_in(app, first.worker))
    assert response.status_code == 400, "service A registered her a second time"
    in_first = dbs.scalar(select(func.count()).select_from(PartnerContact).where(
        PartnerContact.service_id == first.service.id))
    assert in_first == 1
    third = make_world(dbs, vault, audit_key, partner_phone="+447400999999")  # a service without her
    dbs.commit()
    assert _register(signed_in(app, third.worker)).status_code == 303


def test_her_worker_finds_her_by_number_in_their_own_service(app, dbs, worlds):
    first, second = worlds
    for world in (first, second):
        staff = signed_in(app, world.worker)
        token = csrf_from(staff.get("/staff/cases").data)
        response = staff.post("/staff/cases/find", data={"csrf_token": token, "phone": "07400 123456"})
        assert response.headers["Location"].endswith(f"/staff/cases/{world.partner.id}")
