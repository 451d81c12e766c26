"""Browser fixtures: the app on a loopback port in a thread, a neutral "exit site" on another port, headless
Chromium (JavaScript on or off, phone-sized), and an axe-core helper. General enough for any whole-story test:

    def test_story(live_server, new_page):
        page = new_page(javascript=False)
        page.goto(live_server.url + live_server.invite_path(partner_id))
"""

from __future__ import annotations

import dataclasses
import http.server
import socketserver
import threading
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy.orm import Session
from werkzeug.serving import BaseWSGIServer, make_server

from portal import create_app
from portal.services.invites import issue_invite
from tests.support import make_config, wipe_database

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
PHONE = {"width": 360, "height": 740}
EXIT_PAGE_TITLE = "Weather today"
EXIT_PAGE = (b"<!doctype html><html lang=en><title>Weather today</title><h1>Weather today</h1>"
             b"<p>Sunny spells, light wind.</p></html>")


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
    from portal.extensions import db

    with app.app_context():
        db.session.remove()
        wipe_database(db.engine)


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


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def new_page(browser: Any) -> Iterator[Callable[..., Any]]:
    """new_page(javascript=True, locale="en", viewport=PHONE, **context_options) -> a Page in a fresh context."""
    contexts: list[Any] = []

    def make(javascript: bool = True, locale: str = "en", viewport: dict[str, int] | None = None,
             **options: Any) -> Any:
        context = browser.new_context(java_script_enabled=javascript, locale=locale, viewport=viewport or PHONE,
                                      **options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture(params=[True, False], ids=["js-on", "js-off"])
def javascript(request: pytest.FixtureRequest) -> bool:
    return bool(request.param)


AXE_SOURCE = (Path(__import__("axe_playwright_python").__file__).parent / "axe.min.js").read_text()


def axe_violations(page: Any, tags: tuple[str, ...] = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa",
                                                        "best-practice")) -> list[dict[str, Any]]:
    """Run axe-core in the page and return its violations (rule id, impact, help, failing targets).

    The source is evaluated through the DevTools protocol, which the page's CSP does not govern, so the
    page is tested under its real policy.
    """
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SOURCE)
    result = page.evaluate("async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})",
                           list(tags))
    return [{"id": v["id"], "impact": v["impact"], "help": v["help"],
             "targets": [n["target"] for n in v["nodes"]]} for v in result["violations"]]
