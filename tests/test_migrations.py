"""Migrations: the head matches the models, and every revision goes up and down with data present,
on a fresh database of the selected backend (SQLite or PostgreSQL)."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
import uuid
from datetime import UTC, date, datetime

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    Uuid,
    create_engine,
    func,
    inspect,
    select,
)

from portal import ROOT
from portal.database import harden_engine, normalise_url
from portal.migrate import alembic_config, current_revision, downgrade, drift, upgrade
from portal.models import Base
from portal.models.base import vocabularies
from tests.conftest import fresh_database_url
from tests.support import BACKEND, TEST_KEYS


@pytest.fixture
def empty_engine(tmp_path):
    for url in fresh_database_url(tmp_path):
        engine = harden_engine(create_engine(normalise_url(url)))
        yield engine
        engine.dispose()


def revisions(engine) -> list[str]:
    script = ScriptDirectory.from_config(alembic_config(engine))
    return [rev.revision for rev in reversed(list(script.walk_revisions("base", "heads")))]


VOCABULARIES = vocabularies(Base.metadata)
_NUMBERS = itertools.count(1)


def dummy_value(column, parents):
    for fk in column.foreign_keys:
        parent = parents.get(fk.column.table.name)
        if parent is not None:
            return parent[fk.column.name]
        return None
    kind = column.type
    if isinstance(kind, Uuid):
        return uuid.uuid4()
    if isinstance(kind, Boolean):
        return False
    if isinstance(kind, Integer):  # unique per row: a later revision's fill adds to the rows of an earlier one
        return next(_NUMBERS)
    if isinstance(kind, DateTime):
        return datetime(2026, 1, 1, tzinfo=UTC)
    if isinstance(kind, Date):
        return date(2026, 1, 1)
    if isinstance(kind, LargeBinary):
        return b"\x01\x00\x01sealed"
    if isinstance(kind, Text):
        return "{}"
    if isinstance(kind, String):
        vocabulary = VOCABULARIES.get((column.table.name, column.name))
        # A coded column holds one of its codes (the database's CHECK refuses anything else).
        return next(iter(vocabulary)).value if vocabulary else uuid.uuid4().hex[:min(kind.length or 8, 8)]
    raise AssertionError(f"no dummy value for {column.table.name}.{column.name} ({kind!r})")


def fill_every_table(engine) -> dict[str, int]:
    """One row in every table the current revision has, foreign keys pointing at real parents (the rows of an
    earlier fill, which the last up or down migration carried, are replaced: unique columns would clash)."""
    meta = MetaData()
    meta.reflect(engine)
    parents: dict[str, dict[str, object]] = {}
    with engine.begin() as conn:
        for table in reversed(meta.sorted_tables):
            if table.name != "alembic_version":
                conn.execute(table.delete())
        for table in meta.sorted_tables:
            if table.name == "alembic_version":
                continue
            row = {c.name: dummy_value(c, parents) for c in table.columns}
            row = {k: v for k, v in row.items() if v is not None}
            conn.execute(table.insert().values(**row))
            parents[table.name] = row
    with engine.connect() as conn:
        return {t.name: conn.scalar(select(func.count()).select_from(t)) for t in meta.sorted_tables}


def test_head_matches_models(empty_engine):
    upgrade(empty_engine)
    assert drift(empty_engine) == []


def test_every_revision_upgrades_and_downgrades_with_data(empty_engine):
    revs = revisions(empty_engine)
    assert revs, "no migrations found"
    previous = "base"
    for rev in revs:
        upgrade(empty_engine, rev)
        assert current_revision(empty_engine) == rev
        counts = fill_every_table(empty_engine)
        assert all(n >= 1 for name, n in counts.items() if name != "alembic_version")
        downgrade(empty_engine, previous)
        assert current_revision(empty_engine) == (None if previous == "base" else previous)
        upgrade(empty_engine, rev)
        fill_every_table(empty_engine)
        previous = rev
    assert drift(empty_engine) == []
    downgrade(empty_engine, "base")
    assert set(inspect(empty_engine).get_table_names()) <= {"alembic_version"}


@pytest.mark.skipif(BACKEND != "postgresql",
                    reason="several machines migrate one PostgreSQL database; SQLite is one machine's file")
def test_several_machines_running_the_migration_at_once_all_succeed(tmp_path):
    """Each machine's portal-migrate unit (or `make serve`) starts with the release: they take turns (an advisory
    lock), the first migrates and the others find the database at head. Before, 2 of 3 failed with a traceback."""
    for url in fresh_database_url(tmp_path):
        env = {**os.environ, "PORTAL_DATABASE_URL": url, "PORTAL_INSTANCE_PATH": str(tmp_path / "instance"),
               "PORTAL_SECRET_KEY": TEST_KEYS["secret_key"], "PORTAL_DATA_KEYS": TEST_KEYS["data_keys"],
               "PORTAL_INDEX_KEY": TEST_KEYS["index_key"]}
        machines = [subprocess.Popen([sys.executable, "-m", "flask", "--app", "portal", "db", "upgrade"], cwd=ROOT,
                                     env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
                    for _ in range(3)]
        outputs = [machine.communicate(timeout=300)[0] for machine in machines]
        engine = create_engine(normalise_url(url))
        head = revisions(engine)[-1]
        at = current_revision(engine)
        engine.dispose()
        assert [machine.returncode for machine in machines] == [0, 0, 0], outputs
        assert all(f"Database at revision {head}." in out and "Traceback" not in out for out in outputs), outputs
        assert at == head
