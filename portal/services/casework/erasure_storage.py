"""After an erasure commits: make the database files give up what the transaction deleted.

SQLite: her rows were deleted or overwritten with `secure_delete` on (freed content is zeroed), but the
pages as they were before still sit in the write-ahead log until a checkpoint copies the new pages back
and the log is truncated. `PRAGMA wal_checkpoint(TRUNCATE)` does both; it cannot finish while another
connection is reading an older snapshot, so it is retried (bounded) until no reader holds the WAL.

PostgreSQL: `VACUUM` on her tables (outside any transaction) removes the dead row versions so their space
is reused. The server's WAL archive and base backups still hold the old pages until they expire: the README
states the retention window operations must keep.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from sqlalchemy.engine import Engine

log = logging.getLogger("portal.erasure")

CHECKPOINT_TRIES = 50
CHECKPOINT_PAUSE_SECONDS = 0.1


@dataclass(frozen=True)
class StorageCleanup:
    """What an erasure leaves for after its commit: the tables that held her rows."""

    tables: tuple[str, ...]


@dataclass(frozen=True)
class CleanupOutcome:
    done: bool
    tries: int
    detail: str


def _checkpoint(engine: Engine) -> CleanupOutcome:
    detail = ""
    for attempt in range(1, CHECKPOINT_TRIES + 1):
        with engine.connect() as conn:
            busy, log_frames, checkpointed = conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").one()
        if busy == 0 and log_frames == checkpointed:
            return CleanupOutcome(True, attempt, "wal truncated")
        detail = f"busy={busy} log={log_frames} checkpointed={checkpointed}"
        time.sleep(CHECKPOINT_PAUSE_SECONDS)
    log.error("erasure: the SQLite WAL could not be truncated after %d tries (%s); it is retried at the next "
              "erasure or when the last connection closes", CHECKPOINT_TRIES, detail)
    return CleanupOutcome(False, CHECKPOINT_TRIES, detail)


def _vacuum(engine: Engine, tables: tuple[str, ...]) -> CleanupOutcome:
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        preparer = engine.dialect.identifier_preparer
        conn.exec_driver_sql("VACUUM " + ", ".join(preparer.quote(name) for name in tables))
    return CleanupOutcome(True, 1, "vacuumed " + ",".join(tables))


def clean_storage(engine: Engine, cleanup: StorageCleanup) -> CleanupOutcome:
    """Run after the erasure's transaction has committed (never inside it)."""
    if engine.dialect.name == "sqlite":
        return _checkpoint(engine)
    if engine.dialect.name == "postgresql" and cleanup.tables:
        return _vacuum(engine, cleanup.tables)
    return CleanupOutcome(True, 0, "nothing to do")
