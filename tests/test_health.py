"""Probes: /healthz/live answers whatever the database does; /healthz/ready and /healthz are 503 with a short
body, no details, when the database cannot be reached."""

from __future__ import annotations

import logging

import pytest

from portal import create_app
from tests.api_support import make_token, post_event
from tests.support import make_config

UNREACHABLE = {
    "sqlite": "sqlite:////nonexistent-dir-for-portal-tests/portal.sqlite3",
    "postgresql": "postgresql+psycopg://portal:hunter2@127.0.0.1:9/portal_gone?connect_timeout=2",
}


@pytest.mark.parametrize("backend", sorted(UNREACHABLE))
def test_readiness_is_503_without_details_when_the_database_is_unreachable(tmp_path, caplog, backend):
    app = create_app(make_config(UNREACHABLE[backend], tmp_path))
    client = app.test_client()
    with caplog.at_level(logging.WARNING):
        answers = [client.get("/healthz"), client.get("/healthz/ready")]
    assert [a.status_code for a in answers] == [503, 503]
    assert [a.get_json() for a in answers] == [{"status": "unavailable"}] * 2
    body = "".join(a.get_data(as_text=True) for a in answers)
    for detail in ("sqlite", "psycopg", "nonexistent", "127.0.0.1", "hunter2", "portal_gone", "Error"):
        assert detail not in body and detail not in caplog.text.replace("OperationalError", "")
    assert "readiness: the database did not answer (OperationalError)" in caplog.text
    live = client.get("/healthz/live")
    assert live.status_code == 200 and live.get_json() == {"status": "ok"}  # no restart loop for a db outage


def test_readiness_and_liveness_when_all_is_well(client):
    assert client.get("/healthz").get_json() == {"status": "ok", "fanout": {"waiting": 0, "oldest_seconds": 0}}
    for probe in ("/healthz/live", "/healthz/ready"):
        answer = client.get(probe)
        assert answer.status_code == 200 and answer.get_json() == {"status": "ok"}
        assert "Set-Cookie" not in answer.headers


def test_readiness_stays_200_while_the_dispatcher_is_behind(client, dbs, world, clock):
    """A stuck dispatcher is for monitoring (/healthz 503), not a reason to stop routing her to the web."""
    token = make_token(dbs, world.programme, clock.now())
    assert post_event(client, token, {"participant_ref": world.participant.reference,
                                      "kind": "dropout"}).status_code == 201
    clock.advance(seconds=61)
    assert client.get("/healthz").get_json()["status"] == "fanout_delayed"
    assert client.get("/healthz/ready").status_code == 200
