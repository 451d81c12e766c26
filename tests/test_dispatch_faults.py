"""Fault drill: SIGKILL the worker at many points while it sends through a loopback Twilio.

Every notification must end delivered exactly once (one message at the provider, tied to it) or be
handed to her worker; no message may ever reach the provider twice.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session
from werkzeug.serving import WSGIRequestHandler, make_server

from portal import create_app
from portal.database import normalise_url
from portal.models import Notification, NotificationState, Task
from portal.services.messaging.outbox import enqueue
from portal.sms.loopback import Behaviour, FakeTwilio
from tests.conftest import TEST_KEYS, make_config
from tests.factories import make_partner, make_world
from tests.fuzz_support import DRILLS
from tests.sms_support import ACCOUNT_SID, AUTH_TOKEN, SERVICE_SID, allow_texts

ROOT = Path(__file__).resolve().parent.parent
# `make test`: 16 kills; `make drills` (PORTAL_DRILLS=1): 210. The outbox is topped up whenever fewer than
# TOP_UP_BELOW messages are open, so that every kill lands while there is something to send.
ROUNDS = 210 if DRILLS else 16
MESSAGES = 40
TOP_UP_BELOW = 12
OPEN = (NotificationState.PENDING, NotificationState.SENDING, NotificationState.UNKNOWN, NotificationState.SENT)


class QuietHandler(WSGIRequestHandler):
    def log_request(self, *args: object, **kwargs: object) -> None:
        return None


class LiveApp:
    """The web app on a loopback port, so the fake's signed status callbacks really arrive."""

    def __init__(self, database_url: str, instance_dir: Path) -> None:
        holder: dict[str, object] = {}
        self.server = make_server("127.0.0.1", 0, lambda env, start: holder["app"](env, start), threaded=True,
                                  request_handler=QuietHandler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.app = create_app(make_config(database_url, instance_dir, public_url=self.url,
                                          twilio_auth_token=AUTH_TOKEN, twilio_account_sid=ACCOUNT_SID))
        holder["app"] = self.app
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        from portal.extensions import db

        with self.app.app_context():
            db.engine.dispose()


def worker_env(database_url: str, public_url: str, api_base: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update({
        "PORTAL_DATABASE_URL": database_url, "PORTAL_SECRET_KEY": TEST_KEYS["secret_key"],
        "PORTAL_DATA_KEYS": TEST_KEYS["data_keys"], "PORTAL_INDEX_KEY": TEST_KEYS["index_key"],
        "PORTAL_PUBLIC_URL": public_url, "PORTAL_SMS_BACKEND": "twilio", "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN, "TWILIO_MESSAGING_SERVICE_SID": SERVICE_SID,
        "PORTAL_TWILIO_API_BASE": api_base, "PYTHONUNBUFFERED": "1",
    })
    return env


def start_worker(env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "portal", "worker", "--poll", "0.05", "--lease", "2",
         "--reconcile-after", "1", "--batch", "4",
         "--retry-after", "1"],  # a 4th transient failure must not wait 4 minutes past the drill's deadline
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def open_count(engine) -> int:
    with Session(engine) as db:
        return db.scalar(select(func.count()).select_from(Notification).where(Notification.state.in_(OPEN)))


def test_sigkill_at_many_points_never_loses_or_doubles_a_message(app, dbs, vault, audit_key, database_url,
                                                                 instance_dir):
    rng = random.Random(20260302)
    from portal.models import utcnow

    now = utcnow()
    w = make_world(dbs, vault, audit_key)
    partners = [w.partner] + [make_partner(dbs, vault, audit_key, w.service, w.worker, name=f"N {i}",
                                           phone=f"+4474001235{i:02d}", email=None) for i in range(10, 15)]
    notes = []
    for i in range(MESSAGES):
        partner = partners[i % len(partners)]
        allow_texts(dbs, partner.id)
        notes.append(enqueue(dbs, vault, partner, kind="warning", template="warning", now=now).id)
    dbs.commit()

    fake = FakeTwilio(auth_token=AUTH_TOKEN, callback_delay=0.05, latency=0.1).start()
    live = LiveApp(database_url, instance_dir)
    env = worker_env(database_url, live.url, fake.base_url)
    engine = create_engine(normalise_url(database_url))
    kills = Counter()
    try:
        for round_no in range(ROUNDS):
            if open_count(engine) < TOP_UP_BELOW:
                with Session(engine) as top_up:
                    for i in range(MESSAGES // 2):
                        partner = top_up.get(type(partners[0]), partners[i % len(partners)].id)
                        notes.append(enqueue(top_up, vault, partner, kind="warning", template="warning",
                                             now=utcnow()).id)
                    top_up.commit()
            mode = round_no % 4
            before = len(fake.created_for())
            if mode == 1:
                fake.plan.append(Behaviour("hang", seconds=10))  # killed while its request is in flight
            if mode == 3:
                fake.plan.extend([Behaviour("drop"), Behaviour("error", http_status=503, code=20503)])
            proc = start_worker(env)
            if mode in (1, 2):
                deadline = time.monotonic() + 20
                while len(fake.created_for()) == before and time.monotonic() < deadline and proc.poll() is None:
                    time.sleep(0.005)
                time.sleep(rng.uniform(0, 0.03) if mode == 2 else 0.05)
            else:
                time.sleep(rng.uniform(0.8, 2.5))  # anywhere: start-up, claim, send, record, reconcile
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=10)
            kills[f"mode{mode}"] += 1
        # Recovery: one worker runs until nothing is open (leases expire, unknowns are reconciled).
        proc = start_worker(env)
        first_line = proc.stdout.readline()  # printed once its SIGTERM handler is in place
        assert first_line.startswith("SMS worker"), first_line
        deadline = time.monotonic() + 180  # generous on a loaded machine; it returns as soon as all settle
        while open_count(engine) and time.monotonic() < deadline:
            time.sleep(0.2)
        proc.send_signal(signal.SIGTERM)
        output, _ = proc.communicate(timeout=20)
        assert proc.returncode == 0 and "SMS worker stopped." in output, output[-3000:]
    finally:
        fake.stop()
        live.stop()

    with Session(engine) as db:
        rows = {n.id: n for n in db.scalars(select(Notification).where(Notification.id.in_(notes)))}
        task_notes = set(db.scalars(select(Task.notification_id).where(Task.notification_id.is_not(None))))
    engine.dispose()
    per_note = Counter(parse_qs(urlsplit(m.status_callback or "").query)["n"][0] for m in fake.created_for())
    assert all(count == 1 for count in per_note.values()), f"sent twice: {per_note}"
    for note_id in notes:
        row = rows[note_id]
        if row.state == NotificationState.DELIVERED:
            assert per_note[note_id.hex] == 1
            assert row.provider_sid in fake.messages and fake.messages[row.provider_sid].to
        else:
            assert row.state in (NotificationState.HANDED_OVER, NotificationState.FAILED), (
                row.state, row.attempts, row.provider_sid, row.provider_status, row.error_code, row.claimed_at,
                per_note[note_id.hex], [(m.sid, m.status) for m in fake.created_for()
                                        if f"n={note_id.hex}" in (m.status_callback or "")], output[-4000:])
            assert note_id in task_notes
    delivered = sum(1 for r in rows.values() if r.state == NotificationState.DELIVERED)
    assert delivered >= len(notes) - 2 - len(notes) // 100  # about crashes: almost everything still arrives
    assert sum(kills.values()) == ROUNDS >= (200 if DRILLS else 16), kills
