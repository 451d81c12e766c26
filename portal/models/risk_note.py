"""A risk note her worker sent, with her agreement, to the programme of the man linked to her case.

The facilitator's one exception (DESIGN 8): the only thing a facilitator can ever see that depends on her. The
facilitator's view reads `text_ct` and `sent_at` only (services/programme/partner_notes.py); `partner_id`,
`consent_entry_id` and the workers' columns are read on her worker's side alone.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from portal.models.base import Base, UUIDKey, encrypted, utcnow


class RiskNote(UUIDKey, Base):
    """Written only by services/casework/risk_note.py; a withdrawn note stays (withdrawn_at) and is shown to
    nobody on the programme's side."""

    __tablename__ = "risk_note"
    participant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("participant.id"), index=True)  # him
    programme_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("programme.id"))
    text_ct: Mapped[bytes | None] = encrypted()
    sent_at: Mapped[datetime]
    # Her worker's side only: whose case it came from and the agreement of hers that covered it.
    partner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("partner_contact.id"), index=True)
    consent_entry_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("sharing_consent_event.id"))
    sent_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff_user.id"))
    withdrawn_at: Mapped[datetime | None]
    withdrawn_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff_user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
