"""Support workers' pages: open her case, text her a link, preferences on her behalf, log contacts, close, erase."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.models import (
    AuditEvent,
    ConsentEvent,
    ContactLogEntry,
    Notification,
    PartnerContact,
    PartnerLink,
    Preferences,
    Severity,
    Task,
)
from portal.services.admin import deployment
from portal.services.casework.tasks import create_task
from portal.services.programme.events import Reporter, register_participant, report_event
from tests.factories import context, login_as
from tests.fanout_support import fan_out_now
from tests.staff_console import csrf_from


@pytest.fixture
def worker(client, world):
    login_as(client, world.worker)
    return client


def post(client, path, data, page=None):
    token = csrf_from(client.get(page or path).data)
    return client.post(path, data={"csrf_token": token, **data})


def audit_actions(dbs):
    dbs.expire_all()
    return [e.action for e in dbs.scalars(select(AuditEvent).order_by(AuditEvent.seq))]


def case_url(partner):
    return f"/staff/cases/{partner.id}"


def test_worker_records_her_with_consent_by_phone(worker, dbs, world, vault, clock):
    response = post(worker, "/staff/cases/new", {
        "name": "Jo Canary", "phone": "07400 123 999", "email": "", "locale": "de", "timezone": "Europe/Berlin",
        "consent_given": "yes", "consent_date": "2026-02-27"})
    assert response.status_code == 303
    partner = dbs.scalar(select(PartnerContact).where(PartnerContact.phone_bidx == vault.index.phone("+447400123999")))
    assert response.headers["Location"].endswith(case_url(partner))
    assert partner.status == "active" and partner.worker_id == world.worker.id and partner.locale == "de"
    [consent] = dbs.scalars(select(ConsentEvent).where(ConsentEvent.partner_id == partner.id))
    assert (consent.action, consent.channel, consent.recorded_by_id) == ("given", "worker", world.worker.id)
    assert consent.occurred_at.date().isoformat() == "2026-02-27"
    page = worker.get(case_url(partner))
    assert page.status_code == 200 and b"Jo Canary" in page.data and b"+447400123999" in page.data
    assert "partner.read" in audit_actions(dbs)


@pytest.mark.parametrize(("field", "data"), [
    ("consent", {"consent_given": ""}),
    ("phone", {"phone": "not a number"}),
    ("name", {"name": "   "}),
    ("locale", {"locale": "xx"}),
    ("date", {"consent_date": "last week"}),
    ("future", {"consent_date": "2027-01-01"}),
])
def test_new_case_form_refuses_bad_input_with_a_message(worker, dbs, field, data):
    form = {"name": "Jo", "phone": "07400123998", "email": "", "locale": "en", "timezone": "Europe/London",
            "consent_given": "yes", "consent_date": "2026-03-02", **data}
    response = post(worker, "/staff/cases/new", form)
    assert response.status_code == 400
    assert b'class="errors"' in response.data
    assert dbs.scalar(select(func.count()).select_from(PartnerContact)) == 1  # only the world's partner


def test_send_her_a_discreet_link_by_sms(worker, dbs, world, vault):
    response = post(worker, f"{case_url(world.partner)}/invite", {}, page=case_url(world.partner))
    assert response.status_code == 303
    [note] = dbs.scalars(select(Notification))
    assert (note.kind, note.template, note.partner_id) == ("invite", "invite", world.partner.id)
    params = vault.get(note, "params_ct")
    assert re.search(r'"url": "https://portal.test/v/[A-Za-z0-9_-]{20,}"', params)
    page = worker.get(case_url(world.partner)).data.decode()
    assert "Link to the site" in page and "/v/" not in page  # the link itself is never shown to staff


def test_preferences_edited_on_her_behalf_are_recorded_as_such(worker, dbs, world, vault):
    response = post(worker, f"{case_url(world.partner)}/preferences", {
        "channel_sms": "yes", "channel_call": "yes", "tell_dropout": "both", "tell_suspended": "call",
        "tell_completed": "none", "tell_risk": "message", "code_word": "marigold"})
    assert response.status_code == 303
    dbs.expire_all()
    prefs = dbs.scalar(select(Preferences).where(Preferences.partner_id == world.partner.id))
    assert prefs.channel_sms and prefs.tell_dropout == "both" and prefs.tell_completed == "none"
    assert prefs.updated_by_id == world.worker.id and vault.get(prefs, "code_word_ct") == "marigold"
    assert "preferences.update_on_behalf" in audit_actions(dbs)
    sms_consent = dbs.scalar(select(ConsentEvent).where(ConsentEvent.scope == "sms"))
    assert (sms_consent.action, sms_consent.channel, sms_consent.recorded_by_id) == ("given", "worker",
                                                                                   world.worker.id)
    details = dbs.scalar(select(AuditEvent).where(AuditEvent.action == "preferences.update_on_behalf")).details
    assert "marigold" not in details and "code_word" in details


def test_preferences_refuse_a_made_up_choice(worker, dbs, world):
    response = post(worker, f"{case_url(world.partner)}/preferences", {"tell_dropout": "carrier-pigeon",
                                                                       "tell_suspended": "call",
                                                                       "tell_completed": "call", "tell_risk": "call"})
    assert response.status_code == 400 and b'class="errors"' in response.data


def test_safe_times_added_and_removed_on_her_behalf(worker, dbs, world):
    path = f"{case_url(world.partner)}/windows"
    page = f"{case_url(world.partner)}/preferences"
    assert post(worker, path, {"weekday": "2", "start": "09:30", "end": "11:00"}, page=page).status_code == 303
    refused = post(worker, path, {"weekday": "2", "start": "12:00", "end": "11:00"}, page=page)
    assert refused.status_code == 400 and "The start must be before the end" in refused.data.decode()
    html = worker.get(page).data.decode()
    assert "Wednesday 09:30–11:00" in html and "12:00" not in html


def test_log_a_contact_with_safe_to_talk_check_information_and_next_step(worker, dbs, world, vault):
    response = post(worker, f"{case_url(world.partner)}/contacts/new", {
        "occurred_at": "2026-03-02T09:30", "method": "call", "reached": "yes", "safe_to_talk": "yes",
        "outcome": "talked", "information": ["programme_limits", "manipulation"],
        "notes": "Canary note: she is planning to move", "next_step": "Call again Friday"})
    assert response.status_code == 303
    entry = dbs.scalar(select(ContactLogEntry))
    assert entry.safe_to_talk == "yes" and entry.information_given == "manipulation,programme_limits"
    assert b"Canary" not in entry.notes_ct and vault.get(entry, "notes_ct").startswith("Canary note")
    page = worker.get(case_url(world.partner)).data.decode()
    assert "Canary note" in page and "Call again Friday" in page
    assert re.search(r"How attendance can be used against her: given on <time datetime=\"2026-03-02\">", page)
    assert re.search(r"Safety planning: <strong>not yet", page)


def test_information_cannot_be_recorded_for_an_unsafe_call(worker, dbs, world):
    response = post(worker, f"{case_url(world.partner)}/contacts/new", {
        "occurred_at": "2026-03-02T09:30", "method": "call", "reached": "yes", "safe_to_talk": "no",
        "outcome": "not_safe_now", "information": ["programme_limits"]})
    assert response.status_code == 400
    assert dbs.scalar(select(func.count()).select_from(ContactLogEntry)) == 0


def test_link_her_to_a_participant_and_end_the_link(worker, dbs, world, vault, audit_key, clock):
    him = register_participant(context(dbs, vault, audit_key, clock.now()), programme=world.programme,
                               reference="NEW-7", created_by=world.facilitator.id)
    dbs.commit()
    path = f"{case_url(world.partner)}/links"
    response = post(worker, path, {"programme": str(world.programme.id), "reference": "NEW-7"},
                    page=case_url(world.partner))
    assert response.status_code == 303
    link = dbs.scalar(select(PartnerLink).where(PartnerLink.participant_id == him.id))
    assert link.partner_id == world.partner.id and link.created_by_id == world.worker.id
    bad = post(worker, path, {"programme": str(world.programme.id), "reference": "NOBODY"},
               page=case_url(world.partner))
    assert bad.status_code == 303
    assert "No participant with that reference" in worker.get(case_url(world.partner)).data.decode()
    post(worker, f"{path}/{link.id}/end", {}, page=case_url(world.partner))
    dbs.expire_all()
    assert dbs.get(PartnerLink, link.id).ended_at is not None


def test_consent_history_and_message_states_are_shown(worker, dbs, world, vault, audit_key, clock):
    report_event(context(dbs, vault, audit_key, clock.now()), programme=world.programme,
                 participant_ref=world.participant.reference, kind="dropout", reporter=Reporter(staff_id=world.facilitator.id))
    dbs.commit()
    fan_out_now(dbs, vault, audit_key, clock)  # the dispatcher process makes her side
    prefs = dbs.scalar(select(Preferences).where(Preferences.partner_id == world.partner.id))
    prefs.channel_sms, prefs.tell_risk = True, "message"
    report_event(context(dbs, vault, audit_key, clock.now()), programme=world.programme,
                 participant_ref=world.participant.reference, kind="risk", risk_to_partner=True, imminence="low",
                 reporter=Reporter(staff_id=world.facilitator.id))
    dbs.commit()
    fan_out_now(dbs, vault, audit_key, clock)
    note = dbs.scalar(select(Notification))
    note.state = "delivered"
    dbs.commit()
    page = worker.get(case_url(world.partner)).data.decode()
    assert "Consent history" in page and "Told her worker" in page and world.worker.display_name in page
    assert "Warning" in page and "Delivered" in page


def test_close_with_a_reason_cancels_pending_and_never_follows_his_completion(worker, dbs, world, vault, audit_key,
                                                                              clock):
    report_event(context(dbs, vault, audit_key, clock.now()), programme=world.programme,
                 participant_ref=world.participant.reference, kind="completed", reporter=Reporter(staff_id=world.facilitator.id))
    dbs.commit()
    dbs.refresh(world.partner)
    assert world.partner.status == "active"
    response = post(worker, f"{case_url(world.partner)}/close", {"reason": "no_longer_needed"},
                    page=case_url(world.partner))
    assert response.status_code == 303
    dbs.refresh(world.partner)
    assert world.partner.status == "closed" and world.partner.closure_reason == "no_longer_needed"
    assert post(worker, f"{case_url(world.partner)}/close", {"reason": "nonsense"},
                page=case_url(world.partner)).status_code == 303
    assert post(worker, f"{case_url(world.partner)}/reopen", {}, page=case_url(world.partner)).status_code == 303
    dbs.refresh(world.partner)
    assert world.partner.status == "active" and world.partner.closed_at is None


def test_she_told_her_worker_to_stop(worker, dbs, world, vault):
    post(worker, f"{case_url(world.partner)}/invite", {}, page=case_url(world.partner))
    response = post(worker, f"{case_url(world.partner)}/withdraw", {}, page=case_url(world.partner))
    assert response.status_code == 303
    dbs.expire_all()
    assert dbs.get(PartnerContact, world.partner.id).status == "withdrawn"
    assert dbs.scalar(select(Notification)).state == "cancelled"
    assert dbs.scalar(select(ConsentEvent).where(ConsentEvent.action == "withdrawn")).channel == "worker"


def test_erase_on_request_needs_confirmation_and_keeps_a_tombstone(worker, dbs, world):
    path = f"{case_url(world.partner)}/erase"
    assert post(worker, path, {"confirm": "no"}).status_code == 400
    response = post(worker, path, {"confirm": "ERASE"})
    assert response.status_code == 303
    dbs.expire_all()
    tomb = dbs.get(PartnerContact, world.partner.id)
    assert tomb.status == "erased" and tomb.name_ct is None and tomb.phone_ct is None
    assert "partner.erase" in audit_actions(dbs)
    assert worker.get(case_url(world.partner)).status_code == 404


def test_case_list_mine_by_name_and_service_by_number(worker, dbs, world):
    mine = worker.get("/staff/cases").data.decode()
    assert "Sam Example" in mine
    service = worker.get("/staff/cases?scope=service").data.decode()
    assert "Sam Example" not in service and world.partner.id.hex[:6].upper() in service


def test_find_case_by_phone(worker, dbs, world):
    response = post(worker, "/staff/cases/find", {"phone": "07400 123456"}, page="/staff/cases")
    assert response.status_code == 303 and response.headers["Location"].endswith(case_url(world.partner))
    response = post(worker, "/staff/cases/find", {"phone": "07400 000000"}, page="/staff/cases")
    assert response.headers["Location"].endswith("/staff/cases?scope=service")


def test_inbox_immediate_then_overdue_then_due_acknowledge_and_done(worker, dbs, world, clock):
    routine = create_task(dbs, world.partner, kind="event_completed", severity=Severity.ROUTINE,
                          now=clock.now() - timedelta(days=5))  # overdue by two days
    urgent = create_task(dbs, world.partner, kind="event_dropout", severity=Severity.URGENT, now=clock.now())
    immediate = create_task(dbs, world.partner, kind="event_risk", severity=Severity.IMMEDIATE, now=clock.now())
    dbs.commit()
    html = worker.get("/staff/tasks").data.decode()
    order = [html.index(f"/staff/tasks/{t.id}") for t in (immediate, routine, urgent)]
    assert order == sorted(order)
    assert "Overdue" in html
    post(worker, f"/staff/tasks/{urgent.id}/acknowledge", {}, page=f"/staff/tasks/{urgent.id}")
    post(worker, f"/staff/tasks/{routine.id}/done", {}, page=f"/staff/tasks/{routine.id}")
    dbs.expire_all()
    assert dbs.get(Task, urgent.id).acknowledged_by_id == world.worker.id
    assert dbs.get(Task, routine.id).done_at == clock.now()
    assert f"/staff/tasks/{routine.id}" not in worker.get("/staff/tasks").data.decode()


def test_child_risk_task_shows_the_deployments_child_protection_steps(worker, dbs, world, vault, audit_key, clock):
    deployment.save(dbs, "child_protection_steps", "Call the duty social worker on 0100 000\nRecord the referral")
    report_event(context(dbs, vault, audit_key, clock.now()), programme=world.programme,
                 participant_ref=world.participant.reference, kind="risk", risk_to_children=True, imminence="high", description="Said he would take the kids",
                 reporter=Reporter(staff_id=world.facilitator.id))
    dbs.commit()
    fan_out_now(dbs, vault, audit_key, clock)  # the dispatcher process makes her worker's task
    task = dbs.scalar(select(Task))
    html = worker.get(f"/staff/tasks/{task.id}").data.decode()
    assert "Call the duty social worker on 0100 000" in html and "Record the referral" in html
    assert "Said he would take the kids" in html and "Risk to children" in html
    assert "task.read" in audit_actions(dbs)


def test_child_risk_without_configured_steps_still_prompts(worker, dbs, world, clock):
    task = create_task(dbs, world.partner, kind="event_risk", severity=Severity.URGENT, now=clock.now(),
                       child_risk=True)
    dbs.commit()
    html = worker.get(f"/staff/tasks/{task.id}").data.decode()
    assert "No child-protection steps are configured" in html


def test_logging_a_call_from_a_task_completes_it(worker, dbs, world, clock):
    task = create_task(dbs, world.partner, kind="event_dropout", severity=Severity.URGENT, now=clock.now())
    dbs.commit()
    path = f"{case_url(world.partner)}/contacts/new"
    response = post(worker, path, {"task": str(task.id), "occurred_at": "2026-03-02T10:00", "method": "call",
                                   "reached": "yes", "safe_to_talk": "yes", "outcome": "talked"},
                    page=f"{path}?task={task.id}")
    assert response.status_code == 303
    dbs.expire_all()
    assert dbs.get(Task, task.id).done_at is not None


def test_do_not_contact_tasks_say_so(worker, dbs, world, clock):
    task = create_task(dbs, world.partner, kind="event_risk", severity=Severity.URGENT, now=clock.now())
    task.contact_allowed = False
    dbs.commit()
    html = worker.get(f"/staff/tasks/{task.id}").data.decode()
    assert "Do not contact her" in html and "Log a contact for this task" not in html


def test_facilitators_and_admins_cannot_open_worker_pages(client, dbs, world):
    for user in (world.facilitator, world.admin):
        login_as(client, user)
        for path in ("/staff/cases", case_url(world.partner), "/staff/tasks"):
            assert client.get(path).status_code == 404
