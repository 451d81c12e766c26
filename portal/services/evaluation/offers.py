"""Her evaluation offers: the one owner of offering a stage to her (WWP EN B.6; issue 13).

`cancel_offers` ends every stage not yet answered: her no to evaluation questions, her stop, her erasure.

The rest is the dispatcher process's pass (portal/worker.py `evaluation_offers`, `run_pass` here), run every
loop, safe when several dispatchers run at once: each of her records is worked on in its own transaction under
her row's lock (high_risk.lock_partner), an offer row is inserted at most once per partner + programme + stage
(the unique constraint, ON CONFLICT DO NOTHING), and each step below is a conditional UPDATE on the offer's
state, so a stage is offered once and reminded at most once however many passes race.

Who is asked: a woman whose evaluation yes stands (`consent.evaluation_agreed`), whose contact is on (she said
yes to contact: status active, not erased), linked to a participant (a PartnerLink not ended). Nothing is ever
offered before her yes, nor after her no or her stop (those cancel what is open, for good).

When (the rules, per programme she is linked through):
- Each stage's due date comes from his programme's plan and his dates (services/evaluation/stages.py, on the
  service's clock: PORTAL_DEFAULT_TIMEZONE). A stage is due once its date has come on her clock (her zone).
- Only the latest due stage is offered (the one with the latest due date; a tie goes to the later stage): an
  earlier one is never offered once a later one is due, and a pending (not yet offered) earlier one is closed
  as expired when a later one falls due.
- A stage whose due date is more than GRACE (six weeks) ago is never offered: she said yes late, and that
  stage is gone (the report would compare answers from the wrong time). Nothing is offered while his dates
  do not give a due date (no start date, no end in sight).
- While a stage of the programme is offered and open, no other stage of it is started; the next pass after it
  closes looks again.

How:
- If a text may reach her (sms_permission.may_queue for an evaluation text: contact on, texts chosen, not
  opted out, number usable, no one else checks her phone, a link allowed) and she has safe times set, ONE text
  (template "evaluation", NotificationKind.EVALUATION) is queued with a discreet single-use link that signs her
  in and lands on her questions page (invites.QUESTIONS); the dispatcher sends it only inside her safe times,
  and while texts to her are held it waits like every other text. Otherwise her worker gets one routine task
  to ask her by phone (TaskKind.EVALUATION_BY_PHONE, the offer's task_id). Either way offered_at is set.
- At most one reminder: a stage offered by text and not answered after REMIND_AFTER (10 days) gets one more
  text, if a text may still reach her (no reminder otherwise, and never for the phone route or a second time).
- After EXPIRE_AFTER (21 days since offering) an unanswered stage expires: never asked again. A texted link
  still waiting to be sent is cancelled.
- A stage she (or her worker for her) skipped, answered, or that was cancelled or expired, is never followed
  up; its phone task, if still open, closes itself.
The audit chain records the stage and the route, never anything she said.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import CursorResult, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from portal.crypto import Vault
from portal.database import take_write_lock
from portal.models import (
    ActorKind,
    ConsentEvent,
    ConsentScope,
    EvaluationOffer,
    EvaluationStage,
    Notification,
    NotificationKind,
    NotificationState,
    OfferState,
    Participant,
    PartnerContact,
    PartnerLink,
    PartnerStatus,
    Preferences,
    SafeWindow,
    Severity,
    Task,
    TaskKind,
)
from portal.services.audit import Actor
from portal.services.casework.high_risk import lock_partner
from portal.services.casework.tasks import create_task
from portal.services.context import DomainContext
from portal.services.evaluation.stages import due_dates, his_dates, programme_plan
from portal.services.her import safe_windows
from portal.services.her.invites import QUESTIONS, issue_invite
from portal.services.messaging.outbox import enqueue
from portal.services.messaging.sms_permission import may_queue

OPEN_STATES = (OfferState.PENDING, OfferState.OFFERED)

GRACE = timedelta(weeks=6)  # a stage due longer ago than this is gone (she said yes late)
REMIND_AFTER = timedelta(days=10)  # one reminder text, this long after the offer, if still unanswered
EXPIRE_AFTER = timedelta(days=21)  # unanswered this long after the offer: expired, never asked again
TEMPLATE = "evaluation"  # portal/sms/templates.py
TEXT = NotificationKind.EVALUATION
PHONE_TASK = TaskKind.EVALUATION_BY_PHONE
PASS_LIMIT = 500
SYSTEM_ACTOR = Actor(ActorKind.SYSTEM)


def cancel_offers(db: Session, partner_id: uuid.UUID, now: datetime) -> int:
    """Every open offer of hers is cancelled (never offered again); returns how many."""
    stmt = (update(EvaluationOffer)
            .where(EvaluationOffer.partner_id == partner_id, EvaluationOffer.state.in_(OPEN_STATES))
            .values(state=OfferState.CANCELLED, closed_at=now))
    return cast("CursorResult[Any]", db.execute(stmt)).rowcount or 0


# -- which stage is due -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Due:
    stage: EvaluationStage
    due_on: date


def latest_due(due: dict[EvaluationStage, date | None], today: date) -> Due | None:
    """The one stage to offer on `today`: the latest due (latest date; a tie to the later stage), unless its date
    is more than GRACE ago (then none: the stage is gone and an earlier one is not offered instead)."""
    order = list(EvaluationStage.ALL)
    came = [(day, order.index(stage), stage) for stage, day in due.items() if day is not None and day <= today]
    if not came:
        return None
    day, _index, stage = max(came)
    return Due(stage, day) if today - day <= GRACE else None


def _zone(name: str) -> ZoneInfo:
    try:
        return safe_windows.zone(name)
    except ValueError:
        return ZoneInfo("UTC")


def _programmes(db: Session, partner_id: uuid.UUID) -> list[Participant]:
    """The participants she is linked to now (one per programme taken: her links are per participant)."""
    return list(db.scalars(select(Participant).join(PartnerLink, PartnerLink.participant_id == Participant.id)
                           .where(PartnerLink.partner_id == partner_id, PartnerLink.ended_at.is_(None))
                           .order_by(Participant.created_at, Participant.id)))


def due_for(db: Session, partner: PartnerContact, participant: Participant, now: datetime,
            service_zone: ZoneInfo) -> Due | None:
    """The stage of his programme to offer her now, if any (the rules in the module's docstring)."""
    due = due_dates(programme_plan(db, participant.programme_id), his_dates(db, participant, service_zone))
    return latest_due(due, now.astimezone(_zone(partner.timezone)).date())


# -- what one pass does for her -------------------------------------------------------------------------------

@dataclass
class PassCounts:
    created: int = 0
    texted: int = 0
    phone_tasks: int = 0
    reminded: int = 0
    expired: int = 0
    tasks_closed: int = 0

    def add(self, other: PassCounts) -> None:
        for name in vars(self):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def busy(self) -> bool:
        return any(vars(self).values())


@dataclass(frozen=True)
class Links:
    """How her texted links are made: the deployment's public address (PORTAL_PUBLIC_URL)."""

    public_url: str


def _offers(db: Session, partner_id: uuid.UUID) -> list[EvaluationOffer]:
    return list(db.scalars(select(EvaluationOffer).where(EvaluationOffer.partner_id == partner_id)
                           .order_by(EvaluationOffer.created_at, EvaluationOffer.id)
                           .execution_options(populate_existing=True)))


def _agreed(db: Session, partner: PartnerContact) -> bool:
    from portal.services.her.consent import evaluation_agreed  # consent imports this module

    return (partner.status == PartnerStatus.ACTIVE and partner.erased_at is None
            and evaluation_agreed(db, partner.id))


def _claim(db: Session, offer_id: uuid.UUID, before: OfferState | str, now: datetime, **where: Any) -> bool:
    """Move one offer on from the state this pass saw, if nobody else moved it first (a conditional UPDATE)."""
    stmt = update(EvaluationOffer).where(EvaluationOffer.id == offer_id, EvaluationOffer.state == before)
    for column, value in where.items():
        stmt = stmt.where(getattr(EvaluationOffer, column).is_(value))
    return (cast("CursorResult[Any]", db.execute(stmt.values(**_values(before, now)).execution_options(
        synchronize_session=False))).rowcount or 0) == 1


def _values(before: OfferState | str, now: datetime) -> dict[str, Any]:
    return {"state": OfferState.OFFERED, "offered_at": now} if before == OfferState.PENDING else {"reminded_at": now}


def _expire(db: Session, offer: EvaluationOffer, now: datetime) -> bool:
    stmt = (update(EvaluationOffer)
            .where(EvaluationOffer.id == offer.id, EvaluationOffer.state.in_(OPEN_STATES))
            .values(state=OfferState.EXPIRED, closed_at=now).execution_options(synchronize_session=False))
    return (cast("CursorResult[Any]", db.execute(stmt)).rowcount or 0) == 1


def _has_safe_times(db: Session, partner: PartnerContact, now: datetime) -> bool:
    """She set safe times (the dispatcher's own reading of them: a window open now or opening later)."""
    windows = safe_windows.windows_from_rows(db.scalars(select(SafeWindow).where(SafeWindow.partner_id == partner.id)))
    try:
        window = safe_windows.state(windows, partner.timezone, now)
    except ValueError:
        return False
    return window.open or window.next_opens_at is not None


def text_may_reach(db: Session, partner: PartnerContact, now: datetime) -> bool:
    """An evaluation text may be queued for her: the one texting rule (sms_permission), and her safe times."""
    prefs = db.scalar(select(Preferences).where(Preferences.partner_id == partner.id))
    return may_queue(partner, prefs, TEXT) and _has_safe_times(db, partner, now)


def _queue_text(ctx: DomainContext, partner: PartnerContact, links: Links, until: datetime) -> Notification:
    """One evaluation text with a fresh single-use link to her questions (it lives until the stage expires)."""
    invite = issue_invite(ctx.db, partner.id, now=ctx.now, ttl=until - ctx.now, lands_on=QUESTIONS)
    return enqueue(ctx.db, ctx.vault, partner, kind=TEXT, template=TEMPLATE, now=ctx.now,
                   params={"url": invite.url(links.public_url)}, stale_at=until)


def _offer(ctx: DomainContext, partner: PartnerContact, offer: EvaluationOffer, links: Links,
           counts: PassCounts) -> None:
    db, now = ctx.db, ctx.now
    if not _claim(db, offer.id, OfferState.PENDING, now):
        return
    if text_may_reach(db, partner, now):
        _queue_text(ctx, partner, links, now + EXPIRE_AFTER)
        route = "text"
        counts.texted += 1
    else:
        task = create_task(db, partner, kind=PHONE_TASK, severity=Severity.ROUTINE, now=now)
        db.execute(update(EvaluationOffer).where(EvaluationOffer.id == offer.id).values(task_id=task.id)
                   .execution_options(synchronize_session=False))
        ctx.audit("task.create", "task", task.id, {"kind": task.kind, "severity": task.severity})
        route = "phone"
        counts.phone_tasks += 1
    ctx.audit("evaluation.offered", "evaluation_offer", offer.id, {"stage": offer.stage, "route": route})


def _remind(ctx: DomainContext, partner: PartnerContact, offer: EvaluationOffer, links: Links,
            counts: PassCounts) -> None:
    db, now = ctx.db, ctx.now
    if not text_may_reach(db, partner, now):
        return  # no reminder by another way: she was asked once, that is enough
    if not _claim(db, offer.id, OfferState.OFFERED, now, reminded_at=None, task_id=None):
        return
    assert offer.offered_at is not None
    _queue_text(ctx, partner, links, offer.offered_at + EXPIRE_AFTER)
    ctx.audit("evaluation.reminded", "evaluation_offer", offer.id, {"stage": offer.stage})
    counts.reminded += 1


def _cancel_waiting_texts(db: Session, partner_id: uuid.UUID, offers: Iterable[EvaluationOffer], now: datetime) -> None:
    """No stage of hers is offered any more: an evaluation text still waiting to be sent would lead nowhere."""
    if any(o.state == OfferState.OFFERED for o in offers):
        return
    db.execute(update(Notification)
               .where(Notification.partner_id == partner_id, Notification.kind == TEXT,
                      Notification.state == NotificationState.PENDING)
               .values(state=NotificationState.CANCELLED, finished_at=now, updated_at=now)
               .execution_options(synchronize_session=False))


def _close_tasks(ctx: DomainContext, offers: Iterable[EvaluationOffer], counts: PassCounts) -> None:
    """A closed stage's phone task, still open, closes itself (nothing is left to ask)."""
    ids = [o.task_id for o in offers if o.task_id is not None and o.state not in OPEN_STATES]
    if not ids:
        return
    open_ids = list(ctx.db.scalars(select(Task.id).where(Task.id.in_(ids), Task.done_at.is_(None))))
    if open_ids:
        ctx.db.execute(update(Task).where(Task.id.in_(open_ids), Task.done_at.is_(None)).values(done_at=ctx.now)
                       .execution_options(synchronize_session=False))
        counts.tasks_closed += len(open_ids)


def _create(db: Session, partner_id: uuid.UUID, participant: Participant, due: Due, now: datetime) -> bool:
    """Insert the pending offer once (None when it exists: another dispatcher made it, or it was asked before)."""
    insert = pg_insert if db.get_bind().dialect.name == "postgresql" else sqlite_insert
    stmt = (insert(EvaluationOffer).values(id=uuid.uuid4(), partner_id=partner_id, programme_id=participant.programme_id,
                                           participant_id=participant.id, stage=due.stage, due_on=due.due_on,
                                           state=OfferState.PENDING, created_at=now)
            .on_conflict_do_nothing().returning(EvaluationOffer.id))
    return db.execute(stmt).scalar() is not None


@dataclass(frozen=True)
class Work:
    """What a pass would do for her now (read first without a lock; done under it, read again)."""

    create: tuple[tuple[Participant, Due], ...]
    supersede: tuple[EvaluationOffer, ...]  # pending earlier stages a later due stage replaces
    offer: tuple[EvaluationOffer, ...]
    remind: tuple[EvaluationOffer, ...]
    expire: tuple[EvaluationOffer, ...]
    close_tasks: bool

    @property
    def any(self) -> bool:
        return bool(self.create or self.supersede or self.offer or self.remind or self.expire or self.close_tasks)


def work_for(db: Session, partner: PartnerContact, now: datetime, service_zone: ZoneInfo) -> Work:
    offers = _offers(db, partner.id)
    agreed = _agreed(db, partner)
    create: list[tuple[Participant, Due]] = []
    supersede: list[EvaluationOffer] = []
    if agreed:
        for participant in _programmes(db, partner.id):
            due = due_for(db, partner, participant, now, service_zone)
            if due is None:
                continue
            mine = [o for o in offers if o.programme_id == participant.programme_id]
            supersede += [o for o in mine if o.state == OfferState.PENDING and o.stage != due.stage]
            asked = {o.stage for o in mine}
            if due.stage not in asked and not any(o.state == OfferState.OFFERED for o in mine):
                create.append((participant, due))
    pending = [o for o in offers if o.state == OfferState.PENDING and o not in supersede] if agreed else []
    offered = [o for o in offers if o.state == OfferState.OFFERED and o.offered_at is not None]
    expire = [o for o in offered if now >= o.offered_at + EXPIRE_AFTER]  # type: ignore[operator]
    remind = [o for o in offered if o not in expire and o.task_id is None and o.reminded_at is None
              and now >= o.offered_at + REMIND_AFTER] if agreed else []  # type: ignore[operator]
    close_tasks = any(o.task_id is not None and o.state not in OPEN_STATES for o in offers) and bool(
        db.scalar(select(Task.id).where(Task.id.in_([o.task_id for o in offers if o.state not in OPEN_STATES
                                                     and o.task_id is not None]),
                                        Task.done_at.is_(None)).limit(1)))
    return Work(tuple(create), tuple(supersede), tuple(pending), tuple(remind), tuple(expire), close_tasks)


def offers_once(ctx: DomainContext, partner_id: uuid.UUID, links: Links, service_zone: ZoneInfo) -> PassCounts:
    """Everything due for her now, under her row's lock (the caller's transaction commits)."""
    db, now = ctx.db, ctx.now
    counts = PassCounts()
    partner = lock_partner(db, partner_id)
    if partner is None:
        return counts
    work = work_for(db, partner, now, service_zone)
    for offer in work.expire + work.supersede:
        if _expire(db, offer, now):
            ctx.audit("evaluation.expired", "evaluation_offer", offer.id, {"stage": offer.stage})
            counts.expired += 1
    for participant, due in work.create:
        if _create(db, partner.id, participant, due, now):
            counts.created += 1
    if work.create:  # the new rows are offered in this same transaction
        work = work_for(db, partner, now, service_zone)
    for offer in work.offer:
        _offer(ctx, partner, offer, links, counts)
    for offer in work.remind:
        _remind(ctx, partner, offer, links, counts)
    offers = _offers(db, partner.id)
    _close_tasks(ctx, offers, counts)
    if counts.expired:
        _cancel_waiting_texts(db, partner.id, offers, now)
    return counts


def candidates(db: Session, now: datetime, service_zone: ZoneInfo) -> list[uuid.UUID]:
    """Her records where a pass has something to do (read without a lock; offers_once checks again under it):
    those who ever answered evaluation questions yes or no, and those with an offer."""
    said = select(ConsentEvent.partner_id).where(ConsentEvent.scope == ConsentScope.EVALUATION)
    offered = select(EvaluationOffer.partner_id)
    partners = db.scalars(select(PartnerContact)
                          .where(or_(PartnerContact.id.in_(said), PartnerContact.id.in_(offered)))
                          .order_by(PartnerContact.id).limit(PASS_LIMIT))
    return [partner.id for partner in partners if work_for(db, partner, now, service_zone).any]


def run_pass(sessions: Callable[[], Session], vault: Vault, audit_key: bytes, clock: Callable[[], datetime],
             links: Links, service_zone: ZoneInfo) -> PassCounts:
    """The dispatcher's pass: every stage due is offered once, reminded at most once, expired in time; one
    transaction per record of hers."""
    with sessions() as db:
        ids = candidates(db, clock(), service_zone)
    total = PassCounts()
    for partner_id in ids:
        with sessions() as db, db.begin():
            total.add(offers_once(DomainContext(db, vault, audit_key, clock(), SYSTEM_ACTOR), partner_id, links,
                                  service_zone))
    return total


# -- what her pages show ------------------------------------------------------------------------------------

def waiting(db: Session, partner_id: uuid.UUID) -> EvaluationOffer | None:
    """The stage offered to her and still open (the oldest, if two programmes ask at once), or None."""
    return db.scalar(select(EvaluationOffer)
                     .where(EvaluationOffer.partner_id == partner_id, EvaluationOffer.state == OfferState.OFFERED)
                     .order_by(EvaluationOffer.offered_at, EvaluationOffer.id).limit(1))


def her_open_offer(db: Session, partner_id: uuid.UUID, offer_id: object, *,
                   lock: bool = False) -> EvaluationOffer | None:
    """The offer with this id if it is hers and still open; None for anything else (a closed, unknown or
    someone else's offer look the same). `lock`: held for this transaction (her send and her skip, or two
    sends, then come one after the other and the second finds it closed)."""
    try:
        key = offer_id if isinstance(offer_id, uuid.UUID) else uuid.UUID(str(offer_id)[:40])
    except ValueError:
        return None
    if lock:
        take_write_lock(db)
    query = select(EvaluationOffer).where(EvaluationOffer.id == key)
    if lock and db.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    offer = db.scalar(query.execution_options(populate_existing=True))
    if offer is None or offer.partner_id != partner_id or offer.state not in OPEN_STATES:
        return None
    return offer
