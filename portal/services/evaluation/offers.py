"""Her evaluation offers: the one owner of offering a stage to her (see the module's functions).

`cancel_offers` ends every stage not yet answered: her no to evaluation questions, her stop, her erasure.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, update
from sqlalchemy.orm import Session

from portal.models import EvaluationOffer, OfferState

OPEN_STATES = (OfferState.PENDING, OfferState.OFFERED)


def cancel_offers(db: Session, partner_id: uuid.UUID, now: datetime) -> int:
    """Every open offer of hers is cancelled (never offered again); returns how many."""
    stmt = (update(EvaluationOffer)
            .where(EvaluationOffer.partner_id == partner_id, EvaluationOffer.state.in_(OPEN_STATES))
            .values(state=OfferState.CANCELLED, closed_at=now))
    return cast("CursorResult[Any]", db.execute(stmt)).rowcount or 0
