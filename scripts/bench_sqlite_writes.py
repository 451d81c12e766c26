"""Requests per second with 8 concurrent signed-in staff clients on SQLite: a read page (the case list) and an
audited page (her case: every view appends to the audit chain). Also counts non-200 answers.

    PYTHONPATH=$PWD .venv/bin/python scripts/bench_sqlite_writes.py [seconds]
"""

from __future__ import annotations

import logging
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

from portal import create_app  # noqa: E402
from portal.clock import FrozenClock  # noqa: E402
from portal.database import harden_engine  # noqa: E402
from portal.extensions import db  # noqa: E402
from portal.migrate import upgrade  # noqa: E402
from tests.factories import make_world  # noqa: E402
from tests.served_staff import StaffClient  # noqa: E402
from tests.support import make_config  # noqa: E402

CLIENTS = 8


def measure(clients: list[StaffClient], path: str, seconds: float) -> tuple[float, int, int]:
    stop = time.monotonic() + seconds
    ok = bad = 0
    lock = threading.Lock()

    def run(client: StaffClient) -> None:
        nonlocal ok, bad
        while time.monotonic() < stop:
            status = client.get(path).status_code
            with lock:
                if status == 200:
                    ok += 1
                else:
                    bad += 1

    threads = [threading.Thread(target=run, args=(c,)) for c in clients]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return (ok + bad) / (time.monotonic() - started), ok, bad


def main() -> None:
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 10.0
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    tmp = Path(tempfile.mkdtemp())
    url = f"sqlite:///{tmp / 'bench.sqlite3'}"
    engine = harden_engine(create_engine(url))
    upgrade(engine)
    engine.dispose()
    clock = FrozenClock(datetime(2026, 3, 2, 10, 0, tzinfo=UTC))
    app = create_app(make_config(url, tmp))
    app.extensions["portal.clock"] = clock
    with app.app_context():
        session = Session(db.engine, expire_on_commit=False)
    world = make_world(session, app.extensions["portal.vault"], app.extensions["portal.audit_key"])
    session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.port}"
    clients = []
    for _ in range(CLIENTS):
        client = StaffClient(base)
        client.sign_in(world.worker.email, world.totp["worker"], clock)
        clients.append(client)
        clock.advance(seconds=30)
    for label, path in (("read page /staff/cases?scope=service", "/staff/cases?scope=service"),
                        ("audited case view", f"/staff/cases/{world.partner.id}")):
        rate, ok, bad = measure(clients, path, seconds)
        print(f"{label}: {rate:.1f} requests/s with {CLIENTS} clients ({ok} ok, {bad} failed)", flush=True)
    server.shutdown()


if __name__ == "__main__":
    main()
