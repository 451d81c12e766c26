"""Re-encrypt every encrypted column under the newest key, in small committed batches (safe to re-run)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from sqlalchemy import Column, ColumnElement, Table, func, or_, select, update
from sqlalchemy.orm import Session

from portal.crypto import Keyring, associated_data, header_for
from portal.models import Base


@dataclass(frozen=True)
class EncryptedTable:
    table: Table
    columns: list[Column]

    def stale(self, keyring: Keyring) -> ColumnElement[bool]:
        """Rows where some encrypted column was sealed under another key than the newest."""
        prefix = header_for(keyring.current_id)
        return or_(*[c.isnot(None) & (func.substr(c, 1, len(prefix)) != prefix) for c in self.columns])


def encrypted_tables() -> list[EncryptedTable]:
    """Every table with a column declared `encrypted()` in the models."""
    found = []
    for table in Base.metadata.sorted_tables:
        cols = [c for c in table.columns if c.info.get("encrypted")]
        if cols:
            found.append(EncryptedTable(table, cols))
    return found


def count_stale(db: Session, keyring: Keyring) -> int:
    return sum(db.scalar(select(func.count()).select_from(et.table).where(et.stale(keyring))) or 0
               for et in encrypted_tables())


def rotate(db_factory: Callable[[], Session], keyring: Keyring, batch: int = 200) -> Iterator[int]:
    """Yield the number of rows re-encrypted per committed batch until no row uses an older key."""
    for et in encrypted_tables():
        while True:
            with db_factory() as db, db.begin():
                rows = db.execute(select(et.table.c.id, *et.columns).where(et.stale(keyring)).limit(batch)).all()
                for row in rows:
                    values = {}
                    for col in et.columns:
                        blob = row._mapping[col.name]
                        if blob is not None and keyring.needs_rotation(blob):
                            aad = associated_data(et.table.name, col.name, row.id)
                            values[col.name] = keyring.encrypt(keyring.decrypt_bytes(blob, aad), aad)
                    db.execute(update(et.table).where(et.table.c.id == row.id).values(**values))
            if not rows:
                break
            yield len(rows)
