"""Admin: support services, programmes, who works in which programme (one role per person there), and when a
programme's evaluation stages fall due."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import (
    EvaluationStage,
    Programme,
    ProgrammeMembership,
    Role,
    StaffUser,
    StageAnchor,
    SupportService,
)
from portal.services.admin.admin_users import AdminError
from portal.services.admin.printable import printable
from portal.services.context import DomainContext
from portal.services.evaluation import stages

MEMBER_ROLES = (Role.SUPPORT_WORKER, Role.FACILITATOR)


def _name(value: str) -> str:
    name = (value or "").strip()
    if not 1 <= len(name) <= 200 or not printable(name):
        raise AdminError("name", "name")
    return name


def create_service(ctx: DomainContext, name: str) -> SupportService:
    service = SupportService(id=uuid.uuid4(), name=_name(name), created_at=ctx.now)
    ctx.db.add(service)
    ctx.db.flush()
    ctx.audit("service.create", "support_service", service.id)
    return service


def create_programme(ctx: DomainContext, name: str, service_id: uuid.UUID | None) -> Programme:
    if service_id is None or ctx.db.get(SupportService, service_id) is None:
        raise AdminError("service", "service")
    programme = Programme(id=uuid.uuid4(), name=_name(name), service_id=service_id, created_at=ctx.now)
    ctx.db.add(programme)
    ctx.db.flush()
    ctx.audit("programme.create", "programme", programme.id)
    return programme


def set_programme_active(ctx: DomainContext, programme: Programme, active: bool) -> None:
    if programme.is_active != active:
        programme.is_active = active
        ctx.audit("programme.activate" if active else "programme.deactivate", "programme", programme.id)


def add_member(ctx: DomainContext, programme: Programme, staff: StaffUser) -> ProgrammeMembership:
    """Add a worker or facilitator with their own role. Nobody can hold two roles in one programme."""
    if staff.role not in MEMBER_ROLES or not staff.is_active:
        raise AdminError("member_role", "staff")
    if staff.role == Role.SUPPORT_WORKER and staff.service_id != programme.service_id:
        raise AdminError("member_service", "staff")
    existing = ctx.db.scalar(select(ProgrammeMembership).where(ProgrammeMembership.staff_id == staff.id,
                                                           ProgrammeMembership.programme_id == programme.id))
    if existing is not None:
        raise AdminError("member_exists", "staff")
    membership = ProgrammeMembership(id=uuid.uuid4(), staff_id=staff.id, programme_id=programme.id,
                                     role=staff.role, created_at=ctx.now)
    ctx.db.add(membership)
    ctx.db.flush()
    ctx.audit("programme.member_add", "programme", programme.id, {"staff_id": str(staff.id), "role": staff.role})
    return membership


def remove_member(ctx: DomainContext, membership: ProgrammeMembership) -> None:
    ctx.audit("programme.member_remove", "programme", membership.programme_id,
              {"staff_id": str(membership.staff_id), "role": membership.role})
    ctx.db.delete(membership)
    ctx.db.flush()


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


# -- when her evaluation stages fall due, per programme (services/evaluation/stages.py owns the timing) -----------

@dataclass(frozen=True)
class StageRow:
    """One stage as the admin's form sends it: `offset_days` None when what was typed is not a whole number."""

    stage: str
    anchor: str
    offset_days: int | None
    enabled: bool


def stage_plan_problems(rows: Iterable[StageRow]) -> dict[str, str]:
    """What is wrong with each stage's row (stage -> code: "anchor", "number", "range"); every stage once."""
    rows = tuple(rows)
    problems: dict[str, str] = {}
    seen = [row.stage for row in rows]
    if sorted(seen) != sorted(EvaluationStage.ALL):
        return {"form": "stages"}
    for row in rows:
        if row.anchor not in tuple(StageAnchor):
            problems[row.stage] = "anchor"
        elif row.offset_days is None:
            problems[row.stage] = "number"
        elif not -stages.MAX_OFFSET_DAYS <= row.offset_days <= stages.MAX_OFFSET_DAYS:
            problems[row.stage] = "range"
    return problems


def set_stage_plan(ctx: DomainContext, programme: Programme, rows: Iterable[StageRow],
                   staff_id: uuid.UUID | None) -> int:
    """The programme's timing of its five stages, all or nothing (AdminError(code, stage) for the first row
    that cannot be used); only the stages that change are written and audited. Returns how many changed."""
    rows = tuple(rows)
    problems = stage_plan_problems(rows)
    if problems:
        field, code = next(iter(problems.items()))
        raise AdminError(code, field)
    current = {timing.stage: timing for timing in stages.programme_plan(ctx.db, programme.id)}
    changed = 0
    for row in rows:
        was = current[EvaluationStage(row.stage)]
        if (was.anchor, was.offset_days, was.enabled) == (row.anchor, row.offset_days, row.enabled):
            continue
        stages.set_stage_timing(ctx, programme.id, row.stage, anchor=row.anchor, offset_days=int(row.offset_days or 0),
                                enabled=row.enabled, staff_id=staff_id)
        changed += 1
    return changed
