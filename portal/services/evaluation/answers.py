"""Her evaluation answers: the one owner of writing, reading and erasing them (QuestionnaireResponse).

- One answer per stage and programme: she answers on her page, or her worker records what she said over the
  phone (`recorded_by` says which). Only while her yes to evaluation questions stands (consent ledger).
- Any question may be left out (a skipped question is simply absent); a whole stage may be skipped, which
  closes its offer for good. Nothing about a skip is ever followed up.
- Answers are sealed (JSON {item code: answer code}) like her other details; the audit chain records the stage,
  who recorded it and how many questions were answered, never an answer.
- Never shown to a facilitator, never reachable through the API: services/evaluation/reports.py aggregates
  them, suppressed, for admins only.
- Erasure deletes them with her offers (`erase_for_partner`), so every report recomputed after it leaves her out.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal.crypto import Vault
from portal.domain_error import DomainError
from portal.models import (
    EvaluationOffer,
    EvaluationStage,
    OfferState,
    PartnerContact,
    QuestionnaireResponse,
    RecordedBy,
)
from portal.services.context import DomainContext
from portal.services.evaluation.items import ItemSet
from portal.services.evaluation.offers import OPEN_STATES
from portal.services.her.consent import evaluation_agreed

SKIP = ""  # a question left unanswered (the form's "skip this question", or no choice made)


@dataclass(frozen=True)
class Answered:
    response_id: uuid.UUID
    stage: str
    answered: int  # how many questions she answered (0: she sent the stage without answering any)


def check_answers(items: ItemSet, raw: Mapping[str, str]) -> dict[str, str]:
    """Her answers as {item code: answer code}, skipped questions left out. An unknown question or an answer the
    question does not take is refused (DomainError "evaluation.answer_unknown", field: the item code)."""
    answers: dict[str, str] = {}
    for code, answer in raw.items():
        item = items.item(code)
        if item is None:
            raise DomainError("evaluation.answer_unknown", field=code)
        if answer == SKIP:
            continue
        if answer not in items.answers_for(item):
            raise DomainError("evaluation.answer_unknown", field=code)
        answers[code] = answer
    return answers


def record_answers(ctx: DomainContext, items: ItemSet, partner: PartnerContact, offer: EvaluationOffer,
                   raw: Mapping[str, str], *, recorded_by: str, staff_id: uuid.UUID | None = None) -> Answered:
    """Her answers to the stage of `offer` (hers, still open), sealed, and the offer closed as answered.

    Refused (DomainError): her yes withdrawn ("evaluation.not_agreed"), the offer not hers or closed
    ("evaluation.offer_closed"; a second send of the same stage, or two at once, lands here too), an unknown
    answer ("evaluation.answer_unknown").
    """
    db = ctx.db
    if recorded_by not in tuple(RecordedBy):
        raise ValueError("recorded_by must be a RecordedBy")
    if offer.partner_id != partner.id or offer.state not in OPEN_STATES:
        raise DomainError("evaluation.offer_closed")
    if not evaluation_agreed(db, partner.id):
        raise DomainError("evaluation.not_agreed")
    answers = check_answers(items, raw)
    row = QuestionnaireResponse(id=uuid.uuid4(), partner_id=partner.id, programme_id=offer.programme_id,
                                offer_id=offer.id, stage=EvaluationStage(offer.stage), items_id=items.id,
                                items_version=items.version, recorded_by=RecordedBy(recorded_by),
                                recorded_by_id=staff_id, submitted_at=ctx.now)
    ctx.vault.put(row, "answers_ct", json.dumps(answers, sort_keys=True))
    try:
        with db.begin_nested():
            db.add(row)
            db.flush()
    except IntegrityError as exc:  # the same stage answered at the same moment elsewhere
        raise DomainError("evaluation.offer_closed") from exc
    offer.state, offer.closed_at = OfferState.ANSWERED, ctx.now
    ctx.audit("evaluation.answered", "evaluation_offer", offer.id,
              {"stage": offer.stage, "recorded_by": recorded_by, "answered": len(answers)})
    return Answered(row.id, offer.stage, len(answers))


def skip_stage(ctx: DomainContext, partner: PartnerContact, offer: EvaluationOffer, *, recorded_by: str) -> bool:
    """The whole stage skipped (one tap on her page, or her worker for her): never offered again. False when
    the offer was already closed (nothing changes)."""
    if offer.partner_id != partner.id or offer.state not in OPEN_STATES:
        return False
    offer.state, offer.closed_at = OfferState.SKIPPED, ctx.now
    ctx.audit("evaluation.skipped", "evaluation_offer", offer.id, {"stage": offer.stage, "recorded_by": recorded_by})
    return True


def read_answers(vault: Vault, row: QuestionnaireResponse) -> dict[str, str]:
    text = vault.get(row, "answers_ct")
    return {} if text is None else dict(json.loads(text))


def erase_for_partner(db: Session, partner_id: uuid.UUID) -> int:
    """Her answers and her offers deleted (erasure). Returns how many answers went."""
    gone = len(list(db.scalars(select(QuestionnaireResponse.id)
                               .where(QuestionnaireResponse.partner_id == partner_id))))
    db.execute(delete(QuestionnaireResponse).where(QuestionnaireResponse.partner_id == partner_id))
    db.execute(delete(EvaluationOffer).where(EvaluationOffer.partner_id == partner_id))
    return gone


def answered_at(db: Session, partner_id: uuid.UUID) -> dict[tuple[uuid.UUID | None, str], datetime]:
    """When she answered each (programme, stage): for her own page's "you answered on …"."""
    rows = db.execute(select(QuestionnaireResponse.programme_id, QuestionnaireResponse.stage,
                             QuestionnaireResponse.submitted_at)
                      .where(QuestionnaireResponse.partner_id == partner_id))
    return {(programme_id, stage): at for programme_id, stage, at in rows}
