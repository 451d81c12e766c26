"""Her right of access: everything the service holds about her, gathered as plain values for her copy.

The one owner of what her copy holds (DESIGN 8 "Her access export": a print page inside her session, or handed
over by her worker; never a download). Other people's data is left out: no staff name (her copy says "your
worker"), nothing of him (not his reference, not his programme, not what the programme reported), no person of
another agency (only the kind of agency). Never-disclose values (her safe address, her new number, her code word,
each child's school and other details, and any case field an admin marked) are read only when `include_private`
is asked for; otherwise the copy says only that one is recorded. Her safety plan is listed as "exists, sealed":
it is never opened here. No link token is ever read (a link's text is stored only as a hash, and a message's
parameters, which may hold her link, are never decrypted).

`COVERED` names every table that holds a row about her (a foreign key to her record) with what her copy shows
of it; `LEFT_OUT` the ones it does not show, and why. tests/test_access_export.py fails when a table with such a
key is in neither.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.crypto import Vault
from portal.models import (
    AccessToken,
    ChildProtectionReferral,
    ChildRecord,
    ConsentEvent,
    ContactLogEntry,
    InboundMessage,
    Notification,
    PartnerContact,
    PartnerLink,
    Preferences,
    QuestionnaireResponse,
    ReferralChild,
    RiskAssessment,
    RiskConferenceReferral,
    RiskNote,
    SafetyPlan,
    SafetyPlanShare,
    SafeWindow,
    SharingConsentEvent,
    Task,
    TaskKind,
    Tell,
    TokenPurpose,
    WarningWording,
)
from portal.services.casework import never_disclose
from portal.services.casework.risk_checklist import Checklist
from portal.services.context import DomainContext
from portal.services.evaluation.items import NOT_APPLICABLE, ItemSet
from portal.services.her import her_checkins

COVERED: dict[str, str] = {
    "partner_contact": "her record: name, phone, email, status, language, time zone; never-disclose fields on a tick",
    "preferences": "her choices: channels, voicemail, shared phone, what she is told and how; code word on a tick",
    "safe_window": "her safe times",
    "warning_wording": "how each kind of warning reads on her phone",
    "consent_event": "her consent ledger",
    "sharing_consent_event": "her sharing ledger (the kind of agency, never a person's name)",
    "notification": "messages to her: dates, kind, state (never the parameters, which may hold her link)",
    "inbound_message": "texts from her number: date, keyword, text",
    # Not a secret: a description (bandit takes the word "token" for one).
    "access_token": "her links: when made, used, ended (never the token: only its hash is stored)",  # nosec B105
    "her_checkin": "her check-ins",
    "agreed_checkin": "the check-in days agreed with her worker",
    "task": "her worker's tasks about her: why (in plain words) and when; never a note",
    "contact_log_entry": "contacts with her: when, how, outcome, what she was told; never her worker's notes",
    "risk_assessment": "her risk assessments: her answers, the incidents she dated, her words, the level",
    "child_record": "her children: first name or initials, age; school and details on a tick",
    "child_protection_referral": "referrals about her children: when, kind of agency, basis, outcome",
    "safety_plan": "that her plan exists, sealed (never opened here)",
    "questionnaire_response": "her questionnaires: stage and date, and her answers",
    "risk_conference_referral": "referrals to a risk conference: when, the level, whether she knew and agreed, the "
                                "basis, where it stands; never her worker's written reasons",
    "risk_note": "the risk notes her worker sent his programme with her agreement: when, the words sent, withdrawn",
    "partner_link": "that her record is linked to someone on a programme, and since when (nothing of him)",
}
LEFT_OUT: dict[str, str] = {
    "web_session": "a visit's own state (this very session), ended within hours; nothing she told",
    "high_risk_checkin": "a slot of her worker's check-in calls: each is shown as the task it gave her worker",
    "agreed_checkin_missed": "an agreed day without a check-in: each is shown as the task it gave her worker",
    "evaluation_offer": "that a stage of the evaluation questions fell due: what she answered is her questionnaire",
}
# Rows that hang off a covered table rather than off her record.
THROUGH: dict[str, str] = {
    "safety_plan_share": "with safety_plan: whether she shared a copy",
    "referral_child": "with child_protection_referral: which of her children a referral is about",
}

NEWS = ("dropout", "suspended", "completed", "risk")  # the kinds of news she chooses how to be told of
ALL_TIME = 10_000  # every check-in of hers, not only the latest few her check-in page shows

# Her worker's tasks in plain words: the code her copy words (never the task's internal kind, never its note).
# A programme's report is about him: her copy says only that news came, never which.
TASK_REASONS: dict[str, str] = {
    **{kind: "programme_news" for kind in TaskKind if kind.startswith("event_")},
    TaskKind.CONSENT_WITHDRAWN_CONTACT: "contact_stopped", TaskKind.CONSENT_WITHDRAWN_SMS: "texts_stopped",
    TaskKind.CONSENT_DECLINED_WEB: "contact_declined", TaskKind.HER_LESS_SAFE: "less_safe",
    TaskKind.HER_SEPARATION: "separating", TaskKind.MESSAGE_NOT_DELIVERED: "message_failed",
    TaskKind.MESSAGE_NOT_SENT: "message_failed", TaskKind.PIN_LOCKED: "pin_locked",
    TaskKind.SMS_HELP: "text_from_you", TaskKind.SMS_FREE_TEXT: "text_from_you",
    TaskKind.SMS_STOP_LIKE: "text_from_you", TaskKind.SMS_OPT_IN: "text_from_you",
    TaskKind.HIGH_RISK_CHECKIN: "checkin_call", TaskKind.SAFE_TIMES_NEEDED: "safe_times_needed",
    TaskKind.HER_CHECKIN_CONCERN: "checkin_concern", TaskKind.AGREED_CHECKIN_MISSED: "checkin_missed",
    TaskKind.PLAN_DURESS: "plan_second_passphrase",
}
# Not a reason of its own: a reminder to her worker that another task is late (that task is listed).
TASKS_NOT_LISTED = (TaskKind.ESCALATION,)
# Shown only on a tick: whoever looks at her copy must not learn that she has a second passphrase.
PRIVATE_TASK_REASONS = ("plan_second_passphrase",)
# Never-disclose on her copy whatever the admin marked: whoever knows it could pass for her worker on a call.
ALWAYS_PRIVATE = (*never_disclose.ALWAYS, "code_word")


@dataclass(frozen=True)
class Detail:
    """One field of her record: `value` when this copy shows it; `held` whether one is recorded at all."""

    field: str
    value: str | None
    held: bool
    private: bool = False


@dataclass(frozen=True)
class Window:
    weekday: int
    start_minute: int
    end_minute: int


@dataclass(frozen=True)
class WordingRow:
    kind: str
    wording: str
    own_words: str | None
    with_number: bool


@dataclass(frozen=True)
class Choices:
    channels: tuple[str, ...]
    voicemail_ok: bool
    shared_phone: bool
    tell: dict[str, str]
    serious_risk_any_time: bool
    check_after_stop: bool
    windows: tuple[Window, ...]
    wordings: tuple[WordingRow, ...]
    updated_at: datetime | None
    checkin_days: tuple[int, ...]
    checkin_days_since: datetime | None


@dataclass(frozen=True)
class ConsentRow:
    at: datetime
    action: str
    channel: str
    scope: str


@dataclass(frozen=True)
class SharingRow:
    at: datetime
    action: str
    agency: str
    information: tuple[str, ...]
    basis: str
    how_given: str | None


@dataclass(frozen=True)
class MessageRow:
    created_at: datetime
    sent_at: datetime | None
    kind: str
    state: str


@dataclass(frozen=True)
class TextRow:
    received_at: datetime
    keyword: str | None
    text: str | None


@dataclass(frozen=True)
class LinkRow:
    created_at: datetime
    used_at: datetime | None
    ended_at: datetime | None  # revoked, or expired


@dataclass(frozen=True)
class CheckinRow:
    at: datetime
    feeling: str
    worse: bool
    changed: str | None


@dataclass(frozen=True)
class TaskRow:
    created_at: datetime
    reason: str
    done_at: datetime | None


@dataclass(frozen=True)
class ContactRow:
    at: datetime
    method: str
    reached: bool
    safe_to_talk: str
    outcome: str
    topics: tuple[str, ...]


@dataclass(frozen=True)
class Answer:
    question: str
    answer: str
    coded: bool = False  # a question's and an answer's codes, not their words (her questionnaire, _answer_words)


@dataclass(frozen=True)
class RiskRow:
    at: datetime
    level: str
    answers: tuple[Answer, ...]
    incident_dates: tuple[str, ...]
    undated: int
    fears: str | None


@dataclass(frozen=True)
class ChildRow:
    first_name: str
    age_low: int | None
    age_high: int | None
    school: Detail
    details: Detail


@dataclass(frozen=True)
class ReferralRow:
    at: datetime
    agency: str
    children: tuple[str, ...]
    information: tuple[str, ...]
    basis: str
    outcome: str


@dataclass(frozen=True)
class ConferenceRow:
    at: datetime
    level: str
    she_knew: bool
    she_agreed: bool
    basis: str
    status: str


@dataclass(frozen=True)
class NoteRow:
    at: datetime
    text: str
    withdrawn_at: datetime | None


@dataclass(frozen=True)
class Questionnaire:
    at: datetime
    stage: str
    answers: tuple[Answer, ...]


@dataclass(frozen=True)
class Plan:
    exists: bool
    shared: bool


@dataclass(frozen=True)
class AccessCopy:
    """Everything her copy shows, in the order it shows it."""

    made_at: datetime
    status: str
    locale: str
    timezone: str
    since: datetime
    details: tuple[Detail, ...]
    private: tuple[Detail, ...]
    private_shown: bool
    choices: Choices
    consents: tuple[ConsentRow, ...] = ()
    sharing: tuple[SharingRow, ...] = ()
    messages: tuple[MessageRow, ...] = ()
    texts: tuple[TextRow, ...] = ()
    links: tuple[LinkRow, ...] = ()
    checkins: tuple[CheckinRow, ...] = ()
    high_risk_from: datetime | None = None
    high_risk_until: datetime | None = None
    tasks: tuple[TaskRow, ...] = ()
    contacts: tuple[ContactRow, ...] = ()
    risk: tuple[RiskRow, ...] = ()
    children: tuple[ChildRow, ...] = ()
    referrals: tuple[ReferralRow, ...] = ()
    conferences: tuple[ConferenceRow, ...] = ()
    notes: tuple[NoteRow, ...] = ()
    questionnaires: tuple[Questionnaire, ...] = ()
    linked_since: tuple[datetime, ...] = ()
    plan: Plan = field(default_factory=lambda: Plan(False, False))


# -- her record ------------------------------------------------------------------------------------------------

def _private_fields(db: Session) -> tuple[str, ...]:
    marked = never_disclose.marked(db)
    return (*ALWAYS_PRIVATE, *(name for name in never_disclose.MARKABLE if name in marked and name != "code_word"))


def _details(db: Session, vault: Vault, partner: PartnerContact, prefs: Preferences | None, *,
             include_private: bool) -> tuple[tuple[Detail, ...], tuple[Detail, ...]]:
    private = _private_fields(db)
    columns = {"name": "name_ct", "phone": "phone_ct", "email": "email_ct", "safe_address": "safe_address_ct",
               "new_number": "new_number_ct"}
    shown: list[Detail] = []
    hidden: list[Detail] = []
    for name in ("name", "phone", "email", *ALWAYS_PRIVATE):
        row: object = prefs if name == "code_word" else partner
        column = "code_word_ct" if name == "code_word" else columns[name]
        held = row is not None and getattr(row, column) is not None
        is_private = name in private
        value = vault.get(row, column) if held and (include_private or not is_private) else None
        detail = Detail(name, value, held, is_private)
        (hidden if is_private else shown).append(detail)
    return tuple(shown), tuple(hidden)


def _choices(db: Session, vault: Vault, partner: PartnerContact, prefs: Preferences | None,
             now: datetime) -> Choices:
    windows = tuple(Window(w.weekday, w.start_minute, w.end_minute) for w in db.scalars(
        select(SafeWindow).where(SafeWindow.partner_id == partner.id)
        .order_by(SafeWindow.weekday, SafeWindow.start_minute)))
    wordings = tuple(WordingRow(w.kind, w.wording, vault.get(w, "own_words_ct"), w.with_number) for w in db.scalars(
        select(WarningWording).where(WarningWording.partner_id == partner.id).order_by(WarningWording.kind)))
    agreed = her_checkins.agreed_view(db, partner, now)
    if prefs is None:
        return Choices((), False, False, {}, False, False, windows, wordings, None, agreed.days, agreed.changed_at)
    channels = tuple(name for name, on in (("sms", prefs.channel_sms), ("call", prefs.channel_call),
                                           ("worker_only", prefs.channel_worker_only)) if on)
    tell = {kind: getattr(prefs, f"tell_{kind}") for kind in NEWS}
    return Choices(channels, prefs.voicemail_ok, prefs.shared_phone, tell, prefs.serious_risk_any_time,
                   prefs.check_after_stop, windows, wordings, prefs.updated_at, agreed.days, agreed.changed_at)


# -- her ledgers, messages and links -----------------------------------------------------------------------------

def _consents(db: Session, partner_id: uuid.UUID) -> tuple[ConsentRow, ...]:
    rows = db.scalars(select(ConsentEvent).where(ConsentEvent.partner_id == partner_id)
                      .order_by(ConsentEvent.occurred_at, ConsentEvent.id))
    return tuple(ConsentRow(e.occurred_at, e.action, e.channel, e.scope) for e in rows)


def _codes(text: str | None) -> tuple[str, ...]:
    return tuple(code for code in (text or "").split(",") if code)


def _sharing(db: Session, partner_id: uuid.UUID) -> tuple[SharingRow, ...]:
    rows = db.scalars(select(SharingConsentEvent).where(SharingConsentEvent.partner_id == partner_id)
                      .order_by(SharingConsentEvent.occurred_at, SharingConsentEvent.created_at,
                                SharingConsentEvent.id))
    return tuple(SharingRow(e.occurred_at, e.action, e.agency, _codes(e.information), e.basis, e.how_given)
                 for e in rows)


def _messages(db: Session, partner_id: uuid.UUID) -> tuple[MessageRow, ...]:
    rows = db.scalars(select(Notification).where(Notification.partner_id == partner_id)
                      .order_by(Notification.created_at, Notification.id))
    return tuple(MessageRow(n.created_at, n.sent_at, n.kind, n.state) for n in rows)


def _texts(db: Session, vault: Vault, partner_id: uuid.UUID) -> tuple[TextRow, ...]:
    rows = db.scalars(select(InboundMessage).where(InboundMessage.partner_id == partner_id)
                      .order_by(InboundMessage.received_at, InboundMessage.id))
    return tuple(TextRow(m.received_at, m.keyword, vault.get(m, "body_ct")) for m in rows)


def _links(db: Session, partner_id: uuid.UUID, now: datetime) -> tuple[LinkRow, ...]:
    rows = db.scalars(select(AccessToken).where(AccessToken.partner_id == partner_id,
                                                AccessToken.purpose == TokenPurpose.INVITE)
                      .order_by(AccessToken.created_at, AccessToken.id))
    out = []
    for token in rows:
        ended = token.revoked_at or (token.expires_at if token.expires_at and token.expires_at <= now else None)
        out.append(LinkRow(token.created_at, token.used_at, ended))
    return tuple(out)


# -- her voice, her worker's work ---------------------------------------------------------------------------------

def _checkins(db: Session, vault: Vault, partner_id: uuid.UUID) -> tuple[CheckinRow, ...]:
    return tuple(CheckinRow(e.at, e.feeling, e.worse, e.changed)
                 for e in reversed(her_checkins.history(db, vault, partner_id, ALL_TIME)))


def _tasks(db: Session, partner_id: uuid.UUID, *, include_private: bool) -> tuple[TaskRow, ...]:
    rows = db.scalars(select(Task).where(Task.partner_id == partner_id, Task.kind.not_in(TASKS_NOT_LISTED))
                      .order_by(Task.created_at, Task.id))
    out = []
    for task in rows:
        reason = TASK_REASONS.get(task.kind, "other")
        if reason in PRIVATE_TASK_REASONS and not include_private:
            continue
        out.append(TaskRow(task.created_at, reason, task.done_at))
    return tuple(out)


def _contacts(db: Session, partner_id: uuid.UUID) -> tuple[ContactRow, ...]:
    rows = db.scalars(select(ContactLogEntry).where(ContactLogEntry.partner_id == partner_id)
                      .order_by(ContactLogEntry.occurred_at, ContactLogEntry.id))
    return tuple(ContactRow(e.occurred_at, e.method, e.reached, e.safe_to_talk, e.outcome,
                            _codes(e.information_given)) for e in rows)


def _question(checklist: Checklist | None, assessment: RiskAssessment, code: str, locale: str) -> str:
    if checklist is not None and checklist.id == assessment.checklist_id \
            and checklist.version == assessment.checklist_version:
        for item in checklist.items:
            if item.code == code:
                return checklist.text(item, locale)
    return code


def _risk(db: Session, vault: Vault, partner_id: uuid.UUID, checklist: Checklist | None,
          locale: str) -> tuple[RiskRow, ...]:
    rows = db.scalars(select(RiskAssessment).where(RiskAssessment.partner_id == partner_id)
                      .order_by(RiskAssessment.assessed_at, RiskAssessment.created_at, RiskAssessment.id))
    out = []
    for row in rows:
        said = json.loads(vault.get(row, "answers_ct") or "{}")
        answers = tuple(Answer(_question(checklist, row, code, locale), str(answer))
                        for code, answer in dict(said.get("answers", {})).items())
        out.append(RiskRow(row.assessed_at, row.level, answers, tuple(str(d) for d in said.get("incident_dates", [])),
                           int(said.get("undated", 0)), vault.get(row, "fears_ct")))
    return tuple(out)


def _children(db: Session, vault: Vault, partner_id: uuid.UUID, now: datetime, *,
              include_private: bool) -> tuple[tuple[ChildRow, ...], dict[uuid.UUID, str]]:
    rows = list(db.scalars(select(ChildRecord).where(ChildRecord.partner_id == partner_id)
                           .order_by(ChildRecord.birth_year.is_(None), ChildRecord.birth_year,
                                     ChildRecord.created_at, ChildRecord.id)))
    out, names = [], {}
    for child in rows:
        high = now.year - child.birth_year if child.birth_year is not None else None
        private = {name: Detail(name, vault.get(child, column) if include_private else None,
                                getattr(child, column) is not None, True)
                   for name, column in (("school", "school_ct"), ("details", "details_ct"))}
        names[child.id] = vault.get(child, "first_name_ct") or ""
        out.append(ChildRow(names[child.id], max(0, high - 1) if high is not None else None, high,
                            private["school"], private["details"]))
    return tuple(out), names


def _referrals(db: Session, partner_id: uuid.UUID, names: dict[uuid.UUID, str]) -> tuple[ReferralRow, ...]:
    rows = db.scalars(select(ChildProtectionReferral).where(ChildProtectionReferral.partner_id == partner_id)
                      .order_by(ChildProtectionReferral.referred_at, ChildProtectionReferral.id))
    out = []
    for referral in rows:
        kids = db.scalars(select(ReferralChild.child_id).where(ReferralChild.referral_id == referral.id))
        out.append(ReferralRow(referral.referred_at, referral.agency,
                               tuple(sorted(names.get(kid, "") for kid in kids)), _codes(referral.information),
                               referral.basis, referral.outcome))
    return tuple(out)


def _conferences(db: Session, partner_id: uuid.UUID) -> tuple[ConferenceRow, ...]:
    rows = db.scalars(select(RiskConferenceReferral).where(RiskConferenceReferral.partner_id == partner_id)
                      .order_by(RiskConferenceReferral.referred_at, RiskConferenceReferral.id))
    return tuple(ConferenceRow(r.referred_at, r.level, r.she_knows, r.she_consents, r.basis, r.status) for r in rows)


def _notes(db: Session, vault: Vault, partner_id: uuid.UUID) -> tuple[NoteRow, ...]:
    """What his programme was told about her risk, in the words sent (she agreed to it being sent)."""
    rows = db.scalars(select(RiskNote).where(RiskNote.partner_id == partner_id)
                      .order_by(RiskNote.sent_at, RiskNote.id))
    return tuple(NoteRow(n.sent_at, vault.get(n, "text_ct") or "", n.withdrawn_at) for n in rows)


def _answer_words(items: ItemSet | None, row: QuestionnaireResponse, code: str, answer: str,
                  locale: str) -> Answer:
    """A question and her answer in the words she read them in, when the answers were given to the item set the
    deployment has now (same id and version); else the codes, as no other item set's words are at hand."""
    item = items.item(code) if items is not None and (row.items_id, row.items_version) == (items.id,
                                                                                           items.version) else None
    if items is None or item is None:
        return Answer(code, answer, coded=True)
    option = next((o for o in items.scale if o.code == answer), None)
    said = (items.text(items.not_applicable, locale) if answer == NOT_APPLICABLE and items.not_applicable
            else items.text(option.texts, locale) if option is not None else answer)
    return Answer(items.text(item.texts, locale), said)


def _questionnaires(db: Session, vault: Vault, partner_id: uuid.UUID, items: ItemSet | None,
                    locale: str) -> tuple[Questionnaire, ...]:
    rows = db.scalars(select(QuestionnaireResponse).where(QuestionnaireResponse.partner_id == partner_id)
                      .order_by(QuestionnaireResponse.submitted_at, QuestionnaireResponse.id))
    out = []
    for row in rows:
        try:
            said = json.loads(vault.get(row, "answers_ct") or "{}")
        except ValueError:
            said = {}
        answers = tuple(_answer_words(items, row, str(k), str(v), locale)
                        for k, v in said.items()) if isinstance(said, dict) else ()
        out.append(Questionnaire(row.submitted_at, row.stage, answers))
    return tuple(out)


def _plan(db: Session, partner_id: uuid.UUID) -> Plan:
    plan = db.scalar(select(SafetyPlan.id).where(SafetyPlan.partner_id == partner_id))
    if plan is None:
        return Plan(False, False)
    shared = db.scalar(select(SafetyPlanShare.id).where(SafetyPlanShare.plan_id == plan).limit(1)) is not None
    return Plan(True, shared)


# -- the copy ----------------------------------------------------------------------------------------------------

def gather(db: Session, vault: Vault, partner: PartnerContact, *, now: datetime, locale: str,
           include_private: bool = False, checklist: Checklist | None = None, plan: Plan | None = None,
           items: ItemSet | None = None) -> AccessCopy:
    """Everything held about her, as her copy shows it (nothing audited: `view` is the audited read). `plan`: her
    plan as her session sees it (whether the copy of the plan she opened is shared), else any copy counts. `items`:
    the deployment's evaluation items, for her questionnaires in words (without: their codes)."""
    prefs = db.scalar(select(Preferences).where(Preferences.partner_id == partner.id))
    details, private = _details(db, vault, partner, prefs, include_private=include_private)
    children, names = _children(db, vault, partner.id, now, include_private=include_private)
    linked = tuple(db.scalars(select(PartnerLink.created_at).where(PartnerLink.partner_id == partner.id)
                              .order_by(PartnerLink.created_at)))
    return AccessCopy(
        made_at=now, status=partner.status, locale=partner.locale, timezone=partner.timezone,
        since=partner.created_at, details=details, private=private, private_shown=include_private,
        choices=_choices(db, vault, partner, prefs, now), consents=_consents(db, partner.id),
        sharing=_sharing(db, partner.id), messages=_messages(db, partner.id), texts=_texts(db, vault, partner.id),
        links=_links(db, partner.id, now), checkins=_checkins(db, vault, partner.id),
        high_risk_from=partner.high_risk_from, high_risk_until=partner.high_risk_until,
        tasks=_tasks(db, partner.id, include_private=include_private), contacts=_contacts(db, partner.id),
        risk=_risk(db, vault, partner.id, checklist, locale), children=children,
        referrals=_referrals(db, partner.id, names), conferences=_conferences(db, partner.id),
        notes=_notes(db, vault, partner.id), questionnaires=_questionnaires(db, vault, partner.id, items, locale),
        linked_since=linked, plan=plan or _plan(db, partner.id))


def fresh(db: Session, vault: Vault, partner: PartnerContact, *, now: datetime, status: str, locale: str,
          plan: Plan, include_private: bool = False) -> AccessCopy:
    """Her copy as a record that has just said yes shows it (a duress session: DESIGN 8 "Duress"): her name and
    phone as her worker recorded them when the case was opened, her time zone and this page's language, nothing
    she has chosen, told or shared since; her plan as the session's plan page shows it."""
    details, private = _details(db, vault, partner, None, include_private=include_private)

    def as_fresh(rows: tuple[Detail, ...]) -> tuple[Detail, ...]:  # the same rows, and nothing recorded but these
        return tuple(d if d.field in ("name", "phone") else Detail(d.field, None, False, d.private) for d in rows)

    details, private = as_fresh(details), as_fresh(private)
    tell = {kind: Tell.CALL.value for kind in NEWS}  # the model's defaults, as a fresh record's choices page shows
    choices = Choices((), False, False, tell, False, False, (), (), None, (), None)
    return AccessCopy(made_at=now, status=status, locale=locale, timezone=partner.timezone, since=partner.created_at,
                      details=details, private=private, private_shown=include_private, choices=choices, plan=plan)


def view(ctx: DomainContext, partner: PartnerContact, copy: AccessCopy, *, purpose: str) -> None:
    """Audit that her copy was shown (by her, or to her worker to hand over) and whether never-disclose values
    were in it: codes only, never a value."""
    ctx.audit("access_copy.view", "partner_contact", partner.id,
              {"purpose": purpose, "never_disclose": copy.private_shown})
