"""Her risk assessment (WWP EN B.4): checked, scored by the checklist's rules, stored dated and append-only.

The one owner of these rules:
- every item is answered yes, no or not known; only "yes" counts (not known is never a yes);
- `high_from_yes` "yes" answers or more is high risk (DASH: 14), `medium_from_yes` or more is medium (this
  project's middle band, set in the checklist file; without it a checklist scores standard or high);
- her worker's professional judgement can raise the level and can never lower it: a judgement below the
  score is refused, and raising it needs a reason;
- potential escalation: `escalation_incidents` incidents (DASH: 3) within `escalation_months` (12) before
  the assessment: the incidents she can date that fall inside that window, plus those she cannot date;
- an assessment is never changed: a re-assessment is a new row; recording one and reading what she said
  are audited (codes and record numbers only);
- prompts to re-assess her case: a task saying something changed (she feels less safe, she is separating,
  the programme reports a risk or a dropout, her check-in signals a concern) that came after her last
  assessment, or a last assessment older than the deployment's interval (admin setting risk_reassess_days).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.digits import parse_digits
from portal.domain_error import DomainError
from portal.models import (
    PartnerContact,
    RiskAnswer,
    RiskAssessment,
    RiskLevel,
    StaffUser,
    Task,
    TaskKind,
)
from portal.services.casework.high_risk import add_months
from portal.services.casework.risk_checklist import Checklist, ScoringRules
from portal.services.context import DomainContext

ANSWERS = tuple(RiskAnswer)
JUDGEMENTS = (RiskLevel.MEDIUM, RiskLevel.HIGH)  # what judgement can raise to (standard raises nothing)
TEXT_MAX = 4000
UNDATED_MAX = 999
DATES_MAX = 20
EARLIEST = date(1900, 1, 1)
DEFAULT_REASSESS_DAYS = 90
REASSESS_DAYS = (7, 365)
# Tasks that say something changed for her: each prompts a re-assessment until a newer assessment exists.
REASSESS_AFTER = (TaskKind.HER_LESS_SAFE, TaskKind.HER_SEPARATION, TaskKind.EVENT_RISK, TaskKind.EVENT_DROPOUT,
                  TaskKind.HER_CHECKIN_CONCERN)


class AssessmentRefused(DomainError):
    """The assessment cannot be recorded: `problems` maps each field at fault to a code (the console words
    them); `code` and `field` are the first of them."""

    def __init__(self, problems: Mapping[str, str]) -> None:
        first = next(iter(problems.items()))
        super().__init__(first[1], first[0])
        self.problems = dict(problems)


def answer_field(code: str) -> str:
    """The form field (and problem key) of one checklist item."""
    return f"answer_{code}"


@dataclass(frozen=True)
class AssessmentInput:
    """What her worker sent: raw answers by item code, typed dates (the view parses the date controls)."""

    answers: Mapping[str, str]
    fears: str = ""
    judgement: str = ""
    judgement_reason: str = ""
    incident_dates: Sequence[date] = ()
    undated_incidents: str = ""
    checklist_stamp: str = ""


@dataclass(frozen=True)
class Score:
    yes: int
    not_known: int
    scored_level: RiskLevel
    judgement_level: RiskLevel | None
    level: RiskLevel
    incidents: int
    escalation: bool


def level_for(yes: int, rules: ScoringRules) -> RiskLevel:
    """The level the answers give: high from `high_from_yes`, medium from `medium_from_yes` (if the checklist
    has a middle band), else standard."""
    if yes >= rules.high_from_yes:
        return RiskLevel.HIGH
    if rules.medium_from_yes is not None and yes >= rules.medium_from_yes:
        return RiskLevel.MEDIUM
    return RiskLevel.STANDARD


def judged_level(scored: RiskLevel, judgement: RiskLevel | None) -> RiskLevel:
    """The level after her worker's judgement: raised, or the score. A judgement below it raises
    AssessmentRefused (judgement can only raise)."""
    if judgement is None:
        return scored
    if RiskLevel.ALL.index(judgement) < RiskLevel.ALL.index(scored):
        raise AssessmentRefused({"judgement": "judgement_lowers"})
    return judgement


def window_start(as_of: date, rules: ScoringRules) -> date:
    """The first day of the escalation window ending on `as_of` (12 months: the same day a year earlier is
    outside it, the day after is inside)."""
    return add_months(datetime.combine(as_of, time()), -rules.escalation_months).date() + timedelta(days=1)


def incidents_within(dates: Sequence[date], undated: int, as_of: date, rules: ScoringRules) -> int:
    """The incidents of the escalation window: the dated ones inside it, plus those she could not date."""
    start = window_start(as_of, rules)
    return sum(1 for day in dates if start <= day <= as_of) + undated


def escalation(incidents: int, rules: ScoringRules) -> bool:
    return incidents >= rules.escalation_incidents


def _text(value: str, field: str, problems: dict[str, str]) -> str:
    text = (value or "").replace("\r\n", "\n").strip()
    if len(text) > TEXT_MAX:
        problems[field] = "text_too_long"
    elif any(not (ch.isprintable() or ch in "\n\t") for ch in text):
        problems[field] = "text_invalid"
    return text


@dataclass(frozen=True)
class Checked:
    answers: dict[str, RiskAnswer]
    fears: str
    judgement: RiskLevel | None
    judgement_reason: str
    incident_dates: tuple[date, ...]
    undated: int
    score: Score


def check(checklist: Checklist, entry: AssessmentInput, *, today: date) -> tuple[Checked | None, dict[str, str]]:
    """Every problem of the form at once (field -> code), and the checked assessment when there are none."""
    problems: dict[str, str] = {}
    if entry.checklist_stamp and entry.checklist_stamp != checklist.stamp:
        problems["form"] = "checklist_changed"
    answers: dict[str, RiskAnswer] = {}
    for code in checklist.codes:
        raw = entry.answers.get(code, "")
        if raw in ANSWERS:
            answers[code] = RiskAnswer(raw)
        else:
            problems[answer_field(code)] = "answer_invalid" if raw else "answer_required"
    fears = _text(entry.fears, "fears", problems)
    reason = _text(entry.judgement_reason, "judgement_reason", problems)
    judgement: RiskLevel | None = None
    if entry.judgement:
        if entry.judgement in JUDGEMENTS:
            judgement = RiskLevel(entry.judgement)
            if not reason and "judgement_reason" not in problems:
                problems["judgement_reason"] = "judgement_reason_required"
        else:
            problems["judgement"] = "judgement_invalid"
    dates = tuple(sorted(entry.incident_dates))
    if len(dates) > DATES_MAX:
        problems["incident_dates"] = "incident_dates_too_many"
    elif any(day > today for day in dates):
        problems["incident_dates"] = "incident_date_future"
    elif any(day < EARLIEST for day in dates):
        problems["incident_dates"] = "incident_date_invalid"
    raw_undated = (entry.undated_incidents or "").strip()
    digits = parse_digits(raw_undated) if raw_undated else "0"
    undated = int(digits) if digits is not None and len(digits) <= 3 else -1
    if not 0 <= undated <= UNDATED_MAX:
        problems["undated_incidents"] = "incidents_invalid"
    score = None
    if len(answers) == len(checklist.codes):
        yes = sum(1 for answer in answers.values() if answer == RiskAnswer.YES)
        scored = level_for(yes, checklist.rules)
        try:
            level = judged_level(scored, judgement)
        except AssessmentRefused as refused:
            problems.update(refused.problems)
            level = scored
        count = incidents_within(dates, max(undated, 0), today, checklist.rules)
        score = Score(yes, sum(1 for a in answers.values() if a == RiskAnswer.NOT_KNOWN), scored, judgement, level,
                      count, escalation(count, checklist.rules))
    if problems or score is None:
        return None, problems
    return Checked(answers, fears, judgement, reason, dates, undated, score), {}


def record_assessment(ctx: DomainContext, partner: PartnerContact, worker: StaffUser, checklist: Checklist,
           entry: AssessmentInput, *, today: date) -> RiskAssessment:
    """Store a new assessment of her case by `worker`, dated now (AssessmentRefused with every problem).

    `today` is the day on the worker's clock that the escalation window ends on."""
    checked, problems = check(checklist, entry, today=today)
    if checked is None:
        raise AssessmentRefused(problems)
    score = checked.score
    row = RiskAssessment(
        id=uuid.uuid4(), partner_id=partner.id, assessed_by_id=worker.id, assessed_at=ctx.now,
        checklist_id=checklist.id, checklist_version=checklist.version, item_count=len(checklist.items),
        yes_count=score.yes, not_known_count=score.not_known, scored_level=score.scored_level,
        judgement_level=score.judgement_level, level=score.level, incidents_12m=score.incidents,
        escalation=score.escalation, created_at=ctx.now)
    said = {"answers": {code: str(answer) for code, answer in checked.answers.items()},
            "incident_dates": [day.isoformat() for day in checked.incident_dates], "undated": checked.undated,
            "window_from": window_start(today, checklist.rules).isoformat()}
    ctx.vault.put(row, "answers_ct", json.dumps(said, sort_keys=True))
    ctx.vault.put(row, "fears_ct", checked.fears or None)
    ctx.vault.put(row, "judgement_ct", checked.judgement_reason or None)
    ctx.db.add(row)
    ctx.db.flush()
    ctx.audit("risk_assessment.create", "risk_assessment", row.id, {"checklist": checklist.stamp})
    return row


@dataclass(frozen=True)
class AssessmentRow:
    """One assessment as lists and the trend show it (nothing decrypted)."""

    id: uuid.UUID
    assessed_at: datetime
    assessed_by: str
    checklist: str
    item_count: int
    yes_count: int
    not_known_count: int
    scored_level: str
    judgement_level: str | None
    level: str
    incidents: int
    escalation: bool

    @property
    def raised(self) -> bool:
        return self.level != self.scored_level


def _row(assessment: RiskAssessment, assessed_by: str) -> AssessmentRow:
    return AssessmentRow(assessment.id, assessment.assessed_at, assessed_by,
                         f"{assessment.checklist_id}:{assessment.checklist_version}", assessment.item_count,
                         assessment.yes_count, assessment.not_known_count, assessment.scored_level,
                         assessment.judgement_level, assessment.level, assessment.incidents_12m,
                         assessment.escalation)


def history(db: Session, partner_id: uuid.UUID) -> list[AssessmentRow]:
    """Her assessments, newest first."""
    rows = db.execute(select(RiskAssessment, StaffUser.display_name)
                      .join(StaffUser, StaffUser.id == RiskAssessment.assessed_by_id)
                      .where(RiskAssessment.partner_id == partner_id)
                      .order_by(RiskAssessment.assessed_at.desc(), RiskAssessment.created_at.desc()))
    return [_row(assessment, name) for assessment, name in rows]


def find(db: Session, partner_id: uuid.UUID, assessment_id: uuid.UUID) -> RiskAssessment | None:
    """One of her assessments (another case's id is simply not found)."""
    assessment = db.get(RiskAssessment, assessment_id)
    return assessment if assessment is not None and assessment.partner_id == partner_id else None


@dataclass(frozen=True)
class AssessmentDetail:
    row: AssessmentRow
    answers: dict[str, str]
    incident_dates: tuple[date, ...]
    undated: int
    fears: str | None
    judgement_reason: str | None
    window_from: date | None  # the first day of its escalation window (dated incidents before it: not counted)

    def counted(self, day: date) -> bool:
        return self.window_from is None or day >= self.window_from


def read(ctx: DomainContext, assessment: RiskAssessment) -> AssessmentDetail:
    """What she said, decrypted: an audited read (who, which assessment; never the answers)."""
    said = json.loads(ctx.vault.get(assessment, "answers_ct") or "{}")
    name = ctx.db.scalar(select(StaffUser.display_name).where(StaffUser.id == assessment.assessed_by_id)) or ""
    ctx.audit("risk_assessment.read", "risk_assessment", assessment.id)
    window = said.get("window_from")
    return AssessmentDetail(_row(assessment, name), dict(said.get("answers", {})),
                            tuple(date.fromisoformat(day) for day in said.get("incident_dates", [])),
                            int(said.get("undated", 0)), ctx.vault.get(assessment, "fears_ct"),
                            ctx.vault.get(assessment, "judgement_ct"),
                            date.fromisoformat(window) if window else None)


# -- prompts to re-assess -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PromptReason:
    """Why her worker is asked to re-assess: `kind` is "none" (never assessed), "interval" (the last one is
    older than the interval) or "task" (`task` says what changed, and when)."""

    kind: str
    task_id: uuid.UUID | None = None
    task_kind: str | None = None
    at: datetime | None = None


@dataclass(frozen=True)
class Prompt:
    last_assessed_at: datetime | None
    interval_days: int
    reasons: tuple[PromptReason, ...]

    @property
    def due(self) -> bool:
        return bool(self.reasons)


def interval_days(value: object) -> int:
    """The deployment's re-assessment interval (a stored setting), within its bounds, else the default."""
    days = value if isinstance(value, int) and not isinstance(value, bool) else DEFAULT_REASSESS_DAYS
    return days if REASSESS_DAYS[0] <= days <= REASSESS_DAYS[1] else DEFAULT_REASSESS_DAYS


def last_assessed_at(db: Session, partner_id: uuid.UUID) -> datetime | None:
    return db.scalar(select(func.max(RiskAssessment.assessed_at)).where(RiskAssessment.partner_id == partner_id))


def prompt(db: Session, partner_id: uuid.UUID, *, now: datetime, every_days: int) -> Prompt:
    """Whether (and why) her case asks for a re-assessment now; computed from the dates, so a newer
    assessment makes it go away."""
    last = last_assessed_at(db, partner_id)
    reasons: list[PromptReason] = []
    if last is None:
        reasons.append(PromptReason("none"))
    elif last + timedelta(days=every_days) <= now:
        reasons.append(PromptReason("interval", at=last + timedelta(days=every_days)))
    query = select(Task).where(Task.partner_id == partner_id, Task.kind.in_(REASSESS_AFTER))
    if last is not None:
        query = query.where(Task.created_at > last)
    for task in db.scalars(query.order_by(Task.created_at.desc()).limit(20)):
        reasons.append(PromptReason("task", task.id, task.kind, task.created_at))
    return Prompt(last, every_days, tuple(reasons))


def task_asks_for_reassessment(db: Session, task: Task) -> bool:
    """A task of a changing kind whose case has no assessment since it came."""
    if task.kind not in REASSESS_AFTER or task.partner_id is None:
        return False
    last = last_assessed_at(db, task.partner_id)
    return last is None or last < task.created_at
