"""Opening her sealed plan: the time of her real passphrase, her second one and a wrong one, at the service.

Usage: python scripts/bench_plan_open.py [tries] [production|owasp]
Each opening is timed from the call to the commit of its transaction (what her page waits for, minus HTTP).
The second passphrase's task is closed between tries (untimed), so every timed opening makes a new task:
the worst case for telling the paths apart. The order of the three paths is shuffled on every round.
"""

from __future__ import annotations

import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, update  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from portal.config import new_key  # noqa: E402
from portal.crypto import KdfParams, Vault, owasp_minimum  # noqa: E402
from portal.database import harden_engine  # noqa: E402
from portal.migrate import upgrade  # noqa: E402
from portal.models import PartnerContact, SupportService, Task, utcnow  # noqa: E402
from portal.services.audit import audit_key  # noqa: E402
from portal.services.context import DomainContext  # noqa: E402
from portal.services.her import safety_plan  # noqa: E402
from portal.services.her.her_access import partner_actor  # noqa: E402

REAL, DURESS, WRONG = "blue kettle on the hill", "seven swans at noon", "not her passphrase at all"


def main() -> None:
    tries = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    kdf = KdfParams() if len(sys.argv) > 2 and sys.argv[2] == "production" else owasp_minimum()
    vault, akey = Vault.from_settings(f"1:{new_key()}", new_key()), audit_key(new_key())
    limits = safety_plan.TryLimits(free_tries=10 ** 9)  # measure the work, not the waits
    with tempfile.TemporaryDirectory() as tmp:
        engine = harden_engine(create_engine(f"sqlite:///{tmp}/bench.sqlite3"))
        upgrade(engine)
        with Session(engine) as db:
            service = SupportService(name="Bench")
            db.add(service)
            db.flush()
            her = PartnerContact(service_id=service.id, status="active", timezone="Europe/London", locale="en")
            db.add(her)
            db.flush()
            ctx = DomainContext(db, vault, akey, utcnow(), partner_actor(her.id))
            safety_plan.create(ctx, her, REAL, duress_passphrase=DURESS, kdf=kdf,
                               content=safety_plan.PlanContent((), {"people.contacts": "x" * 2000}))
            db.commit()
            times: dict[str, list[float]] = {REAL: [], DURESS: [], WRONG: []}
            for _ in range(tries):
                order = list(times)
                random.shuffle(order)
                for passphrase in order:
                    db.expire_all()
                    partner = db.get(PartnerContact, her.id)
                    assert partner is not None
                    started = time.perf_counter()
                    safety_plan.open_plan(DomainContext(db, vault, akey, utcnow(), partner_actor(her.id)), partner,
                                          passphrase, limits=limits)
                    db.commit()
                    times[passphrase].append(time.perf_counter() - started)
                    db.execute(update(Task).values(done_at=utcnow()))
                    db.execute(update(PartnerContact).values(texts_held_since=None))
                    db.commit()
    label = f"m={kdf.memory_kib} KiB, t={kdf.time_cost}, p={kdf.parallelism}"
    print(f"Opening her plan ({label}), {tries} tries each, SQLite:")
    medians = {name: statistics.median(values) * 1000 for name, values in times.items()}
    for name, title in ((REAL, "her passphrase"), (DURESS, "her second passphrase"), (WRONG, "a wrong one")):
        values = sorted(times[name])
        print(f"  {title:<24} median {medians[name]:8.2f} ms   p10 {values[len(values) // 10] * 1000:8.2f} ms"
              f"   p90 {values[len(values) * 9 // 10] * 1000:8.2f} ms")
    print(f"  median difference, real vs second: {abs(medians[REAL] - medians[DURESS]):.2f} ms")
    ranked = [abs(a - b) * 1000 for a, b in zip(sorted(times[REAL]), sorted(times[DURESS]), strict=True)]
    print(f"  largest difference between the two distributions (same rank): {max(ranked):.2f} ms, "
          f"within the middle 80%: {max(ranked[len(ranked) // 10:len(ranked) * 9 // 10]):.2f} ms")
    rounds = [(a - b) * 1000 for a, b in zip(times[REAL], times[DURESS], strict=True)]
    print(f"  per round (real minus second, the same moment's load): median {statistics.median(rounds):+.2f} ms")


if __name__ == "__main__":
    main()
