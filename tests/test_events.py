"""Programme events: the task for her worker, the message she chose, and nothing she did not choose.

Her side is made by the dispatcher process's fan-out pass (services/fanout), which `report` below runs after
the report commits, as the worker does within seconds."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.models import (
    Notification,
    Participant,
    PartnerLink,
    PartnerStatus,
    Preferences,
    ProgrammeEvent,
    Severity,
    Task,
    Tell,
)
from portal.services.admin import deployment
from portal.services.programme.events import (
    EventError,
    IdempotencyConflict,
    Reporter,
    register_participant,
    report_event,
)
from tests.factories import context, make_partner, make_world, told_of_everything
from tests.fanout_support import fan_out_now


@pytest.fixture
def world(dbs, vault, audit_key):
    w = make_world(dbs, vault, audit_key, prefs=told_of_everything(Tell.MESSAGE))
    dbs.commit()
    return w


def report(dbs, vault, audit_key, world, clock, **kwargs):
    args = {"kind": "dropout", "participant_ref": world.participant.reference}
    args.update(kwargs)
    receipt = report_event(context(dbs, vault, audit_key, clock.now()), programme=world.programme,
                           reporter=Reporter(staff_id=world.facilitator.id), **args)
    dbs.commit()
    fan_out_now(dbs, vault, audit_key, clock)  # the dispatcher process's pass
    return receipt


def prefs_of(dbs, world):
    return dbs.scalar(select(Preferences).where(Preferences.partner_id == world.partner.id))


def tasks(dbs):
    return list(dbs.scalars(select(Task)))


def notes(dbs):
    return list(dbs.scalars(select(Notification)))


def test_dropout_gives_her_worker_an_urgent_task_and_her_the_message_she_chose(dbs, vault, audit_key, world, clock):
    receipt = report(dbs, vault, audit_key, world, clock)
    [task] = tasks(dbs)
    [note] = notes(dbs)
    assert task.assignee_id == world.worker.id and task.partner_id == world.partner.id
    assert task.kind == "event_dropout" and task.severity == Severity.URGENT
    assert task.due_at == clock.now() + timedelta(minutes=240)
    assert task.notification_id == note.id and task.source_event_id == receipt.id
    assert not task.call_requested and task.contact_allowed
    assert (note.kind, note.template, note.serious, note.state) == ("warning", "warning", False, "pending")
    assert note.source_event_id == receipt.id
    assert dbs.get(Participant, world.participant.id).status == "dropped_out"


def test_imminent_risk_to_children_is_immediate_serious_and_flags_child_protection(dbs, vault, audit_key, world,
                                                                                    clock):
    report(dbs, vault, audit_key, world, clock, kind="risk", risk_to_children=True, imminence="imminent",
           description="Threats made in the group session")
    [task] = tasks(dbs)
    [note] = notes(dbs)
    assert task.severity == Severity.IMMEDIATE and task.child_risk
    assert task.due_at == clock.now() + timedelta(minutes=30)
    assert note.serious
    event = dbs.scalar(select(ProgrammeEvent))
    assert event.description_ct is not None and b"Threats" not in event.description_ct
    assert vault.get(event, "description_ct") == "Threats made in the group session"


def test_she_asked_for_a_call_so_the_task_says_so_and_no_message_is_sent(dbs, vault, audit_key, world, clock):
    prefs_of(dbs, world).tell_dropout = Tell.CALL
    dbs.commit()
    report(dbs, vault, audit_key, world, clock)
    [task] = tasks(dbs)
    assert task.call_requested and notes(dbs) == []


def test_both_means_a_message_and_a_call(dbs, vault, audit_key, world, clock):
    prefs_of(dbs, world).tell_dropout = Tell.BOTH
    dbs.commit()
    report(dbs, vault, audit_key, world, clock)
    [task] = tasks(dbs)
    assert task.call_requested and len(notes(dbs)) == 1


@pytest.mark.parametrize("block", ["sms_opted_out", "sms_unusable", "no_sms_channel"])
def test_a_message_that_cannot_reach_her_becomes_a_call_never_a_silent_drop(dbs, vault, audit_key, world, clock,
                                                                            block):
    if block == "no_sms_channel":
        prefs_of(dbs, world).channel_sms = False
    else:
        setattr(world.partner, block, True)
    dbs.commit()
    report(dbs, vault, audit_key, world, clock)
    [task] = tasks(dbs)
    assert task.call_requested and notes(dbs) == []


def test_she_wants_no_news_her_worker_still_knows(dbs, vault, audit_key, world, clock):
    prefs_of(dbs, world).tell_completed = Tell.NONE
    dbs.commit()
    report(dbs, vault, audit_key, world, clock, kind="completed")
    [task] = tasks(dbs)
    assert task.severity == Severity.ROUTINE and not task.call_requested and notes(dbs) == []


@pytest.mark.parametrize("status", [PartnerStatus.WITHDRAWN, PartnerStatus.DECLINED, PartnerStatus.CLOSED])
def test_withdrawn_declined_or_closed_never_messaged_but_risk_still_reaches_her_worker(dbs, vault, audit_key, world,
                                                                                      clock, status):
    world.partner.status = status
    dbs.commit()
    report(dbs, vault, audit_key, world, clock, kind="risk", risk_to_partner=True, imminence="high")
    report(dbs, vault, audit_key, world, clock, kind="dropout")
    by_kind = {t.kind: t for t in tasks(dbs)}
    assert notes(dbs) == []
    assert by_kind["event_risk"].severity == Severity.IMMEDIATE
    assert by_kind["event_dropout"].severity == Severity.ROUTINE
    assert all(not t.contact_allowed and not t.call_requested for t in by_kind.values())


def test_erased_or_unlinked_partner_gets_nothing(dbs, vault, audit_key, world, clock):
    link = dbs.scalar(select(PartnerLink))
    link.ended_at = clock.now()
    other = make_partner(dbs, vault, audit_key, world.service, world.worker, phone="+447400123457")
    other.erased_at = clock.now()
    other.status = PartnerStatus.ERASED
    dbs.add(PartnerLink(partner_id=other.id, participant_id=world.participant.id))
    dbs.commit()
    report(dbs, vault, audit_key, world, clock)
    assert tasks(dbs) == [] and notes(dbs) == []


def test_every_linked_partner_is_told_her_own_way(dbs, vault, audit_key, world, clock):
    second = make_partner(dbs, vault, audit_key, world.service, world.worker, phone="+447400123458")
    dbs.add(PartnerLink(partner_id=second.id, participant_id=world.participant.id))
    dbs.commit()
    report(dbs, vault, audit_key, world, clock)
    assert {t.partner_id for t in tasks(dbs)} == {world.partner.id, second.id}
    assert [n.partner_id for n in notes(dbs)] == [world.partner.id]  # the second chose calls (the default)


def test_due_times_follow_the_deployment_settings(dbs, vault, audit_key, world, clock):
    deployment.save(dbs, "due_minutes", {"immediate": 10, "urgent": 60, "soon": 600, "routine": 6000})
    dbs.commit()
    report(dbs, vault, audit_key, world, clock, kind="attendance_concern")
    [task] = tasks(dbs)
    assert task.severity == Severity.SOON and task.due_at == clock.now() + timedelta(minutes=600)


def test_his_completion_never_closes_her_case(dbs, vault, audit_key, world, clock):
    report(dbs, vault, audit_key, world, clock, kind="completed")
    dbs.refresh(world.partner)
    assert world.partner.status == PartnerStatus.ACTIVE and world.partner.closed_at is None


def test_the_receipt_is_the_same_with_or_without_her(dbs, vault, audit_key, world, clock):
    lonely = register_participant(context(dbs, vault, audit_key, clock.now()), programme=world.programme,
                                  reference="LONELY-1", created_by=world.facilitator.id)
    dbs.commit()
    with_her = report(dbs, vault, audit_key, world, clock, kind="risk", risk_to_partner=True, imminence="low")
    without = report(dbs, vault, audit_key, world, clock, kind="risk", risk_to_partner=True, imminence="low",
                     participant_ref=lonely.reference)
    a, b = with_her.as_json(), without.as_json()
    for doc in (a, b):
        doc.pop("id")
        doc.pop("participant_ref")
    assert a == b


def test_idempotency_key_replays_and_refuses_a_different_body(dbs, vault, audit_key, world, clock):
    first = report(dbs, vault, audit_key, world, clock, idempotency_key="abc-1")
    clock.advance(minutes=3)
    again = report(dbs, vault, audit_key, world, clock, idempotency_key="abc-1")
    assert again.id == first.id and again.replayed
    assert dbs.scalar(select(func.count()).select_from(ProgrammeEvent)) == 1
    assert len(tasks(dbs)) == 1 and len(notes(dbs)) == 1
    with pytest.raises(IdempotencyConflict):
        report(dbs, vault, audit_key, world, clock, idempotency_key="abc-1", kind="suspended")


@pytest.mark.parametrize(("kwargs", "code"), [
    ({"participant_ref": "NOBODY"}, "unknown_participant"),
    ({"participant_ref": " "}, "invalid_reference"),
    ({"kind": "holiday"}, "invalid_kind"),
    ({"kind": "risk", "imminence": "high"}, "risk_to_required"),
    ({"kind": "risk", "risk_to_partner": True}, "imminence_required"),
    ({"kind": "dropout", "imminence": "high"}, "risk_fields_only_for_risk"),
    ({"description": "x" * 4001}, "description_too_long"),
    ({"idempotency_key": "has space"}, "invalid_idempotency_key"),
])
def test_invalid_reports_are_refused_with_a_code(dbs, vault, audit_key, world, clock, kwargs, code):
    with pytest.raises(EventError) as caught:
        report(dbs, vault, audit_key, world, clock, **kwargs)
    assert caught.value.code == code
    dbs.rollback()
    assert dbs.scalar(select(func.count()).select_from(ProgrammeEvent)) == 0


def test_occurred_at_in_the_future_is_refused(dbs, vault, audit_key, world, clock):
    with pytest.raises(EventError) as caught:
        report(dbs, vault, audit_key, world, clock, occurred_at=clock.now() + timedelta(hours=1))
    assert caught.value.code == "occurred_at_in_future"


def test_participant_references_are_unique_per_programme(dbs, vault, audit_key, world, clock):
    with pytest.raises(EventError) as caught:
        register_participant(context(dbs, vault, audit_key, clock.now()), programme=world.programme,
                             reference=world.participant.reference, created_by=world.facilitator.id)
    assert caught.value.code == "duplicate_reference"


def test_every_task_follows_the_configured_due_times(dbs, world, clock):
    from portal.services.casework.tasks import create_task

    deployment.save(dbs, "due_minutes", {"immediate": 5, "urgent": 50, "soon": 500, "routine": 5000})
    dbs.commit()
    task = create_task(dbs, world.partner, kind="her_less_safe", severity=Severity.URGENT, now=clock.now())
    assert task.due_at == clock.now() + timedelta(minutes=50)
    deployment.save(dbs, "due_minutes", {"urgent": "soon"})  # a broken setting never stops a task
    dbs.commit()
    task = create_task(dbs, world.partner, kind="her_less_safe", severity=Severity.URGENT, now=clock.now())
    assert task.due_at == clock.now() + timedelta(hours=4)
