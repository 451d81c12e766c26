"""`make serve` for real: the same command line (python -m portal.serve) on a free port, on the selected database.

gunicorn serves her pages with the configured number of worker processes, the notification worker runs beside
it, SIGTERM stops both cleanly, either one dying stops the other with a non-zero exit, production refuses to
start without its keys (one clear line, no traceback), and the access log never holds her link's token, a
query string, her session id or her address.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy.orm import Session

from portal import ROOT, create_app
from portal.services.her.invites import issue_invite
from tests.conftest import fresh_database_url
from tests.factories import make_world
from tests.support import TEST_KEYS, make_config

BOOT_SECONDS = 30
STOP_SECONDS = 10
WORKERS = 2


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _children(pid: int) -> list[int]:
    """Processes whose parent is `pid` (read from /proc: no third-party package needed)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()  # after "pid (name) ": state, ppid, ...
        if int(fields[1]) == pid and fields[0] != "Z":
            found.append(int(entry.name))
    return found


def _cmdline(pid: int) -> str:
    try:
        return (Path("/proc") / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def _alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def serve_environ(database_url: str, instance: Path, port: int, **extra: str) -> dict[str, str]:
    """What `make serve` gets: this environment less any PORTAL_* setting, plus the deployment's."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PORTAL_", "WEB_", "TWILIO_"))}
    env.update({
        "PYTHONPATH": os.pathsep.join([str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]),
        "PORT": str(port), "WEB_CONCURRENCY": str(WORKERS), "WEB_THREADS": "2",
        "PORTAL_DATABASE_URL": database_url, "PORTAL_INSTANCE_PATH": str(instance),
        "PORTAL_PUBLIC_URL": f"http://127.0.0.1:{port}", "PORTAL_SMS_BACKEND": "console",
        "PORTAL_SECRET_KEY": TEST_KEYS["secret_key"], "PORTAL_DATA_KEYS": TEST_KEYS["data_keys"],
        "PORTAL_INDEX_KEY": TEST_KEYS["index_key"],
        "PORTAL_PLAN_KDF_MEMORY_KIB": "19456", "PORTAL_PLAN_KDF_TIME_COST": "2", "PORTAL_PLAN_KDF_PARALLELISM": "1",
    })
    env.update(extra)
    return env


SERVE = [sys.executable, "-m", "portal.serve"]  # the Makefile's `serve` recipe: $(BIN)/python -m portal.serve


@dataclass
class Served:
    process: subprocess.Popen[bytes]
    url: str
    out: Path
    err: Path
    database_url: str
    instance: Path

    def logs(self) -> str:
        return self.out.read_text(errors="replace") + self.err.read_text(errors="replace")

    def processes(self) -> tuple[int, list[int], int]:
        """gunicorn's master, its worker processes, and the notification worker."""
        children = _children(self.process.pid)
        master = next(p for p in children if "gunicorn" in _cmdline(p))
        worker = next(p for p in children if _cmdline(p).rstrip().endswith("worker"))
        return master, _children(master), worker


def start(tmp_path: Path, database_url: str, **extra: str) -> Served:
    port = _free_port()
    out, err = tmp_path / "serve.out", tmp_path / "serve.err"
    instance = tmp_path / "instance"
    with out.open("wb") as stdout, err.open("wb") as stderr:
        # Its own process group, so that a failing test can end gunicorn and the worker too (stop()).
        process = subprocess.Popen(SERVE, cwd=tmp_path, stdout=stdout, stderr=stderr, start_new_session=True,
                                   env=serve_environ(database_url, instance, port, **extra))
    served = Served(process, f"http://127.0.0.1:{port}", out, err, database_url, instance)
    deadline = time.monotonic() + BOOT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            stop(served)
            pytest.fail(f"make serve ended early ({process.returncode}):\n{served.logs()}")
        try:
            if httpx.get(served.url + "/healthz", timeout=2).status_code == 200:
                return served
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    stop(served)
    pytest.fail(f"make serve did not become ready in {BOOT_SECONDS} s:\n{served.logs()}")


def stop(served: Served) -> None:
    """Whatever a test left running (it failed half-way): the launcher, gunicorn and the worker, killed."""
    try:
        os.killpg(served.process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    served.process.wait()


@pytest.fixture
def database(tmp_path: Path) -> Iterator[str]:
    yield from fresh_database_url(tmp_path)


@pytest.fixture
def served(tmp_path: Path, database: str) -> Iterator[Served]:
    running = start(tmp_path, database)
    yield running
    stop(running)


def _her_link(served: Served) -> str:
    """Her, registered in the served database, and a fresh link path for her (arranged through the app)."""
    app = create_app(make_config(served.database_url, served.instance, public_url=served.url))
    from portal.extensions import db

    with app.app_context():
        engine = db.engine
    try:
        with Session(engine) as session:
            world = make_world(session, app.extensions["portal.vault"], app.extensions["portal.audit_key"],
                               name="Canary Rosalind", email="canary.rosalind@example.org")
            invite = issue_invite(session, world.partner.id, now=app.extensions["portal.clock"].now(),
                                  ttl=timedelta(hours=1))
            session.commit()
    finally:
        engine.dispose()
    return "/v/" + invite.token


def _sid(response: httpx.Response) -> str:
    match = re.search(r"__Host-sid=([^;]+)", response.headers.get("set-cookie", ""))
    assert match, "her link's POST starts her session"
    return match.group(1)


def test_make_serve_serves_her_pages_under_gunicorn_with_the_worker_beside_and_stops_cleanly(served):
    master, web_workers, worker = served.processes()
    assert len(web_workers) == WORKERS  # WEB_CONCURRENCY
    assert all("gunicorn" in _cmdline(p) for p in web_workers)

    landing = httpx.get(served.url + "/", timeout=10)
    assert landing.status_code == 200 and landing.headers["server"] == "gunicorn"
    css = httpx.get(served.url + "/assets/css/site.css", timeout=10)
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")

    # Her link, spent as she would (a POST), then her main page in her session.
    path = _her_link(served)
    token = path.rsplit("/", 1)[1]
    assert httpx.get(served.url + path + "?lang=de&ref=QueryCanary77", timeout=10).status_code == 200
    spent = httpx.post(served.url + path, timeout=10)
    assert spent.status_code == 303 and spent.headers["location"].endswith("/home")
    sid = _sid(spent)
    home = httpx.get(served.url + "/home", headers={"Cookie": f"__Host-sid={sid}"}, timeout=10)
    assert home.status_code == 200 and 'class="exit" id="exit"' in home.text  # her page: the exit bar

    served.process.send_signal(signal.SIGTERM)
    assert served.process.wait(timeout=STOP_SECONDS) == 0
    deadline = time.monotonic() + 2
    while time.monotonic() < deadline and any(_alive(p) for p in (master, worker, *web_workers)):
        time.sleep(0.1)
    assert not any(_alive(p) for p in (master, worker, *web_workers))

    logs = served.logs()
    assert "GET /v/[link] 200" in logs and "POST /v/[link] 303" in logs and "GET /home 200" in logs
    assert "SMS worker stopped." in logs  # the notification worker finished its loop, not killed
    for secret in (token, "QueryCanary77", "lang=de", sid, "127.0.0.1 -", "Canary", "canary.rosalind", "python-httpx"):
        assert secret not in logs
    assert "Traceback" not in logs


def test_when_the_worker_dies_the_web_server_is_stopped_and_serve_exits_non_zero(served):
    master, web_workers, worker = served.processes()
    os.kill(worker, signal.SIGKILL)
    assert served.process.wait(timeout=STOP_SECONDS) != 0
    assert not any(_alive(p) for p in (master, *web_workers))
    assert "the notification worker stopped (exit code -9); stopping the web server (gunicorn)" in served.logs()


def test_production_without_keys_refuses_to_start_with_one_clear_line(tmp_path, database):
    env = serve_environ(database, tmp_path / "instance", _free_port(), PORTAL_ENV="production",
                        PORTAL_PUBLIC_URL="https://portal.example")
    for name in ("PORTAL_SECRET_KEY", "PORTAL_DATA_KEYS", "PORTAL_INDEX_KEY"):
        del env[name]
    done = subprocess.run(SERVE, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "serve: cannot start: Refusing to start in production: PORTAL_SECRET_KEY is not set" in done.stderr
    assert "PORTAL_DATA_KEYS is not set" in done.stderr and "PORTAL_INDEX_KEY is not set" in done.stderr
    assert "Traceback" not in done.stderr and "gunicorn" not in done.stderr + done.stdout  # nothing started


def test_gunicorn_started_directly_refuses_production_without_keys_too(tmp_path, database):
    """The systemd web unit runs gunicorn itself: the same refusal, once, before any worker boots."""
    env = serve_environ(database, tmp_path / "instance", _free_port(), PORTAL_ENV="production",
                        PORTAL_PUBLIC_URL="https://portal.example", PORTAL_SMS_BACKEND="twilio")
    del env["PORTAL_SECRET_KEY"]
    done = subprocess.run([sys.executable, "-m", "gunicorn", "--config", "python:portal.gunicorn_conf",
                           "portal:create_app()"], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 1
    assert "Error: cannot start: Refusing to start in production: PORTAL_SECRET_KEY is not set" in done.stderr
    assert "TWILIO_ACCOUNT_SID is not set" in done.stderr
    assert "Booting worker" not in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize(("name", "value"), [("WEB_CONCURRENCY", "many"), ("WEB_THREADS", "0"), ("PORT", "70000")])
def test_a_bad_server_setting_is_named(tmp_path, name, value):
    env = serve_environ("sqlite:///unused.sqlite3", tmp_path / "instance", 5000, **{name: value})
    done = subprocess.run(SERVE, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert f"serve: cannot start: {name} must be a whole number" in done.stderr and repr(value) in done.stderr


PRODUCTION = {
    "PORTAL_ENV": "production", "PORTAL_PUBLIC_URL": "https://appts.example", "PORTAL_TRUSTED_PROXIES": "127.0.0.1",
    "PORTAL_SMS_BACKEND": "twilio", "TWILIO_ACCOUNT_SID": "AC" + "0" * 32, "TWILIO_AUTH_TOKEN": "t" * 32,
    "TWILIO_MESSAGING_SERVICE_SID": "MG" + "0" * 32, "PORTAL_TWILIO_API_BASE": "http://127.0.0.1:9",
}


def test_production_probes_answer_over_plain_http_and_her_pages_only_through_the_proxy(tmp_path, database):
    """Probes come straight to gunicorn on loopback; her pages come through the TLS proxy (X-Forwarded-Proto)."""
    served = start(tmp_path, database, **PRODUCTION)
    try:
        for probe in ("/healthz/live", "/healthz/ready", "/healthz"):
            answer = httpx.get(served.url + probe, timeout=10)
            assert answer.status_code == 200, probe
            assert answer.headers["strict-transport-security"].startswith("max-age=63072000")
        direct = httpx.get(served.url + "/", timeout=10)
        assert direct.status_code == 302 and direct.headers["location"].startswith("https://")
        proxied = httpx.get(served.url + "/", timeout=10, headers={
            "X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9", "X-Forwarded-Host": "appts.example"})
        assert proxied.status_code == 200 and "Content-Security-Policy" in proxied.headers
        served.process.send_signal(signal.SIGTERM)
        assert served.process.wait(timeout=STOP_SECONDS) == 0
        assert "203.0.113.9" not in served.logs() and "Traceback" not in served.logs()
    finally:
        stop(served)
