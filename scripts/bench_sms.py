"""SMS figures: dispatch throughput (one worker; several on PostgreSQL) against a loopback Twilio, the peak memory
(RSS) of a dispatcher, and inbound webhook latency at 1,000 and 1,000,000 contacts (bulk-loaded with COPY; the lookup
by blind index uses an index, checked). Creates and drops its own databases."""

from __future__ import annotations

import base64
import io
import multiprocessing
import resource
import secrets
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scratch_pg import drop_pg, pg_database  # noqa: E402
from sqlalchemy import create_engine, func, insert, select, text, update  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402
from twilio.request_validator import RequestValidator  # noqa: E402

from portal import create_app  # noqa: E402
from portal.database import harden_engine, normalise_url  # noqa: E402
from portal.migrate import upgrade  # noqa: E402
from portal.models import (  # noqa: E402
    Notification,
    NotificationState,
    PartnerContact,
    Preferences,
    SafeWindow,
    SupportService,  # noqa: E402
)
from portal.sms.loopback import FakeTwilio  # noqa: E402

TOKEN = secrets.token_urlsafe(24)
ACCOUNT = "AC" + "b" * 32
KEYS = {"secret_key": secrets.token_urlsafe(48),
        "data_keys": "1:" + base64.b64encode(secrets.token_bytes(32)).decode(),
        "index_key": base64.b64encode(secrets.token_bytes(32)).decode()}
MESSAGES = 1500
WORKERS = 4


def config(url: str, instance: str, api_base: str = "") -> dict[str, object]:
    return {"database_url": url, "instance_path": instance, "public_url": "https://portal.bench",
            "sms_backend": "twilio", "twilio_account_sid": ACCOUNT, "twilio_auth_token": TOKEN,
            "twilio_messaging_service_sid": "MG" + "b" * 32, "twilio_api_base": api_base, **KEYS}


def migrated(url: str):  # type: ignore[no-untyped-def]
    engine = harden_engine(create_engine(normalise_url(url)))
    upgrade(engine)
    return engine


def seed_outbox(engine, vault, partners: int, messages: int) -> None:  # type: ignore[no-untyped-def]
    now = datetime.now(UTC)
    with Session(engine) as db:
        service = SupportService(id=uuid.uuid4(), name="Bench")
        db.add(service)
        db.flush()
        ids = []
        for i in range(partners):
            p = PartnerContact(id=uuid.uuid4(), service_id=service.id, status="active", locale="en",
                               timezone="Europe/London")
            phone = f"+447400{i:06d}"
            vault.put(p, "phone_ct", phone)
            p.phone_bidx = vault.index.phone(phone)
            db.add(p)
            ids.append(p.id)
        db.flush()
        db.execute(insert(Preferences), [{"id": uuid.uuid4(), "partner_id": pid, "channel_sms": True} for pid in ids])
        db.execute(insert(SafeWindow), [{"id": uuid.uuid4(), "partner_id": pid, "weekday": d, "start_minute": 0,
                                         "end_minute": 1440} for pid in ids for d in range(7)])
        db.execute(insert(Notification), [
            {"id": uuid.uuid4(), "partner_id": ids[i % partners], "kind": "warning", "template": "warning",
             "locale": "en", "state": "pending", "not_before": now, "created_at": now, "updated_at": now}
            for i in range(messages)])
        db.commit()


def reset_outbox(engine) -> None:  # type: ignore[no-untyped-def]
    with engine.begin() as conn:
        conn.execute(update(Notification).values(state="pending", attempts=0, provider_sid=None,
                                                 provider_status=None, claimed_at=None, sent_at=None))


def pending(engine) -> int:  # type: ignore[no-untyped-def]
    with Session(engine) as db:
        return db.scalar(select(func.count()).select_from(Notification).where(
            Notification.state == NotificationState.PENDING)) or 0


def _worker(cfg: dict[str, object], start: multiprocessing.synchronize.Event,  # type: ignore[name-defined]
            peaks: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    app = create_app(cfg)
    from portal.worker import build_dispatcher

    with app.app_context():
        dispatcher = build_dispatcher(app, batch=20)
        start.wait()
        while dispatcher.run_once().sent:
            pass
    peaks.put(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)  # KiB on Linux: the peak RSS in MiB


PEAKS: list[float] = []  # each dispatcher's peak RSS (MiB), over every run


def dispatch_rate(url: str, instance: str, api_base: str, workers: int) -> float:
    ctx = multiprocessing.get_context("spawn")
    start = ctx.Event()
    peaks = ctx.Queue()
    cfg = config(url, instance, api_base)  # built here: a spawned child would draw fresh random keys
    procs = [ctx.Process(target=_worker, args=(cfg, start, peaks)) for _ in range(workers)]
    for p in procs:
        p.start()
    time.sleep(4)  # let every process import and connect before the clock starts
    t = time.perf_counter()
    start.set()
    for p in procs:
        p.join()
    rate = MESSAGES / (time.perf_counter() - t)
    PEAKS.extend(peaks.get(timeout=10) for _ in procs)
    return rate


def bench_dispatch(instance: str, fake: FakeTwilio, rows: list[tuple[str, str]]) -> None:
    from portal.crypto import Vault

    vault = Vault.from_settings(KEYS["data_keys"], KEYS["index_key"])
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.sqlite3"
        engine = migrated(url)
        seed_outbox(engine, vault, 100, MESSAGES)
        rows.append(("dispatch, SQLite, 1 worker", f"{dispatch_rate(url, instance, fake.base_url, 1):,.0f} msg/s"))
        assert pending(engine) == 0
        engine.dispose()
    url = pg_database("pcp_bench_sms")
    try:
        engine = migrated(url)
        seed_outbox(engine, vault, 100, MESSAGES)
        for n in (1, WORKERS):
            reset_outbox(engine)
            fake.messages.clear()
            rate = dispatch_rate(url, instance, fake.base_url, n)
            assert pending(engine) == 0 and len(fake.messages) == MESSAGES, "every message exactly once"
            rows.append((f"dispatch, PostgreSQL, {n} worker{'s' if n > 1 else ''}", f"{rate:,.0f} msg/s"))
        engine.dispose()
    finally:
        drop_pg(url)


def copy_contacts(engine, vault, service_id: uuid.UUID, start: int, count: int) -> float:  # type: ignore[no-untyped-def]
    """Bulk-load contacts with COPY (blind index computed per row; the ciphertext column is filler)."""
    t = time.perf_counter()
    now = datetime.now(UTC).isoformat()
    raw = engine.raw_connection()
    try:
        with raw.cursor() as cur:
            with cur.copy("COPY partner_contact (id, service_id, phone_ct, phone_bidx, status, locale, timezone,"
                          " pin_failures, sms_opted_out, sms_unusable, created_at, updated_at) FROM STDIN") as copy:
                filler = secrets.token_bytes(44)
                for i in range(start, start + count):
                    copy.write_row((uuid.uuid4(), service_id, filler, vault.index.phone(f"+4475{i:08d}"), "active",
                                    "en", "Europe/London", 0, False, False, now, now))
        raw.commit()
    finally:
        raw.close()
    with engine.begin() as conn:
        conn.execute(text("ANALYZE partner_contact"))
    return time.perf_counter() - t


def inbound_latency(app, numbers: list[str], body: str) -> list[float]:  # type: ignore[no-untyped-def]
    client = app.test_client()
    validator = RequestValidator(TOKEN)
    times = []
    for number in numbers:
        params = {"MessageSid": "SM" + uuid.uuid4().hex, "From": number, "To": "+15005550006", "Body": body}
        signature = validator.compute_signature("https://portal.bench/sms/inbound", params)
        t = time.perf_counter()
        response = client.post("/sms/inbound", data=urlencode(params),
                               content_type="application/x-www-form-urlencoded",
                               headers={"X-Twilio-Signature": signature})
        times.append((time.perf_counter() - t) * 1000)
        assert response.status_code == 200, response.status_code
    return times


def summary(times: list[float]) -> str:
    q = statistics.quantiles(times, n=100)
    return f"p50 {q[49]:.1f} ms, p95 {q[94]:.1f} ms, p99 {q[98]:.1f} ms"


def bench_inbound(instance: str, rows: list[tuple[str, str]]) -> None:
    from portal.crypto import Vault

    vault = Vault.from_settings(KEYS["data_keys"], KEYS["index_key"])
    url = pg_database("pcp_bench_sms")
    try:
        engine = migrated(url)
        service_id = uuid.uuid4()
        with engine.begin() as conn:
            conn.execute(insert(SupportService), [{"id": service_id, "name": "Bench"}])
        app = create_app(config(url, instance))
        loaded = 0
        for target in (1_000, 1_000_000):
            seconds = copy_contacts(engine, vault, service_id, loaded, target - loaded)
            if target - loaded > 10_000:
                rows.append((f"bulk load {target - loaded:,} contacts (COPY)", f"{seconds:.1f} s"))
            loaded = target
            known = [f"+4475{i:08d}" for i in range(0, target, max(1, target // 150))][:150]
            unknown = [f"+4476{i:08d}" for i in range(150)]
            inbound_latency(app, known[:10], "warm up")
            rows.append((f"inbound text from her, {target:,} contacts", summary(inbound_latency(app, known,
                                                                                            "Call me later"))))
            rows.append((f"inbound from unknown number, {target:,} contacts",
                         summary(inbound_latency(app, unknown, "hello"))))
        with engine.connect() as conn:
            plan = conn.execute(text("EXPLAIN SELECT * FROM partner_contact WHERE phone_bidx = 'x'")).scalar()
        rows.append(("lookup plan at 1,000,000 contacts", str(plan).split("  (")[0].strip()))
        with engine.connect() as conn:
            indexes = conn.execute(text("SELECT indexname FROM pg_indexes WHERE tablename = 'partner_contact' "
                                        "AND indexdef LIKE '%(phone_bidx)%'")).scalars().all()
        rows.append(("index on partner_contact.phone_bidx", ", ".join(indexes) or "NONE"))
        assert indexes and "Index" in str(plan), "the lookup by blind index must use an index"
        from portal.extensions import db

        with app.app_context():
            db.engine.dispose()
        engine.dispose()
    finally:
        drop_pg(url)


def main() -> None:
    rows: list[tuple[str, str]] = []
    with tempfile.TemporaryDirectory() as instance:
        fake = FakeTwilio(auth_token=TOKEN, callbacks=False).start()
        try:
            bench_dispatch(instance, fake, rows)
        finally:
            fake.stop()
        rows.append(("peak memory (RSS) of a dispatcher", f"{max(PEAKS):.0f} MiB (largest of {len(PEAKS)} processes)"))
        bench_inbound(instance, rows)
    out = io.StringIO()
    width = max(len(label) for label, _ in rows)
    for label, value in rows:
        print(f"{label:<{width}}  {value}", file=out)
    for label, value in rows:
        if label.startswith(("dispatch, PostgreSQL", "inbound text from her", "peak memory")):
            print(f"summary: {label} | {value}", file=out)
    print(out.getvalue(), end="")


if __name__ == "__main__":
    main()
