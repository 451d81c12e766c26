"""Demo data for `make run` and `flask demo`: one service, three staff, a programme, him, and her."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.crypto import Vault, hash_token, new_token
from portal.models import (
    AccessToken,
    ActorKind,
    ConsentChannel,
    NewsKind,
    Participant,
    PartnerContact,
    PartnerLink,
    PartnerStatus,
    Preferences,
    Programme,
    ProgrammeMembership,
    Role,
    SafeWindow,
    StaffUser,
    SupportService,
    Tell,
    TokenPurpose,
    WarningWording,
    Wording,
)
from portal.services.admin import deployment
from portal.services.admin.staff_accounts import create_staff
from portal.services.audit import Actor
from portal.services.context import DomainContext
from portal.services.her import consent
from portal.services.her.partners import register_partner

DEMO_PARTNER_NAME = "Alex Demo"
DEMO_PARTNER_PHONE = "+447400123456"  # libphonenumber's own example mobile number
DEMO_WORKER_PHONE = "+447400123457"  # the demo worker's number in her texts where she chose it
DEMO_PARTICIPANT_REF = "DEMO-0001"
# The demo deployment's child-protection steps (WWP EN B.2), shown on a task about a risk to children. A real
# deployment writes its own procedure in the admin's Settings; these are an example of the shape it takes.
DEMO_CHILD_PROTECTION_STEPS = "\n".join((
    "Demo steps: replace them with your service's own child-protection procedure (Settings).",
    "1. If a child is in danger now, call the police on 999.",
    "2. Tell your designated safeguarding lead today, and note on her case that you did.",
    "3. Refer to children's social care as your procedure says: a child-protection referral does not need "
    "her consent.",
    "4. When it is safe, tell her what you are doing and why, unless that would put her or the children at "
    "greater risk.",
    "5. Note the referral in her case's contact log.",
))
STAFF_EMAILS = {
    Role.ADMIN: "admin@example.org",
    Role.SUPPORT_WORKER: "worker@example.org",
    Role.FACILITATOR: "facilitator@example.org",
}


@dataclass(frozen=True)
class DemoCredentials:
    """What only exists in clear at seeding time; the caller keeps it (dev instance folder)."""

    api_token: str
    staff: list[dict[str, str]]


def is_seeded(db: Session) -> bool:
    return bool(db.scalar(select(func.count()).select_from(StaffUser)))


def demo_partner(db: Session, vault: Vault) -> PartnerContact | None:
    return db.scalar(select(PartnerContact).where(
        PartnerContact.phone_bidx == vault.index.phone(DEMO_PARTNER_PHONE)))


def seed(ctx: DomainContext) -> DemoCredentials:
    """The demo world, made by the context's actor (the system) at the context's time."""
    db, vault, now = ctx.db, ctx.vault, ctx.now
    service = SupportService(id=uuid.uuid4(), name="Demo support service")
    db.add(service)
    db.flush()
    staff: list[dict[str, str]] = []
    ids: dict[str, uuid.UUID] = {}
    for role, email in STAFF_EMAILS.items():
        password = secrets.token_urlsafe(15)
        made = create_staff(ctx, email=email, display_name=role.replace("_", " ").title(),
                            role=role, password=password, service_id=service.id)
        ids[role] = made.id
        staff.append({"role": role, "email": email, "password": password, "totp_secret": made.totp_secret})
    programme = Programme(id=uuid.uuid4(), name="Demo programme", service_id=service.id)
    db.add(programme)
    db.flush()
    for role in (Role.SUPPORT_WORKER, Role.FACILITATOR):
        db.add(ProgrammeMembership(id=uuid.uuid4(), staff_id=ids[role], programme_id=programme.id, role=role))
    participant = Participant(id=uuid.uuid4(), programme_id=programme.id, reference=DEMO_PARTICIPANT_REF,
                              created_by_id=ids[Role.FACILITATOR])
    db.add(participant)
    partner = register_partner(
        ctx, service_id=service.id, worker_id=ids[Role.SUPPORT_WORKER],
        name=DEMO_PARTNER_NAME, phone=DEMO_PARTNER_PHONE, email="alex.demo@example.org", locale="en",
        timezone="Europe/London", region="GB", consent_recorded_by=ids[Role.SUPPORT_WORKER], consent_at=now,
    )
    partner.status = PartnerStatus.ACTIVE
    db.add(PartnerLink(id=uuid.uuid4(), partner_id=partner.id, participant_id=participant.id,
                       created_by_id=ids[Role.SUPPORT_WORKER]))
    prefs = db.scalar(select(Preferences).where(Preferences.partner_id == partner.id))
    assert prefs is not None
    prefs.channel_sms = True
    prefs.channel_call = True
    prefs.serious_risk_any_time = True
    for field in ("tell_dropout", "tell_suspended", "tell_completed", "tell_risk"):
        setattr(prefs, field, Tell.BOTH)
    vault.put(prefs, "code_word_ct", "bluebell")
    # Her worker's number, added to the risk warning she chose it for (the others use the first neutral text).
    worker = db.get(StaffUser, ids[Role.SUPPORT_WORKER])
    assert worker is not None
    worker.callback_phone = DEMO_WORKER_PHONE
    db.add(WarningWording(id=uuid.uuid4(), partner_id=partner.id, kind=NewsKind.RISK, wording=Wording.NEUTRAL_2,
                          with_number=True))
    for weekday in range(7):
        db.add(SafeWindow(id=uuid.uuid4(), partner_id=partner.id, weekday=weekday, start_minute=0, end_minute=1440))
    consent.texts_chosen(ctx.acting_as(Actor(ActorKind.STAFF, str(ids[Role.SUPPORT_WORKER]))), partner, on=True,
                         channel=ConsentChannel.WORKER)
    api_token = new_token(32)
    db.add(AccessToken(id=uuid.uuid4(), purpose=TokenPurpose.API, token_hash=hash_token(api_token),
                       programme_id=programme.id, label="demo", created_by_id=ids[Role.ADMIN], created_at=now,
                       expires_at=now + timedelta(days=3650)))
    deployment.save(db, "child_protection_steps", DEMO_CHILD_PROTECTION_STEPS, updated_by=ids[Role.ADMIN])
    ctx.audit("demo.seed")
    db.flush()
    return DemoCredentials(api_token, staff)
