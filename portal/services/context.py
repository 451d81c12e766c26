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

from sqlalchemy.orm import Session

from portal.crypto import Vault
from portal.models import AuditEvent
from portal.services.audit import SYSTEM, Actor, record


@dataclass(frozen=True)
class DomainContext:
    db: Session
    vault: Vault
    audit_key: bytes
    now: datetime
    actor: Actor

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
