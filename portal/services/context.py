"""The one context a domain action runs in: its session, the vault, the audit key, the clock and who acts.

Views build it with portal.runtime.domain_context(actor); the CLI and the dispatcher build one per unit of
work. `now` is read once, so every row and every audit entry of one action carries the same time, and an
injected (or frozen) clock reaches all of them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, event, inspect
from sqlalchemy.orm import Session, UOWTransaction
from sqlalchemy.orm.attributes import flag_modified

from portal.crypto import Vault
from portal.models import AuditEvent
from portal.services.audit import SYSTEM, Actor, record

_NOW = "portal.now"  # Session.info key: the time of the context last built on that session


def _is_time(column: Any) -> bool:
    return isinstance(column.type, DateTime) or isinstance(getattr(column.type, "impl", None), DateTime)


def _stamp(session: Session, _flush: UOWTransaction, _instances: object) -> None:
    """Timestamps the models would fill from the wall clock (a `default` or `onupdate` of utcnow) take the
    context's time instead: a row inserted or updated in a domain action carries that action's `now`."""
    now = session.info.get(_NOW)
    if now is None:
        return
    for obj in session.new:
        for prop in inspect(obj).mapper.column_attrs:
            default = prop.columns[0].default
            if default is not None and default.is_callable and _is_time(prop.columns[0]) \
                    and getattr(obj, prop.key) is None:
                setattr(obj, prop.key, now)
    for obj in session.dirty:
        if not session.is_modified(obj, include_collections=False):
            continue
        state = inspect(obj)
        for prop in state.mapper.column_attrs:
            onupdate = prop.columns[0].onupdate
            if onupdate is not None and onupdate.is_callable and _is_time(prop.columns[0]) \
                    and not state.attrs[prop.key].history.has_changes():
                setattr(obj, prop.key, now)
                flag_modified(obj, prop.key)  # even when equal to the stored value: else `onupdate` would fire


@dataclass(frozen=True)
class DomainContext:
    db: Session
    vault: Vault
    audit_key: bytes
    now: datetime
    actor: Actor

    def __post_init__(self) -> None:
        # The session's rows written in this action are stamped with this context's time (see _stamp).
        self.db.info[_NOW] = self.now
        if not event.contains(self.db, "before_flush", _stamp):
            event.listen(self.db, "before_flush", _stamp)

    def on(self, db: Session) -> DomainContext:
        """The same context on another session (e.g. a tally committed on its own, whatever the request does)."""
        return replace(self, db=db)

    def acting_as(self, actor: Actor) -> DomainContext:
        """The same context with another actor (e.g. her, once a link has said whose it is)."""
        return replace(self, actor=actor)

    def audit(self, action: str, object_type: str | None = None, object_id: object = None,
              details: dict[str, Any] | None = None) -> AuditEvent:
        """Append to the audit chain as this context's actor, at this context's time."""
        return record(self.db, self.audit_key, self.actor, action, object_type, object_id, details, now=self.now)


@dataclass(frozen=True)
class UnitContexts:
    """One DomainContext per unit of work (the CLI, the dispatcher, a purge): the keys fixed, the clock read
    afresh for each unit, so every row and audit entry of one unit carries that unit's time."""

    vault: Vault
    audit_key: bytes
    clock: Callable[[], datetime]
    actor: Actor = SYSTEM

    def __call__(self, db: Session) -> DomainContext:
        return DomainContext(db, self.vault, self.audit_key, self.clock(), self.actor)
