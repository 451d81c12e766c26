"""A served app for tests that must hit a real HTTP server: the portal on a loopback port (werkzeug, threaded),
a neutral "exit site", and `fire()` to send many requests at once (concurrency tests, on both databases).

    def test_race(live_server):
        results = fire(8, lambda i: requests_session().post(live_server.url + path))
"""

from __future__ import annotations

import dataclasses
import http.server
import socketserver
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar

import pytest
from flask import Flask
from sqlalchemy.orm import Session
from werkzeug.serving import BaseWSGIServer, make_server

from portal import create_app
from portal.services.her.invites import issue_invite
from tests.support import make_config, wipe_database

EXIT_PAGE_TITLE = "Weather today"
EXIT_PAGE = (b"<!doctype html><html lang=en><title>Weather today</title><h1>Weather today</h1>"
             b"<p>Sunny spells, light wind.</p></html>")

T = TypeVar("T")


def fire(count: int, call: Callable[[int], T], timeout: float = 60.0) -> list[T]:
    """Run call(0..count-1) in `count` threads released together by a barrier; return results in order."""
    barrier = threading.Barrier(count)

    def run(index: int) -> T:
        barrier.wait(timeout)
        return call(index)

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(run, range(count), timeout=timeout))


@dataclasses.dataclass
class ExitSite:
    """A tiny neutral website on loopback, standing in for the deployment's exit site."""

    url: str
    server: socketserver.TCPServer


class _ExitHandler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - the standard library's name
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(EXIT_PAGE)))
        self.end_headers()
        self.wfile.write(EXIT_PAGE)

    def log_message(self, *args: Any) -> None:
        return


@pytest.fixture(scope="session")
def exit_site() -> Iterator[ExitSite]:
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _ExitHandler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield ExitSite(f"http://127.0.0.1:{server.server_address[1]}/weather", server)
    server.shutdown()
    server.server_close()


@dataclasses.dataclass
class LiveServer:
    """The portal, served for real on 127.0.0.1 (Chromium treats loopback as secure, so __Host- cookies work)."""

    app: Flask
    url: str
    server: BaseWSGIServer

    def db(self) -> Session:
        """A plain session on the app's database, for arranging and checking data (commit what you arrange)."""
        from portal.extensions import db

        with self.app.app_context():
            return Session(db.engine, expire_on_commit=False)

    @property
    def vault(self) -> Any:
        return self.app.extensions["portal.vault"]

    @property
    def audit_key(self) -> bytes:
        return self.app.extensions["portal.audit_key"]

    def now(self) -> Any:
        return self.app.extensions["portal.clock"].now()

    def invite_path(self, partner_id: Any, hours: int = 72) -> str:
        """A fresh single-use link path (/v/<token>) for her."""
        with self.db() as session:
            invite = issue_invite(session, partner_id, now=self.now(), ttl=timedelta(hours=hours))
            session.commit()
        return "/v/" + invite.token


def _wipe(app: Flask) -> None:
    """Empty the database and close the served app's pooled connections (PostgreSQL has only so many)."""
    from portal.extensions import db

    with app.app_context():
        db.session.remove()
        wipe_database(db.engine)
        db.engine.dispose()


@pytest.fixture
def live_server_factory(database_url: str, instance_dir: Path, exit_site: ExitSite) -> Iterator[Callable[..., LiveServer]]:
    """Start the app factory with config overrides (and optionally a clock) on a random loopback port."""
    started: list[LiveServer] = []

    def start(clock: Any = None, **overrides: Any) -> LiveServer:
        config = make_config(database_url, instance_dir, exit_url=exit_site.url, **overrides)
        app = create_app(config)
        if clock is not None:
            app.extensions["portal.clock"] = clock
        server = make_server("127.0.0.1", 0, app, threaded=True)
        url = f"http://127.0.0.1:{server.port}"
        app.config["PORTAL"] = dataclasses.replace(app.config["PORTAL"], public_url=url)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        live = LiveServer(app, url, server)
        started.append(live)
        return live

    yield start
    for live in started:
        live.server.shutdown()
        live.server.server_close()
        _wipe(live.app)


@pytest.fixture
def live_server(live_server_factory: Callable[..., LiveServer]) -> LiveServer:
    return live_server_factory()
