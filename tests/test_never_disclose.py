"""Never-disclose fields (issue 12 item 5): her safe address, her new number, each child's school and other details,
and the case fields an admin marks so, are shown only on her case page after an explicit Show (a POST, audited),
on that one response. A canary walk over every route as an admin, a facilitator, her own service's worker and
another service's worker, and the programme API, finds each canary only in its own Show response: never in a
list, a task, another page, a redirect, a header, the log or the audit chain."""

from __future__ import annotations

import logging
import uuid

import pytest
from sqlalchemy import select

from portal.models import (
    AuditEvent,
    PartnerContact,
    Preferences,
    RiskAssessment,
    RiskConferenceReferral,
    Severity,
    StaffUser,
    Task,
)
from portal.services.admin import deployment
from portal.services.casework import never_disclose
from portal.services.casework.tasks import create_task
from tests.api_support import make_token, post_event
from tests.children_support import add_child, agree, post_page, refer
from tests.factories import login_as, make_world, signed_in
from tests.route_walk import walk
from tests.staff_console import csrf_from

# Each never-disclose field's canary, in every form it could be written in.
CANARIES: dict[str, tuple[str, ...]] = {
    "name": ("Qv9Name Canary",),
    "phone": ("+447400135790", "07400 135790", "7400135790", "7400 135790"),
    "email": ("qv9canary@example.org",),
    "code_word": ("qv9codeword",),
    "safe_address": ("Qv9 Hidden Lane",),
    "new_number": ("+447400864202", "07400 864202", "7400864202", "7400 864202"),
    "school": ("Qv9 Secret School",),
    "details": ("Qv9 collect only by aunt",),
}
CHILD = ("school", "details")


@pytest.fixture
def seeded(app, dbs, vault, audit_key, clock):  # type: ignore[no-untyped-def]
    """Her case with a canary in every never-disclose field, every markable field marked by the admin; her child,
    a referral and a sharing agreement; a task about a risk to children; another service with its own case."""
    app.config["EVENT_RESPONSE_FLOOR_SECONDS"] = 0
    now = clock.now()
    world = make_world(dbs, vault, audit_key, partner_phone=CANARIES["phone"][0], name=CANARIES["name"][0],
                       email=CANARIES["email"][0])
    her = dbs.get(PartnerContact, world.partner.id)
    vault.put(her, "safe_address_ct", CANARIES["safe_address"][0])
    vault.put(her, "new_number_ct", CANARIES["new_number"][0])
    prefs = dbs.scalar(select(Preferences).where(Preferences.partner_id == her.id))
    vault.put(prefs, "code_word_ct", CANARIES["code_word"][0])
    child = add_child(dbs, vault, audit_key, now, world.worker, her, "Mia", age="7", school=CANARIES["school"][0],
                      details=CANARIES["details"][0])
    entry = agree(dbs, vault, audit_key, now, world.worker, her, "childrens_services", "North team",
                  ("risk", "children"))
    referral = refer(dbs, vault, audit_key, now, world.worker, her, [child], agency_name="North team", basis="")
    task = create_task(dbs, her, kind="event_risk", severity=Severity.URGENT, now=now, child_risk=True)
    assessment = RiskAssessment(id=uuid.uuid4(), partner_id=her.id, assessed_by_id=world.worker.id, assessed_at=now,
                                checklist_id="starter", checklist_version="1", item_count=24, yes_count=15,
                                not_known_count=0, scored_level="high", level="high", incidents_12m=1)
    dbs.add(assessment)
    dbs.flush()
    conference = RiskConferenceReferral(
        id=uuid.uuid4(), partner_id=her.id, assessment_id=assessment.id, assessed_at=now, yes_count=15,
        item_count=24, level="high", referred_at=now, she_knows=True, she_consents=False, basis="risk_to_life",
        status="awaiting_approval", created_by_id=world.worker.id)
    vault.put(conference, "conference_name_ct", "North Marac")
    vault.put(conference, "reason_ct", "He threatened to kill her last week.")
    dbs.add(conference)
    deployment.save(dbs, never_disclose.SETTING, list(never_disclose.MARKABLE))
    theirs = make_world(dbs, vault, audit_key, partner_phone="+447400999000")
    dbs.commit()
    return world, theirs, {"child": child, "entry": entry, "referral": referral, "task": task,
                           "assessment": assessment, "conference": conference}


def leaked(response) -> set[str]:  # type: ignore[no-untyped-def]
    """Which never-disclose fields have a canary in this answer (body and headers)."""
    text = response.get_data().decode("utf-8", "replace").lower()
    text += "\n" + "\n".join(f"{k}: {v}" for k, v in response.headers.items()).lower()
    return {field for field, forms in CANARIES.items() if any(form.lower() in text for form in forms)}


def test_each_value_shows_only_after_show_on_that_one_response_and_is_audited(app, dbs, seeded):
    world, _theirs, made = seeded
    client = signed_in(app, world.worker)
    case = f"/staff/cases/{world.partner.id}"
    html = client.get(case).get_data(as_text=True)
    assert leaked(client.get(case)) == set()
    assert html.count("hidden — press Show") == 8  # name, mobile, email, code word, address, number, school, details
    token = csrf_from(html)
    for field in never_disclose.CASE_FIELDS:
        response = client.post(f"{case}/show/{field}", data={"csrf_token": token})
        assert response.status_code == 200 and leaked(response) == {field}, field
        assert "shown on this page only" in response.get_data(as_text=True)
    for field in CHILD:
        response = client.post(f"{case}/children/{made['child'].id}/show/{field}", data={"csrf_token": token})
        assert response.status_code == 200 and leaked(response) == {field}, field
    assert leaked(client.get(case)) == set()  # a reload: hidden again
    assert client.get(f"{case}/show/safe_address").status_code == 405  # a GET never shows
    assert client.post(f"{case}/show/safe_address").status_code == 400  # nor a POST without the form's token
    dbs.expire_all()
    shows = list(dbs.scalars(select(AuditEvent).where(AuditEvent.action == "never_disclose.show")
                             .order_by(AuditEvent.seq)))
    assert [entry.actor_id for entry in shows] == [str(world.worker.id)] * 8
    assert [entry.details for entry in shows][:2] == ['{"field":"safe_address"}', '{"field":"new_number"}']
    assert all(not ({f for f, forms in CANARIES.items() if any(x in e.details for x in forms)}) for e in shows)


def test_unmarked_fields_show_as_before_and_the_always_hidden_ones_stay_hidden(app, dbs, seeded):
    world, _theirs, _made = seeded
    deployment.save(dbs, never_disclose.SETTING, [])
    dbs.commit()
    client = signed_in(app, world.worker)
    assert leaked(client.get(f"/staff/cases/{world.partner.id}")) == {"name", "phone", "email", "code_word"}
    assert "Qv9Name Canary" in client.get("/staff/cases").get_data(as_text=True)  # her caseload, by name
    assert "qv9codeword" in client.get(f"/staff/cases/{world.partner.id}/preferences").get_data(as_text=True)


def test_an_admin_marks_which_of_her_case_fields_are_never_disclose(app, dbs, seeded):
    world, _theirs, _made = seeded
    admin = signed_in(app, world.admin)
    form = admin.get("/staff/admin/settings").get_data(as_text=True)
    assert 'name="never_disclose_fields" value="code_word" checked' in form
    base = {"site_name": "Appointments", "exit_url": "https://neutral.example/weather", "emergency_number": "999",
            "child_protection_steps": "", "retention_days": "365", "escalate_after_minutes": "60",
            "due_immediate": "30", "due_urgent": "240", "due_soon": "1440", "due_routine": "4320",
            "risk_reassess_days": "90"}
    refused = post_page(admin, "/staff/admin/settings", base | {"never_disclose_fields": ["email", "bank_pin"]})
    assert refused.status_code == 400
    saved = post_page(admin, "/staff/admin/settings", base | {"never_disclose_fields": ["email", "code_word"]})
    assert saved.status_code == 303
    dbs.expire_all()
    assert never_disclose.marked(dbs) == ("email", "code_word")
    client = signed_in(app, world.worker)
    assert leaked(client.get(f"/staff/cases/{world.partner.id}")) == {"name", "phone"}
    prefs_page = client.get(f"/staff/cases/{world.partner.id}/preferences").get_data(as_text=True)
    assert "qv9codeword" not in prefs_page and "press Show on her case page" in prefs_page
    assert "deployment.update" in list(dbs.scalars(select(AuditEvent.action)))


WALK_FORM = {"kind": "attendance_concern", "reference": "WALK-REF-1", "description": "walk", "imminence": "",
             "report_key": uuid.uuid4().hex, "confirm": "no", "reason": "other", "outcome": "talked",
             "method": "call", "safe_to_talk": "yes", "weekday": "1", "start": "09:00", "end": "10:00",
             "answer": "yes", "choice": "yes", "first_name": "", "form": "agree", "field": "safe_address",
             "private": "1"}


def test_canary_walk_over_every_route_for_every_role_and_the_api(app, dbs, seeded, clock, caplog):
    world, theirs, made = seeded
    ids = {"partner_id": [str(world.partner.id), str(theirs.partner.id)], "child_id": [str(made["child"].id)],
           "referral_id": [str(made["referral"].id), str(made["conference"].id)], "task_id": [str(made["task"].id)],
           "assessment_id": [str(made["assessment"].id)],
           "programme_id": [str(world.programme.id)], "participant_id": [str(world.participant.id)]}
    fallback = [str(world.partner.id), "nope"]
    # The programme API first (the admin's walk below deactivates his programme).
    api = app.test_client()
    token = make_token(dbs, world.programme, clock.now())
    for body in ({"kind": "risk", "risk_to": "children", "imminence": "high"}, {"kind": "dropout"},
                 {"kind": "risk", "risk_to": ["partner", "children"], "imminence": "imminent"}):
        response = post_event(api, token, {"participant_ref": world.participant.reference, **body})
        assert response.status_code < 300 and leaked(response) == set()
    assert leaked(api.get("/api/v1/openapi.json")) == set()
    shown: list[tuple[str, str]] = []
    copies: list[list[str]] = []
    problems: list[tuple[str, str, str, object]] = []
    caplog.set_level(logging.DEBUG)
    def walk_as(who: StaffUser) -> int:
        client = app.test_client()

        def sign_in() -> None:
            user = dbs.get(StaffUser, who.id)
            dbs.refresh(user)
            login_as(client, user)

        def check(endpoint, method, url, response) -> None:  # type: ignore[no-untyped-def]
            found = leaked(response)
            allowed: set[str] = set()
            if who is world.worker and method == "POST" and str(world.partner.id) in url \
                    and response.status_code == 200 and endpoint in ("console.worker_show", "console.worker_show_child"):
                allowed = {url.rsplit("/", 1)[1]}  # her own worker's Show of this one field
            copy = who is world.worker and method == "POST" and endpoint == "console.worker_copy" \
                and str(world.partner.id) in url and response.status_code == 200
            if copy:
                allowed = set(CANARIES)  # her copy to hand to her, never-disclose details ticked (issue 12 item 8)
                copies.append(sorted(found))
            if response.status_code >= 500 or found != allowed:
                problems.append((who.role, method, url, (response.status_code, sorted(found))))
            if allowed and found == allowed and not copy:
                shown.append((who.role, sorted(found)[0]))

        return walk(app, client, sign_in=sign_in, csrf_page="/staff/", form=WALK_FORM,
                    known=lambda variable: ids.get(variable, fallback), check=check)

    walked = sum(walk_as(who) for who in (world.admin, world.facilitator, world.worker, theirs.worker))
    assert problems == []
    assert walked > 300
    # The detector works: her own worker's Show answered with each value, and only her worker's.
    assert sorted(field for _role, field in shown) == sorted(CANARIES)
    assert {role for role, _field in shown} == {"support_worker"}
    assert copies == [sorted(CANARIES)]  # her worker's ticked copy of her information, and nothing else
    # Nothing of it reached the log or the audit chain.
    log_text = caplog.text.lower()
    assert [f for f, forms in CANARIES.items() if any(form.lower() in log_text for form in forms)] == []
    dbs.expire_all()
    details = " ".join(dbs.scalars(select(AuditEvent.details))).lower()
    assert [f for f, forms in CANARIES.items() if any(form.lower() in details for form in forms)] == []
    # The walk changed none of the never-disclose values (it could not hide a leak by erasing them).
    her = dbs.get(PartnerContact, world.partner.id)
    assert her.safe_address_ct is not None and her.erased_at is None
    assert dbs.scalar(select(Task.child_risk).where(Task.id == made["task"].id)) is True
