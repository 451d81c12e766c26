"""Her case as her support worker handles it: open, link, send a link, preferences on her behalf, close, erase."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.crypto import InvalidPhoneNumber, Vault, normalise_phone
from portal.domain_error import DomainError
from portal.i18n import LOCALES
from portal.models import (
    ActorKind,
    ClosureReason,
    ConsentChannel,
    Participant,
    PartnerContact,
    PartnerLink,
    PartnerStatus,
    Programme,
    SafeWindow,
    Severity,
    StaffUser,
    TaskKind,
)
from portal.services.audit import Actor
from portal.services.casework.high_risk import cancel_checkins
from portal.services.casework.tasks import create_task
from portal.services.context import DomainContext
from portal.services.her import consent, preferences
from portal.services.her.fresh_link import link_blocked, send_fresh_link
from portal.services.her.her_checkins import end_agreed
from portal.services.her.invites import revoke_invites
from portal.services.her.partners import find_in_service, register_partner
from portal.services.messaging.outbox import cancel_pending

if TYPE_CHECKING:
    from portal.services.casework.erasure import ErasureResult

CLOSURE_REASONS = tuple(ClosureReason)
TELL_FIELDS = ("tell_dropout", "tell_suspended", "tell_completed", "tell_risk")
FLAGS = ("channel_sms", "channel_call", "channel_worker_only", "voicemail_ok", "shared_phone",
         "serious_risk_any_time", "check_after_stop")
OPEN_STATUSES = (PartnerStatus.INVITED, PartnerStatus.ACTIVE)
NAME_MAX = 200
CODE_WORD_MAX = preferences.CODE_WORD_MAX  # one rule for her page and her worker's
CHANNEL_FLAGS = {"channel_sms": "sms", "channel_call": "call", "channel_worker_only": "worker_only"}


class CaseError(DomainError):
    """The action cannot be done; `code` picks the message the page shows, `field` the input at fault."""


def actor_for(worker: StaffUser) -> Actor:
    return Actor(ActorKind.STAFF, str(worker.id))


def case_label(partner_id: uuid.UUID) -> str:
    """A short case number to show instead of her name where a name is not needed (lists, inbox)."""
    return partner_id.hex[:6].upper()


def find_case(db: Session, worker: StaffUser, partner_id: uuid.UUID) -> PartnerContact | None:
    """Her record if it belongs to the worker's service and is not erased (anything else: not found)."""
    partner = db.get(PartnerContact, partner_id)
    if partner is None or worker.service_id is None or partner.service_id != worker.service_id:
        return None
    if partner.erased_at is not None or partner.status == PartnerStatus.ERASED:
        return None
    return partner


def service_cases(db: Session, worker: StaffUser, *, mine_only: bool) -> list[PartnerContact]:
    query = (select(PartnerContact)
             .where(PartnerContact.service_id == worker.service_id, PartnerContact.erased_at.is_(None))
             .order_by(PartnerContact.created_at.desc()).limit(200))
    if mine_only:
        query = query.where(PartnerContact.worker_id == worker.id)
    return list(db.scalars(query))


@dataclass(frozen=True)
class NewCase:
    name: str
    phone: str
    email: str | None
    locale: str
    timezone: str
    consent_at: datetime
    windows: frozenset[tuple[int, int, int]] = frozenset()  # (weekday, start, end) in her zone; may be empty


def check_new_case(name: str, phone: str, email: str, locale: str, timezone: str, consent_given: bool,
                   consent_at: datetime | None, region: str, now: datetime,
                   windows: tuple[preferences.WindowInput, ...] = ()) -> NewCase:
    """Her details as her worker typed them, checked; her safe times by the one owner (services/her/preferences).

    Safe times may be left empty (DESIGN 8: no default): nothing is then texted until they are set.
    """
    name = name.strip()
    if not name or len(name) > NAME_MAX:
        raise CaseError("name_required", "name")
    try:
        e164 = normalise_phone(phone, region)
    except InvalidPhoneNumber as exc:
        raise CaseError("phone_invalid", "phone") from exc
    email = email.strip()
    if email and ("@" not in email or len(email) > 254 or " " in email):
        raise CaseError("email_invalid", "email")
    if locale not in LOCALES:
        raise CaseError("locale_invalid", "locale")
    if not preferences.is_valid_zone(timezone):
        raise CaseError("timezone_invalid", "timezone")
    triples, problems = preferences.parse_windows(windows)
    if problems:
        raise CaseError(problems[0].code, problems[0].field)
    if not consent_given:
        raise CaseError("consent_required", "consent_given")
    when = consent_at or now
    if when > now + timedelta(minutes=5):
        raise CaseError("consent_in_future", "consent_date")
    return NewCase(name, e164, email or None, locale, timezone, when, frozenset(triples))


def open_case(ctx: DomainContext, worker: StaffUser, case: NewCase) -> PartnerContact:
    """Record her with the contact consent she gave by phone (date and by whom in the ledger).

    The duplicate check looks only within the worker's own service: another service may hold her too.
    """
    if worker.service_id is None:
        raise CaseError("no_service")
    if find_in_service(ctx.db, ctx.vault, case.phone, worker.service_id) is not None:
        raise CaseError("phone_exists", "phone")
    partner = register_partner(ctx, service_id=worker.service_id, worker_id=worker.id,
                               name=case.name, phone=case.phone, email=case.email, locale=case.locale,
                               timezone=case.timezone, region="ZZ", consent_recorded_by=worker.id,
                               consent_at=case.consent_at)
    partner.created_at = ctx.now
    if case.windows:
        preferences.save_windows(ctx.db, partner, set(case.windows), now=ctx.now)
    else:  # nothing can be texted to her (not even her link) until she or her worker sets them
        create_task(ctx.db, partner, kind=TaskKind.SAFE_TIMES_NEEDED, severity=Severity.SOON, now=ctx.now)
    return partner


def has_safe_times(db: Session, partner: PartnerContact) -> bool:
    return bool(preferences.current(db, partner).windows)


def find_by_number(db: Session, vault: Vault, worker: StaffUser, phone: str, region: str) -> PartnerContact | None:
    """Her case in the worker's own service with this number (any format), or None."""
    if worker.service_id is None:
        return None
    try:
        e164 = normalise_phone(phone, region)
    except InvalidPhoneNumber:
        return None
    partner = find_in_service(db, vault, e164, worker.service_id)
    return find_case(db, worker, partner.id) if partner is not None else None


def send_link(ctx: DomainContext, partner: PartnerContact, worker: StaffUser, *, public_url: str,
              ttl: timedelta) -> None:
    """Text her a fresh discreet link (older unused links stop working)."""
    if partner.status not in OPEN_STATUSES:
        raise CaseError("not_open")
    if link_blocked(ctx.db, partner) == "shared_phone":  # services/messaging/sms_permission.text_limits
        raise CaseError("link_shared_phone")
    if not has_safe_times(ctx.db, partner):
        raise CaseError("no_safe_times")
    if send_fresh_link(ctx, partner, public_url=public_url, ttl=ttl, created_by=worker.id) is None:
        raise CaseError("no_sms")


@dataclass(frozen=True)
class PreferenceChange:
    flags: dict[str, bool]
    tell: dict[str, str]
    code_word: str | None  # None keeps the current one
    clear_code_word: bool = False
    wordings: dict[str, preferences.WordingInput] | None = None  # how each kind of warning reads; None keeps them
    locale: str | None = None  # None keeps hers
    timezone: str | None = None


def _worker_field(field: str) -> str | None:
    """The worker's form field for a field the preferences service names."""
    if field.startswith("tell-"):
        return "tell_" + field.removeprefix("tell-")
    if field.startswith(("wording-", "own-")):
        return field
    return field if field in ("code_word", "locale", "timezone") else None


def update_preferences(ctx: DomainContext, partner: PartnerContact, change: PreferenceChange) -> list[str]:
    """Change her preferences as she asked her worker to: the same validation and the same apply as her
    own page (services/preferences), recorded as done by the context's actor (her worker) on her behalf."""
    db = ctx.db
    if partner.status not in OPEN_STATUSES:
        raise CaseError("not_open")
    for name in change.tell:
        if name not in TELL_FIELDS:
            raise CaseError("tell_invalid", name)
    now_set = preferences.current(db, partner)
    flags = {name: channel in now_set.channels for name, channel in CHANNEL_FLAGS.items()}
    flags |= {"voicemail_ok": now_set.voicemail_ok, "shared_phone": now_set.shared_phone,
              "serious_risk_any_time": now_set.serious_risk_any_time, "check_after_stop": now_set.check_after_stop}
    flags |= {name: bool(value) for name, value in change.flags.items() if name in FLAGS}
    channels = frozenset(channel for name, channel in CHANNEL_FLAGS.items() if flags[name]) or frozenset({"none"})
    tell = dict(now_set.tell) | {name.removeprefix("tell_"): value for name, value in change.tell.items()}
    data = preferences.PreferencesInput(
        channels=channels,
        windows=tuple(preferences.WindowInput(w.days, w.start, w.end) for w in now_set.windows),
        timezone=now_set.timezone if change.timezone is None else change.timezone,
        voicemail_ok=flags["voicemail_ok"], shared_phone=flags["shared_phone"], tell=tell,
        serious_risk_any_time=flags["serious_risk_any_time"],
        locale=now_set.locale if change.locale is None else change.locale,
        code_word=change.code_word or "", clear_code_word=change.clear_code_word,
        check_after_stop=flags["check_after_stop"], wordings=change.wordings)
    result = preferences.update(ctx, partner, data, locales=LOCALES)
    if not result.ok:
        first = result.errors[0]
        raise CaseError(first.code, _worker_field(first.field))
    return result.changed


def add_safe_times(ctx: DomainContext, partner: PartnerContact, row: preferences.WindowInput) -> int:
    """Add one time range on several days at once (her zone), checked by the one owner of the rules
    (services/her/preferences) together with the ones she has; how many day-windows she has now."""
    if partner.status not in OPEN_STATUSES:
        raise CaseError("not_open")
    if row.blank:
        raise CaseError("window_days", "window-new")
    rows = (*preferences.rows_of(preferences.current(ctx.db, partner)), row)
    triples, problems = preferences.parse_windows(rows)
    if problems:
        raise CaseError(problems[0].code, "window-new")
    if preferences.save_windows(ctx.db, partner, triples, now=ctx.now):
        ctx.audit("safe_window.add_on_behalf", "partner_contact", partner.id)
    return len(triples)


def remove_window(ctx: DomainContext, partner: PartnerContact, window_id: uuid.UUID) -> bool:
    window = ctx.db.get(SafeWindow, window_id)
    if window is None or window.partner_id != partner.id:
        return False
    ctx.db.delete(window)
    ctx.audit("safe_window.remove_on_behalf", "partner_contact", partner.id)
    return True


def linkable_programmes(db: Session, worker: StaffUser) -> list[Programme]:
    return list(db.scalars(select(Programme).where(Programme.service_id == worker.service_id,
                                                   Programme.is_active.is_(True)).order_by(Programme.name)))


def link_participant(ctx: DomainContext, partner: PartnerContact, worker: StaffUser, *,
                     programme_id: uuid.UUID, reference: str) -> PartnerLink:
    """She is (or was) the partner of this participant: his programme's events now reach her worker."""
    db = ctx.db
    programme = db.get(Programme, programme_id)
    if programme is None or programme.service_id != worker.service_id:
        raise CaseError("programme_unknown", "programme")
    participant = db.scalar(select(Participant).where(Participant.programme_id == programme.id,
                                                      Participant.reference == reference.strip()))
    if participant is None:
        raise CaseError("participant_unknown", "reference")
    link = db.scalar(select(PartnerLink).where(PartnerLink.partner_id == partner.id,
                                               PartnerLink.participant_id == participant.id))
    if link is not None and link.ended_at is None:
        raise CaseError("already_linked", "reference")
    if link is None:
        link = PartnerLink(id=uuid.uuid4(), partner_id=partner.id, participant_id=participant.id,
                           created_by_id=worker.id, created_at=ctx.now)
        db.add(link)
    else:
        link.ended_at = None
    db.flush()
    ctx.audit("partner.link", "partner_contact", partner.id, {"participant": str(participant.id)})
    return link


def end_link(ctx: DomainContext, partner: PartnerContact, link_id: uuid.UUID) -> bool:
    link = ctx.db.get(PartnerLink, link_id)
    if link is None or link.partner_id != partner.id or link.ended_at is not None:
        return False
    link.ended_at = ctx.now
    ctx.audit("partner.unlink", "partner_contact", partner.id, {"participant": str(link.participant_id)})
    return True


def close_case(ctx: DomainContext, partner: PartnerContact, *, reason: str) -> None:
    """Close with a reason, by her worker only (never because of his completion): nothing more is sent."""
    db, now = ctx.db, ctx.now
    if reason not in CLOSURE_REASONS:
        raise CaseError("reason_invalid", "reason")
    if partner.status == PartnerStatus.CLOSED:
        raise CaseError("already_closed")
    partner.status = PartnerStatus.CLOSED
    partner.closed_at = now
    partner.closure_reason = reason
    cancelled = cancel_pending(db, partner.id, now)
    cancel_checkins(db, partner.id, now)
    end_agreed(db, partner.id, now)
    revoke_invites(db, partner.id, now)
    ctx.audit("case.close", "partner_contact", partner.id, {"reason": reason, "cancelled": cancelled})


def reopen_case(ctx: DomainContext, partner: PartnerContact) -> None:
    if partner.status != PartnerStatus.CLOSED:
        raise CaseError("not_closed")
    partner.status = PartnerStatus.ACTIVE
    partner.closed_at = None
    partner.closure_reason = None
    ctx.audit("case.reopen", "partner_contact", partner.id)


def withdraw_for_her(ctx: DomainContext, partner: PartnerContact) -> int:
    """She told her worker to stop: instant and total, like STOP or the web button."""
    if partner.status not in OPEN_STATUSES:
        raise CaseError("not_open")
    result = consent.stop_contact(ctx, partner, channel=ConsentChannel.WORKER)
    return result.cancelled_messages


def erase_on_request(ctx: DomainContext, partner: PartnerContact) -> ErasureResult:
    """Destroy her personal data at her request; a tombstone and the audit chain stay. After commit, the caller
    runs erasure_storage.clean_storage(engine, result.storage)."""
    from portal.services.casework.erasure import erase_partner

    return erase_partner(ctx, partner, reason="request")


def set_callback_phone(ctx: DomainContext, worker: StaffUser, phone: str, *, region: str) -> str | None:
    """The number she can call this worker on, added to a warning only where she chose it; empty clears it."""
    phone = phone.strip()
    number = None
    if phone:
        try:
            number = normalise_phone(phone[:40], region)
        except InvalidPhoneNumber:
            raise CaseError("phone_invalid_staff", "callback_phone") from None
    if worker.callback_phone != number:
        worker.callback_phone = number
        ctx.audit("staff.callback_phone", "staff_user", worker.id)
    return number
