"""Helpers for the staff side of her evaluation: her yes, and a stage offered to her (rows made directly, as the
offers pass would make them), with or without a phone task for her worker."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy.orm import Session

from portal.models import EvaluationOffer, OfferState, PartnerContact, Severity, Task, TaskKind
from portal.services.audit import Actor
from portal.services.casework.tasks import create_task
from portal.services.context import DomainContext
from portal.services.her import consent


def her_yes(ctx: DomainContext, partner: PartnerContact) -> None:
    """Her yes to evaluation questions, on her page."""
    consent.evaluation_chosen(ctx.acting_as(Actor("partner", str(partner.id))), partner, on=True, channel="web")


def offer_stage(db: Session, partner: PartnerContact, programme_id: uuid.UUID, now: datetime, *,
                stage: str = "intake", state: str = OfferState.OFFERED, participant_id: uuid.UUID | None = None,
                phone_task: bool = True, due_on: date | None = None) -> tuple[EvaluationOffer, Task | None]:
    """A stage offered to her; with `phone_task`, the EVALUATION_BY_PHONE task the offers pass gives her worker."""
    task = create_task(db, partner, kind=TaskKind.EVALUATION_BY_PHONE, severity=Severity.ROUTINE, now=now) \
        if phone_task else None
    offer = EvaluationOffer(id=uuid.uuid4(), partner_id=partner.id, programme_id=programme_id,
                            participant_id=participant_id, stage=stage, due_on=due_on or now.date(), state=state,
                            offered_at=now, task_id=task.id if task else None, created_at=now)
    db.add(offer)
    db.flush()
    return offer, task
