"""What her case page says of her risk notes to his programme (the notes themselves are on their own page)."""

from __future__ import annotations

from dataclasses import dataclass

from portal.models import PartnerContact
from portal.runtime import db_session, vault
from portal.services.casework import risk_note


@dataclass(frozen=True)
class CaseRiskNotes:
    """Whether her agreement covers a risk note now, and how many notes his programme sees now."""

    agreed: bool
    current: int


def case_risk_notes(partner: PartnerContact) -> CaseRiskNotes:
    db = db_session()
    agreed = risk_note.agreement(db, vault(), partner.id).covers(risk_note.INFORMATION)
    return CaseRiskNotes(agreed, risk_note.current_count(db, partner.id))
