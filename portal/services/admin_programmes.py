"""Admin: support services, programmes, and who works in which programme (one role per person there)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import Programme, ProgrammeMembership, Role, StaffUser, SupportService
from portal.services.admin_users import AdminError
from portal.services.audit import Actor, record

MEMBER_ROLES = (Role.SUPPORT_WORKER, Role.FACILITATOR)


def _name(value: str) -> str:
    name = (value or "").strip()
    if not 1 <= len(name) <= 200 or not name.isprintable():
        raise AdminError("name", "name")
    return name


def create_service(db: Session, audit_key: bytes, name: str, *, actor: Actor, now: datetime) -> SupportService:
    service = SupportService(id=uuid.uuid4(), name=_name(name), created_at=now)
    db.add(service)
    db.flush()
    record(db, audit_key, actor, "service.create", "support_service", service.id, now=now)
    return service


def create_programme(db: Session, audit_key: bytes, name: str, service_id: uuid.UUID | None, *, actor: Actor,
                     now: datetime) -> Programme:
    if service_id is None or db.get(SupportService, service_id) is None:
        raise AdminError("service", "service")
    programme = Programme(id=uuid.uuid4(), name=_name(name), service_id=service_id, created_at=now)
    db.add(programme)
    db.flush()
    record(db, audit_key, actor, "programme.create", "programme", programme.id, now=now)
    return programme


def set_programme_active(db: Session, audit_key: bytes, programme: Programme, active: bool, *, actor: Actor,
                         now: datetime) -> None:
    if programme.is_active != active:
        programme.is_active = active
        record(db, audit_key, actor, "programme.activate" if active else "programme.deactivate", "programme",
               programme.id, now=now)


def add_member(db: Session, audit_key: bytes, programme: Programme, staff: StaffUser, *, actor: Actor,
               now: datetime) -> ProgrammeMembership:
    """Add a worker or facilitator with their own role. Nobody can hold two roles in one programme."""
    if staff.role not in MEMBER_ROLES or not staff.is_active:
        raise AdminError("member_role", "staff")
    if staff.role == Role.SUPPORT_WORKER and staff.service_id != programme.service_id:
        raise AdminError("member_service", "staff")
    existing = db.scalar(select(ProgrammeMembership).where(ProgrammeMembership.staff_id == staff.id,
                                                           ProgrammeMembership.programme_id == programme.id))
    if existing is not None:
        raise AdminError("member_exists", "staff")
    membership = ProgrammeMembership(id=uuid.uuid4(), staff_id=staff.id, programme_id=programme.id,
                                     role=staff.role, created_at=now)
    db.add(membership)
    db.flush()
    record(db, audit_key, actor, "programme.member_add", "programme", programme.id,
           {"staff_id": str(staff.id), "role": staff.role}, now=now)
    return membership


def remove_member(db: Session, audit_key: bytes, membership: ProgrammeMembership, *, actor: Actor,
                  now: datetime) -> None:
    record(db, audit_key, actor, "programme.member_remove", "programme", membership.programme_id,
           {"staff_id": str(membership.staff_id), "role": membership.role}, now=now)
    db.delete(membership)
    db.flush()


def overview(db: Session) -> list[tuple[Programme, str, list[tuple[ProgrammeMembership, StaffUser]]]]:
    """Every programme with its service's name and its members."""
    services = {s.id: s.name for s in db.scalars(select(SupportService))}
    members: dict[uuid.UUID, list[tuple[ProgrammeMembership, StaffUser]]] = {}
    for membership, staff in db.execute(select(ProgrammeMembership, StaffUser)
                                        .join(StaffUser, StaffUser.id == ProgrammeMembership.staff_id)
                                        .order_by(StaffUser.display_name)):
        members.setdefault(membership.programme_id, []).append((membership, staff))
    return [(p, services.get(p.service_id, ""), members.get(p.id, []))
            for p in db.scalars(select(Programme).order_by(Programme.name))]
