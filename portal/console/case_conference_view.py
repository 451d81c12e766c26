"""Her case page's risk-conference section: her referrals, and the latest assessment to build one from."""

from __future__ import annotations

from portal.models import PartnerContact
from portal.runtime import db_session, vault
from portal.services.casework import risk_assessment, risk_conference


def case_conference_view(partner: PartnerContact) -> dict[str, object]:
    """Her referrals, newest first (revoked ones too), and her latest assessment (None before the first)."""
    return {"referrals": risk_conference.referrals_of(db_session(), vault(), partner.id),
            "latest": next(iter(risk_assessment.history(db_session(), partner.id)), None)}
