"""Test harness: a fresh SQLite or PostgreSQL database per run (PORTAL_TEST_DB), a controlled clock,
and app/client fixtures. PostgreSQL tests skip with a clear message when no server answers, except
under CI=true, where they fail."""

from __future__ import annotations

import os
import secrets
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from portal import create_app
from portal.clock import FrozenClock
from portal.database import harden_engine, normalise_url
from tests.support import TEST_KEYS, make_config, wipe_database  # noqa: F401 - re-exported for older imports

PG_ADMIN_URL = os.environ.get("PORTAL_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
from tests.support import BACKEND  # noqa: E402

pytest_plugins = ["tests.served"]  # the served app (live_server, live_server_factory, exit_site) for every test


def pg_available() -> str | None:
    """None when PostgreSQL answers, else the reason."""
    try:
        engine = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
    except Exception as exc:  # noqa: BLE001
        return f"{type(exc).__name__}: {exc}".splitlines()[0]
    return None


def create_pg_database(prefix: str = "pcp_test") -> str:
    """Create a fresh, uniquely named database; return its URL."""
    name = f"{prefix}_{os.getpid()}_{secrets.token_hex(4)}"
    engine = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)


def drop_pg_database(url: str) -> None:
    name = make_url(url).database
    engine = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


def require_postgres() -> None:
    reason = pg_available()
    if reason is None:
        return
    message = f"PostgreSQL is not reachable at {PG_ADMIN_URL} ({reason})"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message + "; CI requires it.", pytrace=False)
    pytest.skip(message + "; PostgreSQL tests skipped.")


def fresh_database_url(tmp_dir: Path) -> Iterator[str]:
    """A brand-new empty database of the selected backend, removed afterwards."""
    if BACKEND == "postgresql":
        require_postgres()
        url = create_pg_database()
        try:
            yield url
        finally:
            drop_pg_database(url)
    else:
        yield f"sqlite:///{tmp_dir / f'portal-{uuid.uuid4().hex[:8]}.sqlite3'}"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One database for the whole run, migrated to head with Alembic (the real migration path)."""
    from portal.migrate import upgrade

    for url in fresh_database_url(tmp_path_factory.mktemp("db")):
        engine = harden_engine(create_engine(normalise_url(url)))
        upgrade(engine)
        engine.dispose()
        yield url


@pytest.fixture(scope="session")
def instance_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("instance")


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(datetime(2026, 3, 2, 10, 0, tzinfo=UTC))  # a Monday


@pytest.fixture
def app(database_url: str, instance_dir: Path, clock: FrozenClock):  # type: ignore[no-untyped-def]
    application = create_app(make_config(database_url, instance_dir))
    application.extensions["portal.clock"] = clock
    yield application
    from portal.extensions import db

    with application.app_context():
        db.session.remove()
        wipe_database(db.engine)
        db.engine.dispose()  # close its pooled connections now, not at garbage collection


@pytest.fixture
def client(app):  # type: ignore[no-untyped-def]
    return app.test_client()  # https, because PREFERRED_URL_SCHEME follows PORTAL_PUBLIC_URL


@pytest.fixture
def dbs(app) -> Iterator[Session]:  # type: ignore[no-untyped-def]
    """A plain SQLAlchemy session on the app's engine, for arranging and checking data."""
    from portal.extensions import db

    # The app context is not kept pushed: a test's requests must each get their own `g` (a shared one
    # would carry CSRF tokens and the signed-in staff member from one request into the next).
    with app.app_context():
        engine = db.engine
    with Session(engine, expire_on_commit=False) as session:
        yield session


@pytest.fixture
def vault(app):  # type: ignore[no-untyped-def]
    return app.extensions["portal.vault"]


@pytest.fixture
def audit_key(app) -> bytes:  # type: ignore[no-untyped-def]
    return app.extensions["portal.audit_key"]


@pytest.fixture
def ctx_for(dbs, vault, audit_key, clock):  # type: ignore[no-untyped-def]
    """`ctx_for(actor=SYSTEM, db=None, now=None)`: the DomainContext for calling a service directly, on the
    test's session (or `db`), with the app's keys, at the frozen clock's current time (or `now`)."""
    from portal.services.audit import SYSTEM
    from tests.factories import context

    def make(actor=SYSTEM, *, db=None, now=None):  # type: ignore[no-untyped-def]
        return context(dbs if db is None else db, vault, audit_key, clock.now() if now is None else now, actor)

    return make


@pytest.fixture
def world(dbs, vault, audit_key):  # type: ignore[no-untyped-def]
    """The common cast (tests/factories.make_world), committed: a service with an admin, her worker and his
    facilitator, his programme, him, and her (active, always-open safe windows) linked to him."""
    from tests.factories import make_world

    made = make_world(dbs, vault, audit_key)
    dbs.commit()
    return made


@pytest.fixture
def sms_world(app, dbs, vault, audit_key):  # type: ignore[no-untyped-def]
    """The common cast with Twilio configured (webhooks are signed with tests/sms_support.AUTH_TOKEN) and her
    texts allowed."""
    from tests.factories import make_world
    from tests.sms_support import with_twilio

    with_twilio(app)
    made = make_world(dbs, vault, audit_key, prefs={"channel_sms": True})
    dbs.commit()
    return made


@pytest.fixture
def no_event_floor(app):  # type: ignore[no-untyped-def]
    """Programme reports answer at once (no constant-time response floor) so tests do not wait on it."""
    app.config["EVENT_RESPONSE_FLOOR_SECONDS"] = 0
    return app


@pytest.fixture
def engine(app):  # type: ignore[no-untyped-def]
    """The app's engine (for snapshots of every table)."""
    from portal.extensions import db

    with app.app_context():
        return db.engine


# DESIGN 8 (test time): browser and locale sweeps run on SQLite only. The PostgreSQL suite leaves out the tests
# marked `browser` (headless Chromium); every route they drive is also driven without a browser on both databases.
BROWSER_ON_SQLITE_ONLY = "browser tests run in the SQLite suite only (DESIGN 8, test time)"


def pytest_report_header(config: pytest.Config) -> str:
    return f"database: {BACKEND}" + (f"; {BROWSER_ON_SQLITE_ONLY}" if BACKEND == "postgresql" else "")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if BACKEND != "postgresql":
        return
    left_out = [item for item in items if item.get_closest_marker("browser")]
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = [item for item in items if not item.get_closest_marker("browser")]


@pytest.fixture(autouse=True, scope="session")
def argon2_at_owasps_minimum() -> Iterator[None]:
    """Staff passwords and her PIN are hashed with Argon2id at OWASP's minimum in the tests (19 MiB, t=2, p=1),
    as her plan's key is (tests/support.make_config): about 0.03 s a hash instead of 0.2-0.3 s, which was most of
    the time of every test that builds a world of staff or signs one in. The app keeps argon2-cffi's defaults
    (RFC 9106 low-memory: 64 MiB, t=3, p=4); a served app in these tests runs in this process, so it is the same."""
    from argon2 import PasswordHasher

    from portal.services.admin import staff_accounts
    from portal.services.her import her_access

    cheap = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(staff_accounts, "_hasher", cheap)
        patch.setattr(her_access, "_hasher", cheap)
        yield
