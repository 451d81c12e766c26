"""Probes: /healthz/live answers whatever the database does; /healthz (readiness) is 503 with a short body, no
details, when the database cannot be reached, and 200 again once it can."""

from __future__ import annotations

import logging

import pytest

from portal import create_app
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
        ready = client.get("/healthz")
    assert ready.status_code == 503
    assert ready.get_json() == {"status": "unavailable"}
    body = ready.get_data(as_text=True)
    for detail in ("sqlite", "psycopg", "nonexistent", "127.0.0.1", "hunter2", "portal_gone", "Error"):
        assert detail not in body and detail not in caplog.text.replace("OperationalError", "")
    assert "readiness: the database did not answer (OperationalError)" in caplog.text
    live = client.get("/healthz/live")
    assert live.status_code == 200 and live.get_json() == {"status": "ok"}  # no restart loop for a db outage


def test_readiness_and_liveness_when_all_is_well(client):
    assert client.get("/healthz").get_json() == {"status": "ok", "fanout": {"waiting": 0, "oldest_seconds": 0}}
    live = client.get("/healthz/live")
    assert live.status_code == 200 and live.get_json() == {"status": "ok"}
    assert "Set-Cookie" not in live.headers
