"""The one place tests build their world: through the real services (encrypted fields, audit entries and all).

Each factory takes a session and returns the row it made (flushed, not committed): `make_service`, `make_staff`,
`make_programme`, `make_participant`, `make_partner` (with `prefs=` and `windows=`), `link`; `make_world` builds
the common cast from them, `served_world` does the same in a served app's database. The `world` and `sms_world`
fixtures in conftest.py are `make_world`, committed. `login_as` / `signed_in` give a signed-in test client.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.crypto import Vault
from portal.models import (
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
    utcnow,
)
from portal.services.admin.staff_accounts import create_staff
from portal.services.audit import SYSTEM, Actor
from portal.services.context import DomainContext
from portal.services.her.partners import register_partner

STAFF_PASSWORD = "correct horse battery staple"
EVERY_TELL = ("tell_dropout", "tell_suspended", "tell_completed", "tell_risk")  # every event she can be told of
ALWAYS_OPEN = [(weekday, 0, 1440) for weekday in range(7)]


def told_of_everything(how: str) -> dict[str, Any]:
    """`prefs=` for her: texts on, and every programme event told to her `how` (a Tell value)."""
    return {"channel_sms": True, **{name: how for name in EVERY_TELL}}


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


def context(db: Session, vault: Vault, audit_key: bytes, now: datetime | None = None,
            actor: Actor = SYSTEM) -> DomainContext:
    """The DomainContext a test hands to a service it calls directly (the `ctx_for` fixture fills in the
    test's session, keys and frozen clock)."""
    return DomainContext(db, vault, audit_key, now or utcnow(), actor)


def make_staff(db: Session, vault: Vault, audit_key: bytes, role: str, service_id: uuid.UUID | None,
               email: str | None = None, now: datetime | None = None) -> tuple[StaffUser, str]:
    made = create_staff(context(db, vault, audit_key, now),
                        email=email or f"{role}-{uuid.uuid4().hex[:6]}@example.org",
                        display_name=role, role=role, password=STAFF_PASSWORD, service_id=service_id)
    user = db.get(StaffUser, made.id)
    assert user is not None
    return user, made.totp_secret


def make_service(db: Session, name: str | None = None) -> SupportService:
    service = SupportService(id=uuid.uuid4(), name=name or f"Service {uuid.uuid4().hex[:4]}")
    db.add(service)
    db.flush()
    return service


def make_programme(db: Session, service: SupportService, name: str = "Programme",
                   members: Iterable[StaffUser] = ()) -> Programme:
    """His programme in the service, with the given staff as members (in their own role)."""
    programme = Programme(id=uuid.uuid4(), name=name, service_id=service.id)
    db.add(programme)
    db.flush()
    for staff in members:
        db.add(ProgrammeMembership(id=uuid.uuid4(), staff_id=staff.id, programme_id=programme.id, role=staff.role))
    db.flush()
    return programme


def make_participant(db: Session, programme: Programme, reference: str | None = None) -> Participant:
    participant = Participant(id=uuid.uuid4(), programme_id=programme.id,
                              reference=reference or f"P-{uuid.uuid4().hex[:6]}")
    db.add(participant)
    db.flush()
    return participant


def link(db: Session, partner: PartnerContact, participant: Participant) -> PartnerLink:
    """Her record linked to him."""
    row = PartnerLink(id=uuid.uuid4(), partner_id=partner.id, participant_id=participant.id)
    db.add(row)
    db.flush()
    return row


def set_prefs(db: Session, partner_id: uuid.UUID, **values: Any) -> Preferences:
    """Change her preferences row (made with her record) directly: `channel_sms=True, tell_dropout=...`."""
    row = db.scalar(select(Preferences).where(Preferences.partner_id == partner_id))
    assert row is not None
    for name, value in values.items():
        setattr(row, name, value)
    return row


def set_windows(db: Session, partner_id: uuid.UUID, windows: Iterable[tuple[int, int, int]]) -> None:
    """Replace her safe windows with (weekday, start_minute, end_minute) triples."""
    for old in db.scalars(select(SafeWindow).where(SafeWindow.partner_id == partner_id)):
        db.delete(old)
    for weekday, start, end in windows:
        db.add(SafeWindow(id=uuid.uuid4(), partner_id=partner_id, weekday=weekday, start_minute=start,
                          end_minute=end))


def make_partner(db: Session, vault: Vault, audit_key: bytes, service: SupportService, worker: StaffUser | None,
                 *, name: str = "Sam Example", phone: str = "+447400123456", email: str | None = "sam@example.org",
                 locale: str = "en", timezone: str = "Europe/London", active: bool = True,
                 always_open: bool = True, prefs: dict[str, Any] | None = None,
                 windows: Iterable[tuple[int, int, int]] | None = None,
                 now: datetime | None = None) -> PartnerContact:
    """Her record, registered by her worker. Safe windows: `windows` if given, else always open (or none);
    `prefs` sets fields of her preferences (e.g. `{"channel_sms": True}`)."""
    partner = register_partner(context(db, vault, audit_key, now), service_id=service.id,
                               worker_id=worker.id if worker else None, name=name, phone=phone, email=email,
                               locale=locale, timezone=timezone, region="GB",
                               consent_recorded_by=worker.id if worker else None, consent_at=None)
    if active:
        partner.status = PartnerStatus.ACTIVE
    if windows is not None or always_open:
        set_windows(db, partner.id, ALWAYS_OPEN if windows is None else windows)
    if prefs:
        db.flush()
        set_prefs(db, partner.id, **prefs)
    db.flush()
    return partner


def make_world(db: Session, vault: Vault, audit_key: bytes, now: datetime | None = None,
               partner_phone: str = "+447400123456", *, status: str | None = None, **partner: Any) -> World:
    """One service with an admin, a worker and a facilitator; a programme; him; her, linked to him.
    `status` is her record's status (default active); other keywords go to `make_partner` (prefs=, windows=...)."""
    service = make_service(db)
    admin, admin_totp = make_staff(db, vault, audit_key, Role.ADMIN, service.id)
    worker, worker_totp = make_staff(db, vault, audit_key, Role.SUPPORT_WORKER, service.id)
    facilitator, fac_totp = make_staff(db, vault, audit_key, Role.FACILITATOR, service.id)
    programme = make_programme(db, service, members=(worker, facilitator))
    participant = make_participant(db, programme)
    her = make_partner(db, vault, audit_key, service, worker, phone=partner_phone, **partner)
    if status is not None:
        her.status = status
    link(db, her, participant)
    return World(service, admin, worker, facilitator, programme, participant, her,
                 {"admin": admin_totp, "worker": worker_totp, "facilitator": fac_totp})


def served_world(live: Any, **world: Any) -> World:
    """`make_world` in a served app's database (tests/served.py's live server), committed."""
    with live.db() as session:
        made = make_world(session, live.vault, live.audit_key, **world)
        session.commit()
    return made


def reloaded(db: Session, row: Any) -> Any:
    """The row as the database has it now (after requests in other sessions changed it)."""
    db.expire_all()
    fresh = db.get(type(row), row.id)
    assert fresh is not None
    return fresh


def login_as(client, user: StaffUser) -> None:  # type: ignore[no-untyped-def]
    """Skip the sign-in form: bind a fully authenticated staff session (as the console's sign-in does)."""
    with client.session_transaction() as sess:
        sess.bind_staff(str(user.id))
        sess["epoch"] = user.session_epoch
        sess["mfa"] = True


def signed_in(app, user: StaffUser):  # type: ignore[no-untyped-def]
    """A new test client of `app`, signed in as `user` (see `login_as`)."""
    client = app.test_client()
    login_as(client, user)
    return client
