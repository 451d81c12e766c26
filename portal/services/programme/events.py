"""Programme events about him (dropout, suspension, completion, risk) and what they set in motion for her.

Blindness: everything returned to the reporter (page or API) is built from the event alone, and the report's
own work is too: it writes the event and one fan-out entry, the same statements and rows whoever is linked
(so neither the answer nor its timing says whether she exists). Her side (her worker's task, her message) is
made afterwards by the dispatcher process (services/fanout, `flask --app portal worker`), within seconds.

Who hears what (decided here, documented in the README):
- She is active or invited: a task for her worker, always; a discreet message if she chose to be told by
  message for this kind and can receive SMS; a call request on the task if she chose a call, or if she chose
  a message that cannot reach her (nothing she asked for is silently dropped).
- She withdrew, declined, or her case is closed: no message and no call. Her worker still gets a task
  marked "do not contact" (risk keeps its severity, other kinds are routine), because the service may
  have safeguarding duties (a risk to children, a threat to life) that do not depend on her consent.
- Her record is erased: nothing.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.domain_error import DomainError
from portal.models import (
    AccessToken,
    ActorKind,
    EventKind,
    Imminence,
    NotificationKind,
    Participant,
    ParticipantStatus,
    PartnerContact,
    PartnerLink,
    PartnerStatus,
    Preferences,
    Programme,
    ProgrammeEvent,
    Severity,
    TaskKind,
    Tell,
    TokenPurpose,
)
from portal.models.programme_event import EventFanout
from portal.services.audit import Actor
from portal.services.casework import high_risk
from portal.services.casework.tasks import configured_due, create_task
from portal.services.context import DomainContext
from portal.services.messaging.outbox import enqueue, warning_template
from portal.services.messaging.sms_permission import may_queue  # the one rule

IMMINENCE = tuple(Imminence)
REFERENCE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$")
DESCRIPTION_MAX = 4000
IDEMPOTENCY_KEY_PATTERN = re.compile(r"^[\x21-\x7e]{1,200}$")
FUTURE_SKEW = timedelta(minutes=5)

# Which of her "tell me about" choices applies to each kind (None: her worker decides what to tell her).
TELL_FIELD: dict[str, str | None] = {
    EventKind.DROPOUT: "tell_dropout",
    EventKind.SUSPENDED: "tell_suspended",
    EventKind.COMPLETED: "tell_completed",
    EventKind.PROGRAMME_ENDED: "tell_completed",
    EventKind.ATTENDANCE_CONCERN: None,
    EventKind.RISK: "tell_risk",
}

# Risk is more likely to rise than fall when a man stops attending (ANROWS 2020): dropout is urgent.
KIND_SEVERITY: dict[str, Severity] = {
    EventKind.DROPOUT: Severity.URGENT,
    EventKind.SUSPENDED: Severity.URGENT,
    EventKind.ATTENDANCE_CONCERN: Severity.SOON,
    EventKind.COMPLETED: Severity.ROUTINE,
    EventKind.PROGRAMME_ENDED: Severity.ROUTINE,
}
RISK_SEVERITY: dict[str | None, Severity] = {Imminence.IMMINENT: Severity.IMMEDIATE, Imminence.HIGH: Severity.IMMEDIATE,
                 Imminence.MEDIUM: Severity.URGENT, Imminence.LOW: Severity.SOON, None: Severity.URGENT}

# Participant status after each kind (about him only; her case never closes because of it).
PARTICIPANT_STATUS: dict[str, ParticipantStatus] = {
    EventKind.DROPOUT: ParticipantStatus.DROPPED_OUT,
    EventKind.SUSPENDED: ParticipantStatus.SUSPENDED,
    EventKind.COMPLETED: ParticipantStatus.COMPLETED,
    EventKind.PROGRAMME_ENDED: ParticipantStatus.ENDED,
}

CONTACT_ALLOWED = (PartnerStatus.ACTIVE, PartnerStatus.INVITED)
TASK_ONLY = (PartnerStatus.WITHDRAWN, PartnerStatus.DECLINED, PartnerStatus.CLOSED)


class EventError(DomainError):
    """The report cannot be accepted; `code` is stable for machines, `field` names the culprit. The words are
    each audience's: the API's in portal/api/messages.py, the facilitator's in portal/console/refusals.py."""

    def __init__(self, code: str, message: str | None = None, field: str | None = None) -> None:
        super().__init__(code, field, message)


class IdempotencyConflict(EventError):
    """The idempotency key was used before with a different request."""


@dataclass(frozen=True)
class Reporter:
    """Who reports: a facilitator (staff_id) or a programme system (api_token_id)."""

    staff_id: uuid.UUID | None = None
    api_token_id: uuid.UUID | None = None

    @property
    def actor(self) -> Actor:
        if self.staff_id is not None:
            return Actor(ActorKind.STAFF, str(self.staff_id))
        return Actor(ActorKind.API, str(self.api_token_id))


@dataclass(frozen=True)
class EventReceipt:
    """What the reporter gets back: about the event only, identical with or without a linked partner."""

    id: uuid.UUID
    participant_ref: str
    kind: str
    risk_to_partner: bool
    risk_to_children: bool
    imminence: str | None
    occurred_at: datetime
    replayed: bool = False

    def as_json(self) -> dict[str, object]:
        risk_to = [name for name, flag in (("partner", self.risk_to_partner), ("children", self.risk_to_children))
                   if flag]
        return {"id": str(self.id), "status": "received", "participant_ref": self.participant_ref,
                "kind": self.kind, "risk_to": risk_to, "imminence": self.imminence,
                "occurred_at": self.occurred_at.isoformat().replace("+00:00", "Z")}


def check_reference(reference: str) -> str:
    reference = (reference or "").strip()
    if not REFERENCE_PATTERN.match(reference):
        raise EventError("invalid_reference", field="participant_ref")
    return reference


def register_participant(ctx: DomainContext, *, programme: Programme, reference: str,
                         created_by: uuid.UUID) -> Participant:
    """Register him by a pseudonymous programme reference (unique within the programme), as staff member
    `created_by` (the audit entry is theirs)."""
    db = ctx.db
    reference = check_reference(reference)
    exists = db.scalar(select(Participant.id).where(Participant.programme_id == programme.id,
                                                    Participant.reference == reference))
    if exists:
        raise EventError("duplicate_reference", field="participant_ref")
    participant = Participant(id=uuid.uuid4(), programme_id=programme.id, reference=reference,
                              created_by_id=created_by, created_at=ctx.now)
    db.add(participant)
    db.flush()
    ctx.acting_as(Actor(ActorKind.STAFF, str(created_by))).audit("participant.create", "participant", participant.id)
    return participant


def find_participant(db: Session, programme_id: uuid.UUID, reference: str) -> Participant | None:
    return db.scalar(select(Participant).where(Participant.programme_id == programme_id,
                                               Participant.reference == reference))


@dataclass(frozen=True)
class EventInput:
    """A validated report."""

    participant_ref: str
    kind: str
    risk_to_partner: bool
    risk_to_children: bool
    imminence: str | None
    description: str | None
    occurred_at: datetime
    occurred_at_given: bool

    def fingerprint(self) -> str:
        """The request as sent (a default time is not part of it, so a later retry still matches)."""
        given = self.occurred_at.isoformat() if self.occurred_at_given else None
        body = json.dumps([self.participant_ref, self.kind, self.risk_to_partner, self.risk_to_children,
                           self.imminence, self.description, given], separators=(",", ":"))
        return hashlib.sha256(body.encode()).hexdigest()


def validate(*, participant_ref: str, kind: str, risk_to_partner: bool, risk_to_children: bool,
             imminence: str | None, description: str | None, occurred_at: datetime | None,
             now: datetime) -> EventInput:
    """Check a report; raises EventError with a message fit to show the reporter."""
    reference = check_reference(participant_ref)
    if kind not in EventKind.ALL:
        raise EventError("invalid_kind", field="kind")
    if kind == EventKind.RISK:
        if not (risk_to_partner or risk_to_children):
            raise EventError("risk_to_required", field="risk_to")
        if imminence not in IMMINENCE:
            raise EventError("imminence_required", field="imminence")
    elif risk_to_partner or risk_to_children or imminence:
        raise EventError("risk_fields_only_for_risk",
                         field="risk_to" if (risk_to_partner or risk_to_children) else "imminence")
    text = (description or "").strip() or None
    if text is not None and len(text) > DESCRIPTION_MAX:
        raise EventError("description_too_long", field="description")
    when = occurred_at or now
    if when.tzinfo is None:
        raise EventError("invalid_occurred_at", field="occurred_at")
    if when > now + FUTURE_SKEW:
        raise EventError("occurred_at_in_future", field="occurred_at")
    return EventInput(reference, kind, bool(risk_to_partner), bool(risk_to_children), imminence, text, when,
                      occurred_at is not None)


def _receipt(event: ProgrammeEvent, reference: str, replayed: bool) -> EventReceipt:
    return EventReceipt(event.id, reference, event.kind, event.risk_to_partner, event.risk_to_children,
                        event.imminence, event.occurred_at, replayed)


def _replay(db: Session, programme_id: uuid.UUID, key: str, fingerprint: str, reference: str) -> EventReceipt | None:
    earlier = db.scalar(select(ProgrammeEvent).where(ProgrammeEvent.programme_id == programme_id,
                                                     ProgrammeEvent.idempotency_key == key))
    if earlier is None:
        return None
    if earlier.request_fingerprint != fingerprint:
        raise IdempotencyConflict("idempotency_key_reused", field="Idempotency-Key")
    return _receipt(earlier, reference, replayed=True)


def report_event(ctx: DomainContext, *, programme: Programme, participant_ref: str, kind: str,
                 risk_to_partner: bool = False, risk_to_children: bool = False, imminence: str | None = None,
                 description: str | None = None, occurred_at: datetime | None = None, reporter: Reporter,
                 idempotency_key: str | None = None) -> EventReceipt:
    """Record the event and, in the same transaction, its fan-out entry; nothing here reads or writes her.

    The dispatcher process turns the entry into her worker's tasks and her messages (fan_out_event).

    Raises EventError for invalid input or an unknown participant (about him, never about her).
    The caller commits; on a concurrent duplicate idempotency key the caller retries after rollback.
    The audit entry is the reporter's (`reporter.actor`).
    """
    db, now = ctx.db, ctx.now
    data = validate(participant_ref=participant_ref, kind=kind, risk_to_partner=risk_to_partner,
                    risk_to_children=risk_to_children, imminence=imminence, description=description,
                    occurred_at=occurred_at, now=now)
    if idempotency_key is not None and not IDEMPOTENCY_KEY_PATTERN.match(idempotency_key):
        raise EventError("invalid_idempotency_key", field="Idempotency-Key")
    fingerprint = data.fingerprint()
    if idempotency_key is not None:
        earlier = _replay(db, programme.id, idempotency_key, fingerprint, data.participant_ref)
        if earlier is not None:
            return earlier
    participant = find_participant(db, programme.id, data.participant_ref)
    if participant is None:
        raise EventError("unknown_participant", field="participant_ref")
    event = ProgrammeEvent(id=uuid.uuid4(), programme_id=programme.id, participant_id=participant.id,
                           kind=data.kind, risk_to_partner=data.risk_to_partner,
                           risk_to_children=data.risk_to_children, imminence=data.imminence,
                           reported_by_id=reporter.staff_id, api_token_id=reporter.api_token_id,
                           idempotency_key=idempotency_key, request_fingerprint=fingerprint,
                           occurred_at=data.occurred_at, created_at=now)
    if data.description:
        ctx.vault.put(event, "description_ct", data.description)
    db.add(event)
    if data.kind in PARTICIPANT_STATUS:
        participant.status = PARTICIPANT_STATUS[data.kind]
    db.flush()
    ctx.acting_as(reporter.actor).audit("programme_event.report", "programme_event", event.id, {"kind": data.kind})
    db.add(EventFanout(event_id=event.id, created_at=now))
    return _receipt(event, data.participant_ref, replayed=False)


def replay_after_race(db: Session, programme: Programme, idempotency_key: str, participant_ref: str,
                      fingerprint: str) -> EventReceipt | None:
    """After an IntegrityError on the idempotency key (two identical requests at once): the winner's receipt."""
    return _replay(db, programme.id, idempotency_key, fingerprint, participant_ref)


def _linked_partners(db: Session, participant_id: uuid.UUID) -> list[PartnerContact]:
    return list(db.scalars(
        select(PartnerContact)
        .join(PartnerLink, PartnerLink.partner_id == PartnerContact.id)
        .where(PartnerLink.participant_id == participant_id, PartnerLink.ended_at.is_(None),
               PartnerContact.erased_at.is_(None), PartnerContact.status != PartnerStatus.ERASED)
        .order_by(PartnerContact.created_at, PartnerContact.id)
    ))


def severity_for(kind: str, imminence: str | None) -> str:
    return RISK_SEVERITY.get(imminence, Severity.URGENT) if kind == EventKind.RISK else KIND_SEVERITY[kind]


def fan_out_event(ctx: DomainContext, event: ProgrammeEvent) -> int:
    """Her side of a reported event, for every partner linked to him now; returns how many tasks were made.

    Run by the dispatcher process in the transaction that marks the fan-out entry processed. Due times run
    from when the report was received (a late pass does not make a task look less urgent); messages are
    queued now, and the dispatcher still sends them only in her safe window. The context's actor is the system.
    """
    due = configured_due(ctx.db)
    partners = _linked_partners(ctx.db, event.participant_id)
    for partner in partners:
        _notify_her_side(ctx, partner, event, due=due)
    return len(partners)


def _notify_her_side(ctx: DomainContext, partner: PartnerContact, event: ProgrammeEvent, *,
                     due: dict[str, timedelta]) -> None:
    db, now = ctx.db, ctx.now
    prefs = db.scalar(select(Preferences).where(Preferences.partner_id == partner.id))
    field = TELL_FIELD[event.kind]
    choice = getattr(prefs, field) if (prefs is not None and field) else Tell.NONE
    severity = severity_for(event.kind, event.imminence)
    contact_allowed = partner.status in CONTACT_ALLOWED
    note = None
    call = False
    if contact_allowed:
        wants_message = choice in (Tell.MESSAGE, Tell.BOTH)
        if wants_message and may_queue(partner, prefs):  # held texts are queued and wait (texts_hold)
            note = enqueue(db, ctx.vault, partner, kind=NotificationKind.WARNING, now=now,
                           template=warning_template(str(field).removeprefix("tell_")),  # worded as she chose
                           serious=event.kind == EventKind.RISK, source_event_id=event.id)
        call = choice in (Tell.CALL, Tell.BOTH) or (wants_message and note is None)
    elif event.kind != EventKind.RISK:
        severity = Severity.ROUTINE
    # During her high-risk period after separating, an event about her case counts one severity higher
    # (not a routine "do not contact" note: nothing would be done with its urgency).
    raise_it = False
    if (contact_allowed or event.kind == EventKind.RISK) and high_risk.in_period(partner, event.created_at):
        raise_it = high_risk.raised(severity) != severity  # immediate is as high as it goes
        severity = high_risk.raised(severity)
    task = create_task(db, partner, kind=TaskKind.for_event(event.kind), severity=severity, now=event.created_at,
                       source_event_id=event.id, notification_id=note.id if note else None,
                       child_risk=event.risk_to_children, due=due)
    task.created_at = now  # due_at above runs from the report; the row itself is made now
    task.call_requested = call
    task.contact_allowed = contact_allowed
    task.raised_high_risk = raise_it
    ctx.audit("task.create", "task", task.id, {"kind": task.kind, "severity": severity, "message": note is not None})


def events_for_participant(db: Session, participant_id: uuid.UUID) -> list[ProgrammeEvent]:
    return list(db.scalars(select(ProgrammeEvent).where(ProgrammeEvent.participant_id == participant_id)
                           .order_by(ProgrammeEvent.occurred_at.desc(), ProgrammeEvent.created_at.desc())))


def api_token(db: Session, token_hash: str, now: datetime) -> tuple[AccessToken, Programme] | None:
    """The live API token with this hash and its active programme, or None."""
    row = db.execute(
        select(AccessToken, Programme)
        .join(Programme, Programme.id == AccessToken.programme_id)
        .where(AccessToken.token_hash == token_hash, AccessToken.purpose == TokenPurpose.API,
               AccessToken.revoked_at.is_(None), Programme.is_active.is_(True))
    ).first()
    if row is None:
        return None
    token, programme = row
    if token.expires_at is not None and token.expires_at <= now:
        return None
    return token, programme

