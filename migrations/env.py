"""Alembic environment: uses the engine handed over by portal.migrate, or PORTAL_DATABASE_URL."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from portal.database import harden_engine, normalise_url
from portal.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    engine = config.attributes.get("engine")
    if engine is None:
        from portal.config import load_settings

        engine = harden_engine(create_engine(normalise_url(load_settings().database_url)))
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # SQLite's own procedure for a table rebuild (a batch ALTER copies the table, drops the old one and
            # renames the copy): foreign keys off for the migration, outside its transaction, and checked
            # before it commits. With them on, dropping a table that other rows point at would fail or cascade.
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=sqlite,
            compare_type=True,
        )
        try:
            with context.begin_transaction():
                context.run_migrations()
                if sqlite:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise RuntimeError(f"the migration left rows pointing at nothing: {broken[:5]}")
        finally:
            if sqlite:
                connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                connection.commit()


if context.is_offline_mode():
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata,
                      literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    run_migrations_online()
