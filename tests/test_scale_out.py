"""Scale-out drill: 2 web processes and 3 notification workers on loopback, one PostgreSQL database, one Redis.

The deployment of docs/deployment.md ("Several machines") in miniature: migrations run once as their own step;
each web process is `make serve`'s command (`python -m portal.serve`) with `--no-migrate --no-worker`, under
gunicorn with 2 worker processes, each with its own instance directory (its inbound spool); three
`flask --app portal worker` processes, two beside a web process's instance directory and one alone; a
round-robin TCP balancer in front, which is the PORTAL_PUBLIC_URL every process knows, so that Twilio's status
callbacks reach either web process and verify on both; sessions and rate limits in Redis. It shows:

1. no message sent twice: a few hundred messages for many women, raced for by the 3 workers, each reach the
   loopback Twilio exactly once (counted per notification id from the status callback's `n=`), none lost;
2. the limits are shared: the staff sign-in's per-address limit, the per-(account, address) lock, her link's
   per-address limit and her PIN page's per-address limit all trip at the count they trip at on one process
   (the configured figures, read from the code), with the requests alternating between the two web processes;
3. a session started on one web process is valid on the other, and ending it on the other ends it everywhere;
4. the report's fan-out is done exactly once: programme events posted to both web processes (some with one
   Idempotency-Key to both at once) give her worker one task and her one message each.

The figures (messages, elapsed, each worker's share) are printed at the end. Every process's log is kept and
must hold no traceback; every process group is killed in the end, even when a step fails, and the drill checks
that none is left. PostgreSQL and Redis only: skipped with a clear message otherwise, failed under CI=true when
either is unreachable. About 20 s on this machine, so `make test`'s PostgreSQL suite runs it; `make drills`
runs it with five times the messages.
"""

from __future__ import annotations

import itertools
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pyotp
import pytest
from limits import parse_many
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal import ROOT, create_app
from portal.console.auth import SIGN_IN_LIMIT
from portal.models import (
    Notification,
    NotificationState,
    PartnerContact,
    ProgrammeEvent,
    SignInThrottle,
    StaffUser,
    Task,
    Tell,
)
from portal.models.programme_event import EventFanout
from portal.public.access import LINK_LIMIT, PIN_LIMIT
from portal.services.admin.signin import FREE_FAILURES
from portal.services.her import her_access
from portal.services.her.invites import LINK_PATH, issue_invite
from portal.services.messaging.outbox import enqueue
from portal.sms.loopback import FakeTwilio
from tests.api_support import URL as EVENTS_URL
from tests.api_support import make_token
from tests.conftest import fresh_database_url
from tests.factories import (
    STAFF_PASSWORD,
    context,
    link,
    make_participant,
    make_partner,
    make_world,
    told_of_everything,
)
from tests.fuzz_support import DRILLS
from tests.served import fire
from tests.sms_support import ACCOUNT_SID, AUTH_TOKEN, SERVICE_SID
from tests.staff_console import COOKIE, csrf_from
from tests.support import BACKEND, make_config
from tests.test_serve import _free_port, serve_environ

pytestmark = pytest.mark.skipif(
    BACKEND != "postgresql",
    reason="the scale-out drill runs on PostgreSQL only (several workers on one SQLite file is not a deployment)")

REDIS_URL = "redis://127.0.0.1:6379/11"  # a database number no other test uses; emptied before and after
WEB_PROCESSES = 2
WORKERS = 3
# `make test`: 300 messages and 24 events; `make drills` (PORTAL_DRILLS=1): 1,500 and 60.
WOMEN = 200 if DRILLS else 60
MESSAGES = 1500 if DRILLS else 300
EVENTS = 40 if DRILLS else 16        # reported once each, alternating between the two web processes
TWIN_EVENTS = 20 if DRILLS else 8    # reported to both web processes at once with one Idempotency-Key
BOOT_SECONDS = 60
SETTLE_SECONDS = 120
STOP_SECONDS = 20
SUMMARY = re.compile(r"^sent (\d+), ", re.MULTILINE)
FANNED = re.compile(r"^fanned out (\d+) programme event", re.MULTILINE)


def per_minute(limit: str) -> int:
    """The tightest per-minute amount of a Flask-Limiter limit string ("20 per minute;200 per hour" -> 20)."""
    return min(item.amount for item in parse_many(limit) if item.GRANULARITY.name == "minute")


# ---------------------------------------------------------------------------------------------- the cluster


class RoundRobin:
    """The deployment's load balancer, as small as it can be: each new connection goes to the next web process."""

    def __init__(self, backends: list[int]) -> None:
        self._next = itertools.cycle(backends)
        self._lock = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"
        self.connections: Counter[int] = Counter()
        threading.Thread(target=self._accept, daemon=True, name="round-robin").start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return  # closed
            with self._lock:
                port = next(self._next)
                self.connections[port] += 1
            threading.Thread(target=self._relay, args=(client, port), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, target: socket.socket) -> None:
        try:
            while chunk := source.recv(65536):
                target.sendall(chunk)
        except OSError:
            pass
        finally:
            for sock in (source, target):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def _relay(self, client: socket.socket, port: int) -> None:
        try:
            upstream = socket.create_connection(("127.0.0.1", port), timeout=10)
        except OSError:
            client.close()
            return
        upstream.settimeout(None)
        back = threading.Thread(target=self._pump, args=(upstream, client), daemon=True)
        back.start()
        self._pump(client, upstream)
        back.join(30)
        client.close()
        upstream.close()

    def stop(self) -> None:
        self._listener.close()


@dataclass
class Process:
    name: str
    popen: subprocess.Popen[bytes]
    log: Path

    def text(self) -> str:
        return self.log.read_text(errors="replace")


def _pgroup(pid: int) -> int | None:
    try:
        stat = (Path("/proc") / str(pid) / "stat").read_text()
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2:].split()  # state, ppid, pgrp, ...
    return None if fields[0] == "Z" else int(fields[2])


def left_in(groups: set[int]) -> list[int]:
    """Live processes (not zombies) in any of these process groups."""
    return [int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit() and _pgroup(int(p.name)) in groups]


@dataclass
class Cluster:
    database_url: str
    webs: list[str]                        # each web process's own address (http://127.0.0.1:port)
    balancer: RoundRobin
    fake: FakeTwilio
    app: Any                               # this process's view of the same database and keys (arranging data)
    processes: list[Process] = field(default_factory=list)
    figures: list[str] = field(default_factory=list)

    @property
    def workers(self) -> list[Process]:
        return [p for p in self.processes if p.name.startswith("worker")]

    def db(self) -> Session:
        from portal.extensions import db

        with self.app.app_context():
            engine = db.engine
        return Session(engine, expire_on_commit=False)

    @property
    def vault(self) -> Any:
        return self.app.extensions["portal.vault"]

    @property
    def audit_key(self) -> bytes:
        return self.app.extensions["portal.audit_key"]

    def wait_for(self, done: Callable[[Session], bool], what: str, seconds: float = SETTLE_SECONDS) -> float:
        """Poll the database until `done`; the seconds it took."""
        started = time.monotonic()
        while time.monotonic() - started < seconds:
            with self.db() as db:
                if done(db):
                    return time.monotonic() - started
            self.check_alive()
            time.sleep(0.1)
        pytest.fail(f"{what}: not done after {seconds:g} s\n{self.log_tails()}")

    def check_alive(self) -> None:
        ended = [p for p in self.processes if p.popen.poll() is not None]
        if ended:
            pytest.fail(f"{', '.join(p.name for p in ended)} ended early\n{self.log_tails()}")

    def log_tails(self) -> str:
        return "\n".join(f"--- {p.name}\n{p.text()[-3000:]}" for p in self.processes)


def require_redis() -> None:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3).ping()
    except redis.ConnectionError:
        message = "Redis is not reachable at 127.0.0.1:6379"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message + "; CI requires it.", pytrace=False)
        pytest.skip(message + "; the scale-out drill is skipped.")


def _start(name: str, command: list[str], env: dict[str, str], logs: Path) -> Process:
    log = logs / f"{name}.log"
    with log.open("wb") as out:
        # Its own process group, so that the end of the drill can stop it and all its children.
        popen = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,  # noqa: S603
                                 start_new_session=True)
    return Process(name, popen, log)


def _ready(url: str) -> bool:
    try:
        return httpx.get(url + "/healthz/ready", timeout=2).status_code == 200
    except httpx.TransportError:
        return False


def stop_all(processes: list[Process], grace: float = STOP_SECONDS) -> None:
    """SIGTERM to each process group (each finishes what it has in hand), SIGKILL to what is left after `grace`."""
    for process in processes:
        if process.popen.poll() is None:
            process.popen.send_signal(signal.SIGTERM)  # the leader: `serve` stops gunicorn itself
    deadline = time.monotonic() + grace
    for process in processes:
        try:
            process.popen.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            pass
    for process in processes:
        try:
            os.killpg(process.popen.pid, signal.SIGKILL)  # the group: gunicorn's workers too, whatever happened
        except ProcessLookupError:
            pass
        process.popen.wait()


def show(config: pytest.Config, figures: list[str]) -> None:
    """The drill's figures on the terminal, past pytest's output capture (even with -q)."""
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    capture = config.pluginmanager.get_plugin("capturemanager")
    if reporter is None or capture is None or not figures:
        return
    with capture.global_and_fixture_disabled():
        reporter.write_line("")
        for line in figures:
            reporter.write_line(f"scale-out: {line}")


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Iterator[Cluster]:
    import redis

    require_redis()
    here = tmp_path_factory.mktemp("scale-out")
    logs = here / "logs"
    logs.mkdir()
    store = redis.Redis.from_url(REDIS_URL)
    store.flushdb()
    processes: list[Process] = []
    fake = FakeTwilio(auth_token=AUTH_TOKEN, latency=0.01).start()
    ports = [_free_port() for _ in range(WEB_PROCESSES)]
    balancer = RoundRobin(ports)
    databases = fresh_database_url(here)
    try:
        database_url = next(databases)
        shared = {
            "PORTAL_PUBLIC_URL": balancer.url, "PORTAL_REDIS_URL": REDIS_URL,
            "PORTAL_TRUSTED_PROXIES": "127.0.0.1",  # the drill's clients name their address (X-Forwarded-For)
            "PORTAL_SMS_BACKEND": "twilio", "TWILIO_ACCOUNT_SID": ACCOUNT_SID, "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
            "TWILIO_MESSAGING_SERVICE_SID": SERVICE_SID, "PORTAL_TWILIO_API_BASE": fake.base_url,
            "PYTHONUNBUFFERED": "1",
        }

        def environ(machine: str, port: int = 0) -> dict[str, str]:
            return serve_environ(database_url, here / f"instance-{machine}", port, **shared)

        # Migrations: once, as their own step, before any process of the release starts.
        migrated = subprocess.run([sys.executable, "-m", "flask", "--app", "portal", "db", "upgrade"],  # noqa: S603
                                  cwd=ROOT, env=environ("migrate"), capture_output=True, text=True, timeout=120)
        assert migrated.returncode == 0, migrated.stdout + migrated.stderr
        for index, port in enumerate(ports):
            machine = "ab"[index]
            processes.append(_start(f"web-{machine}", [sys.executable, "-m", "portal.serve", "--no-migrate",
                                                       "--no-worker"], environ(machine, port), logs))
        # Two workers beside a web process's instance directory (its inbound spool), one on a machine alone.
        for index, machine in enumerate(["a", "b", "c"][:WORKERS]):
            processes.append(_start(f"worker-{index + 1}", [
                sys.executable, "-m", "flask", "--app", "portal", "worker", "--poll", "0.1", "--lease", "30",
                "--reconcile-after", "20", "--retry-after", "1"], environ(machine), logs))
        app = create_app(make_config(database_url, here / "instance-test", public_url=balancer.url))
        made = Cluster(database_url, [f"http://127.0.0.1:{p}" for p in ports], balancer, fake, app, processes)
        deadline = time.monotonic() + BOOT_SECONDS
        while time.monotonic() < deadline:
            made.check_alive()
            if (all(_ready(url) for url in made.webs)
                    and all(p.text().startswith("SMS worker") for p in made.workers)):
                break
            time.sleep(0.2)
        else:
            pytest.fail(f"the cluster did not start in {BOOT_SECONDS} s\n{made.log_tails()}")
        try:
            yield made
        finally:
            show(request.config, made.figures)
            from portal.extensions import db

            with app.app_context():
                db.engine.dispose()
            stop_all(processes)
    finally:
        stop_all(processes, grace=0)
        databases.close()  # dropped (after every process that used it has ended)
        groups = {p.popen.pid for p in processes}
        balancer.stop()
        fake.stop()
        store.flushdb()
        store.close()
        assert not left_in(groups), f"processes left behind: {left_in(groups)}"


# ---------------------------------------------------------------------------------------------- clients


class Visitor:
    """One person's browser, talking to whichever web process it is told to, from one address.

    The session cookie (`__Host-sid`, Secure) is kept by hand: httpx would not send a Secure cookie over the
    loopback's plain HTTP, and here the point is to carry it from one web process to the other."""

    def __init__(self, address: str) -> None:
        self.address = address
        self.sid: str | None = None
        self.http = httpx.Client(timeout=30, follow_redirects=False)

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        headers = {"X-Forwarded-For": self.address, **kwargs.pop("headers", {})}
        if self.sid:
            headers["Cookie"] = f"{COOKIE}={self.sid}"
        answer = self.http.request(method, url, headers=headers, **kwargs)
        for value in answer.headers.get_list("set-cookie"):
            match = re.match(rf"{re.escape(COOKIE)}=([^;]*)", value)
            if match:
                gone = "max-age=0" in value.lower() or "expires=thu, 01 jan 1970" in value.lower()
                self.sid = None if gone or not match.group(1) else match.group(1)
        return answer

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", url, **kwargs)

    def close(self) -> None:
        self.http.close()


def alternate(cluster: Cluster) -> Iterator[str]:
    return itertools.cycle(cluster.webs)


def her_with_pin(cluster: Cluster, world: Any, phone: str, pin: str = "2468") -> tuple[uuid.UUID, str]:
    """Another woman of the service with a PIN, and a fresh link of hers: her id and the link's path."""
    with cluster.db() as db:
        her = make_partner(db, cluster.vault, cluster.audit_key, world.service, world.worker, name="Pat Example",
                           phone=phone, email=None)
        her_access.set_pin(context(db, cluster.vault, cluster.audit_key), her, pin, pin)
        invite = issue_invite(db, her.id, now=cluster.app.extensions["portal.clock"].now(), ttl=timedelta(hours=1))
        db.commit()
    return her.id, LINK_PATH + invite.token


# ---------------------------------------------------------------------------------------------- the drill


def test_three_workers_send_every_message_exactly_once(cluster):
    with cluster.db() as db:
        world = make_world(db, cluster.vault, cluster.audit_key, prefs={"channel_sms": True})
        women = [world.partner] + [
            make_partner(db, cluster.vault, cluster.audit_key, world.service, world.worker, name=f"W {i}",
                         phone=f"+4474005{i:05d}", email=None, prefs={"channel_sms": True})
            for i in range(1, WOMEN)]
        db.commit()
        now = cluster.app.extensions["portal.clock"].now()
        notes = {enqueue(db, cluster.vault, women[i % WOMEN], kind="warning", template="warning", now=now).id
                 for i in range(MESSAGES)}
        db.commit()  # the three workers race for them from here
    started = time.monotonic()

    def delivered(db: Session) -> bool:
        return db.scalar(select(func.count()).select_from(Notification).where(
            Notification.id.in_(notes), Notification.state == NotificationState.DELIVERED)) == MESSAGES

    settled = cluster.wait_for(delivered, "every message delivered")
    elapsed = time.monotonic() - started

    per_note = Counter(parse_qs(urlsplit(m.status_callback or "").query)["n"][0] for m in cluster.fake.created_for())
    ours = {note.hex for note in notes}
    assert set(per_note) == ours  # none lost, nothing else sent
    twice = {n: c for n, c in per_note.items() if c != 1}
    assert not twice, f"sent more than once: {twice}"
    with cluster.db() as db:
        sids = set(db.scalars(select(Notification.provider_sid).where(Notification.id.in_(notes))))
    assert sids == {m.sid for m in cluster.fake.created_for()}  # each row tied to its one message

    shares = {p.name: sum(int(n) for n in SUMMARY.findall(p.text())) for p in cluster.workers}
    assert sum(shares.values()) == MESSAGES, shares
    assert all(shares.values()), f"a worker sent nothing: {shares}"
    callbacks = {f"web-{'ab'[i]}": cluster.balancer.connections[int(url.rsplit(':', 1)[1])]
                 for i, url in enumerate(cluster.webs)}
    assert all(callbacks.values()), callbacks  # status callbacks reached both web processes
    cluster.figures.append(
        f"{MESSAGES} messages to {WOMEN} women, {WORKERS} workers: each sent once, none lost, delivered in "
        f"{settled:.1f} s ({MESSAGES / elapsed:.0f} messages/s); per worker "
        + ", ".join(f"{name} {count}" for name, count in shares.items())
        + "; status callbacks through the balancer " + ", ".join(f"{k} {v}" for k, v in callbacks.items()))


def test_the_limits_trip_at_the_same_count_whichever_web_process_answers(cluster):
    with cluster.db() as db:
        world = make_world(db, cluster.vault, cluster.audit_key)
        db.commit()
    webs = cluster.webs

    # Staff sign-in, per address (Flask-Limiter in Redis): one address hammering one account, wrong passwords.
    signin_limit = per_minute(SIGN_IN_LIMIT)
    guesser = Visitor("198.51.100.21")
    token = csrf_from(guesser.get(webs[0] + "/staff/sign-in").text)
    statuses = []
    for web in itertools.islice(alternate(cluster), signin_limit + 3):
        statuses.append(guesser.post(web + "/staff/sign-in", data={
            "csrf_token": token, "email": world.worker.email, "password": "not the password at all"}).status_code)
    assert statuses == [400] * signin_limit + [429] * 3, statuses
    with cluster.db() as db:
        # The per-(account, address) count stopped at the lock: the locked tries after it are refusals.
        assert db.scalar(select(StaffUser.failed_attempts).where(StaffUser.id == world.worker.id)) == FREE_FAILURES + 1

    # The per-(account, address) lock (in the database): after FREE_FAILURES wrong passwords, alternating, the
    # right one still works; one more wrong one and even the right one is refused, on either process.
    person = Visitor("198.51.100.22")
    token = csrf_from(person.get(webs[1] + "/staff/sign-in").text)

    def attempt(web: str, password: str) -> int:
        return person.post(web + "/staff/sign-in", data={"csrf_token": token, "email": world.facilitator.email,
                                                         "password": password}).status_code

    wrong = [attempt(web, "wrong password, sorry") for web in itertools.islice(alternate(cluster), FREE_FAILURES)]
    assert wrong == [400] * FREE_FAILURES
    assert attempt(webs[1], STAFF_PASSWORD) == 303  # not locked yet
    token = csrf_from(person.get(webs[0] + "/staff/sign-in").text)  # a fresh session after the password step
    assert attempt(webs[0], "wrong password, sorry") == 400  # the (FREE_FAILURES + 1)th
    assert [attempt(web, STAFF_PASSWORD) for web in webs] == [400, 400]  # locked on both
    with cluster.db() as db:
        throttle = db.scalar(select(SignInThrottle).where(SignInThrottle.staff_id == world.facilitator.id))
        assert throttle.failures == FREE_FAILURES + 1 and throttle.locked_until is not None

    # Her link, per address, GET HEAD and POST together: any token, live or dead, counts.
    link_limit = per_minute(LINK_LIMIT)
    scanner = Visitor("198.51.100.23")
    answers = [scanner.get(web + LINK_PATH + uuid.uuid4().hex[:22]).status_code
               for web in itertools.islice(alternate(cluster), link_limit + 2)]
    assert answers == [200] * link_limit + [429] * 2, answers

    # Her PIN page, per address: wrong PINs lock each link at the configured count (a database counter), and the
    # address's budget of PIN tries runs out at PIN_LIMIT across both processes.
    pin_limit = per_minute(PIN_LIMIT)
    max_pins = cluster.app.config["PORTAL"].pin_max_attempts
    assert pin_limit % max_pins == 0  # whole links locked, then one more try
    guesser = Visitor("198.51.100.24")
    tries: list[int] = []
    spare = None
    for n in range(pin_limit // max_pins + 1):
        her_id, path = her_with_pin(cluster, world, phone=f"+4474006{n:05d}")
        guesser.sid = None
        assert guesser.post(webs[n % 2] + path).status_code == 303  # her pending session, on one process
        token = csrf_from(guesser.get(webs[(n + 1) % 2] + "/check").text)  # its page, on the other
        if n == pin_limit // max_pins:
            spare = her_id
            tries.append(guesser.post(webs[n % 2] + "/check", data={"csrf_token": token, "pin": "1357"}).status_code)
            break
        for web in itertools.islice(alternate(cluster), max_pins):
            tries.append(guesser.post(web + "/check", data={"csrf_token": token, "pin": "1357"}).status_code)
    locks = [400] * (max_pins - 1) + [404]  # "tries left", then the neutral bad-link page: her links are gone
    assert tries == locks * (pin_limit // max_pins) + [429], tries
    with cluster.db() as db:
        assert db.get(PartnerContact, spare).pin_failures == 0  # the try over the limit never reached her PIN
    for visitor in (guesser, person, scanner):
        visitor.close()
    cluster.figures.append(
        f"limits across 2 web processes x 2 workers: staff sign-in 429 from POST {signin_limit + 1} (configured "
        f"{SIGN_IN_LIMIT!r}), account lock after {FREE_FAILURES + 1} wrong passwords, her link 429 from request "
        f"{link_limit + 1} ({LINK_LIMIT!r}), her PIN page 429 from try {pin_limit + 1} ({PIN_LIMIT!r}), each link "
        f"locked at {max_pins} wrong PINs")


def test_a_session_started_on_one_web_process_is_valid_on_the_other(cluster):
    with cluster.db() as db:
        world = make_world(db, cluster.vault, cluster.audit_key)
        invite = issue_invite(db, world.partner.id, now=cluster.app.extensions["portal.clock"].now(),
                              ttl=timedelta(hours=1))
        db.commit()
    a, b = cluster.webs
    staff = Visitor("198.51.100.31")
    token = csrf_from(staff.get(a + "/staff/sign-in").text)
    first = staff.post(a + "/staff/sign-in", data={"csrf_token": token, "email": world.admin.email,
                                                    "password": STAFF_PASSWORD})
    assert first.status_code == 303, first.text[:500]
    step = urlsplit(first.headers["location"]).path  # the code page, or the authenticator set-up
    token = csrf_from(staff.get(b + step).text)  # the half-signed-in session, read by the other process
    done = staff.post(b + step, data={"csrf_token": token, "code": pyotp.TOTP(world.totp["admin"]).now()})
    assert done.status_code == 303 and urlsplit(done.headers["location"]).path in ("/staff/",
                                                                                   "/staff/account/password")
    home = {web: staff.get(web + "/staff/") for web in (a, b)}
    assert [r.status_code for r in home.values()] == [200, 200]
    token, signed_in = csrf_from(home[b].text), staff.sid
    assert staff.post(b + "/staff/sign-out", data={"csrf_token": token}).status_code == 303  # ended on B
    assert staff.sid is None
    staff.sid = signed_in  # the cookie as it was: a copy kept by someone else, or a second tab
    again = staff.get(a + "/staff/")
    assert again.status_code in (302, 303) and "/sign-in" in again.headers["location"]  # and on A

    her = Visitor("198.51.100.32")
    spent = her.post(a + LINK_PATH + invite.token)
    assert spent.status_code == 303 and her.sid
    page = her.get(b + "/home")
    assert page.status_code == 200 and 'class="exit" id="exit"' in page.text  # her page, her session, on B
    for visitor in (staff, her):
        visitor.close()
    cluster.figures.append("a staff session signed in across both processes (password on A, code on B) and "
                           "ended on B is gone on A; her link spent on A opens her page on B")


def test_the_reports_fan_out_is_done_exactly_once(cluster):
    with cluster.db() as db:
        world = make_world(db, cluster.vault, cluster.audit_key, prefs=told_of_everything(Tell.BOTH))
        refs = []
        for n in range(EVENTS + TWIN_EVENTS):
            him = make_participant(db, world.programme, f"SCALE-{n:02d}")
            her = make_partner(db, cluster.vault, cluster.audit_key, world.service, world.worker, name=f"F {n}",
                               phone=f"+4474007{n:05d}", email=None, prefs=told_of_everything(Tell.BOTH))
            link(db, her, him)
            refs.append(him.reference)
        api = make_token(db, world.programme, cluster.app.extensions["portal.clock"].now())
    headers = {"Authorization": f"Bearer {api}"}
    started = time.monotonic()

    def report(web: str, ref: str, key: str | None = None) -> httpx.Response:
        sent = dict(headers, **({"Idempotency-Key": key} if key else {}))
        return httpx.post(web + EVENTS_URL, headers=sent, timeout=30, json={
            "participant_ref": ref, "kind": "risk", "risk_to": ["partner"], "imminence": "low",
            "description": "missed two sessions"})

    singles = fire(EVENTS, lambda i: report(cluster.webs[i % 2], refs[i]))
    twins = fire(2 * TWIN_EVENTS, lambda i: report(cluster.webs[i % 2], refs[EVENTS + i // 2], key=f"twin-{i // 2}"))
    assert [r.status_code for r in singles + twins] == [201] * (EVENTS + 2 * TWIN_EVENTS)
    for n in range(TWIN_EVENTS):  # both processes answered with the one event
        assert twins[2 * n].json()["id"] == twins[2 * n + 1].json()["id"]
    events = {uuid.UUID(r.json()["id"]) for r in singles + twins}
    assert len(events) == EVENTS + TWIN_EVENTS

    def fanned_and_delivered(db: Session) -> bool:
        waiting = db.scalar(select(func.count()).select_from(EventFanout).where(EventFanout.processed_at.is_(None)))
        sent = db.scalar(select(func.count()).select_from(Notification).where(
            Notification.source_event_id.in_(events), Notification.state == NotificationState.DELIVERED))
        return not waiting and sent == len(events)

    cluster.wait_for(fanned_and_delivered, "every event fanned out and its message delivered")
    elapsed = time.monotonic() - started
    time.sleep(1)  # a second fan-out of any entry would have shown by now
    with cluster.db() as db:
        assert set(db.scalars(select(ProgrammeEvent.id))) == events
        tasks = Counter(db.scalars(select(Task.source_event_id).where(Task.source_event_id.is_not(None))))
        notes = {n.id: n.source_event_id for n in db.scalars(select(Notification).where(
            Notification.source_event_id.is_not(None)))}
    assert set(tasks) == events and set(tasks.values()) == {1}, tasks
    assert sorted(notes.values()) == sorted(events)
    at_provider = Counter(parse_qs(urlsplit(m.status_callback or "").query)["n"][0] for m in cluster.fake.created_for())
    assert [at_provider[note.hex] for note in notes] == [1] * len(events)
    shares = {p.name: sum(int(n) for n in FANNED.findall(p.text())) for p in cluster.workers}
    assert sum(shares.values()) == len(events), shares
    cluster.figures.append(
        f"{EVENTS + 2 * TWIN_EVENTS} reports ({TWIN_EVENTS} pairs sharing an Idempotency-Key, one to each web "
        f"process at once) made {len(events)} events: 1 task and 1 message each, each message sent once, in "
        f"{elapsed:.1f} s; fan-out per worker " + ", ".join(f"{k} {v}" for k, v in shares.items()))


def test_every_process_stops_cleanly_and_logged_no_traceback(cluster):
    cluster.check_alive()
    stop_all(cluster.processes)
    for process in cluster.processes:
        text = process.text()
        assert "Traceback" not in text and "[ERROR]" not in text, f"{process.name}:\n{text[-4000:]}"
        assert process.popen.returncode == 0, (process.name, process.popen.returncode, text[-2000:])
    for worker in cluster.workers:
        assert "SMS worker stopped." in worker.text()
    for web in (p for p in cluster.processes if p.name.startswith("web")):
        text = web.text()
        assert text.count("Booting worker") == 2  # WEB_CONCURRENCY gunicorn workers
        assert "serve: serving on" in text and "notification worker" not in text and "SMS worker" not in text
    assert not left_in({p.popen.pid for p in cluster.processes})
