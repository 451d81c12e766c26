"""The raw SQLite file holds no plaintext phone number, name or email of seeded contacts."""

from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from tests.factories import make_partner, make_world
from tests.support import BACKEND


@pytest.mark.skipif(BACKEND != "sqlite", reason="reads the SQLite database file itself")
def test_database_file_has_no_plaintext(app, dbs, vault, audit_key, database_url):
    world = make_world(dbs, vault, audit_key)
    make_partner(dbs, vault, audit_key, world.service, world.worker, name="Zephyrine Quarterly",
                 phone="+447400987654", email="zephyrine.q@example.net")
    dbs.commit()
    dbs.close()
    from portal.extensions import db

    with app.app_context():
        db.engine.dispose()  # close connections so the WAL is checkpointed into the file on disk
    path = Path(make_url(database_url).database)
    raw = b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
    for needle in ("Zephyrine", "Quarterly", "447400987654", "7400 987654", "zephyrine.q@example.net",
                   "Sam Example", "447400123456", "sam@example.org"):
        assert needle.encode() not in raw, needle
        assert needle.encode("utf-16-le") not in raw, needle
