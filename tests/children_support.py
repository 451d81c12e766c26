"""Helpers for the children, referral and sharing tests: her children, agreements and referrals made through the
real services (encrypted, audited), and the console forms as her worker fills them in."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from portal.models import ChildProtectionReferral, ChildRecord, PartnerContact, SharingConsentEvent, StaffUser
from portal.services.audit import Actor
from portal.services.casework import children, sharing_consent
from portal.services.casework.sharing_consent import Agency
from tests.factories import context
from tests.staff_console import csrf_from


def worker_ctx(dbs, vault, audit_key, now: datetime, worker: StaffUser):  # type: ignore[no-untyped-def]
    return context(dbs, vault, audit_key, now, Actor("staff", str(worker.id)))


def add_child(dbs, vault, audit_key, now: datetime, worker: StaffUser, partner: PartnerContact, first_name: str,
              *, age: str = "", birth_year: str = "", school: str = "", details: str = "") -> ChildRecord:
    return children.add_child(worker_ctx(dbs, vault, audit_key, now, worker), partner,
                              children.ChildInput(first_name, age, birth_year, school, details))


def agree(dbs, vault, audit_key, now: datetime, worker: StaffUser, partner: PartnerContact, kind: str, name: str,
          information: tuple[str, ...], how: str = "in_person") -> SharingConsentEvent:
    return sharing_consent.record_agreement(worker_ctx(dbs, vault, audit_key, now, worker), partner,
                                            agency=Agency(kind, name), information=information, how_given=how,
                                            occurred_at=now)


def refer(dbs, vault, audit_key, now: datetime, worker: StaffUser, partner: PartnerContact,
          kids: list[ChildRecord], *, agency: str = "childrens_services", agency_name: str = "",
          information: tuple[str, ...] = ("risk", "children"), basis: str = "child_protection",
          reason: str = "A child is at risk of significant harm.", outcome: str = "awaiting", notes: str = "",
          required_by_law: bool = False) -> ChildProtectionReferral:
    data = children.ReferralInput(now, agency, agency_name, tuple(str(kid.id) for kid in kids), information, basis,
                                  reason, outcome, notes, required_by_law)
    return children.record_referral(worker_ctx(dbs, vault, audit_key, now, worker), partner, data)


def post_page(client, path: str, data: dict[str, Any], page: str | None = None):  # type: ignore[no-untyped-def]
    """POST a console form (lists allowed as values), its CSRF token from `page` (default: `path`)."""
    token = csrf_from(client.get(page or path).data)
    return client.post(path, data={"csrf_token": token, **data})


def referral_form(**values: Any) -> dict[str, Any]:
    """A child-protection referral form as her worker fills it in (change any field by keyword)."""
    form: dict[str, Any] = {"referred_on": "2026-03-01", "agency": "childrens_services", "agency_name": "",
                            "children": [], "information": ["risk", "children"], "basis": "", "reason": "",
                            "outcome": "awaiting", "outcome_notes": ""}
    form.update(values)
    return form
