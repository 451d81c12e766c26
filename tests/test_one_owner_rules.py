"""One owner per rule (issue 8): her page and her worker's page meet the same preference rules; the texting
rule, the fresh link and the tasks are the same whichever channel reaches them. Each case here behaved
differently by channel before."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.models import (
    ConsentEvent,
    Notification,
    NotificationState,
    PartnerContact,
    PartnerStatus,
    Preferences,
    Task,
)
from portal.services.programme.events import Reporter, report_event
from tests.factories import context, signed_in
from tests.fanout_support import fan_out_now
from tests.public_helpers import her_client
from tests.public_helpers import post as her_post
from tests.sms_support import allow_texts, text_in, with_twilio
from tests.staff_console import csrf_from

HER_FORM = {
    "channel": ["call"], "w0-day": ["0", "1", "2", "3", "4", "5", "6"], "w0-start": "00:00", "w0-end": "00:00",
    "timezone": "Europe/London", "tell-dropout": "message", "tell-suspended": "call", "tell-completed": "call",
    "tell-risk": "call", "locale": "en",
}
WORKER_FORM = {"channel_call": "yes", "tell_dropout": "message", "tell_suspended": "call",
               "tell_completed": "call", "tell_risk": "call"}


@pytest.fixture
def world(app, world):  # the common cast, with Twilio configured (her texts not yet allowed)
    with_twilio(app)
    return world


def worker_save(app, world, form):
    browser = signed_in(app, world.worker)
    path = f"/staff/cases/{world.partner.id}/preferences"
    return browser.post(path, data={"csrf_token": csrf_from(browser.get(path).data), **form})


def her_save(app, world, form):
    return her_post(her_client(app, world.partner), "/choices", form)


def prefs_of(dbs, world):
    dbs.expire_all()
    return dbs.scalar(select(Preferences).where(Preferences.partner_id == world.partner.id))


@pytest.mark.parametrize("save", [her_save, worker_save], ids=["her_page", "her_worker"])
def test_told_by_text_needs_texts_on_whoever_saves_it(app, dbs, world, save):
    response = save(app, world, HER_FORM if save is her_save else WORKER_FORM)
    assert response.status_code == 400
    assert prefs_of(dbs, world).tell_dropout != "message"


@pytest.mark.parametrize("save", [her_save, worker_save], ids=["her_page", "her_worker"])
def test_one_code_word_limit_whoever_saves_it(app, dbs, vault, world, save):
    form = dict(HER_FORM if save is her_save else WORKER_FORM)
    form["tell-dropout" if save is her_save else "tell_dropout"] = "call"
    form["code_word"] = "w" * 50  # the worker's page took up to 60, hers 40
    assert save(app, world, form).status_code == 400
    assert prefs_of(dbs, world).code_word_ct is None
    form["code_word"] = "w" * 40
    assert save(app, world, form).status_code == 303
    assert vault.get(prefs_of(dbs, world), "code_word_ct") == "w" * 40


@pytest.mark.parametrize("save", [her_save, worker_save], ids=["her_page", "her_worker"])
def test_texts_ticked_is_in_the_ledger_with_who_did_it(app, dbs, world, save):
    form = dict(HER_FORM if save is her_save else WORKER_FORM)
    if save is her_save:
        form["channel"] = ["sms", "call"]
    else:
        form["channel_sms"] = "yes"
    assert save(app, world, form).status_code == 303
    dbs.expire_all()
    [entry] = dbs.scalars(select(ConsentEvent).where(ConsentEvent.partner_id == world.partner.id,
                                                    ConsentEvent.scope == "sms"))
    expected = ("web", None) if save is her_save else ("worker", world.worker.id)
    assert (entry.action, entry.channel, entry.recorded_by_id) == ("given", *expected)


def test_her_worker_ticking_texts_does_not_undo_her_stop(app, client, dbs, world):
    text_in(client, "STOP")
    dbs.expire_all()
    dbs.get(PartnerContact, world.partner.id).status = PartnerStatus.ACTIVE  # say her worker re-opened contact
    dbs.commit()
    assert worker_save(app, world, dict(WORKER_FORM, channel_sms="yes")).status_code == 303
    dbs.expire_all()
    assert dbs.get(PartnerContact, world.partner.id).sms_opted_out, "only START turns texts back on"


def test_she_declined_task_is_made_by_the_service_and_says_do_not_contact(app, dbs, world):
    world.partner.status = PartnerStatus.INVITED
    dbs.commit()
    her_post(her_client(app, world.partner), "/contact", {"answer": "no"}, token_from="/contact")
    dbs.expire_all()
    [task] = dbs.scalars(select(Task).where(Task.partner_id == world.partner.id))
    assert (task.kind, task.contact_allowed) == ("consent_declined_web", False)


def test_a_warning_for_her_before_she_said_yes_goes_straight_to_a_call(dbs, vault, audit_key, world, clock):
    """can_text is one rule: the event side and the dispatcher agree she cannot be texted yet."""
    world.partner.status = PartnerStatus.INVITED
    allow_texts(dbs, world.partner.id, tell_dropout="message")
    dbs.commit()
    report_event(context(dbs, vault, audit_key, clock.now()), programme=world.programme,
                 participant_ref=world.participant.reference, kind="dropout", reporter=Reporter(staff_id=world.facilitator.id))
    dbs.commit()
    assert fan_out_now(dbs, vault, audit_key, clock) == 1  # the dispatcher makes her side of the report
    assert dbs.scalar(select(Notification).where(Notification.kind == "warning")) is None
    task = dbs.scalar(select(Task).where(Task.kind == "event_dropout"))
    assert task.call_requested


def test_start_leaves_exactly_one_link_message_waiting(app, client, dbs, world):
    world.partner.status = PartnerStatus.INVITED  # her worker texted her a link; she texts START too
    dbs.commit()
    browser = signed_in(app, world.worker)
    case = f"/staff/cases/{world.partner.id}"
    browser.post(f"{case}/invite", data={"csrf_token": csrf_from(browser.get(case).data)})
    text_in(client, "START")
    dbs.expire_all()
    waiting = list(dbs.scalars(select(Notification).where(Notification.partner_id == world.partner.id,
                                                          Notification.kind == "invite",
                                                          Notification.state == NotificationState.PENDING)))
    assert len(waiting) == 1, f"{len(waiting)} link messages waiting, one of them with a dead link"
