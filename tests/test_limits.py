"""Limits that hold against the served app: no body over 64 KiB gets through, chunked or not, on any route;
anonymous visits create no session rows; expired sessions are purged by the worker and the purge command."""

from __future__ import annotations

import json
import socket
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import func, select

from portal.crypto import hash_token
from portal.models import ProgrammeEvent, WebSession
from tests.api_support import URL, make_token
from tests.factories import served_world

LIMIT = 64 * 1024


@pytest.fixture
def served(live_server):  # type: ignore[no-untyped-def]
    live_server.app.config["EVENT_RESPONSE_FLOOR_SECONDS"] = 0
    world = served_world(live_server)
    with live_server.db() as db:
        token = make_token(db, world.programme, live_server.now())
    return live_server, world, token


def _chunks(body: bytes, size: int = 4096):  # type: ignore[no-untyped-def]
    for start in range(0, len(body), size):
        yield body[start:start + size]


def _padded_report(reference: str, total: int) -> bytes:
    """A valid report followed by whitespace: cut anywhere past the object, it would still parse."""
    doc = json.dumps({"participant_ref": reference, "kind": "dropout"}).encode()
    return doc + b" " * (total - len(doc))


def _events(live) -> int:  # type: ignore[no-untyped-def]
    with live.db() as db:
        return db.scalar(select(func.count()).select_from(ProgrammeEvent))


def test_a_chunked_api_body_over_64_kib_is_refused_with_413(served):
    live, world, token = served
    body = _padded_report(world.participant.reference, 70 * 1024)
    response = httpx.post(live.url + URL, content=_chunks(body), timeout=30,
                          headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    assert response.status_code == 413
    assert response.json()["error"] == "payload_too_large" and "field" in response.json()
    assert _events(live) == 0


def test_a_chunked_api_body_under_the_limit_is_still_accepted(served):
    live, world, token = served
    body = _padded_report(world.participant.reference, 10 * 1024)
    response = httpx.post(live.url + URL, content=_chunks(body), timeout=30,
                          headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    assert response.status_code == 201, response.text
    assert _events(live) == 1


def test_exactly_64_kib_chunked_is_accepted_one_byte_more_is_not(served):
    live, world, token = served
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    exact = httpx.post(live.url + URL, content=_chunks(_padded_report(world.participant.reference, LIMIT)),
                       headers=headers, timeout=30)
    over = httpx.post(live.url + URL, content=_chunks(_padded_report(world.participant.reference, LIMIT + 1)),
                      headers=headers, timeout=30)
    assert (exact.status_code, over.status_code) == (201, 413)


def _raw_chunked(live, path: str, body: bytes, content_type: str) -> int:  # type: ignore[no-untyped-def]
    """Send a chunked POST over a raw socket (as an attacker's client would); return the status code."""
    host, port = live.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as conn:
        conn.sendall((f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: {content_type}\r\n"
                      "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n").encode())
        try:
            for chunk in _chunks(body, 8192):
                conn.sendall(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
            conn.sendall(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server may answer and close before reading everything
        status_line = conn.makefile("rb").readline()
    return int(status_line.split()[1])


@pytest.mark.parametrize("path", ["/sms/inbound", "/sms/status", "/contact", "/staff/sign-in", "/"])
def test_a_chunked_form_over_the_limit_is_413_on_every_route(served, path):
    live, _world, _token = served
    body = b"Body=" + b"a" * (70 * 1024)
    assert _raw_chunked(live, path, body, "application/x-www-form-urlencoded") == 413


@pytest.mark.parametrize(("method", "path"), [("POST", "/sms/inbound"), ("POST", "/"), ("GET", "/"),
                                              ("GET", "/healthz")])
def test_a_declared_body_over_the_limit_is_413_on_every_route(served, method, path):
    live, _world, _token = served
    response = httpx.request(method, live.url + path, content=b"x" * (LIMIT + 1), timeout=30,
                             headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code == 413


def _session_rows(live) -> int:  # type: ignore[no-untyped-def]
    with live.db() as db:
        return db.scalar(select(func.count()).select_from(WebSession))


ANONYMOUS_PAGES = ["/", "/?lang=de", "/?lang=ar", "/home", "/about", "/choices", "/check", "/exit", "/healthz",
                   "/v/not-a-real-token-at-all-xxxx", "/no-such-page", "/assets/css/site.css"]


def test_fifty_anonymous_gets_create_no_session_row(served):
    live, _world, _token = served
    before = _session_rows(live)
    statuses, cookies = set(), []
    for index in range(50):
        with httpx.Client(base_url=live.url, timeout=30) as fresh:  # a new visitor (no cookie) each time
            path = ANONYMOUS_PAGES[index % len(ANONYMOUS_PAGES)]
            response = fresh.get(path)
            statuses.add(response.status_code)
            if "__Host-sid" in response.headers.get("set-cookie", ""):
                cookies.append(path)
    assert (_session_rows(live) - before, sorted(set(cookies))) == (0, [])
    assert statuses <= {200, 303, 302, 404}


def test_the_staff_sign_in_form_still_gets_its_session_for_the_csrf_token(served):
    live, _world, _token = served
    before = _session_rows(live)
    with httpx.Client(base_url=live.url, timeout=30) as fresh:
        page = fresh.get("/staff/sign-in")
    assert page.status_code == 200 and 'name="csrf_token"' in page.text
    assert _session_rows(live) - before == 1


def _store_expired(app, id_hash: str, expires_at) -> None:  # type: ignore[no-untyped-def]
    from portal.sessions import StoredSession

    store = app.session_interface.store
    now = app.extensions["portal.clock"].now()
    store.save(id_hash, StoredSession("her", {"x": 1}, now - timedelta(hours=5), now - timedelta(hours=4)),
               expires_at)


def test_a_worker_pass_purges_expired_sessions_and_keeps_live_ones(app, dbs, clock):
    from portal.worker import run
    from tests.sms_support import dispatcher

    now = clock.now()
    _store_expired(app, hash_token("old"), now - timedelta(minutes=1))
    _store_expired(app, hash_token("live"), now + timedelta(minutes=10))
    run(dispatcher(app), once=True, poll_seconds=0, echo=lambda _line: None)
    dbs.expire_all()
    remaining = set(dbs.scalars(select(WebSession.id_hash)))
    assert remaining == {hash_token("live")}


def test_the_purge_command_removes_expired_sessions(app, dbs, clock):
    now = clock.now()
    _store_expired(app, hash_token("old"), now - timedelta(minutes=1))
    _store_expired(app, hash_token("live"), now + timedelta(minutes=10))
    result = app.test_cli_runner().invoke(args=["purge"])
    assert result.exit_code == 0, result.output
    dbs.expire_all()
    assert set(dbs.scalars(select(WebSession.id_hash))) == {hash_token("live")}


def test_with_redis_anonymous_gets_store_nothing_and_sessions_expire_by_ttl(database_url, instance_dir, clock):

    import redis as redis_lib

    from portal.sessions import RedisStore
    from tests.support import redis_app

    url = "redis://127.0.0.1:6379/13"
    app = redis_app(database_url, instance_dir, clock, url)
    client_redis = redis_lib.Redis.from_url(url)
    assert isinstance(app.session_interface.store, RedisStore)

    def keys() -> set[bytes]:
        return set(client_redis.scan_iter(RedisStore.PREFIX + "*"))

    before = keys()
    for index in range(50):
        app.test_client().get(ANONYMOUS_PAGES[index % len(ANONYMOUS_PAGES)])
    assert keys() == before
    page = app.test_client().get("/staff/sign-in")
    assert page.status_code == 200
    [new] = keys() - before
    assert 0 < client_redis.ttl(new) <= 30 * 60  # Redis itself forgets it after the staff idle timeout
    client_redis.delete(new)
