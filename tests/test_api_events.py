"""POST /api/v1/programme-events: bearer tokens, validation with clear 4xx, idempotency, no cookies."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.models import Notification, ProgrammeEvent, Task, Tell
from portal.services.programme.events import register_participant
from tests.api_support import make_token, post_event
from tests.factories import context, make_world
from tests.fanout_support import fan_out


@pytest.fixture
def world(app, dbs, vault, audit_key):
    app.config["EVENT_RESPONSE_FLOOR_SECONDS"] = 0
    w = make_world(dbs, vault, audit_key, prefs={"channel_sms": True, "tell_dropout": Tell.MESSAGE})
    dbs.commit()
    return w


@pytest.fixture
def token(dbs, world, clock):
    return make_token(dbs, world.programme, clock.now())


def count(dbs, model):
    dbs.expire_all()
    return dbs.scalar(select(func.count()).select_from(model))


def test_a_report_creates_the_event_her_task_and_her_message(app, client, dbs, world, token):
    response = post_event(client, token, {"participant_ref": world.participant.reference, "kind": "dropout",
                                          "description": "Missed three sessions"})
    assert response.status_code == 201, response.get_json()
    assert count(dbs, ProgrammeEvent) == 1 and count(dbs, Task) == 0  # her side comes from the worker
    assert fan_out(app) == 1
    body = response.get_json()
    assert body["status"] == "received" and body["kind"] == "dropout" and body["risk_to"] == []
    assert body["participant_ref"] == world.participant.reference
    assert count(dbs, ProgrammeEvent) == 1 and count(dbs, Task) == 1 and count(dbs, Notification) == 1
    event = dbs.scalar(select(ProgrammeEvent))
    assert event.api_token_id is not None and event.reported_by_id is None


def test_risk_with_both_targets(app, client, dbs, world, token):
    response = post_event(client, token, {"participant_ref": world.participant.reference, "kind": "risk",
                                          "risk_to": ["partner", "children"], "imminence": "imminent",
                                          "occurred_at": "2026-03-02T09:00:00Z"})
    assert response.status_code == 201
    fan_out(app)
    assert response.get_json()["risk_to"] == ["partner", "children"]
    task = dbs.scalar(select(Task))
    assert task.child_risk and task.severity == "immediate"


@pytest.mark.parametrize("auth", [None, "Bearer", "Bearer nonsense", "Basic abc", "Bearer " + "x" * 300])
def test_missing_or_unknown_tokens_get_401_with_a_challenge(client, world, auth):
    headers = {"Authorization": auth} if auth else {}
    response = client.post("/api/v1/programme-events", json={"participant_ref": "X", "kind": "dropout"},
                           headers=headers)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert response.get_json()["error"] == "unauthorized"


def test_revoked_and_expired_tokens_are_refused(client, dbs, world, clock):
    revoked = make_token(dbs, world.programme, clock.now(), revoked=True)
    expired = make_token(dbs, world.programme, clock.now() - timedelta(days=40))
    for token in (revoked, expired):
        response = post_event(client, token, {"participant_ref": world.participant.reference, "kind": "dropout"})
        assert response.status_code == 401
    assert count(dbs, ProgrammeEvent) == 0


def test_a_token_only_reaches_its_own_programme(client, dbs, vault, audit_key, world, clock):
    other = make_world(dbs, vault, audit_key, partner_phone="+447400123499")
    dbs.commit()
    foreign = make_token(dbs, other.programme, clock.now())
    response = post_event(client, foreign, {"participant_ref": world.participant.reference, "kind": "dropout"})
    assert response.status_code == 422 and response.get_json()["error"] == "unknown_participant"
    assert count(dbs, ProgrammeEvent) == 0


@pytest.mark.parametrize(("raw", "content_type", "status", "code"), [
    (b'{"kind": "dropout"}', "text/plain", 415, "unsupported_media_type"),
    (b"kind=dropout", "application/x-www-form-urlencoded", 415, "unsupported_media_type"),
    (b"{not json", "application/json", 400, "invalid_json"),
    (b"\xff\xfe", "application/json", 400, "invalid_json"),
    (b'{"kind": NaN}', "application/json", 400, "invalid_json"),
    (b"[" * 5000 + b"]" * 5000, "application/json", 400, "invalid_json"),
    (b"[]", "application/json", 422, "invalid_body"),
    (b"null", "application/json", 422, "invalid_body"),
    (b'{"kind": "dropout"}', "application/json", 422, "missing_field"),
    (b'{"participant_ref": 7, "kind": "dropout"}', "application/json", 422, "invalid_type"),
    (b'{"participant_ref": "A", "kind": "dropout", "her_name": "x"}', "application/json", 422, "unknown_field"),
    (b'{"participant_ref": "A", "kind": "party"}', "application/json", 422, "invalid_kind"),
    (b'{"participant_ref": "A", "kind": "risk", "risk_to": "pets", "imminence": "low"}', "application/json", 422,
     "invalid_risk_to"),
    (b'{"participant_ref": "A", "kind": "risk", "risk_to": [], "imminence": "low"}', "application/json", 422,
     "invalid_risk_to"),
    (b'{"participant_ref": "A", "kind": "risk", "risk_to": "partner", "imminence": "soon"}', "application/json", 422,
     "invalid_imminence"),
    (b'{"participant_ref": "A", "kind": "dropout", "occurred_at": "yesterday"}', "application/json", 422,
     "invalid_occurred_at"),
    (b'{"participant_ref": "A", "kind": "dropout", "occurred_at": "2026-03-01T10:00:00"}', "application/json",
     422, "invalid_occurred_at"),
    (b'{"participant_ref": "A", "kind": "dropout", "description": "\\ud800"}', "application/json", 422,
     "invalid_text"),
    (b'{"participant_ref": "\\u0000", "kind": "dropout"}', "application/json", 422, "invalid_text"),
])
def test_garbage_gets_a_clear_4xx_never_a_500(client, dbs, token, raw, content_type, status, code):
    response = post_event(client, token, raw=raw, content_type=content_type)
    assert response.status_code == status, response.data
    body = response.get_json()
    assert body["error"] == code and body["message"]
    assert count(dbs, ProgrammeEvent) == 0


def test_semantic_errors_name_the_field(client, world, token):
    ref = world.participant.reference
    cases = [
        ({"participant_ref": ref, "kind": "risk", "imminence": "high"}, "risk_to_required", "risk_to"),
        ({"participant_ref": ref, "kind": "risk", "risk_to": "partner"}, "imminence_required", "imminence"),
        ({"participant_ref": ref, "kind": "dropout", "imminence": "high"}, "risk_fields_only_for_risk", "imminence"),
        ({"participant_ref": ref, "kind": "dropout", "occurred_at": "2030-01-01T00:00:00Z"},
         "occurred_at_in_future", "occurred_at"),
        ({"participant_ref": "NOT-HIM", "kind": "dropout"}, "unknown_participant", "participant_ref"),
    ]
    for body, code, field in cases:
        response = post_event(client, token, body)
        assert response.status_code == 422
        assert (response.get_json()["error"], response.get_json()["field"]) == (code, field)


def test_huge_bodies_are_refused_with_413(client, token):
    response = post_event(client, token, raw=b'{"description": "' + b"x" * 70000 + b'"}')
    assert response.status_code == 413
    assert response.is_json


def test_idempotency_key_same_body_same_response_no_duplicate(app, client, dbs, world, token, clock):
    body = {"participant_ref": world.participant.reference, "kind": "dropout"}
    first = post_event(client, token, body, key="case-system-42")
    fan_out(app)
    clock.advance(minutes=10)
    again = post_event(client, token, body, key="case-system-42")
    assert first.status_code == again.status_code == 201
    assert first.data == again.data
    assert fan_out(app) == 0  # the replay made no second entry
    assert count(dbs, ProgrammeEvent) == 1 and count(dbs, Task) == 1 and count(dbs, Notification) == 1


def test_idempotency_key_with_another_body_is_refused(client, dbs, world, token):
    ref = world.participant.reference
    assert post_event(client, token, {"participant_ref": ref, "kind": "dropout"}, key="k1").status_code == 201
    response = post_event(client, token, {"participant_ref": ref, "kind": "completed"}, key="k1")
    assert response.status_code == 422 and response.get_json()["error"] == "idempotency_key_reused"
    assert count(dbs, ProgrammeEvent) == 1


def test_bad_idempotency_key_is_refused(client, world, token):
    response = post_event(client, token, {"participant_ref": world.participant.reference, "kind": "dropout"},
                          key="x" * 201)
    assert response.status_code == 422 and response.get_json()["field"] == "Idempotency-Key"


def test_the_api_never_reads_or_sets_a_session_cookie(client, world, token):
    client.set_cookie("__Host-sid", "attacker-chosen", domain="localhost")
    response = post_event(client, token, {"participant_ref": world.participant.reference, "kind": "dropout"})
    assert response.status_code == 201
    assert "Set-Cookie" not in response.headers
    assert "Cookie" not in response.headers.get("Vary", "")
    assert "Set-Cookie" not in client.get("/api/v1/openapi.json").headers
    assert "Set-Cookie" not in post_event(client, None, {}).headers


def test_no_csrf_token_needed_and_no_cookie_accepted_as_auth(client, dbs, world):
    response = client.post("/api/v1/programme-events", json={"participant_ref": world.participant.reference,
                                                              "kind": "dropout"})
    assert response.status_code == 401  # not 400 "CSRF": the API is exempt and knows only bearer tokens


def test_same_bytes_and_same_minimum_time_with_or_without_a_linked_partner(app, client, dbs, vault, audit_key,
                                                                           world, token, clock):
    same_length = "Q" + world.participant.reference[1:]  # same size, so Content-Length may be compared
    lonely = register_participant(context(dbs, vault, audit_key, clock.now()), programme=world.programme,
                                  reference=same_length, created_by=world.facilitator.id)
    dbs.commit()
    app.config["EVENT_RESPONSE_FLOOR_SECONDS"] = 0.2
    answers = []
    for ref in (world.participant.reference, lonely.reference):
        started = time.perf_counter()
        response = post_event(client, token, {"participant_ref": ref, "kind": "risk", "risk_to": "partner",
                                              "imminence": "high"})
        answers.append((response, time.perf_counter() - started))
    (linked, t1), (unlinked, t2) = answers
    assert t1 >= 0.2 and t2 >= 0.2
    assert linked.status_code == unlinked.status_code == 201
    assert dict(linked.headers) == dict(unlinked.headers)
    a, b = linked.get_json(), unlinked.get_json()
    assert a.pop("participant_ref") != b.pop("participant_ref")
    assert a.pop("id") != b.pop("id")
    assert a == b
    assert count(dbs, Task) == 0  # the request itself did no work for her, linked or not
    assert fan_out(app) == 2
    assert count(dbs, Task) == 1  # only the linked one caused work, in the worker


def test_openapi_document_describes_the_endpoint(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    doc = response.get_json()
    assert doc["openapi"].startswith("3.")
    operation = doc["paths"]["/programme-events"]["post"]
    assert {"201", "400", "401", "413", "415", "422"} <= set(operation["responses"])
    schema = doc["components"]["schemas"]["EventReport"]
    assert schema["required"] == ["participant_ref", "kind"] and schema["additionalProperties"] is False
    assert set(schema["properties"]["kind"]["enum"]) >= {"dropout", "suspended", "completed", "risk"}
    assert doc["servers"][0]["url"].endswith("/api/v1")
