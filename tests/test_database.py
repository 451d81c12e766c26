"""Database connections: SQLite pragmas on every new connection; PostgreSQL through psycopg 3."""

import pytest
from sqlalchemy import text

from portal.database import normalise_url
from portal.extensions import db
from tests.support import BACKEND


@pytest.mark.skipif(BACKEND != "sqlite", reason="SQLite connection settings")
def test_every_new_sqlite_connection_is_hardened(app):
    with app.app_context():
        db.engine.dispose()
        with db.engine.connect() as conn:
            assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
            assert conn.execute(text("PRAGMA secure_delete")).scalar() == 1
            assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"


@pytest.mark.skipif(BACKEND != "postgresql", reason="PostgreSQL driver")
def test_postgresql_uses_psycopg3(app):
    with app.app_context():
        assert db.engine.dialect.driver == "psycopg"
        with db.engine.connect() as conn:
            assert conn.execute(text("SHOW server_version")).scalar()


def test_foreign_keys_are_enforced(app):
    import uuid

    from sqlalchemy.exc import IntegrityError
    from sqlalchemy.orm import Session

    from portal.models import Programme

    with app.app_context(), Session(db.engine) as session:
        session.add(Programme(id=uuid.uuid4(), name="p", service_id=uuid.uuid4()))
        with pytest.raises(IntegrityError):
            session.commit()


def test_plain_postgres_urls_use_psycopg3():
    assert normalise_url("postgresql://u@h/d") == "postgresql+psycopg://u@h/d"
    assert normalise_url("postgres://u@h/d") == "postgresql+psycopg://u@h/d"
    assert normalise_url("sqlite:///x") == "sqlite:///x"
