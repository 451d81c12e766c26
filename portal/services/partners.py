"""Her record: registration with encrypted fields, lookup by blind index, reading her details."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.crypto import Vault, normalise_email, normalise_phone
from portal.models import ConsentEvent, PartnerContact, PartnerStatus, Preferences
from portal.services.audit import Actor, record


@dataclass(frozen=True)
class PartnerDetails:
    id: uuid.UUID
    name: str | None
    phone: str | None
    email: str | None
    status: str
    locale: str
    timezone: str


def register_partner(db: Session, vault: Vault, audit_key: bytes, *, service_id: uuid.UUID,
                     worker_id: uuid.UUID | None, name: str, phone: str | None, email: str | None,
                     locale: str, timezone: str, region: str, consent_recorded_by: uuid.UUID | None,
                     consent_at: datetime | None, actor: Actor) -> PartnerContact:
    """Record her as her worker took her details; contact consent given by phone goes in the ledger."""
    partner = PartnerContact(id=uuid.uuid4(), service_id=service_id, worker_id=worker_id, locale=locale,
                             timezone=timezone, status=PartnerStatus.INVITED)
    vault.put(partner, "name_ct", name.strip())
    if phone:
        e164 = normalise_phone(phone, region)
        vault.put(partner, "phone_ct", e164)
        partner.phone_bidx = vault.index.phone(e164)
    if email:
        vault.put(partner, "email_ct", normalise_email(email))
        partner.email_bidx = vault.index.email(email)
    db.add(partner)
    db.add(Preferences(id=uuid.uuid4(), partner_id=partner.id))
    db.flush()
    if consent_recorded_by is not None:
        db.add(ConsentEvent(id=uuid.uuid4(), partner_id=partner.id, action="given", channel="worker",
                            text_version="phone-script-1", recorded_by_id=consent_recorded_by,
                            **({"occurred_at": consent_at} if consent_at else {})))
    record(db, audit_key, actor, "partner.create", "partner_contact", partner.id)
    return partner


def find_by_phone(db: Session, vault: Vault, e164: str) -> PartnerContact | None:
    """One indexed lookup, whatever the number of contacts; erased records are never found."""
    return db.scalar(
        select(PartnerContact)
        .where(PartnerContact.phone_bidx == vault.index.phone(e164), PartnerContact.erased_at.is_(None))
        .order_by(PartnerContact.created_at.desc())
        .limit(1)
    )


def read_details(db: Session, vault: Vault, audit_key: bytes, partner: PartnerContact, actor: Actor,
                 purpose: str) -> PartnerDetails:
    """Decrypt her details; every read by staff is audited (who, which record, why, never the values)."""
    if actor.kind == "staff":
        record(db, audit_key, actor, "partner.read", "partner_contact", partner.id, {"purpose": purpose})
    return PartnerDetails(partner.id, vault.get(partner, "name_ct"), vault.get(partner, "phone_ct"),
                          vault.get(partner, "email_ct"), partner.status, partner.locale, partner.timezone)
