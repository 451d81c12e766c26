"""`make serve`: the portal under gunicorn with the notification worker beside it (`python -m portal.serve`).

What it does, in order:
1. Reads PORT, WEB_HOST, WEB_CONCURRENCY and WEB_THREADS, and builds the app once to check its configuration:
   in production a missing key, secret or URL stops it here with one clear line and exit code 2, before any
   process is started (never a traceback, never a loop of worker boots).
2. Migrates the configured database to the newest revision (`flask db upgrade`), unless `--no-migrate`: a
   deployment of several machines migrates once, as its own step, before new code starts (docs/deployment.md).
3. Starts gunicorn (settings in portal/gunicorn_conf.py) and `flask --app portal worker`, and watches both.
   SIGTERM or SIGINT stops both (each finishes what it has in hand) and exits 0. If either stops on its own,
   the other is stopped too and this exits non-zero, so that a supervisor (systemd, a container runtime)
   notices and restarts the pair. `--no-worker` starts gunicorn alone: a web machine of a deployment whose
   notification workers run elsewhere (docs/deployment.md, "Several machines").
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess  # nosec B404 - starts our own two fixed command lines (commands()), never a shell
import sys
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from portal.config import ConfigError

# Gunicorn's graceful timeout (gunicorn_conf.py) plus a margin: after this a child still running is killed.
STOP_GRACE_SECONDS = 15.0
POLL_SECONDS = 0.2
CONFIG_ERROR_EXIT = 2
DEFAULTS = {"PORT": 5000, "WEB_CONCURRENCY": 2, "WEB_THREADS": 4}
LIMITS = {"PORT": (1, 65535), "WEB_CONCURRENCY": (1, 64), "WEB_THREADS": (1, 64)}


@dataclass(frozen=True)
class WebSettings:
    """Where and how wide gunicorn serves: one process per worker, each with `threads` request threads."""

    host: str
    port: int
    workers: int
    threads: int

    @property
    def bind(self) -> str:
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"


def _count(environ: Mapping[str, str], name: str) -> int:
    raw = environ.get(name, "").strip()
    if not raw:
        return DEFAULTS[name]
    low, high = LIMITS[name]
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise ConfigError(f"{name} must be a whole number from {low} to {high}, got {raw!r}")
    return int(raw)


def web_settings(environ: Mapping[str, str]) -> WebSettings:
    """PORT (default 5000), WEB_HOST (default 127.0.0.1: the reverse proxy is on this machine), WEB_CONCURRENCY
    (worker processes, default 2) and WEB_THREADS (threads per worker, default 4)."""
    host = environ.get("WEB_HOST", "").strip() or "127.0.0.1"
    return WebSettings(host, _count(environ, "PORT"), _count(environ, "WEB_CONCURRENCY"),
                       _count(environ, "WEB_THREADS"))


def checked_app() -> Any:
    """The app built once from the environment; ConfigError (one line, no values) when it cannot start."""
    from portal import create_app

    try:
        return create_app()
    except ValueError as exc:  # a malformed key (portal.crypto): the message names the setting, never its value
        raise ConfigError(str(exc)) from exc


def migrate_database(app: Any) -> str | None:
    """`flask db upgrade`: the configured database at the newest revision; returns that revision."""
    from portal import migrate
    from portal.extensions import db

    with app.app_context():
        try:
            migrate.upgrade(db.engine)
            return migrate.current_revision(db.engine)
        finally:
            db.engine.dispose()  # nothing of this process's pool is left for the children to share


def commands(*, worker: bool = True) -> dict[str, list[str]]:
    """The processes, by the name the messages use (the worker left out with worker=False). All read the same
    environment as this one."""
    found = {
        "web server (gunicorn)": [sys.executable, "-m", "gunicorn", "--config", "python:portal.gunicorn_conf",
                                  "portal:create_app()"],
        "notification worker": [sys.executable, "-m", "flask", "--app", "portal", "worker"],
    }
    if not worker:
        del found["notification worker"]
    return found


def say(text: str) -> None:
    print(f"serve: {text}", file=sys.stderr, flush=True)


class Pair:
    """Start the processes, stop all of them when one stops or when asked; the exit code says which."""

    def __init__(self, commands: dict[str, list[str]], grace: float = STOP_GRACE_SECONDS) -> None:
        self.commands = commands
        self.grace = grace
        self.asked = threading.Event()
        self.processes: dict[str, subprocess.Popen[bytes]] = {}

    def request_stop(self, signum: int, _frame: object) -> None:
        self.asked.set()

    def run(self) -> int:
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, self.request_stop)
        for name, command in self.commands.items():
            self.processes[name] = subprocess.Popen(command)  # noqa: S603  # nosec B603 - commands()
        ended = None
        while not self.asked.is_set() and ended is None:
            ended = next((n for n, p in self.processes.items() if p.poll() is not None), None)
            if ended is None:
                self.asked.wait(POLL_SECONDS)
        if ended is not None:
            code = self.processes[ended].returncode
            others = [n for n in self.processes if n != ended]
            say(f"the {ended} stopped (exit code {code})"
                + (f"; stopping the {', '.join(others)}." if others else "."))
        clean = self.stop_all()
        if ended is not None:
            code = self.processes[ended].returncode
            return code if code > 0 else 1
        return 0 if clean else 1

    def stop_all(self) -> bool:
        """SIGTERM to each one still running, SIGKILL after the grace period; True when all ended cleanly."""
        for process in self.processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + self.grace
        clean = True
        for name, process in self.processes.items():
            try:
                process.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                say(f"the {name} did not stop within {self.grace:g} s; killing it.")
                process.kill()
                process.wait()
                clean = False
        return clean and all(p.returncode in (0, -signal.SIGTERM) for p in self.processes.values())


def main(argv: list[str] | None = None, environ: Mapping[str, str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m portal.serve", description=__doc__.split("\n")[0])
    parser.add_argument("--no-migrate", action="store_true",
                        help="do not run `flask db upgrade` first (the deployment migrates as its own step)")
    parser.add_argument("--no-worker", action="store_true",
                        help="start gunicorn only: the notification workers run as their own processes")
    args = parser.parse_args(argv)
    try:
        web = web_settings(os.environ if environ is None else environ)
        app = checked_app()
    except ConfigError as exc:
        say(f"cannot start: {exc}")
        return CONFIG_ERROR_EXIT
    if not args.no_migrate:
        try:
            say(f"database at revision {migrate_database(app)}")
        except Exception as exc:  # noqa: BLE001 - one line for the operator instead of a traceback
            say(f"cannot migrate the database: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}")
            return 1
    say(f"serving on http://{web.bind} with {web.workers} worker process(es) x {web.threads} thread(s)"
        + ("" if args.no_worker else ", and the notification worker"))
    return Pair(commands(worker=not args.no_worker)).run()


if __name__ == "__main__":
    sys.exit(main())
