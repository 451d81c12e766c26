"""Alembic driven from the application's own engine: upgrade, downgrade, current, and drift check.

Several machines may start one release at once, each running `flask db upgrade` (its portal-migrate unit, or
`make serve`): on PostgreSQL an upgrade or downgrade holds an advisory lock for its whole run, so they migrate
one after the other and the later ones find the database already at the revision asked for. Without it two
of three simultaneous upgrades of a fresh database failed (both creating alembic_version), and the web and
worker units that require the migration did not start.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.engine import Engine

from portal import ROOT
from portal.models import Base


def alembic_config(engine: Engine) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(ROOT / "migrations"))
    cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%"))
    cfg.attributes["engine"] = engine
    return cfg


# The advisory lock's key (any fixed 64-bit number the application uses for nothing else): "pcp-migr".
MIGRATION_LOCK_KEY = int.from_bytes(b"pcp-migr", "big") & 0x7FFF_FFFF_FFFF_FFFF


@contextmanager
def migration_lock(engine: Engine) -> Iterator[None]:
    """PostgreSQL: one migration at a time against this database, whichever machine runs it (waits its turn).
    SQLite is one machine's file: nothing to take."""
    if engine.dialect.name != "postgresql":
        yield
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
        try:
            yield
        finally:
            conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK_KEY})


def upgrade(engine: Engine, revision: str = "head") -> None:
    with migration_lock(engine):
        command.upgrade(alembic_config(engine), revision)


def downgrade(engine: Engine, revision: str) -> None:
    with migration_lock(engine):
        command.downgrade(alembic_config(engine), revision)


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def drift(engine: Engine) -> list[Any]:
    """Differences between the migrated database and the models (empty when they match)."""
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "render_as_batch": True})
        return compare_metadata(context, Base.metadata)
