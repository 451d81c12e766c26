"""What her case page shows of her never-disclose fields, her children, referrals and sharing (no hidden value)."""

from __future__ import annotations

from dataclasses import dataclass

from portal.models import PartnerContact
from portal.runtime import db_session, now, vault
from portal.services.casework import children, never_disclose, sharing_consent
from portal.services.casework.children import ChildView, ReferralView


@dataclass(frozen=True)
class CaseChildren:
    guarded: dict[str, never_disclose.Guarded]  # her case's fields, hidden ones without their value
    children: list[tuple[ChildView, dict[str, never_disclose.Guarded]]]
    referrals: list[ReferralView]
    sharing: list[sharing_consent.AgencyState]
    revealed: never_disclose.Revealed | None


def case_children_view(partner: PartnerContact, revealed: never_disclose.Revealed | None) -> CaseChildren:
    db, keys, moment = db_session(), vault(), now()
    kids = [(child, never_disclose.child_fields(child.record, revealed))
            for child in children.children_of(db, keys, partner.id, moment)]
    return CaseChildren(never_disclose.case_fields(db, keys, partner, revealed), kids,
                        children.referrals_of(db, keys, partner.id, moment),
                        sharing_consent.current(db, keys, partner.id), revealed)
