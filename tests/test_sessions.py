"""Server-side sessions: only a hash of the id is stored; idle and absolute timeouts; regeneration."""


from datetime import timedelta

import pytest
import redis as redis_lib
from flask import session
from sqlalchemy import select

from portal.crypto import hash_token
from portal.models import WebSession
from portal.sessions import RedisStore
from tests.factories import make_world
from tests.support import redis_app


@pytest.fixture
def routes(app):
    @app.get("/sess-test/put/<value>")
    def put(value):
        session["value"] = value
        return "ok"

    @app.get("/sess-test/get")
    def get():
        return session.get("value", "none")

    @app.get("/sess-test/her/<pid>")
    def bind(pid):
        session.bind_her(pid)
        session["value"] = "bound"
        return "ok"

    @app.get("/sess-test/end")
    def end():
        session.destroy()
        return "ended"

    return app


def sid_of(client):
    cookie = client.get_cookie("__Host-sid")
    return cookie.value if cookie else None


def test_store_holds_only_a_hash(routes, client, dbs):
    client.get("/sess-test/put/hello")
    sid = sid_of(client)
    rows = dbs.scalars(select(WebSession)).all()
    assert [r.id_hash for r in rows] == [hash_token(sid)]
    assert sid not in rows[0].data
    assert client.get("/sess-test/get").get_data(as_text=True) == "hello"


def test_idle_timeout(routes, client, clock):
    client.get("/sess-test/put/hello")
    clock.advance(minutes=14)
    assert client.get("/sess-test/get").get_data(as_text=True) == "hello"
    clock.advance(minutes=14)  # sliding: 14 minutes since the last request
    assert client.get("/sess-test/get").get_data(as_text=True) == "hello"
    clock.advance(minutes=16)
    assert client.get("/sess-test/get").get_data(as_text=True) == "none"


def _last_seen(dbs):
    dbs.expire_all()
    return dbs.scalar(select(WebSession.last_seen_at))


def test_a_page_that_changes_nothing_refreshes_the_stored_session_at_most_once_a_minute(routes, client, dbs, clock):
    client.get("/sess-test/put/hello")
    saved = _last_seen(dbs)
    clock.advance(seconds=30)
    assert client.get("/sess-test/get").get_data(as_text=True) == "hello"
    assert _last_seen(dbs) == saved  # no write: the refresh is 30 s old
    clock.advance(seconds=31)
    assert client.get("/sess-test/get").get_data(as_text=True) == "hello"
    assert _last_seen(dbs) > saved  # 61 s: refreshed
    clock.advance(seconds=5)
    client.get("/sess-test/put/changed")
    assert _last_seen(dbs) > saved + timedelta(seconds=61)  # a change is always saved, with its time


def test_idle_timeout_is_never_late_and_at_most_a_minute_early(routes, client, clock):
    client.get("/sess-test/put/hello")
    clock.advance(seconds=59)
    assert client.get("/sess-test/get").get_data(as_text=True) == "hello"  # not refreshed (59 s)
    clock.advance(minutes=14, seconds=2)  # 14:02 after her last request, 15:01 after the stored refresh
    assert client.get("/sess-test/get").get_data(as_text=True) == "none"  # ended, 58 s early at most
    client.get("/sess-test/put/hello")
    clock.advance(minutes=1)
    assert client.get("/sess-test/get").get_data(as_text=True) == "hello"  # refreshed (a minute old)
    clock.advance(minutes=14, seconds=59)
    assert client.get("/sess-test/get").get_data(as_text=True) == "hello"  # 14:59 idle: still hers
    clock.advance(minutes=15, seconds=1)
    assert client.get("/sess-test/get").get_data(as_text=True) == "none"  # never past 15 minutes idle


def test_absolute_timeout_even_when_active(routes, client, clock):
    client.get("/sess-test/put/hello")
    for _ in range(12):  # 12 x 10 minutes = 2 hours of activity
        clock.advance(minutes=10)
        client.get("/sess-test/get")
    clock.advance(minutes=1)
    assert client.get("/sess-test/get").get_data(as_text=True) == "none"


def test_binding_regenerates_the_id(routes, client, dbs, vault, audit_key):
    partner = make_world(dbs, vault, audit_key).partner
    dbs.commit()
    client.get("/sess-test/put/hello")
    before = sid_of(client)
    client.get(f"/sess-test/her/{partner.id}")
    after = sid_of(client)
    assert before != after
    hashes = set(dbs.scalars(select(WebSession.id_hash)))
    assert hash_token(before) not in hashes and hash_token(after) in hashes


def test_destroy_forgets_server_side_and_clears_cookie(routes, client, dbs):
    client.get("/sess-test/put/hello")
    response = client.get("/sess-test/end")
    assert "__Host-sid=;" in response.headers["Set-Cookie"]
    assert dbs.scalars(select(WebSession)).all() == []


def test_a_forged_cookie_is_a_new_empty_session(routes, client):
    client.set_cookie("__Host-sid", "x" * 43, domain="localhost")
    assert client.get("/sess-test/get").get_data(as_text=True) == "none"


def test_redis_store_round_trip(database_url, instance_dir, clock):
    app = redis_app(database_url, instance_dir, clock)
    assert isinstance(app.session_interface.store, RedisStore)

    @app.get("/r/put")
    def put():
        session["value"] = "in-redis"
        return "ok"

    @app.get("/r/get")
    def get():
        return session.get("value", "none")

    client = app.test_client()
    client.get("/r/put")
    sid = sid_of(client)
    raw = redis_lib.Redis.from_url("redis://127.0.0.1:6379/15").get(RedisStore.PREFIX + hash_token(sid))
    assert raw is not None and sid.encode() not in raw
    assert client.get("/r/get").get_data(as_text=True) == "in-redis"
    clock.advance(minutes=16)
    assert client.get("/r/get").get_data(as_text=True) == "none"


def _slow_reader_races_a_writer(app, clock):
    """A request that read her session before another one changed it, and ends after it, must not undo that
    change (her plan locked while her page's icon was still loading). Returns what the session holds at the end."""
    import threading

    read, release = threading.Event(), threading.Event()

    @app.get("/race/put/<value>")
    def race_put(value):
        session["value"] = value
        return "ok"

    @app.get("/race/slow")
    def race_slow():
        seen = session.get("value", "none")
        read.set()
        release.wait(10)
        return seen

    @app.get("/race/get")
    def race_get():
        return session.get("value", "none")

    first = app.test_client()
    first.get("/race/put/open")
    second = app.test_client()
    second.set_cookie("__Host-sid", sid_of(first), domain="localhost")
    answers = {}
    slow = threading.Thread(target=lambda: answers.setdefault("slow", second.get("/race/slow").get_data(True)))
    slow.start()
    assert read.wait(10)
    first.get("/race/put/locked")
    release.set()
    slow.join(10)
    assert answers["slow"] == "open"  # it did read the old value
    return first.get("/race/get").get_data(as_text=True)


def test_a_slow_request_never_undoes_a_later_change(app, clock):
    assert _slow_reader_races_a_writer(app, clock) == "locked"


def test_a_slow_request_never_undoes_a_later_change_on_redis(database_url, instance_dir, clock):
    app = redis_app(database_url, instance_dir, clock)
    assert _slow_reader_races_a_writer(app, clock) == "locked"


def test_her_page_assets_open_no_session(routes, client, dbs, clock):
    client.get("/sess-test/put/hello")
    before = dbs.scalars(select(WebSession.last_seen_at)).all()
    clock.advance(minutes=2)  # past REFRESH_EVERY: a page would refresh the session now; an asset must not
    for path in ("/assets/css/site.css", "/assets/js/exit.js", "/assets/favicon.svg"):
        response = client.get(path)
        assert response.status_code == 200
        assert "Set-Cookie" not in response.headers
    dbs.expire_all()
    assert dbs.scalars(select(WebSession.last_seen_at)).all() == before
