"""Fault drill: Twilio's webhooks duplicated and reordered, all at once, against the served app (issue 15).

Twilio retries a webhook it got no answer for and does not promise order. Here every status report of one
message (queued, sent, delivered) arrives four times, her STOP arrives four times under one MessageSid, and
a free text of hers four times under another, the 24 requests shuffled and released together at a threaded
server on SQLite and PostgreSQL. Afterwards: the message is delivered (a late "sent" never undoes it), one
receipt per report; she is stopped once, with one task for her worker; her free text reached her worker once.
"""

from __future__ import annotations

import random
import uuid
from urllib.parse import urlencode

import httpx
from sqlalchemy import func, select

from portal.models import (
    ConsentEvent,
    DeliveryReceipt,
    InboundMessage,
    Notification,
    NotificationState,
    PartnerContact,
    PartnerStatus,
    Task,
    TaskKind,
)
from portal.services.messaging.outbox import enqueue
from tests.factories import served_world
from tests.served import fire
from tests.sms_support import ACCOUNT_SID, AUTH_TOKEN, HER_PHONE, twilio_signature

COPIES = 4


def test_duplicated_and_reordered_webhooks_at_once_change_each_thing_once(live_server_factory):
    live = live_server_factory(twilio_auth_token=AUTH_TOKEN, twilio_account_sid=ACCOUNT_SID)
    world = served_world(live, prefs={"channel_sms": True})
    sid = "SM" + uuid.uuid4().hex
    with live.db() as db:
        note = enqueue(db, live.vault, db.get(PartnerContact, world.partner.id), kind="warning", template="warning",
                       now=live.now())
        note.state, note.provider_sid, note.attempts, note.sent_at = NotificationState.SENT, sid, 1, live.now()
        db.commit()
        note_id = note.id

    requests: list[tuple[str, dict[str, str]]] = []
    for status in ("queued", "sent", "delivered"):
        requests += [(f"/sms/status?n={note_id.hex}&a=1",
                      {"MessageSid": sid, "MessageStatus": status, "AccountSid": ACCOUNT_SID})] * COPIES
    for body, message_sid in (("STOP", "SM" + uuid.uuid4().hex), ("are you there", "SM" + uuid.uuid4().hex)):
        requests += [("/sms/inbound", {"MessageSid": message_sid, "AccountSid": ACCOUNT_SID, "From": HER_PHONE,
                                       "To": "+15005550006", "Body": body, "NumMedia": "0"})] * COPIES
    random.Random(20261203).shuffle(requests)

    def send(index: int) -> int:
        path, params = requests[index]
        with httpx.Client(base_url=live.url, timeout=60) as http:
            return http.post(path, content=urlencode(params),
                             headers={"Content-Type": "application/x-www-form-urlencoded",
                                      "X-Twilio-Signature": twilio_signature(path, params, base=live.url)}
                             ).status_code

    answers = fire(len(requests), send)
    assert all(code < 300 for code in answers), answers

    with live.db() as db:
        row = db.get(Notification, note_id)
        assert (row.state, row.provider_status) == (NotificationState.DELIVERED, "delivered")
        receipts = db.scalars(select(DeliveryReceipt.status).where(DeliveryReceipt.message_sid == sid)).all()
        assert sorted(receipts) == ["delivered", "queued", "sent"]  # each report kept once, however many copies
        her = db.get(PartnerContact, world.partner.id)
        assert her.status == PartnerStatus.WITHDRAWN and her.sms_opted_out
        kinds = list(db.scalars(select(Task.kind).where(Task.partner_id == her.id)))
        assert kinds.count(TaskKind.CONSENT_WITHDRAWN_CONTACT) == 1, kinds
        assert kinds.count(TaskKind.SMS_FREE_TEXT) <= 1 and kinds.count(TaskKind.CONSENT_WITHDRAWN_SMS) <= 1, kinds
        assert db.scalar(select(func.count()).select_from(InboundMessage)
                         .where(InboundMessage.partner_id == her.id)) == 2  # one row per MessageSid
        withdrawn = db.scalars(select(ConsentEvent.scope).where(ConsentEvent.partner_id == her.id,
                                                                ConsentEvent.action == "withdrawn")).all()
        assert sorted(withdrawn) == ["contact", "sms"]  # each once in her ledger
