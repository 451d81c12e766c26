"""What a facilitator sees from the partner support service: the current risk notes about one participant.

The facilitator's one exception (DESIGN 8). Only a note's text and the day it was sent reach the page: the
query reads no column that points to her, her worker or her case (services/casework/risk_note.py writes them).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from portal.crypto import associated_data
from portal.models import RiskNote
from portal.services.context import DomainContext


@dataclass(frozen=True)
class ProgrammeNote:
    text: str
    sent_at: datetime


def for_participant(ctx: DomainContext, programme_id: uuid.UUID, participant_id: uuid.UUID) -> list[ProgrammeNote]:
    """The current (not withdrawn) notes about him, oldest first; reading them is audited (which participant,
    how many notes: nothing of her)."""
    rows = ctx.db.execute(select(RiskNote.id, RiskNote.text_ct, RiskNote.sent_at)
                          .where(RiskNote.participant_id == participant_id, RiskNote.programme_id == programme_id,
                                 RiskNote.withdrawn_at.is_(None))
                          .order_by(RiskNote.sent_at, RiskNote.id)).all()
    notes = [ProgrammeNote(ctx.vault.keyring.decrypt(
        text_ct, associated_data(RiskNote.__tablename__, "text_ct", note_id)), sent_at)
             for note_id, text_ct, sent_at in rows if text_ct is not None]
    if notes:
        ctx.audit("risk_note.read", "participant", participant_id, {"notes": len(notes)})
    return notes
