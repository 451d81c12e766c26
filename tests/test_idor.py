"""Every object not yours answers 404: a support worker of another service never reaches her record."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal.models import AuditEvent, ContactLogEntry, PartnerContact, PartnerLink, SafeWindow, Severity, Task
from portal.services.casework.tasks import create_task
from tests.factories import login_as, make_world
from tests.staff_console import csrf_from


@pytest.fixture
def two_services(dbs, vault, audit_key, clock):
    ours = make_world(dbs, vault, audit_key)
    theirs = make_world(dbs, vault, audit_key, partner_phone="+447400123477")
    task = create_task(dbs, ours.partner, kind="event_dropout", severity=Severity.URGENT, now=clock.now())
    dbs.commit()
    return ours, theirs, task


def test_a_worker_of_another_service_gets_404_everywhere_on_her_record(client, dbs, two_services):
    ours, theirs, task = two_services
    window = dbs.scalar(select(SafeWindow).where(SafeWindow.partner_id == ours.partner.id))
    link = dbs.scalar(select(PartnerLink).where(PartnerLink.partner_id == ours.partner.id))
    login_as(client, theirs.worker)
    case = f"/staff/cases/{ours.partner.id}"
    gets = [case, f"{case}/preferences", f"{case}/contacts/new", f"{case}/erase", f"/staff/tasks/{task.id}",
            f"/staff/cases/{theirs.partner.id}/contacts/new?task={task.id}"]
    for path in gets:
        assert client.get(path).status_code == 404, path
    token = csrf_from(client.get("/staff/cases").data)
    posts = {
        f"{case}/invite": {}, f"{case}/preferences": {"tell_dropout": "none"},
        f"{case}/contacts/new": {"method": "call", "outcome": "talked"},
        f"{case}/links": {"programme": str(theirs.programme.id), "reference": theirs.participant.reference},
        f"{case}/links/{link.id}/end": {}, f"{case}/windows": {"weekday": "1", "start": "09:00", "end": "10:00"},
        f"{case}/windows/{window.id}/remove": {}, f"{case}/close": {"reason": "other"}, f"{case}/reopen": {},
        f"{case}/withdraw": {}, f"{case}/erase": {"confirm": "ERASE"},
        f"/staff/tasks/{task.id}/acknowledge": {}, f"/staff/tasks/{task.id}/done": {},
        f"/staff/cases/{theirs.partner.id}/contacts/new": {"task": str(task.id), "method": "call",
                                                           "outcome": "talked", "occurred_at": "2026-03-02T09:00"},
    }
    for path, data in posts.items():
        assert client.post(path, data={"csrf_token": token, **data}).status_code == 404, path
    dbs.expire_all()
    her = dbs.get(PartnerContact, ours.partner.id)
    assert her.status == "active" and her.name_ct is not None
    assert dbs.get(Task, task.id).acknowledged_at is None and dbs.get(Task, task.id).done_at is None
    assert dbs.scalar(select(func.count()).select_from(ContactLogEntry)) == 0
    assert dbs.get(SafeWindow, window.id) is not None and dbs.get(PartnerLink, link.id).ended_at is None
    reads = dbs.scalars(select(AuditEvent).where(AuditEvent.action == "partner.read",
                                                 AuditEvent.object_id == str(ours.partner.id)))
    assert list(reads) == []  # nothing of hers was even decrypted


def test_her_case_is_not_in_their_lists_or_their_inbox_or_found_by_phone(client, dbs, two_services):
    ours, theirs, task = two_services
    login_as(client, theirs.worker)
    label = ours.partner.id.hex[:6].upper()
    for path in ("/staff/cases", "/staff/cases?scope=service", "/staff/tasks", "/staff/tasks?scope=service"):
        html = client.get(path).data.decode()
        assert label not in html and str(ours.partner.id) not in html and str(task.id) not in html
    token = csrf_from(client.get("/staff/cases").data)
    found = client.post("/staff/cases/find", data={"csrf_token": token, "phone": "+447400123456"})
    assert found.headers["Location"].endswith("/staff/cases?scope=service")


def test_their_worker_cannot_link_their_case_to_our_programme(client, dbs, two_services):
    ours, theirs, _task = two_services
    login_as(client, theirs.worker)
    case = f"/staff/cases/{theirs.partner.id}"
    token = csrf_from(client.get(case).data)
    client.post(f"{case}/links", data={"csrf_token": token, "programme": str(ours.programme.id),
                                       "reference": ours.participant.reference})
    assert dbs.scalar(select(PartnerLink).where(PartnerLink.participant_id == ours.participant.id,
                                                PartnerLink.partner_id == theirs.partner.id)) is None


@pytest.mark.parametrize("garbage", ["not-a-uuid", "1", "%00", "' OR 1=1 --", "0" * 40])
def test_garbage_ids_are_simply_not_found(client, two_services, garbage):
    _ours, theirs, _task = two_services
    login_as(client, theirs.worker)
    assert client.get(f"/staff/cases/{garbage}").status_code == 404
    assert client.get(f"/staff/tasks/{garbage}").status_code == 404
