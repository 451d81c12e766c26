"""When each evaluation stage falls due: the one owner of stage timing (WWP EN B.6, the Impact Toolkit's stages).

A stage counts from one of his programme dates, as his facilitator gives them on his record
(`Participant.started_on`, `expected_end_on`) and as programme events show (his actual end: the first
completed, programme-ended or dropout event; a dropout ends his programme early, and her later stages still
count from that day):

- start: his start date;
- middle: halfway between his start and his end (his actual end if he has one, else his expected end);
- end: his actual end, else his expected end.

By default (DEFAULT_PLAN): intake 7 days after his start, middle at halfway, end on his end date, six and
twelve months after his end. A programme may change a stage's anchor and offset, or switch a stage off
(`StagePlan` rows, changed by an admin through `set_stage_timing`, audited). A stage whose date cannot be
known yet (no start date, or no end in sight) is not due; each stage stays optional for her whatever its date.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.domain_error import DomainError
from portal.models import EvaluationStage, EventKind, Participant, ProgrammeEvent, StageAnchor, StagePlan
from portal.services.context import DomainContext

MAX_OFFSET_DAYS = 3 * 366  # three years either side of the anchor date
ENDING_EVENTS = (EventKind.COMPLETED, EventKind.PROGRAMME_ENDED, EventKind.DROPOUT)


@dataclass(frozen=True)
class StageTiming:
    stage: EvaluationStage
    anchor: StageAnchor
    offset_days: int
    enabled: bool = True


DEFAULT_PLAN: tuple[StageTiming, ...] = (
    StageTiming(EvaluationStage.INTAKE, StageAnchor.START, 7),
    StageTiming(EvaluationStage.MIDDLE, StageAnchor.MIDDLE, 0),
    StageTiming(EvaluationStage.END, StageAnchor.END, 0),
    StageTiming(EvaluationStage.AFTER_6, StageAnchor.END, 182),
    StageTiming(EvaluationStage.AFTER_12, StageAnchor.END, 365),
)


@dataclass(frozen=True)
class ProgrammeDates:
    started_on: date | None
    expected_end_on: date | None
    ended_on: date | None  # his actual end (completed, ended or dropped out), if any

    @property
    def end(self) -> date | None:
        return self.ended_on or self.expected_end_on

    @property
    def middle(self) -> date | None:
        if self.started_on is None or self.end is None or self.end < self.started_on:
            return None
        return self.started_on + (self.end - self.started_on) / 2

    def anchor(self, anchor: StageAnchor) -> date | None:
        return {StageAnchor.START: self.started_on, StageAnchor.MIDDLE: self.middle,
                StageAnchor.END: self.end}[anchor]


def programme_plan(db: Session, programme_id: uuid.UUID) -> tuple[StageTiming, ...]:
    """The programme's timing of every stage, in stage order: its own where it set one, else the default."""
    own = {row.stage: row for row in db.scalars(select(StagePlan).where(StagePlan.programme_id == programme_id))}
    plan: list[StageTiming] = []
    for default in DEFAULT_PLAN:
        row = own.get(default.stage)
        plan.append(default if row is None else
                    StageTiming(default.stage, StageAnchor(row.anchor), row.offset_days, row.enabled))
    return tuple(plan)


def his_dates(db: Session, participant: Participant, zone: ZoneInfo) -> ProgrammeDates:
    """His programme dates: as his facilitator gave them, and his actual end from the first ending event (its
    date on the service's clock, `zone`: PORTAL_DEFAULT_TIMEZONE)."""
    ended_at = db.scalar(select(ProgrammeEvent.occurred_at)
                         .where(ProgrammeEvent.participant_id == participant.id,
                                ProgrammeEvent.kind.in_(ENDING_EVENTS))
                         .order_by(ProgrammeEvent.occurred_at).limit(1))
    ended_on = ended_at.astimezone(zone).date() if ended_at is not None else None
    return ProgrammeDates(participant.started_on, participant.expected_end_on, ended_on)


def due_dates(plan: tuple[StageTiming, ...], dates: ProgrammeDates) -> dict[EvaluationStage, date | None]:
    """Each enabled stage's due date (None while its anchor date is not known); switched-off stages absent."""
    due: dict[EvaluationStage, date | None] = {}
    for timing in plan:
        if not timing.enabled:
            continue
        anchor = dates.anchor(timing.anchor)
        due[timing.stage] = None if anchor is None else anchor + timedelta(days=timing.offset_days)
    return due


def set_stage_timing(ctx: DomainContext, programme_id: uuid.UUID, stage: str, *, anchor: str, offset_days: int,
                     enabled: bool, staff_id: uuid.UUID | None) -> StageTiming:
    """A programme's own timing of one stage (an admin's change, audited; the codes and numbers only)."""
    try:
        timing = StageTiming(EvaluationStage(stage), StageAnchor(anchor), offset_days, enabled)
    except ValueError as exc:
        raise DomainError("evaluation.stage_unknown") from exc
    if isinstance(offset_days, bool) or not -MAX_OFFSET_DAYS <= offset_days <= MAX_OFFSET_DAYS:
        raise DomainError("evaluation.offset_out_of_range")
    row = ctx.db.scalar(select(StagePlan).where(StagePlan.programme_id == programme_id, StagePlan.stage == stage))
    if row is None:
        row = StagePlan(programme_id=programme_id, stage=stage, anchor=anchor, offset_days=offset_days,
                        enabled=enabled)
        ctx.db.add(row)
    row.anchor, row.offset_days, row.enabled, row.updated_by_id = anchor, offset_days, enabled, staff_id
    ctx.db.flush()
    ctx.audit("evaluation.stage_timing_set", "programme", programme_id,
              {"stage": stage, "anchor": anchor, "offset_days": offset_days, "enabled": enabled})
    return timing
