"""Facilitators' pages: their programmes only, participants by reference, reports that reach her worker."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from portal.models import Participant, ProgrammeEvent, Task
from tests.factories import login_as, make_programme, make_world
from tests.fanout_support import fan_out
from tests.staff_console import csrf_from

pytestmark = pytest.mark.usefixtures("no_event_floor")


@pytest.fixture
def fac(client, world):
    login_as(client, world.facilitator)
    return client


def participant_url(world, participant=None):
    who = participant or world.participant
    return f"/staff/my-programmes/{world.programme.id}/participants/{who.id}"


def report(client, world, data, participant=None):
    page = client.get(participant_url(world, participant)).data.decode()
    key = re.search(r'name="report_key" value="([0-9a-f]+)"', page).group(1)
    form = {"csrf_token": csrf_from(page), "report_key": key, **data}
    return client.post(participant_url(world, participant) + "/events", data=form), form


def events(dbs):
    dbs.expire_all()
    return list(dbs.scalars(select(ProgrammeEvent)))


def test_facilitator_sees_only_programmes_they_belong_to(fac, dbs, world):
    other = make_programme(dbs, world.service, "Elsewhere group")
    dbs.commit()
    html = fac.get("/staff/my-programmes").data.decode()
    assert world.programme.name in html and "Elsewhere group" not in html
    assert fac.get(f"/staff/my-programmes/{other.id}").status_code == 404
    assert fac.get(f"/staff/my-programmes/{world.programme.id}").status_code == 200


def test_register_a_participant_by_reference(fac, dbs, world):
    path = f"/staff/my-programmes/{world.programme.id}"
    token = csrf_from(fac.get(path).data)
    response = fac.post(path + "/participants", data={"csrf_token": token, "reference": "GRP-2026-014"})
    assert response.status_code == 303
    him = dbs.scalar(select(Participant).where(Participant.reference == "GRP-2026-014"))
    assert him.programme_id == world.programme.id and him.created_by_id == world.facilitator.id
    for bad in ("GRP-2026-014", "", "has space", "x" * 65):
        again = fac.post(path + "/participants", data={"csrf_token": token, "reference": bad})
        assert again.status_code == 400 and b'class="errors"' in again.data


def test_report_dropout_reaches_her_worker(app, fac, dbs, world):
    response, _form = report(fac, world, {"kind": "dropout", "description": "Stopped coming"})
    assert response.status_code == 303 and response.headers["Location"].endswith(participant_url(world))
    [event] = events(dbs)
    assert event.kind == "dropout" and event.reported_by_id == world.facilitator.id
    assert fan_out(app) == 1  # the dispatcher process makes her worker's task
    task = dbs.scalar(select(Task))
    assert task.assignee_id == world.worker.id and task.source_event_id == event.id
    page = fac.get(participant_url(world)).data.decode()
    assert "Thank you. The report is recorded." in page and "Dropped out" in page


def test_report_a_risk_concern_to_partner_and_children(fac, dbs, world):
    response, _ = report(fac, world, {"kind": "risk", "risk_to": ["partner", "children"], "imminence": "imminent",
                                      "description": "Threats"})
    assert response.status_code == 303
    [event] = events(dbs)
    assert event.risk_to_partner and event.risk_to_children and event.imminence == "imminent"


@pytest.mark.parametrize(("data", "message"), [
    ({"kind": ""}, "Choose what happened."),
    ({"kind": "risk", "imminence": "high"}, "Say who is at risk"),
    ({"kind": "risk", "risk_to": "partner"}, "Say how soon"),
    ({"kind": "dropout", "imminence": "high"}, "belong to a risk concern only"),
    ({"kind": "dropout", "occurred_on": "someday"}, "Enter the date as YYYY-MM-DD."),
    ({"kind": "dropout", "occurred_on": "2099-01-01"}, "The date cannot be in the future."),
])
def test_invalid_reports_come_back_with_a_message(fac, dbs, world, data, message):
    response, _ = report(fac, world, data)
    assert response.status_code == 400 and message in response.data.decode()
    assert events(dbs) == []


def test_the_same_form_sent_twice_is_one_report(app, fac, dbs, world):
    response, form = report(fac, world, {"kind": "suspended"})
    again = fac.post(participant_url(world) + "/events", data=form)
    assert response.status_code == again.status_code == 303
    assert len(events(dbs)) == 1
    assert fan_out(app) == 1
    assert dbs.scalar(select(func.count()).select_from(Task)) == 1


def test_facilitator_of_another_programme_gets_404(client, dbs, vault, audit_key, world):
    other = make_world(dbs, vault, audit_key, partner_phone="+447400123488")
    dbs.commit()
    login_as(client, other.facilitator)
    assert client.get(f"/staff/my-programmes/{world.programme.id}").status_code == 404
    assert client.get(participant_url(world)).status_code == 404
    token = csrf_from(client.get("/staff/my-programmes").data)
    response = client.post(participant_url(world) + "/events", data={"csrf_token": token, "kind": "dropout"})
    assert response.status_code == 404
    # his own programme but another programme's participant id: still 404
    mixed = f"/staff/my-programmes/{other.programme.id}/participants/{world.participant.id}"
    assert client.get(mixed).status_code == 404
    assert events(dbs) == []


def test_workers_cannot_use_facilitator_pages(client, world, dbs):
    login_as(client, world.worker)
    assert client.get("/staff/my-programmes").status_code == 404
    assert client.get(participant_url(world)).status_code == 404
