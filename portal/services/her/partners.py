"""Her record: registration with encrypted fields, lookup by blind index, reading her details."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.crypto import Vault, normalise_email, normalise_phone
from portal.models import ActorKind, ConsentChannel, PartnerContact, PartnerStatus, Preferences
from portal.services.context import DomainContext
from portal.services.her import consent

# A live record may be acted on by what she texts: not erased, not closed (DESIGN 8).
NOT_LIVE = (PartnerStatus.CLOSED, PartnerStatus.ERASED)
PHONE_CONSENT_TEXT = "phone-script-1"


@dataclass(frozen=True)
class PartnerDetails:
    id: uuid.UUID
    name: str | None
    phone: str | None
    email: str | None
    status: str
    locale: str
    timezone: str


def register_partner(ctx: DomainContext, *, service_id: uuid.UUID, worker_id: uuid.UUID | None, name: str,
                     phone: str | None, email: str | None, locale: str, timezone: str, region: str,
                     consent_recorded_by: uuid.UUID | None, consent_at: datetime | None) -> PartnerContact:
    """Record her as her worker took her details; contact consent given by phone goes in the ledger."""
    db, vault = ctx.db, ctx.vault
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
    ctx.audit("partner.create", "partner_contact", partner.id)
    if consent_recorded_by is not None:  # she said yes on the phone to the worker recording her
        consent.give(ctx, partner, channel=ConsentChannel.WORKER, said_at=consent_at,
                     text_version=PHONE_CONSENT_TEXT, recorded_by=consent_recorded_by)
    return partner


def _with_number(db: Session, phone_bidx: str, *, service_id: uuid.UUID | None,
                 include_closed: bool) -> list[PartnerContact]:
    query = (select(PartnerContact)
             .where(PartnerContact.phone_bidx == phone_bidx, PartnerContact.erased_at.is_(None),
                    PartnerContact.status != PartnerStatus.ERASED)
             .order_by(PartnerContact.created_at.desc(), PartnerContact.id))
    if service_id is not None:
        query = query.where(PartnerContact.service_id == service_id)
    if not include_closed:
        query = query.where(PartnerContact.status.not_in(NOT_LIVE))
    return list(db.scalars(query))


def live_records_with_phone(db: Session, vault: Vault, e164: str) -> list[PartnerContact]:
    """Every live record with this number, in every service, newest first (what her texts act on)."""
    return _with_number(db, vault.index.phone(e164), service_id=None, include_closed=False)


def records_sharing_number(db: Session, partner: PartnerContact, *, include_closed: bool = False) -> list[PartnerContact]:
    """Every record (this one included) with her number, in every service: STOP and 21610 reach them all."""
    if partner.phone_bidx is None:
        return [partner]
    found = _with_number(db, partner.phone_bidx, service_id=None, include_closed=include_closed)
    return found if any(p.id == partner.id for p in found) else [partner, *found]


def find_in_service(db: Session, vault: Vault, e164: str, service_id: uuid.UUID) -> PartnerContact | None:
    """Her record in this service (closed ones too, never erased ones): a service looks only at its own."""
    found = _with_number(db, vault.index.phone(e164), service_id=service_id, include_closed=True)
    return found[0] if found else None


def find_by_phone(db: Session, vault: Vault, e164: str) -> PartnerContact | None:
    """The newest non-erased record with this number in ANY service: for checks only, never to act on her
    (her texts use live_records_with_phone, a service uses find_in_service)."""
    found = _with_number(db, vault.index.phone(e164), service_id=None, include_closed=True)
    return found[0] if found else None


def read_details(ctx: DomainContext, partner: PartnerContact, purpose: str) -> PartnerDetails:
    """Decrypt her details; every read by staff is audited (who, which record, why, never the values)."""
    vault = ctx.vault
    if ctx.actor.kind == ActorKind.STAFF:
        ctx.audit("partner.read", "partner_contact", partner.id, {"purpose": purpose})
    return PartnerDetails(partner.id, vault.get(partner, "name_ct"), vault.get(partner, "phone_ct"),
                          vault.get(partner, "email_ct"), partner.status, partner.locale, partner.timezone)
