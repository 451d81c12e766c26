"""Her worker's side of her evaluation: her yes or no told to her worker, her stages on her case, and a stage
asked over the phone (WWP EN B.6).

- Her worker sees her word (yes or no) and each stage's due date and state, never her answers: once recorded,
  they go to the admins' suppressed reports only (services/evaluation/answers.py).
- A stage can be asked by phone only while it is open, while her yes stands and while contact with her is
  allowed; her worker records her answers (`recorded_by` worker_phone, with the worker's id) or that she does
  not want to answer this stage. Either way the stage's phone task, if open, is done.
- Her no, told to her worker, cancels every open stage (services/her/consent.evaluation_chosen) and closes their
  phone tasks: nobody is asked to call her about them any more.
- Access is her case's: only workers of her service reach her case (casework.find_case) and so her offers.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.domain_error import DomainError
from portal.models import (
    ConsentChannel,
    EvaluationOffer,
    PartnerContact,
    PartnerStatus,
    Programme,
    RecordedBy,
    StaffUser,
    Task,
)
from portal.services.casework import inbox
from portal.services.context import DomainContext
from portal.services.evaluation import answers
from portal.services.evaluation.items import ItemSet
from portal.services.evaluation.offers import OPEN_STATES
from portal.services.her import consent

CONTACT_ALLOWED = (PartnerStatus.INVITED, PartnerStatus.ACTIVE)  # she may be called (her case is open)


@dataclass(frozen=True)
class StageLine:
    """One stage offered to her, as her worker sees it: never what she answered."""

    id: uuid.UUID
    programme: str
    stage: str
    due_on: date
    state: str
    open: bool


@dataclass(frozen=True)
class EvaluationView:
    agreed: bool
    contact_allowed: bool
    stages: tuple[StageLine, ...]


def case_view(db: Session, partner: PartnerContact) -> EvaluationView:
    """Her word on evaluation questions and her stages (newest due first), for her case page."""
    rows = db.execute(select(EvaluationOffer, Programme.name)
                      .join(Programme, Programme.id == EvaluationOffer.programme_id)
                      .where(EvaluationOffer.partner_id == partner.id)
                      .order_by(EvaluationOffer.due_on.desc(), EvaluationOffer.stage))
    stages = tuple(StageLine(offer.id, name, offer.stage, offer.due_on, offer.state, offer.state in OPEN_STATES)
                   for offer, name in rows)
    return EvaluationView(consent.evaluation_agreed(db, partner.id), partner.status in CONTACT_ALLOWED, stages)


def her_offer(db: Session, partner: PartnerContact, offer_id: uuid.UUID) -> EvaluationOffer | None:
    """One of her stages (any other woman's: None, so the console answers 'not found')."""
    offer = db.get(EvaluationOffer, offer_id)
    return offer if offer is not None and offer.partner_id == partner.id else None


def offer_for_task(db: Session, task: Task) -> EvaluationOffer | None:
    """The stage a phone task asks about (for the task page's link to the questions)."""
    if task.partner_id is None:
        return None
    return db.scalar(select(EvaluationOffer).where(EvaluationOffer.task_id == task.id,
                                                   EvaluationOffer.partner_id == task.partner_id))


def check_askable(db: Session, partner: PartnerContact, offer: EvaluationOffer) -> None:
    """Refuses (DomainError) unless this stage of hers may be asked by phone now: her yes withdrawn or never
    given ("evaluation.not_agreed"), contact with her stopped or her case closed ("evaluation.no_contact"),
    the stage answered, skipped, cancelled or expired ("evaluation.offer_closed")."""
    if offer.partner_id != partner.id:
        raise DomainError("evaluation.offer_closed")
    if not consent.evaluation_agreed(db, partner.id):
        raise DomainError("evaluation.not_agreed")
    if partner.status not in CONTACT_ALLOWED:
        raise DomainError("evaluation.no_contact")
    if offer.state not in OPEN_STATES:
        raise DomainError("evaluation.offer_closed")


def _task_done(ctx: DomainContext, task_id: uuid.UUID | None, worker: StaffUser) -> bool:
    task = ctx.db.get(Task, task_id) if task_id is not None else None
    return task is not None and inbox.complete(ctx, task, worker)


def record_by_phone(ctx: DomainContext, items: ItemSet, partner: PartnerContact, offer: EvaluationOffer,
                    raw: Mapping[str, str], worker: StaffUser) -> answers.Answered:
    """What she answered on the phone, recorded as told by her worker (any question may be left out); the
    stage's phone task is done. Refused as `check_askable` says, or for an answer the question does not take
    ("evaluation.answer_unknown")."""
    check_askable(ctx.db, partner, offer)
    answered = answers.record_answers(ctx, items, partner, offer, raw, recorded_by=RecordedBy.WORKER_PHONE,
                                      staff_id=worker.id)
    _task_done(ctx, offer.task_id, worker)
    return answered


def skip_by_phone(ctx: DomainContext, partner: PartnerContact, offer: EvaluationOffer, worker: StaffUser) -> None:
    """She does not want to answer this stage: it is never offered again, and its phone task is done."""
    check_askable(ctx.db, partner, offer)
    answers.skip_stage(ctx, partner, offer, recorded_by=RecordedBy.WORKER_PHONE)
    _task_done(ctx, offer.task_id, worker)


def told_worker(ctx: DomainContext, partner: PartnerContact, worker: StaffUser, *, agreed: bool) -> bool:
    """Her yes or no to evaluation questions as she told her worker (the consent ledger, channel worker).

    A yes needs contact with her to be allowed ("evaluation.no_contact"). Her no cancels her open stages and
    closes their phone tasks. False when her word was already that (nothing recorded)."""
    if agreed and partner.status not in CONTACT_ALLOWED:
        raise DomainError("evaluation.no_contact")
    waiting = [] if agreed else list(ctx.db.scalars(
        select(EvaluationOffer.task_id).where(EvaluationOffer.partner_id == partner.id,
                                              EvaluationOffer.state.in_(OPEN_STATES),
                                              EvaluationOffer.task_id.is_not(None))))
    changed = consent.evaluation_chosen(ctx, partner, on=agreed, channel=ConsentChannel.WORKER)
    for task_id in waiting:
        _task_done(ctx, task_id, worker)
    return changed
