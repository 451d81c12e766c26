"""Fault drill: the provider down for a while, answering 500, 429 and hanging past the timeout (issue 15).

The real Twilio library talks to the loopback Twilio; the dispatcher runs a pass every 30 simulated seconds for
five hours. Two outages of ten minutes each: when the first messages go out (10:00) and when her safe window
opens (14:00, the only hour texts may reach the second woman). Afterwards: every message is at the provider
exactly once (a request that timed out after the provider made the message is found again, not re-sent), none is
failed or handed over, and each was sent inside its woman's window. Ten minutes is inside the retry budget
(six attempts, backing off from 30 s: the sixth comes 15.5 minutes after the first); a longer outage hands a
warning to her worker as a call, which tests/test_dispatch*.py show.
"""

from __future__ import annotations

import itertools
from collections import Counter
from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

from sqlalchemy import select

from portal.models import Notification, NotificationState
from portal.services.messaging.outbox import enqueue
from portal.sms.loopback import Behaviour, FakeTwilio
from portal.sms.twilio_backend import TwilioGateway
from tests.factories import make_partner, make_world
from tests.sms_support import ACCOUNT_SID, AUTH_TOKEN, SERVICE_SID, allow_texts, dispatcher

LONDON = ZoneInfo("Europe/London")
FAILURES = (Behaviour("error", http_status=500, code=20500), Behaviour("error", http_status=429, code=20429),
            Behaviour("hang", seconds=1.2))


class FlakyTwilio(FakeTwilio):
    """The loopback Twilio, down while `down` is set: 500, 429 and a hang past the client's timeout in turn."""

    down: bool = False
    failures = itertools.cycle(FAILURES)
    refused: Counter[str] = Counter()

    def _next_behaviour(self, to: str) -> Behaviour:
        if self.down:
            behaviour = next(self.failures)
            self.refused[f"{behaviour.kind} {behaviour.http_status}"] += 1
            return behaviour
        return super()._next_behaviour(to)


def test_an_outage_of_500s_429s_and_timeouts_ends_with_everything_sent_once_inside_her_windows(
        app, dbs, vault, audit_key, clock):
    world = make_world(dbs, vault, audit_key)
    # Eight women whose texts may come at any time, four only on Mondays 14:00-15:00 (their clock): one warning
    # each (the same text to one number twice at once would be ambiguous after a timeout, and is handed to her
    # worker rather than risk a second copy: tests/test_dispatch*.py).
    anytime = [world.partner] + [make_partner(dbs, vault, audit_key, world.service, world.worker, name=f"A {i}",
                                              phone=f"+4474001234{i:02d}", email=None) for i in range(7)]
    later = [make_partner(dbs, vault, audit_key, world.service, world.worker, name=f"L {i}",
                          phone=f"+4474001235{i:02d}", email=None, windows=[(0, 14 * 60, 15 * 60)])
             for i in range(4)]
    later_ids = {partner.id for partner in later}
    notes = []
    for partner in anytime + later:
        allow_texts(dbs, partner.id)
        notes.append(enqueue(dbs, vault, partner, kind="warning", template="warning", now=clock.now()).id)
    dbs.commit()
    start = clock.now()
    assert start.astimezone(LONDON).strftime("%a %H:%M") == "Mon 10:00"

    fake = FlakyTwilio(auth_token=AUTH_TOKEN, callbacks=False).start()
    gateway = TwilioGateway(ACCOUNT_SID, AUTH_TOKEN, messaging_service_sid=SERVICE_SID, api_base=fake.base_url,
                            timeout=0.4)
    run = dispatcher(app, gateway=gateway, clock=clock, lease=timedelta(minutes=1),
                     reconcile_after=timedelta(minutes=1), warning_stale=timedelta(hours=12))
    outages = [(start, start + timedelta(minutes=10)),
               (start + timedelta(hours=4), start + timedelta(hours=4, minutes=10))]
    try:
        while clock.now() < start + timedelta(hours=5):
            fake.down = any(begin <= clock.now() < end for begin, end in outages)
            run.run_once()
            clock.advance(seconds=30)
    finally:
        fake.stop()

    assert fake.refused["error 500"] and fake.refused["error 429"] and fake.refused["hang 400"], fake.refused
    per_note = Counter(parse_qs(urlsplit(m.status_callback or "").query)["n"][0] for m in fake.created_for())
    assert sorted(per_note) == sorted(n.hex for n in notes) and set(per_note.values()) == {1}, per_note
    dbs.expire_all()
    rows = list(dbs.scalars(select(Notification).where(Notification.id.in_(notes))))
    assert {row.state for row in rows} == {NotificationState.SENT}, Counter(row.state for row in rows)
    for row in rows:
        assert row.provider_sid in fake.messages
        sent = row.sent_at.astimezone(LONDON)
        if row.partner_id in later_ids:  # only inside her hour, though the provider was down when it opened
            assert datetime(2026, 3, 2, 14, tzinfo=LONDON) <= sent < datetime(2026, 3, 2, 15, tzinfo=LONDON), sent
    # Her window opened into the second outage: her texts were refused or timed out first, then went.
    assert any(row.attempts > 1 for row in rows if row.partner_id in later_ids)
