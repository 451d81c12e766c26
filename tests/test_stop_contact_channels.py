"""DESIGN 8 "Stopping contact, by channel": one table, each row driven through its real channel.

Every row starts from the same world: her record active with texts on, one pending warning, one pending
link message, a spare unused link, and two open sessions of hers (two phones or browsers). Each row then
asserts the same end state: the ledger entry, what happened to pending messages, her links, her sessions,
her worker's task and the SMS opt-out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.models import (
    AccessToken,
    ConsentEvent,
    Notification,
    NotificationState,
    PartnerContact,
    PartnerStatus,
    Task,
    WebSession,
)
from portal.services.her.invites import issue_invite
from portal.services.messaging.outbox import enqueue
from tests.factories import make_world, signed_in
from tests.public_helpers import her_client
from tests.public_helpers import post as her_post
from tests.sms_support import ACCOUNT_SID, signed_post, text_in, with_twilio
from tests.staff_console import post_form

PHONE = "+447400123456"
SENT_SID = "SM" + "7" * 32


@dataclass(frozen=True)
class Row:
    channel: str
    ledger: set[tuple[str, str, str]]  # (action, scope, channel) entries written by this row
    status: str
    pending_after: set[str]  # states of the pending warning and link message afterwards
    links_revoked: bool
    sessions_left: int  # of her two sessions (the web row keeps the one she pressed stop in)
    task: tuple[str, bool] | None  # (kind, contact allowed) of the task her worker gets
    sms_opted_out: bool


STOPPED = dict(status=PartnerStatus.WITHDRAWN, pending_after={NotificationState.CANCELLED}, links_revoked=True,
               task=("consent_withdrawn_contact", False))

ROWS = {
    "web_stop": Row("web", {("withdrawn", "contact", "web")}, sessions_left=1, sms_opted_out=False, **STOPPED),
    "sms_STOP_en": Row("STOP", {("withdrawn", "contact", "sms"), ("withdrawn", "sms", "sms")}, sessions_left=0,
                       sms_opted_out=True, **STOPPED),
    "sms_STOPP_de": Row("STOPP", {("withdrawn", "contact", "sms"), ("withdrawn", "sms", "sms")}, sessions_left=0,
                        sms_opted_out=True, **STOPPED),
    "sms_stop_ar": Row("توقف", {("withdrawn", "contact", "sms"), ("withdrawn", "sms", "sms")}, sessions_left=0,
                       sms_opted_out=True, **STOPPED),
    "worker_records_her_request": Row("worker", {("withdrawn", "contact", "worker")}, sessions_left=0,
                                      sms_opted_out=False, **STOPPED),
    # 21610: texts off only. Consent for calls is unchanged, so the warning she wanted is handed to her
    # worker to call about (nothing lost) and her links and sessions stay.
    "twilio_21610": Row("21610", {("withdrawn", "sms", "sms")}, status=PartnerStatus.ACTIVE,
                        pending_after={NotificationState.HANDED_OVER, NotificationState.CANCELLED},
                        links_revoked=False, sessions_left=2, task=("consent_withdrawn_sms", True),
                        sms_opted_out=True),
    "erasure": Row("erase", {("withdrawn", "contact", "worker")}, status=PartnerStatus.ERASED,
                   pending_after={NotificationState.CANCELLED}, links_revoked=True, sessions_left=0, task=None,
                   sms_opted_out=False),
}


@pytest.fixture
def world(app, dbs, vault, audit_key, clock):
    with_twilio(app)
    w = make_world(dbs, vault, audit_key, prefs={"channel_sms": True, "tell_dropout": "message"})
    dbs.commit()
    return w


def arrange(dbs, vault, world, clock):
    """A sent message (for the 21610 report), a pending warning, a pending link message, a spare link."""
    sent = enqueue(dbs, vault, world.partner, kind="warning", template="warning", now=clock.now())
    sent.state, sent.provider_sid, sent.provider_status, sent.attempts = NotificationState.SENT, SENT_SID, "sent", 1
    warning = enqueue(dbs, vault, world.partner, kind="warning", template="warning", now=clock.now())
    link = enqueue(dbs, vault, world.partner, kind="invite", template="invite", now=clock.now(),
                   params={"url": "https://portal.test/v/abc"})
    spare = issue_invite(dbs, world.partner.id, now=clock.now(), ttl=timedelta(hours=72))
    dbs.commit()
    return warning.id, link.id, spare.token_id


def ledger_ids(dbs, partner_id):
    return set(dbs.scalars(select(ConsentEvent.id).where(ConsentEvent.partner_id == partner_id)))


def new_entries(dbs, partner_id, before):
    rows = dbs.scalars(select(ConsentEvent).where(ConsentEvent.partner_id == partner_id))
    return [row for row in rows if row.id not in before]


def act(app, client, world, row: Row, browsers):
    partner = world.partner
    case = f"/staff/cases/{partner.id}"
    if row.channel == "web":
        return her_post(browsers[0], "/unsubscribe", {"confirm": "yes"}, token_from="/home")
    if row.channel == "worker":
        return post_form(signed_in(app, world.worker), f"{case}/withdraw", {}, page=case)
    if row.channel == "erase":
        return post_form(signed_in(app, world.worker), f"{case}/erase", {"confirm": "ERASE"}, page=f"{case}/erase")
    if row.channel == "21610":
        params = {"MessageSid": SENT_SID, "MessageStatus": "undelivered", "ErrorCode": "21610",
                  "AccountSid": ACCOUNT_SID}
        return signed_post(client, "/sms/status", params)
    return text_in(client, row.channel)


@pytest.mark.parametrize("name", list(ROWS))
def test_stopping_contact_has_the_same_end_state_through_every_channel(app, client, dbs, vault, world, clock, name):
    row = ROWS[name]
    warning_id, link_id, spare_id = arrange(dbs, vault, world, clock)
    browsers = [her_client(app, world.partner, check_home=True), her_client(app, world.partner, check_home=True)]
    ledger_before = ledger_ids(dbs, world.partner.id)

    response = act(app, client, world, row, browsers)
    assert response.status_code in (200, 204, 303), response.status_code

    dbs.expire_all()
    partner = dbs.get(PartnerContact, world.partner.id)
    assert partner.status == row.status
    assert partner.sms_opted_out is row.sms_opted_out
    entries = new_entries(dbs, partner.id, ledger_before)
    assert {(e.action, e.scope, e.channel) for e in entries} == row.ledger
    assert all(e.occurred_at == clock.now() for e in entries)
    assert {dbs.get(Notification, warning_id).state, dbs.get(Notification, link_id).state} == row.pending_after
    spare = dbs.get(AccessToken, spare_id)
    assert (spare is None or spare.revoked_at is not None) is row.links_revoked
    sessions = dbs.scalar(select(func.count()).select_from(WebSession).where(WebSession.partner_id == partner.id))
    assert sessions == row.sessions_left
    still_in = [b.get("/home").status_code == 200 for b in browsers]
    assert sum(still_in) == row.sessions_left
    if row.channel == "web":
        assert still_in[0], "the session she pressed stop in stays, to show her it worked"
    open_tasks = list(dbs.scalars(select(Task).where(Task.partner_id == partner.id, Task.done_at.is_(None),
                                                     Task.kind.like("consent%"))))
    if row.task is None:
        assert open_tasks == []
    else:
        assert [(t.kind, t.contact_allowed) for t in open_tasks] == [row.task]
        assert open_tasks[0].service_id == world.service.id


def test_start_clears_the_sms_opt_out_and_sends_one_fresh_link_but_gives_no_contact_consent(
        app, client, dbs, vault, world, clock):
    text_in(client, "STOP")
    ledger_before = ledger_ids(dbs, world.partner.id)
    text_in(client, "START")
    dbs.expire_all()
    partner = dbs.get(PartnerContact, world.partner.id)
    assert not partner.sms_opted_out
    assert partner.status == PartnerStatus.WITHDRAWN  # contact consent is given again only on her pages
    entries = new_entries(dbs, partner.id, ledger_before)
    assert {(e.action, e.scope, e.channel) for e in entries} == {("given", "sms", "sms")}
    links = list(dbs.scalars(select(Notification).where(Notification.partner_id == partner.id,
                                                        Notification.kind == "invite",
                                                        Notification.state == NotificationState.PENDING)))
    assert len(links) == 1
    live = dbs.scalar(select(func.count()).select_from(AccessToken).where(
        AccessToken.partner_id == partner.id, AccessToken.revoked_at.is_(None), AccessToken.used_at.is_(None)))
    assert live == 1
    assert dbs.scalar(select(Task).where(Task.partner_id == partner.id, Task.kind == "sms_opt_in"))


def test_start_sends_a_fresh_link_to_an_active_record_too(app, client, dbs, world):
    """DESIGN 8: START always sends one fresh link (before, an active record got none)."""
    text_in(client, "START")
    dbs.expire_all()
    links = list(dbs.scalars(select(Notification).where(Notification.partner_id == world.partner.id,
                                                        Notification.kind == "invite")))
    assert len(links) == 1
