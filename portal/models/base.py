"""Declarative base: naming convention, UTC timestamps, client-generated UUID keys."""

from __future__ import annotations

import enum
import re
import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import CheckConstraint, DateTime, LargeBinary, MetaData, TypeDecorator, Uuid
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC in Python on every database (SQLite forgets the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; use an aware UTC datetime")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime(), uuid.UUID: Uuid(), bytes: LargeBinary()}


class UUIDKey:
    """A primary key the application knows before insert (encryption binds to it)."""

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)


def encrypted(**kwargs: Any) -> Mapped[bytes | None]:
    """An AES-GCM ciphertext column; rotate-keys finds every column declared with this."""
    return mapped_column(LargeBinary, nullable=True, info={"encrypted": True}, **kwargs)


_CODE = re.compile(r"[a-z][a-z0-9_]*")


def one_of(column: str, vocabulary: type[enum.StrEnum]) -> CheckConstraint:
    """CHECK (column IN (...every code of the vocabulary...)): the database refuses any other value.

    Named ck_<table>_<column> by the naming convention; a NULL passes (nullable columns stay nullable).
    """
    codes = [member.value for member in vocabulary]
    if not codes or not all(_CODE.fullmatch(code) for code in codes):
        raise ValueError(f"{vocabulary.__name__}: codes must be lower-case identifiers")
    return CheckConstraint(f"{column} IN ({', '.join(repr(code) for code in codes)})", name=column,
                           info={"vocabulary": vocabulary, "column": column})


def vocabularies(metadata: MetaData) -> dict[tuple[str, str], type[enum.StrEnum]]:
    """Every (table, column) stored with one_of, and its vocabulary."""
    return {(table.name, constraint.info["column"]): constraint.info["vocabulary"]
            for table in metadata.tables.values() for constraint in table.constraints
            if isinstance(constraint, CheckConstraint) and "vocabulary" in constraint.info}
