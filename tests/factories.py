"""Builders for test data through the real services (encrypted fields, audit entries and all)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from portal.crypto import Vault
from portal.models import (
    Participant,
    PartnerContact,
    PartnerLink,
    PartnerStatus,
    Programme,
    ProgrammeMembership,
    Role,
    SafeWindow,
    StaffUser,
    SupportService,
    utcnow,
)
from portal.services.admin.staff_accounts import create_staff
from portal.services.audit import SYSTEM
from portal.services.her.partners import register_partner

STAFF_PASSWORD = "correct horse battery staple"


@dataclass
class World:
    service: SupportService
    admin: StaffUser
    worker: StaffUser
    facilitator: StaffUser
    programme: Programme
    participant: Participant
    partner: PartnerContact
    totp: dict[str, str]


def make_staff(db: Session, vault: Vault, audit_key: bytes, role: str, service_id: uuid.UUID | None,
               email: str | None = None, now: datetime | None = None) -> tuple[StaffUser, str]:
    made = create_staff(db, vault, audit_key, email=email or f"{role}-{uuid.uuid4().hex[:6]}@example.org",
                        display_name=role, role=role, password=STAFF_PASSWORD, service_id=service_id,
                        created_by=SYSTEM, now=now or utcnow())
    user = db.get(StaffUser, made.id)
    assert user is not None
    return user, made.totp_secret


def make_partner(db: Session, vault: Vault, audit_key: bytes, service: SupportService, worker: StaffUser | None,
                 *, name: str = "Sam Example", phone: str = "+447400123456", email: str | None = "sam@example.org",
                 locale: str = "en", timezone: str = "Europe/London", active: bool = True,
                 always_open: bool = True, now: datetime | None = None) -> PartnerContact:
    partner = register_partner(db, vault, audit_key, service_id=service.id,
                               worker_id=worker.id if worker else None, name=name, phone=phone, email=email,
                               locale=locale, timezone=timezone, region="GB",
                               consent_recorded_by=worker.id if worker else None, consent_at=None, actor=SYSTEM,
                               now=now or utcnow())
    if active:
        partner.status = PartnerStatus.ACTIVE
    if always_open:
        for weekday in range(7):
            db.add(SafeWindow(id=uuid.uuid4(), partner_id=partner.id, weekday=weekday, start_minute=0,
                              end_minute=1440))
    db.flush()
    return partner


def make_world(db: Session, vault: Vault, audit_key: bytes, now: datetime | None = None,
               partner_phone: str = "+447400123456") -> World:
    """One service with an admin, a worker and a facilitator; a programme; him; her, linked to him."""
    service = SupportService(id=uuid.uuid4(), name=f"Service {uuid.uuid4().hex[:4]}")
    db.add(service)
    db.flush()
    admin, admin_totp = make_staff(db, vault, audit_key, Role.ADMIN, service.id)
    worker, worker_totp = make_staff(db, vault, audit_key, Role.SUPPORT_WORKER, service.id)
    facilitator, fac_totp = make_staff(db, vault, audit_key, Role.FACILITATOR, service.id)
    programme = Programme(id=uuid.uuid4(), name="Programme", service_id=service.id)
    db.add(programme)
    db.flush()
    db.add(ProgrammeMembership(id=uuid.uuid4(), staff_id=worker.id, programme_id=programme.id,
                               role=Role.SUPPORT_WORKER))
    db.add(ProgrammeMembership(id=uuid.uuid4(), staff_id=facilitator.id, programme_id=programme.id,
                               role=Role.FACILITATOR))
    participant = Participant(id=uuid.uuid4(), programme_id=programme.id, reference=f"P-{uuid.uuid4().hex[:6]}")
    db.add(participant)
    partner = make_partner(db, vault, audit_key, service, worker, phone=partner_phone)
    db.add(PartnerLink(id=uuid.uuid4(), partner_id=partner.id, participant_id=participant.id))
    db.flush()
    return World(service, admin, worker, facilitator, programme, participant, partner,
                 {"admin": admin_totp, "worker": worker_totp, "facilitator": fac_totp})


def login_as(client, user: StaffUser) -> None:  # type: ignore[no-untyped-def]
    """Skip the sign-in form: bind a fully authenticated staff session (as the console's sign-in does)."""
    with client.session_transaction() as sess:
        sess.bind_staff(str(user.id))
        sess["epoch"] = user.session_epoch
        sess["mfa"] = True
