"""Her consent ledger, and the one owner of every consent change: yes, no, stop, and texts off or on.

Nothing else writes ConsentEvent rows or changes her status or SMS opt-out for a consent reason. DESIGN 8
"Stopping contact, by channel" is implemented here, one function per row:

- her page's "stop all contact", a texted STOP, her worker recording her request  -> stop_contact
  (a texted STOP adds stop_texts: the SMS opt-out);
- Twilio's 21610 (the carrier or Twilio refuses texts to her)                     -> texts_refused
- START                                                                           -> restart_texts
- erasure                                                                         -> end_for_erasure

Her yes to evaluation questions (its own scope, off until she says yes: DESIGN 8 "Evaluation") is
`evaluation_chosen`; stopping contact or erasure cancels her open evaluation offers too.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, delete, select, update
from sqlalchemy.orm import Session

from portal.models import (
    ActorKind,
    ConsentAction,
    ConsentChannel,
    ConsentEvent,
    ConsentScope,
    Notification,
    NotificationKind,
    NotificationState,
    PartnerContact,
    PartnerStatus,
    Preferences,
    Severity,
    Task,
    TaskKind,
    WebSession,
)
from portal.services.audit import Actor
from portal.services.casework.high_risk import cancel_checkins
from portal.services.casework.tasks import create_task
from portal.services.context import DomainContext
from portal.services.evaluation.offers import cancel_offers
from portal.services.her.her_checkins import end_agreed
from portal.services.her.invites import revoke_invites
from portal.services.messaging.outbox import cancel_pending

GIVEN, DECLINED, WITHDRAWN = ConsentAction.GIVEN, ConsentAction.DECLINED, ConsentAction.WITHDRAWN
CHANNELS = tuple(ConsentChannel)
SCOPES = tuple(ConsentScope)
# Contact is off: nothing but her own link may reach her.
CONTACT_OFF = (PartnerStatus.WITHDRAWN, PartnerStatus.DECLINED, PartnerStatus.CLOSED, PartnerStatus.ERASED)
CONTACT_ON = (PartnerStatus.ACTIVE, PartnerStatus.INVITED)

# The tasks her worker gets for consent changes.
DECLINED_TASK = TaskKind.CONSENT_DECLINED_WEB
WITHDRAWN_CONTACT_TASK = TaskKind.CONSENT_WITHDRAWN_CONTACT
WITHDRAWN_SMS_TASK = TaskKind.CONSENT_WITHDRAWN_SMS
# The "do not contact her" tasks her stop or her no gave her worker: her yes again closes them.
STOPPED_TASKS = (WITHDRAWN_CONTACT_TASK, DECLINED_TASK)


@dataclass(frozen=True)
class StopResult:
    cancelled_messages: int
    task_id: uuid.UUID | None  # None when contact was already off (no second task)
    sessions_ended: int


def _ledger(db: Session, partner: PartnerContact, action: str, channel: str, scope: str, now: datetime,
            text_version: str | None = None, recorded_by: uuid.UUID | None = None) -> ConsentEvent:
    if action not in tuple(ConsentAction) or channel not in CHANNELS or scope not in SCOPES:
        raise ValueError("unknown consent action, channel or scope")
    event = ConsentEvent(id=uuid.uuid4(), partner_id=partner.id, action=ConsentAction(action),
                         channel=ConsentChannel(channel), scope=ConsentScope(scope),
                         text_version=text_version, recorded_by_id=recorded_by, occurred_at=now)
    db.add(event)
    return event


def _staff_id(actor: Actor) -> uuid.UUID | None:
    return uuid.UUID(actor.id) if actor.kind == ActorKind.STAFF and actor.id else None


def end_her_sessions(db: Session, partner: PartnerContact, *, keep: str | None = None) -> int:
    """Every signed-in session of hers ends (except `keep`, the hash of the one she is using to stop, which
    takes the new epoch: see keep_her_session). The epoch ends them in any session store; the rows of the
    database store are deleted as well. Returns how many database rows went."""
    partner.session_epoch += 1
    stmt = delete(WebSession).where(WebSession.partner_id == partner.id)
    if keep:
        stmt = stmt.where(WebSession.id_hash != keep)
    return cast("CursorResult[Any]", db.execute(stmt)).rowcount or 0


def _cancel_texts_but_warnings(db: Session, partner_id: uuid.UUID, now: datetime) -> int:
    """Texts off, calls still agreed: links and the like are cancelled; a pending warning is left for
    the dispatcher to hand to her worker as a call (a warning she asked for is never silently dropped)."""
    stmt = (update(Notification)
            .where(Notification.partner_id == partner_id, Notification.state == NotificationState.PENDING,
                   Notification.kind != NotificationKind.WARNING)
            .values(state=NotificationState.CANCELLED, finished_at=now, updated_at=now))
    return cast("CursorResult[Any]", db.execute(stmt)).rowcount or 0


def may_check_once(db: Session, partner: PartnerContact) -> bool:
    """She agreed in advance that after a texted STOP her worker may check once, by the other way she chose
    (a phone call), that it really was her (services/her/preferences.py validates the choice)."""
    prefs = db.scalar(select(Preferences).where(Preferences.partner_id == partner.id))
    return bool(prefs is not None and prefs.check_after_stop and prefs.channel_call)


# -- contact consent -------------------------------------------------------------------------------------

def give(ctx: DomainContext, partner: PartnerContact, *, channel: str, text_version: str | None,
         recorded_by: uuid.UUID | None = None, said_at: datetime | None = None) -> None:
    """Her yes to contact: on her own page, or by phone to the worker recording her (never by a text).

    `said_at` is when she said it, if earlier than now (her worker records a phone call afterwards).
    """
    if channel == ConsentChannel.SMS:
        raise ValueError("contact consent is given on her pages or to her worker, never by SMS")
    _ledger(ctx.db, partner, GIVEN, channel, ConsentScope.CONTACT, said_at or ctx.now, text_version, recorded_by)
    partner.status = PartnerStatus.ACTIVE
    ctx.audit("consent.given.contact", "partner_contact", partner.id, {"channel": channel})
    close_stopped_tasks(ctx, partner, channel=channel)


def close_stopped_tasks(ctx: DomainContext, partner: PartnerContact, *, channel: str) -> int:
    """She said yes again: her worker's open "she stopped contact" (and "she declined") tasks close themselves,
    each audited; how many closed. Nobody acknowledged them, so the task page can say they closed themselves."""
    open_stops = ctx.db.scalars(select(Task).where(Task.partner_id == partner.id, Task.kind.in_(STOPPED_TASKS),
                                                   Task.done_at.is_(None)))
    closed = 0
    for task in list(open_stops):
        task.done_at = ctx.now
        ctx.audit("task.done.consent_given", "task", task.id, {"channel": channel})
        closed += 1
    return closed


def decline(ctx: DomainContext, partner: PartnerContact, *, channel: str, text_version: str | None) -> uuid.UUID:
    """Her no: recorded, anything pending cancelled, her worker told not to contact her."""
    db, now = ctx.db, ctx.now
    _ledger(db, partner, DECLINED, channel, ConsentScope.CONTACT, now, text_version)
    partner.status = PartnerStatus.DECLINED
    cancel_pending(db, partner.id, now)
    cancel_checkins(db, partner.id, now)
    end_agreed(db, partner.id, now)
    task = create_task(db, partner, kind=DECLINED_TASK, severity=Severity.ROUTINE, now=now)
    task.contact_allowed = False
    ctx.audit("consent.declined", "partner_contact", partner.id, {"channel": channel})
    return task.id


def stop_contact(ctx: DomainContext, partner: PartnerContact, *, channel: str, text_version: str | None = None,
                 keep_session: str | None = None) -> StopResult:
    """Stop all contact, instantly and totally (her page, STOP, or her worker recording her request).

    Consent withdrawn in the ledger, every pending message cancelled, her links revoked, her other sessions
    ended, and her worker's task says "do not contact her". Safe to repeat: the ledger and the task are
    written only when contact was on; the cancelling, revoking and ending are done every time.
    """
    db, now = ctx.db, ctx.now
    task_id = None
    if partner.status not in CONTACT_OFF:
        _ledger(db, partner, WITHDRAWN, channel, ConsentScope.CONTACT, now, text_version, _staff_id(ctx.actor))
        partner.status = PartnerStatus.WITHDRAWN
        task = create_task(db, partner, kind=WITHDRAWN_CONTACT_TASK, severity=Severity.SOON, now=now)
        task.contact_allowed = False
        # A texted STOP may not have been hers: if she said so in advance, her worker may check once by call.
        task.check_once_allowed = channel == ConsentChannel.SMS and may_check_once(db, partner)
        task_id = task.id
    cancelled = cancel_pending(db, partner.id, now)
    cancel_checkins(db, partner.id, now)  # scheduled offers (her high-risk period's check-ins) end too
    end_agreed(db, partner.id, now)  # and the check-in days she agreed with her worker
    cancel_offers(db, partner.id, now)  # and any evaluation stage not yet answered
    revoke_invites(db, partner.id, now)
    ended = end_her_sessions(db, partner, keep=keep_session)
    if task_id is not None:
        ctx.audit("consent.withdrawn.contact", "partner_contact", partner.id,
                  {"channel": channel, "cancelled": cancelled})
    return StopResult(cancelled, task_id, ended)


def end_for_erasure(ctx: DomainContext, partner: PartnerContact) -> int:
    """Erasure stops contact first (ledger, pending, links, sessions); her worker needs no task for it."""
    db, now, actor = ctx.db, ctx.now, ctx.actor
    if partner.status not in CONTACT_OFF:
        channel = ConsentChannel.WORKER if actor.kind == ActorKind.STAFF else ConsentChannel.SYSTEM
        _ledger(db, partner, WITHDRAWN, channel, ConsentScope.CONTACT, now,
                recorded_by=_staff_id(actor))
        partner.status = PartnerStatus.WITHDRAWN
    cancelled = cancel_pending(db, partner.id, now)
    cancel_checkins(db, partner.id, now)
    end_agreed(db, partner.id, now)
    cancel_offers(db, partner.id, now)
    partner.evaluation_yes = False  # her answers go with her record (services/evaluation/answers.py)
    revoke_invites(db, partner.id, now)
    end_her_sessions(db, partner)
    return cancelled


# -- texts (the SMS scope) -------------------------------------------------------------------------------

def stop_texts(ctx: DomainContext, partner: PartnerContact, *, tell_worker: bool) -> bool:
    """She texted STOP: no text of any kind until she texts START. False when texts were already off."""
    if partner.sms_opted_out:
        return False
    db, now = ctx.db, ctx.now
    _ledger(db, partner, WITHDRAWN, ConsentChannel.SMS, ConsentScope.SMS, now)
    partner.sms_opted_out = True
    cancel_pending(db, partner.id, now)
    if tell_worker:
        task = create_task(db, partner, kind=WITHDRAWN_SMS_TASK, severity=Severity.SOON, now=now)
        task.contact_allowed = partner.status in CONTACT_ON
    ctx.audit("consent.withdrawn.sms", "partner_contact", partner.id, {"channel": "sms"})
    return True


def texts_refused(ctx: DomainContext, partner: PartnerContact, *, tell_worker: bool = True) -> bool:
    """Twilio's 21610: texts off only; consent for calls unchanged, her worker gets a task."""
    if partner.sms_opted_out:
        return False
    db, now = ctx.db, ctx.now
    _ledger(db, partner, WITHDRAWN, ConsentChannel.SMS, ConsentScope.SMS, now)
    partner.sms_opted_out = True
    cancelled = _cancel_texts_but_warnings(db, partner.id, now)
    if tell_worker:
        task = create_task(db, partner, kind=WITHDRAWN_SMS_TASK, severity=Severity.SOON, now=now)
        task.contact_allowed = partner.status in CONTACT_ON
    ctx.audit("consent.withdrawn.sms", "partner_contact", partner.id, {"channel": "provider", "cancelled": cancelled})
    return True


def restart_texts(ctx: DomainContext, partner: PartnerContact) -> None:
    """She texted START: the SMS opt-out is cleared (contact consent is not: that is given on her pages)."""
    _ledger(ctx.db, partner, GIVEN, ConsentChannel.SMS, ConsentScope.SMS, ctx.now)
    partner.sms_opted_out = False
    partner.sms_unusable = False  # she just texted from it
    ctx.audit("consent.given.sms", "partner_contact", partner.id, {"channel": "sms"})


def texts_chosen(ctx: DomainContext, partner: PartnerContact, *, on: bool, channel: str) -> int:
    """Texts ticked or unticked in her preferences (by her, or her worker on her behalf): in the ledger.

    Never clears an SMS opt-out (only START does). Unticked: pending links and the like are cancelled; a
    pending warning goes to her worker as a call (the dispatcher hands it over). Returns how many cancelled.
    """
    _ledger(ctx.db, partner, GIVEN if on else WITHDRAWN, channel, ConsentScope.SMS, ctx.now,
            recorded_by=_staff_id(ctx.actor))
    return 0 if on else _cancel_texts_but_warnings(ctx.db, partner.id, ctx.now)


# -- evaluation questions (their own scope) ----------------------------------------------------------------

def evaluation_agreed(db: Session, partner_id: uuid.UUID) -> bool:
    """Her latest word on evaluation questions is yes (no word at all: no, they are off by default). Her record
    carries it (`evaluation_yes`), written only by `evaluation_chosen` with its ledger entry."""
    return bool(db.scalar(select(PartnerContact.evaluation_yes).where(PartnerContact.id == partner_id)))


def evaluation_chosen(ctx: DomainContext, partner: PartnerContact, *, on: bool, channel: str) -> bool:
    """Her yes or no to evaluation questions, on her page or told to her worker (never by a text). Her no
    cancels every stage not yet answered (what she already answered stays, until her case's retention or
    erasure). False when it changed nothing (her word was already that)."""
    if channel == ConsentChannel.SMS:
        raise ValueError("evaluation consent is given on her pages or to her worker, never by SMS")
    if partner.evaluation_yes == on:
        return False
    _ledger(ctx.db, partner, GIVEN if on else WITHDRAWN, channel, ConsentScope.EVALUATION, ctx.now,
            recorded_by=_staff_id(ctx.actor))
    partner.evaluation_yes = on
    cancelled = 0 if on else cancel_offers(ctx.db, partner.id, ctx.now)
    ctx.audit("consent.given.evaluation" if on else "consent.withdrawn.evaluation", "partner_contact", partner.id,
              {"channel": channel, "cancelled": cancelled})
    return True


def history(db: Session, partner_id: uuid.UUID) -> list[ConsentEvent]:
    return list(db.scalars(select(ConsentEvent).where(ConsentEvent.partner_id == partner_id)
                           .order_by(ConsentEvent.occurred_at, ConsentEvent.id)))
