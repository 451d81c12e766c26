"""Opening her plan through her page (POST /plan/open): her passphrase, her second one and a wrong one, timed.

Usage: python scripts/bench_plan_pages.py [tries] [production|owasp] [floor seconds]
Each try is one whole request through the app (CSRF check, view, the service's two Argon2id derivations, the
commit, the session save, the response floor), timed around the test client's call. Between rounds, untimed:
the second passphrase's task is closed and her texts released (so every timed duress opening makes a new task,
the worst case), and the wrong-try count is reset (so the wrong path is measured, not the waits). The order of
the three paths is shuffled every round. Reports the medians, the largest same-rank difference between her
passphrase and her second one, and a Mann-Whitney U test of the two.
"""

from __future__ import annotations

import base64
import math
import random
import re
import secrets
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import update  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from portal import create_app  # noqa: E402
from portal.extensions import db, limiter  # noqa: E402
from portal.migrate import upgrade  # noqa: E402
from portal.models import PartnerContact, SafetyPlan, SupportService, Task, utcnow  # noqa: E402

REAL, DURESS, WRONG = "blue kettle on the hill", "seven swans at noon", "not her passphrase at all"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def _key() -> str:
    return base64.b64encode(secrets.token_bytes(32)).decode()


def mann_whitney_p(a: list[float], b: list[float]) -> float:
    """Two-sided p of the Mann-Whitney U test (normal approximation, ties averaged)."""
    pooled = sorted([(value, 0) for value in a] + [(value, 1) for value in b])
    ranks: list[float] = [0.0] * len(pooled)
    i = 0
    while i < len(pooled):
        j = i
        while j + 1 < len(pooled) and pooled[j + 1][0] == pooled[i][0]:
            j += 1
        for k in range(i, j + 1):
            ranks[k] = (i + j) / 2 + 1
        i = j + 1
    n1, n2 = len(a), len(b)
    u = sum(rank for rank, (_value, group) in zip(ranks, pooled, strict=True) if group == 0) - n1 * (n1 + 1) / 2
    z = (u - n1 * n2 / 2) / math.sqrt(n1 * n2 * (n1 + n2 + 1) / 12)
    return math.erfc(abs(z) / math.sqrt(2))


def main() -> None:
    tries = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    production = len(sys.argv) > 2 and sys.argv[2] == "production"
    floor = float(sys.argv[3]) if len(sys.argv) > 3 else (1.5 if production else 0.2)
    kdf = {} if production else {"plan_kdf_memory_kib": 19456, "plan_kdf_time_cost": 2, "plan_kdf_parallelism": 1}
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"testing": True, "database_url": f"sqlite:///{tmp}/bench.sqlite3", "instance_path": tmp,
                          "public_url": "https://portal.test", "secret_key": secrets.token_urlsafe(48),
                          "data_keys": f"1:{_key()}", "index_key": _key(), **kdf})
        app.config["PLAN_OPEN_FLOOR_SECONDS"] = floor
        limiter.enabled = False  # measure the page, not the per-address limit
        with app.app_context():
            engine = db.engine
        upgrade(engine)
        with Session(engine) as session:
            service = SupportService(id=uuid.uuid4(), name="Bench")
            session.add(service)
            session.flush()
            her = PartnerContact(id=uuid.uuid4(), service_id=service.id, status="active", timezone="Europe/London",
                                 locale="en")
            session.add(her)
            session.commit()
            her_id = her.id
        client = app.test_client()
        with client.session_transaction() as stored:
            stored.bind_her(str(her_id))
            stored["epoch"] = 0  # signed in after her latest stop (public/context.EPOCH): a new record's epoch

        def post(path: str, data: dict[str, str]) -> int:
            token = CSRF.search(client.get("/plan").get_data(as_text=True))
            assert token, "no form on /plan"
            response = client.post(path, data={"csrf_token": token.group(1), **data},
                                   headers={"Referer": "https://localhost/plan"})
            return response.status_code

        assert post("/plan/new", {"passphrase": REAL, "passphrase_again": REAL, "second": DURESS,
                                  "second_again": DURESS}) == 303
        times: dict[str, list[float]] = {REAL: [], DURESS: [], WRONG: []}
        for _ in range(tries):
            order = list(times)
            random.shuffle(order)
            for passphrase in order:
                token = CSRF.search(client.get("/plan").get_data(as_text=True))
                assert token
                started = time.perf_counter()
                response = client.post("/plan/open", data={"csrf_token": token.group(1), "passphrase": passphrase},
                                       headers={"Referer": "https://localhost/plan"})
                times[passphrase].append(time.perf_counter() - started)
                assert response.status_code == (400 if passphrase == WRONG else 303), response.status_code
                with Session(engine) as session, session.begin():
                    session.execute(update(Task).values(done_at=utcnow()))
                    session.execute(update(PartnerContact).values(texts_held_since=None))
                    session.execute(update(SafetyPlan).values(wrong_tries=0, wait_until=None))
    label = "production (m=65536 KiB, t=3, p=2)" if production else "OWASP minimum (m=19456 KiB, t=2, p=1)"
    print(f"POST /plan/open, Argon2id at {label}, floor {floor:.2f} s, {tries} tries each, SQLite:")
    medians = {name: statistics.median(values) * 1000 for name, values in times.items()}
    for name, title in ((REAL, "her passphrase"), (DURESS, "her second passphrase"), (WRONG, "a wrong one")):
        values = sorted(times[name])
        print(f"  {title:<24} median {medians[name]:8.2f} ms   min {values[0] * 1000:8.2f} ms"
              f"   p90 {values[len(values) * 9 // 10] * 1000:8.2f} ms   max {values[-1] * 1000:8.2f} ms")
    print(f"  median difference, her passphrase vs her second: {abs(medians[REAL] - medians[DURESS]):.2f} ms")
    ranked = [abs(a - b) * 1000 for a, b in zip(sorted(times[REAL]), sorted(times[DURESS]), strict=True)]
    print(f"  largest difference between the two distributions (same rank): {max(ranked):.2f} ms, "
          f"within the middle 80%: {max(ranked[len(ranked) // 10:len(ranked) * 9 // 10]):.2f} ms")
    print(f"  Mann-Whitney U, her passphrase vs her second: p = {mann_whitney_p(times[REAL], times[DURESS]):.3f}")


if __name__ == "__main__":
    main()
