"""The one context a domain action runs in: its session, the vault, the audit key, the clock and who acts.

Views build it with portal.runtime.domain_context(actor); the CLI and the dispatcher build one per unit of
work. `now` is read once, so every row and every audit entry of one action carries the same time, and an
injected (or frozen) clock reaches all of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from portal.crypto import Vault
from portal.models import AuditEvent
from portal.services.audit import Actor, record


@dataclass(frozen=True)
class DomainContext:
    db: Session
    vault: Vault
    audit_key: bytes
    now: datetime
    actor: Actor

    def audit(self, action: str, object_type: str | None = None, object_id: object = None,
              details: dict[str, Any] | None = None) -> AuditEvent:
        """Append to the audit chain as this context's actor, at this context's time."""
        return record(self.db, self.audit_key, self.actor, action, object_type, object_id, details, now=self.now)
