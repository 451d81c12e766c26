"""Shared test settings: one set of random keys per test run (import from here, never from conftest)."""

from __future__ import annotations

import base64
import os
import secrets
from pathlib import Path


def _key() -> str:
    return base64.b64encode(secrets.token_bytes(32)).decode()


TEST_KEYS = {
    "secret_key": secrets.token_urlsafe(48),
    "data_keys": f"1:{_key()}",
    "index_key": _key(),
}


def make_config(database_url: str, instance_dir: Path, **extra: object) -> dict[str, object]:
    return {
        "testing": True,
        "database_url": database_url,
        "instance_path": str(instance_dir),
        "public_url": "https://portal.test",
        "exit_url": "https://neutral.example/weather",
        # Her plan's Argon2id at OWASP's minimum, the lowest the settings accept (for speed).
        "plan_kdf_memory_kib": 19456, "plan_kdf_time_cost": 2, "plan_kdf_parallelism": 1,
        **TEST_KEYS,
        **extra,
    }


BACKEND = os.environ.get("PORTAL_TEST_DB", "sqlite")  # sqlite | postgresql


def wipe_database(engine) -> None:  # type: ignore[no-untyped-def]
    """Empty every table (TRUNCATE on PostgreSQL, DELETE in dependency order on SQLite)."""
    from sqlalchemy import text

    from portal.models import Base

    tables = list(reversed(Base.metadata.sorted_tables))
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("TRUNCATE " + ", ".join(f'"{t.name}"' for t in tables) + " CASCADE"))
        else:
            for table in tables:
                conn.execute(table.delete())


def redis_app(database_url: str, instance_dir: Path, clock: object, url: str = "redis://127.0.0.1:6379/15"):  # type: ignore[no-untyped-def]
    """The app with its sessions (and rate limits) in Redis at `url`, on the frozen clock. Skips with a clear
    message when Redis does not answer, except under CI=true, where the test fails."""
    import pytest
    import redis

    from portal import create_app

    try:
        redis.Redis.from_url(url).ping()
    except redis.ConnectionError:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("Redis is not reachable at 127.0.0.1:6379; CI requires it.")
        pytest.skip("Redis is not reachable at 127.0.0.1:6379; Redis session test skipped.")
    app = create_app(make_config(database_url, instance_dir, redis_url=url))
    app.extensions["portal.clock"] = clock
    return app
