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
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata,
                      literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    run_migrations_online()
