"""Texts held after her plan was opened with her second passphrase: "Nothing is texted to her while this task is
open, unless you release texts below." A warning queued meanwhile waits (not sent, not cancelled, not handed
over), and goes in her safe window once her worker releases texts or closes the task: nothing is lost."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.models import Notification, NotificationState, Task, TaskKind, Tell
from portal.services.audit import Actor
from portal.services.casework import inbox
from portal.services.casework.contact_log import ContactInput, log_contact
from portal.services.her import safety_plan
from portal.services.her.fresh_link import send_fresh_link
from portal.services.messaging.sms_permission import can_text, may_queue, why_not
from portal.services.programme.events import Reporter, report_event
from tests.factories import context, make_world, reloaded, told_of_everything
from tests.fanout_support import fan_out_now
from tests.plan_support import DURESS, KDF, her_ctx, make_plan
from tests.sms_support import RecordingHttpClient, dispatcher, twilio_gateway


@pytest.fixture
def world(dbs, vault, audit_key):  # type: ignore[no-untyped-def]
    # Her safe time: Mondays 18:00-20:00 (London); the test clock starts Monday 10:00.
    w = make_world(dbs, vault, audit_key, prefs=told_of_everything(Tell.MESSAGE), windows=[(0, 18 * 60, 20 * 60)])
    dbs.commit()
    return w


def under_pressure(dbs, world, ctx_for) -> Task:  # type: ignore[no-untyped-def]
    make_plan(her_ctx(ctx_for, world.partner), world.partner)
    ctx = her_ctx(ctx_for, world.partner)
    assert safety_plan.open_plan(ctx, world.partner, DURESS, kdf=KDF).unlocked.duress
    dbs.commit()
    return dbs.scalars(select(Task).where(Task.kind == TaskKind.PLAN_DURESS)).one()


def reported_dropout(dbs, vault, audit_key, world, clock) -> Notification:  # type: ignore[no-untyped-def]
    report_event(context(dbs, vault, audit_key, clock.now()), programme=world.programme,
                 reporter=Reporter(staff_id=world.facilitator.id), kind="dropout",
                 participant_ref=world.participant.reference)
    dbs.commit()
    fan_out_now(dbs, vault, audit_key, clock)
    return dbs.scalars(select(Notification).where(Notification.kind == "warning")).one()


def test_held_is_the_last_reason_and_a_held_text_may_still_be_queued(dbs, world, ctx_for):
    under_pressure(dbs, world, ctx_for)
    her = reloaded(dbs, world.partner)
    assert why_not(her, None, "invite") == "held" and not can_text(her, None, "invite") and may_queue(her, None,
                                                                                                      "invite")
    her.sms_opted_out = True  # a real reason to stop a text wins over the hold
    assert why_not(her, None, "invite") == "opted_out" and not may_queue(her, None, "invite")
    dbs.rollback()


def test_a_warning_queued_while_held_waits_and_goes_in_her_window_after_release(app, dbs, vault, audit_key, clock,
                                                                               world, ctx_for):
    task = under_pressure(dbs, world, ctx_for)
    note = reported_dropout(dbs, vault, audit_key, world, clock)
    assert note.state == NotificationState.PENDING  # queued, as she chose: not turned into a call
    event_task = dbs.scalars(select(Task).where(Task.kind == "event_dropout")).one()
    assert not event_task.call_requested
    http = RecordingHttpClient()
    send = dispatcher(app, twilio_gateway(http))
    clock.advance(hours=8, minutes=30)  # Monday 18:30: inside her safe time
    for _ in range(3):
        counts = send.run_once()
        assert http.requests == [] and counts.handed_over == 0 and counts.rescheduled == 0
    held = reloaded(dbs, note)
    assert (held.state, held.attempts, held.error_code, held.finished_at) == (NotificationState.PENDING, 0, None,
                                                                              None)
    safety_plan.release_texts(ctx_for(Actor("staff", str(world.worker.id))), task.id)
    dbs.commit()
    send.run_once()
    [sent] = http.requests
    assert sent.data["To"] == world_phone(dbs, vault, world)
    assert reloaded(dbs, note).state == NotificationState.SENT


def test_released_outside_her_window_it_waits_for_her_window(app, dbs, vault, audit_key, clock, world, ctx_for):
    task = under_pressure(dbs, world, ctx_for)
    note = reported_dropout(dbs, vault, audit_key, world, clock)
    inbox.complete(ctx_for(Actor("staff", str(world.worker.id))), reloaded(dbs, task), world.worker)  # closed
    dbs.commit()
    http = RecordingHttpClient()
    send = dispatcher(app, twilio_gateway(http))
    assert send.run_once().rescheduled == 1 and http.requests == []  # 10:00: not her safe time
    clock.advance(hours=8, minutes=5)
    send.run_once()
    assert len(http.requests) == 1 and reloaded(dbs, note).state == NotificationState.SENT


def test_a_warning_gone_stale_while_held_reaches_her_worker_once_texts_are_released(app, dbs, vault, audit_key,
                                                                                   clock, world, ctx_for):
    task = under_pressure(dbs, world, ctx_for)
    note = reported_dropout(dbs, vault, audit_key, world, clock)
    http = RecordingHttpClient()
    send = dispatcher(app, twilio_gateway(http))
    clock.advance(days=3)
    send.run_once()
    assert reloaded(dbs, note).state == NotificationState.PENDING  # held: not even handed over
    worker = ctx_for(Actor("staff", str(world.worker.id)))
    log_contact(worker, reloaded(dbs, world.partner), world.worker,
                ContactInput(occurred_at=clock.now() - timedelta(minutes=1), method="call", reached=True,
                             safe_to_talk="yes", outcome="talked", information_given=(), notes="", next_step=""),
                task=reloaded(dbs, task))  # she called; her worker logs it against the task: it closes
    dbs.commit()
    assert reloaded(dbs, world.partner).texts_held_since is None
    send.run_once()
    assert http.requests == [] and reloaded(dbs, note).state == NotificationState.HANDED_OVER
    assert reloaded(dbs, note).error_code == "stale"  # as any stale warning: her worker gets a task


def test_her_link_text_is_held_too(app, dbs, vault, audit_key, clock, world, ctx_for):
    task = under_pressure(dbs, world, ctx_for)
    worker = ctx_for(Actor("staff", str(world.worker.id)))
    invite = send_fresh_link(worker, reloaded(dbs, world.partner), public_url="https://portal.test",
                             ttl=timedelta(hours=72))
    dbs.commit()
    assert invite is not None
    http = RecordingHttpClient()
    send = dispatcher(app, twilio_gateway(http))
    clock.advance(hours=8, minutes=30)
    send.run_once()
    assert http.requests == []
    safety_plan.release_texts(worker, task.id)
    dbs.commit()
    send.run_once()
    [sent] = http.requests
    assert "https://portal.test/v/" in sent.data["Body"]


def world_phone(dbs, vault, world) -> str:  # type: ignore[no-untyped-def]
    return vault.get(reloaded(dbs, world.partner), "phone_ct")


def test_her_high_risk_page_reads_the_same_while_texts_are_held(dbs, world, ctx_for, clock):
    from portal.services.casework import high_risk

    her = reloaded(dbs, world.partner)
    her.high_risk_from, her.high_risk_until = clock.now() - timedelta(days=3), clock.now() + timedelta(days=90)
    dbs.commit()  # she chose texts only (no calls): the hold must not make her worker's check-ins look off
    before = high_risk.view(dbs, reloaded(dbs, world.partner), now=clock.now(), rules=high_risk.Rules())
    assert before.active and before.checkins_on
    under_pressure(dbs, world, ctx_for)
    after = high_risk.view(dbs, reloaded(dbs, world.partner), now=clock.now(), rules=high_risk.Rules())
    assert after == before
