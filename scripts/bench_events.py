"""Programme-event reports: API latency (p50/p95) with 0 and with 50 partners linked to the participant, with
the response floor off (the raw work) and at its default; the fan-out pass that then creates her side."""

from __future__ import annotations

import base64
import logging
import secrets
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, select  # noqa: E402
from sqlalchemy.orm import Session, sessionmaker  # noqa: E402

from portal import create_app, migrate  # noqa: E402
from portal.crypto import hash_token, new_token  # noqa: E402
from portal.extensions import db  # noqa: E402
from portal.models import (  # noqa: E402
    AccessToken,
    Participant,
    PartnerLink,
    PartnerStatus,
    Preferences,
    Programme,
    SafeWindow,
    SupportService,
    Task,
    Tell,
    TokenPurpose,
    utcnow,
)
from portal.services.audit import SYSTEM  # noqa: E402
from portal.services.context import DomainContext, UnitContexts  # noqa: E402
from portal.services.her.partners import register_partner  # noqa: E402

LINKED = (0, 50)
RUNS_RAW = 60  # per linked count, floor off
RUNS_FLOOR = 16  # per linked count, default floor


def seed(app, linked_counts) -> tuple[dict[int, str], str]:  # type: ignore[no-untyped-def]
    """One programme; a participant per linked count with that many partners (all texted and called)."""
    vault = app.extensions["portal.vault"]
    akey = app.extensions["portal.audit_key"]
    now = app.extensions["portal.clock"].now()
    refs: dict[int, str] = {}
    with app.app_context(), Session(db.engine) as session, session.begin():
        service = SupportService(id=uuid.uuid4(), name="Bench")
        session.add(service)
        session.flush()
        programme = Programme(id=uuid.uuid4(), name="Bench programme", service_id=service.id)
        session.add(programme)
        session.flush()
        phone = 0
        for count in linked_counts:
            him = Participant(id=uuid.uuid4(), programme_id=programme.id, reference=f"BENCH-{count:03d}")
            session.add(him)
            refs[count] = him.reference
            for _ in range(count):
                phone += 1
                her = register_partner(DomainContext(session, vault, akey, utcnow(), SYSTEM), service_id=service.id,
                                       worker_id=None, name="Bench Name", phone=f"+447400{phone:06d}", email=None,
                                       locale="en", timezone="Europe/London", region="GB",
                                       consent_recorded_by=None, consent_at=None)
                her.status = PartnerStatus.ACTIVE
                session.flush()
                prefs = session.scalar(select(Preferences).where(Preferences.partner_id == her.id))
                prefs.channel_sms, prefs.tell_dropout = True, Tell.BOTH
                session.add_all(SafeWindow(id=uuid.uuid4(), partner_id=her.id, weekday=d, start_minute=0,
                                           end_minute=1440) for d in range(7))
                session.add(PartnerLink(id=uuid.uuid4(), partner_id=her.id, participant_id=him.id))
        token = new_token(32)
        session.add(AccessToken(id=uuid.uuid4(), purpose=TokenPurpose.API, token_hash=hash_token(token),
                                programme_id=programme.id, created_at=now))
    return refs, token


def measure(app, token: str, ref: str, runs: int) -> list[float]:  # type: ignore[no-untyped-def]
    client = app.test_client()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.post("/api/v1/programme-events", json={"participant_ref": ref, "kind": "dropout"},
                               headers={"Authorization": f"Bearer {token}"})
        times.append(time.perf_counter() - started)
        assert response.status_code == 201, response.get_data(as_text=True)
    return times


def p(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] * 1000


def fan_out_pass(app) -> tuple[int, float] | None:  # type: ignore[no-untyped-def]
    """Run the worker's fan-out pass once, if this code has one: (entries, seconds)."""
    try:
        from portal.services.programme.fanout import run_pass
    except ImportError:
        return None
    with app.app_context():
        sessions = sessionmaker(db.engine, expire_on_commit=False)
    started = time.perf_counter()
    contexts = UnitContexts(app.extensions["portal.vault"], app.extensions["portal.audit_key"],
                            app.extensions["portal.clock"].now)
    done = run_pass(sessions, contexts, limit=100000)
    return done.processed, time.perf_counter() - started


def main() -> None:
    logging.getLogger("portal.config").setLevel(logging.ERROR)  # throwaway dev keys in a temp dir
    keys = {"secret_key": secrets.token_urlsafe(48),
            "data_keys": "1:" + base64.b64encode(secrets.token_bytes(32)).decode(),
            "index_key": base64.b64encode(secrets.token_bytes(32)).decode()}
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"database_url": f"sqlite:///{tmp}/bench.sqlite3", "instance_path": tmp, **keys})
        app.config["RATELIMIT_ENABLED"] = False  # a bench, not an attack: 300 reports a minute is the API's limit
        with app.app_context():
            migrate.upgrade(db.engine)
        refs, token = seed(app, LINKED)
        print(f"{'API report, SQLite, test client':<44} {'p50 ms':>8} {'p95 ms':>8}")
        for floor, runs in ((0.0, RUNS_RAW), (None, RUNS_FLOOR)):
            if floor is None:
                app.config.pop("EVENT_RESPONSE_FLOOR_SECONDS", None)
            else:
                app.config["EVENT_RESPONSE_FLOOR_SECONDS"] = floor
            measure(app, token, refs[0], 3)  # warm up
            label = "floor off" if floor == 0.0 else "default floor"
            # Interleave the two so drift in the machine's load hits both alike.
            results: dict[int, list[float]] = {count: [] for count in LINKED}
            for _ in range(runs // 4):
                for count in LINKED:
                    results[count] += measure(app, token, refs[count], 4)
            for count in LINKED:
                print(f"{f'{label}, {count} linked partners':<44} {p(results[count], 50):>8.1f} "
                      f"{p(results[count], 95):>8.1f}")
        with app.app_context(), Session(db.engine) as session:
            before = session.scalar(select(func.count()).select_from(Task)) or 0
        fanned = fan_out_pass(app)
        with app.app_context(), Session(db.engine) as session:
            after = session.scalar(select(func.count()).select_from(Task)) or 0
        print(f"{'tasks created in the request':<44} {before:>8}")
        if fanned is not None:
            entries, seconds = fanned
            print(f"{'fan-out pass (worker): entries, tasks':<44} {entries:>8} {after - before:>8}"
                  f"   ({seconds:.2f} s, {seconds / max(after - before, 1) * 1000:.1f} ms per task and message)")


if __name__ == "__main__":
    main()
