"""The service's own figures by month (services/evaluation/service_figures.py), against hand counts.

Seeded: women W1..W11 registered on 10 February 2026 (each a "given" in the ledger, by her worker); W1..W5
always reachable, W6..W10 safe only on Mondays 09:00-10:00 (London). On Monday 2 March 2026 09:00 UTC a dropout
is reported and each of W1..W10 gets a task due 4 hours later (W11's says her worker must not contact her).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from portal.models import (
    ConsentEvent,
    ContactLogEntry,
    Notification,
    ProgrammeEvent,
    Task,
)
from portal.services.evaluation.reports import Count
from portal.services.evaluation.service_figures import months, service_figures
from portal.services.evaluation.suppression import Visibility
from tests.factories import make_participant, make_partner, make_programme, make_service, set_prefs

SHOWN, SMALL, HIDDEN = Visibility.SHOWN, Visibility.SMALL, Visibility.HIDDEN
REGISTERED = datetime(2026, 2, 10, 12, tzinfo=UTC)
REPORTED = datetime(2026, 3, 2, 9, tzinfo=UTC)  # a Monday
NOW = datetime(2026, 3, 15, 12, tzinfo=UTC)
MONDAY_9_TO_10 = [(0, 540, 600)]


def seed(dbs, vault, audit_key, world):  # type: ignore[no-untyped-def]
    women = {n: make_partner(dbs, vault, audit_key, world.service, world.worker, phone=f"+4474005550{n:02d}",
                             windows=None if n <= 5 or n == 11 else MONDAY_9_TO_10, now=REGISTERED)
             for n in range(1, 12)}
    event = ProgrammeEvent(id=uuid.uuid4(), programme_id=world.programme.id, participant_id=world.participant.id,
                           kind="dropout", occurred_at=REPORTED, created_at=REPORTED)
    dbs.add(event)
    dbs.flush()
    for n, her in women.items():
        # W1..W5: her worker logs a contact 1..5 hours after the report and closes the task then.
        done = REPORTED + timedelta(hours=n) if n <= 5 else None
        if n == 11:
            done = REPORTED + timedelta(hours=1)
        dbs.add(Task(id=uuid.uuid4(), service_id=world.service.id, partner_id=her.id, kind="event_dropout",
                     source_event_id=event.id, due_at=REPORTED + timedelta(hours=4), done_at=done,
                     contact_allowed=n != 11, created_at=REPORTED))
        if n <= 5:
            dbs.add(ContactLogEntry(id=uuid.uuid4(), partner_id=her.id, worker_id=world.worker.id,
                                    occurred_at=REPORTED + timedelta(hours=n), method="call", outcome="talked"))
    # A contact with W6 before the report is not a contact after it.
    dbs.add(ContactLogEntry(id=uuid.uuid4(), partner_id=women[6].id, worker_id=world.worker.id,
                            occurred_at=REPORTED - timedelta(hours=1), method="call", outcome="no_answer"))
    # A task not done and not yet due is not counted.
    dbs.add(Task(id=uuid.uuid4(), service_id=world.service.id, partner_id=women[1].id, kind="sms_help",
                 due_at=NOW + timedelta(days=1), created_at=NOW))
    # Warnings delivered Monday 2 March 12:00 UTC (12:00 in London): inside for W1..W5, outside for W6..W10;
    # and a serious one to W6 she allowed at any time: inside.
    set_prefs(dbs, women[6].id, serious_risk_any_time=True)
    delivered = datetime(2026, 3, 2, 12, tzinfo=UTC)
    for n in range(1, 11):
        dbs.add(Notification(id=uuid.uuid4(), partner_id=women[n].id, kind="warning", template="w", locale="en",
                             state="delivered", finished_at=delivered, source_event_id=event.id))
    dbs.add(Notification(id=uuid.uuid4(), partner_id=women[6].id, kind="warning", template="w", locale="en",
                         state="delivered", finished_at=delivered, serious=True))
    # Not counted: a failed warning, a delivered invitation.
    dbs.add(Notification(id=uuid.uuid4(), partner_id=women[1].id, kind="warning", template="w", locale="en",
                         state="failed", finished_at=delivered))
    dbs.add(Notification(id=uuid.uuid4(), partner_id=women[1].id, kind="invite", template="i", locale="en",
                         state="delivered", finished_at=delivered))
    # The ledger in March: 5 yes (on the site), 5 no (on the site); stops: 5 by text, 1 on the site.
    march = datetime(2026, 3, 3, 12, tzinfo=UTC)
    for n in range(1, 6):
        dbs.add(ConsentEvent(id=uuid.uuid4(), partner_id=women[n].id, action="given", channel="web",
                             occurred_at=march))
        dbs.add(ConsentEvent(id=uuid.uuid4(), partner_id=women[n + 5].id, action="declined", channel="web",
                             occurred_at=march))
        dbs.add(ConsentEvent(id=uuid.uuid4(), partner_id=women[n].id, action="withdrawn", channel="sms",
                             occurred_at=march))
    dbs.add(ConsentEvent(id=uuid.uuid4(), partner_id=women[6].id, action="withdrawn", channel="web",
                         occurred_at=march))
    dbs.add(ConsentEvent(id=uuid.uuid4(), partner_id=women[7].id, action="withdrawn", channel="web",
                         scope="evaluation", occurred_at=march))  # another scope: not a stop of contact
    # Another service's event and task never count here.
    other = make_service(dbs)
    programme = make_programme(dbs, other)
    elsewhere = ProgrammeEvent(id=uuid.uuid4(), programme_id=programme.id,
                               participant_id=make_participant(dbs, programme).id, kind="dropout",
                               occurred_at=REPORTED, created_at=REPORTED)
    dbs.add(elsewhere)
    dbs.flush()
    dbs.add(Task(id=uuid.uuid4(), service_id=other.id, kind="event_dropout", source_event_id=elsewhere.id,
                 due_at=REPORTED, created_at=REPORTED))
    dbs.commit()
    return women


def test_months_count_back_in_the_deployment_zone() -> None:
    from zoneinfo import ZoneInfo
    # 31 December 23:30 UTC is already January in Berlin.
    got = months(datetime(2026, 12, 31, 23, 30, tzinfo=UTC), ZoneInfo("Europe/Berlin"), 3)
    assert [m.isoformat() for m in got] == ["2026-11-01", "2026-12-01", "2027-01-01"]


def test_figures_match_the_hand_count(world, dbs, vault, audit_key) -> None:  # type: ignore[no-untyped-def]
    seed(dbs, vault, audit_key, world)
    february, march = service_figures(dbs, world.service.id, NOW, "Europe/London", how_many=2)
    assert (february.month.isoformat(), march.month.isoformat()) == ("2026-02-01", "2026-03-01")

    # First contact: cases W1..W10 (W11's task forbids contact). Contacted W1..W5 after 1, 2, 3, 4, 5 hours:
    # median 3. Waiting W6..W10 (W6's call before the report does not count). 5 and 5 of 10.
    first = march.first_contact
    assert first.total == Count(10, SHOWN)
    assert first.part("contacted").count == Count(5, SHOWN) and first.part("waiting").count == Count(5, SHOWN)
    assert first.part("contacted").proportion == 0.5
    assert march.median_hours == 3.0

    # Warnings: inside W1..W5 and W6's serious one (she allowed it at any time) = 6; outside W6..W10 = 5; 11.
    assert march.warnings.total == Count(11, SHOWN)
    assert march.warnings.part("inside").count == Count(6, SHOWN)
    assert march.warnings.part("outside").count == Count(5, SHOWN)

    # Tasks due in March with a known outcome: W1..W4 done within 4 hours, W11 done after 1 hour: 5 on time;
    # W5 done after 5 hours, W6..W10 not done and past due: 6 late. The task due tomorrow is not counted.
    assert march.tasks.total == Count(11, SHOWN)
    assert march.tasks.part("on_time").count == Count(5, SHOWN)
    assert march.tasks.part("late").count == Count(6, SHOWN)

    # Offers in March: 5 yes, 5 no.
    assert march.offers.part("given").count == Count(5, SHOWN)
    assert march.offers.part("declined").count == Count(5, SHOWN)
    assert march.offers.part("given").proportion == 0.5
    # February: the 11 registrations (given by her worker), no "no": 0 is under 5, and 11 - 0 would give it
    # away, so the 11 is hidden; the total stays.
    assert february.offers.total == Count(11, SHOWN)
    assert february.offers.part("declined").count.visibility == SMALL
    assert february.offers.part("given").count.visibility == HIDDEN

    # Stops in March (contact scope only): by text 5, on the site 1, told her worker 0, by the portal 0 = 6.
    # The three small ones can trade among themselves: nothing more is hidden.
    assert march.stops.total == Count(6, SHOWN)
    assert march.stops.part("sms").count == Count(5, SHOWN)
    assert {name: share.count.visibility for name, share in march.stops.parts} == {
        "web": SMALL, "sms": SHOWN, "worker": SMALL, "system": SMALL}

    # Nothing in February but the registrations.
    assert february.first_contact.total.visibility == SMALL and february.median_hours is None


def test_a_median_of_fewer_than_five_is_not_shown(world, dbs, vault, audit_key) -> None:  # type: ignore[no-untyped-def]
    women = seed(dbs, vault, audit_key, world)
    for entry in dbs.query(ContactLogEntry).filter(ContactLogEntry.partner_id == women[5].id):
        dbs.delete(entry)
    dbs.commit()
    march = service_figures(dbs, world.service.id, NOW, "Europe/London", how_many=1)[0]
    assert march.first_contact.part("contacted").count.visibility == SMALL  # 4
    assert march.median_hours is None
