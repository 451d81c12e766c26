"""Foundation figures: field encryption, blind index, passphrase sealing, audit appends, key rotation."""

from __future__ import annotations

import base64
import secrets
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from portal.crypto import KdfParams, Keyring, Vault, associated_data, passphrase_key  # noqa: E402
from portal.database import harden_engine  # noqa: E402
from portal.migrate import upgrade  # noqa: E402
from portal.models import PartnerContact, SupportService, utcnow  # noqa: E402
from portal.services.admin.key_rotation import rotate  # noqa: E402
from portal.services.audit import Actor, audit_key, record  # noqa: E402


def key() -> str:
    return base64.b64encode(secrets.token_bytes(32)).decode()


def rate(label: str, n: int, seconds: float, unit: str = "ops") -> None:
    print(f"{label:<44} {n / seconds:>12,.0f} {unit}/s   ({n:,} in {seconds:.2f} s)")


def main() -> None:
    k1, idx = key(), key()
    vault = Vault.from_settings(f"1:{k1}", idx)
    aad = associated_data("partner_contact", "phone_ct", uuid.uuid4())
    n = 20000
    t = time.perf_counter()
    blobs = [vault.keyring.encrypt("+447400123456", aad) for _ in range(n)]
    rate("AES-GCM encrypt (phone number)", n, time.perf_counter() - t)
    t = time.perf_counter()
    for blob in blobs:
        vault.keyring.decrypt(blob, aad)
    rate("AES-GCM decrypt", n, time.perf_counter() - t)
    t = time.perf_counter()
    for i in range(n):
        vault.index.phone(f"+4474001{i:05d}")
    rate("blind index (HMAC-SHA256)", n, time.perf_counter() - t)
    t = time.perf_counter()
    passphrase_key("a passphrase she chose", b"0123456789abcdef", KdfParams())
    print(f"{'Argon2id key (t=3, m=64 MiB, p=2)':<44} {time.perf_counter() - t:>12.3f} s per slot")
    print(f"{'ciphertext overhead per value':<44} {len(blobs[0]) - len('+447400123456'):>12} bytes")

    with tempfile.TemporaryDirectory() as tmp:
        engine = harden_engine(create_engine(f"sqlite:///{tmp}/bench.sqlite3"))
        upgrade(engine)
        akey = audit_key(idx)
        with Session(engine) as db:
            t = time.perf_counter()
            for i in range(2000):
                record(db, akey, Actor("staff", "bench"), "partner.read", "partner_contact", i, now=utcnow())
                if i % 100 == 99:
                    db.commit()
            db.commit()
            rate("audit append, SQLite (commit per 100)", 2000, time.perf_counter() - t, "entries")
            service = SupportService(id=uuid.uuid4(), name="bench")
            db.add(service)
            db.flush()
            for _ in range(5000):
                row = PartnerContact(id=uuid.uuid4(), service_id=service.id)
                vault.put(row, "name_ct", "Name")
                vault.put(row, "phone_ct", "+447400123456")
                db.add(row)
            db.commit()
        new = Keyring.parse(f"1:{k1},2:{key()}")
        t = time.perf_counter()
        done = sum(rotate(lambda: Session(engine), new, batch=500))
        rate("rotate-keys, SQLite", done, time.perf_counter() - t, "rows")


if __name__ == "__main__":
    main()
