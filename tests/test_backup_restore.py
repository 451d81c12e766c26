"""Backups that restore (issue 15): a backup of the live database, restored into a fresh one, passes
`audit-verify`, and her details in it are readable with the keys and only with them.

PostgreSQL: `pg_dump --format=custom` and `pg_restore` into a brand-new database (the README's procedure).
SQLite: the online backup API (what `sqlite3 portal.sqlite3 ".backup backup.sqlite3"` does, safe while running).
The restored copy's audit chain is checked with the real `flask audit-verify` command; an entry edited in the
copy makes it exit 1 (the check can fail). The dump file itself holds none of her details in clear.
"""

from __future__ import annotations

import base64
import secrets
import shutil
import sqlite3
import subprocess

import pytest
from sqlalchemy import create_engine, make_url, select, text

from portal import create_app
from portal.crypto import DecryptionError, Vault
from portal.database import harden_engine, normalise_url
from portal.migrate import upgrade
from portal.models import PartnerContact
from tests.conftest import create_pg_database, drop_pg_database, fresh_database_url
from tests.factories import make_world
from tests.support import BACKEND, make_config

NAME, PHONE, EMAIL = "Morwenna Backupcanary", "+447400987654", "morwenna.canary@example.org"


def libpq(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def backup_and_restore(source: str, tmp_path) -> tuple[str, bytes]:  # type: ignore[no-untyped-def]
    """Back `source` up and restore it into a fresh database: (the restored URL, the backup file's bytes)."""
    if BACKEND == "postgresql":
        if shutil.which("pg_dump") is None or shutil.which("pg_restore") is None:
            pytest.skip("pg_dump/pg_restore are not installed: the PostgreSQL backup drill cannot run here")
        dump = tmp_path / "portal.dump"
        subprocess.run(["pg_dump", "--format=custom", "--no-owner", "--file", str(dump), libpq(source)],
                       check=True, timeout=120)
        target = create_pg_database("pcp_restore")
        subprocess.run(["pg_restore", "--no-owner", "--exit-on-error", "--dbname", libpq(target), str(dump)],
                       check=True, timeout=120)
        return target, dump.read_bytes()
    copy = tmp_path / "restored.sqlite3"
    with sqlite3.connect(make_url(source).database) as live, sqlite3.connect(copy) as backup:
        live.backup(backup)
    return f"sqlite:///{copy}", copy.read_bytes()


def test_a_backup_restores_into_a_fresh_database_with_its_audit_chain_and_her_details_sealed(tmp_path):
    for source in fresh_database_url(tmp_path):
        engine = harden_engine(create_engine(normalise_url(source)))
        upgrade(engine)
        engine.dispose()
        config = make_config(source, tmp_path)
        app = create_app(config)
        from portal.extensions import db

        with app.app_context():
            world = make_world(db.session, app.extensions["portal.vault"], app.extensions["portal.audit_key"],
                               partner_phone=PHONE, name=NAME, email=EMAIL)
            her_id = world.partner.id
            db.session.commit()
            db.session.remove()
            db.engine.dispose()

        restored, backup_bytes = backup_and_restore(source, tmp_path)
        try:
            for canary in (NAME, PHONE, EMAIL, PHONE.removeprefix("+44")):
                assert canary.encode() not in backup_bytes, canary  # ciphertext only

            copy = create_app(make_config(restored, tmp_path))
            result = copy.test_cli_runner().invoke(args=["audit-verify"])
            assert result.exit_code == 0, result.output
            assert "Audit chain intact" in result.output and "0 entries" not in result.output

            with copy.app_context():
                from portal.extensions import db as copy_db

                her = copy_db.session.get(PartnerContact, her_id)
                keys = copy.extensions["portal.vault"]
                assert (keys.get(her, "name_ct"), keys.get(her, "phone_ct")) == (NAME, PHONE)
                other = Vault.from_settings(f"1:{base64.b64encode(secrets.token_bytes(32)).decode()}",
                                            base64.b64encode(secrets.token_bytes(32)).decode())
                with pytest.raises(DecryptionError):
                    other.get(her, "name_ct")  # without the keys, nothing of hers can be read
                # An entry edited in the copy: audit-verify says so and exits 1.
                seq = copy_db.session.scalar(text("SELECT max(seq) FROM audit_event"))
                copy_db.session.execute(text("UPDATE audit_event SET action = 'staff.created' WHERE seq = :s"),
                                        {"s": seq})
                copy_db.session.commit()
                assert copy_db.session.scalar(select(PartnerContact.id).where(PartnerContact.id == her_id))
                copy_db.session.remove()
                copy_db.engine.dispose()
            tampered = copy.test_cli_runner().invoke(args=["audit-verify"])
            assert tampered.exit_code == 1 and f"entry {seq}" in tampered.output
        finally:
            if BACKEND == "postgresql":
                drop_pg_database(restored)
