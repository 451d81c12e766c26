"""Engine options per database: SQLite pragmas on every connection, psycopg 3 for PostgreSQL.

Concurrency on SQLite (WAL): reads never take the write lock (pysqlite starts a transaction only before the
first write), so a read page never waits for, or blocks, anyone. A unit of work that reads something and then
writes what depends on it (the audit chain head, a claim) calls `take_write_lock` first: on SQLite that is
`BEGIN IMMEDIATE`, so its reads are current and no other writer can slip in between; a writer waits for the
lock for up to BUSY_TIMEOUT_MS instead of failing. See README "Concurrency".
"""

from __future__ import annotations

import sqlite3
from typing import Any, cast

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from portal.extensions import db

# Generous: a writer queues behind others instead of failing (24 simultaneous writers on a loaded
# 2-core machine need well under a second each).
BUSY_TIMEOUT_MS = 30_000


def normalise_url(url: str) -> str:
    """Use the psycopg 3 driver for plain postgresql:// URLs."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA secure_delete=ON")  # deleted and overwritten content is zeroed, not left in free pages
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.close()


def harden_engine(engine: Engine) -> Engine:
    """Attach the per-connection SQLite settings (a no-op for other databases)."""
    if engine.dialect.name == "sqlite" and not event.contains(engine, "connect", _sqlite_pragmas):
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def take_write_lock(session: Session) -> None:
    """SQLite: hold the database write lock from here to commit (BEGIN IMMEDIATE), so what this unit of work
    reads next is current and stays current until it commits. Waits up to BUSY_TIMEOUT_MS for other writers.

    If the connection is already in a transaction, pysqlite began it just before a write, which means this
    connection already holds the write lock: nothing to do. PostgreSQL: a no-op (use row or advisory locks).
    """
    if session.get_bind().dialect.name != "sqlite":
        return
    conn = session.connection()
    if not cast(sqlite3.Connection, conn.connection.dbapi_connection).in_transaction:  # pysqlite
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def _release_request_session(response: Any) -> Any:
    """Give the request's connection back before the session cookie is saved.

    The session store writes through its own connection after every after_request hook; if the request's
    session still held one (a lazy load while rendering opens a new transaction), each request would need two
    connections at once and 24 simultaneous requests exhaust the pool (15) and wait on each other until the
    pool timeout (issue 9.5, PostgreSQL). Anything uncommitted is discarded here, exactly as at teardown.
    """
    db.session.close()
    return response


def configure_engine(app: Flask) -> None:
    url = normalise_url(app.config["PORTAL"].database_url)
    app.config["SQLALCHEMY_DATABASE_URI"] = url
    # hide_parameters: a failing statement's values never reach an exception message or a log line.
    options: dict[str, Any] = {"pool_pre_ping": True, "hide_parameters": True}
    if url.startswith("sqlite"):
        options["connect_args"] = {"timeout": BUSY_TIMEOUT_MS / 1000}
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options
    db.init_app(app)
    # Registered before every other after_request hook, so it runs last of them (Flask runs them in reverse).
    app.after_request(_release_request_session)
    with app.app_context():
        harden_engine(db.engine)
