"""Her information-sharing ledger, and the one owner of the rule for sharing: her agreement, or a legal basis.

An append-only ledger (like her contact consent, services/her/consent.py): what she agreed may be shared, with
which agency, when and how she said so; her withdrawal is a new entry; sharing without her agreement is an
entry with its legal basis and a written reason. Nothing else writes SharingConsentEvent rows, and no entry is
ever changed (an erasure of her data deletes them all).

The rule every sharing form uses (`decide`): what is shared with an agency needs her current agreement with
that agency covering every kind of information shared; without it, a legal basis and a written reason.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from portal.crypto import Vault
from portal.domain_error import DomainError
from portal.models import (
    AgencyKind,
    PartnerContact,
    SharingAction,
    SharingBasis,
    SharingConsentEvent,
    SharingHow,
    StaffUser,
)
from portal.services.context import DomainContext

# What may be shared (comma-separated codes on an entry; console/labels.SHARING_INFORMATION words them).
INFORMATION = ("risk", "children", "contact", "case")
AGENCIES = tuple(AgencyKind)
LEGAL_BASES = tuple(basis for basis in SharingBasis if basis != SharingBasis.CONSENT)
HOW = tuple(SharingHow)
AGENCY_NAME_MAX = 200
REASON_MAX = 4000
REASON_MIN = 10  # a written reason, not a tick: at least a short sentence
KNOWN_PREFIX = "known:"  # a form's agency choice naming an agency of her ledger by one of its entries
# His programme (the staff of his course): only with her agreement, recorded after her worker told her that a
# risk note shows the programme she is in contact; never her contact details or her case notes (CONTENT.md).
PROGRAMME = AgencyKind.PROGRAMME
PROGRAMME_INFORMATION = ("risk", "children")


class SharingError(DomainError):
    """The sharing entry or decision is refused; `code` picks the message, `field` the input at fault."""


@dataclass(frozen=True)
class Agency:
    kind: str
    name: str  # as her worker wrote it ("" when none)

    @property
    def key(self) -> tuple[str, str]:
        """One agency whatever the spacing or capitals of its name."""
        return self.kind, " ".join(self.name.split()).casefold()


@dataclass(frozen=True)
class EntryView:
    id: uuid.UUID
    action: str
    agency: Agency
    information: tuple[str, ...]
    basis: str
    how_given: str | None
    reason: str | None
    occurred_at: datetime
    recorded_by: str | None


@dataclass
class AgencyState:
    """Where sharing with one agency stands now: her latest yes or withdrawal, and any sharing without her yes."""

    agency: Agency
    agreed: bool = False
    information: tuple[str, ...] = ()
    since: datetime | None = None      # when she agreed, or withdrew
    how_given: str | None = None
    withdrawn: bool = False
    latest_id: uuid.UUID | None = None  # the latest entry of this agency (a form names the agency by it)
    agreed_entry_id: uuid.UUID | None = None
    without_consent: list[EntryView] = field(default_factory=list)

    def covers(self, information: tuple[str, ...] | frozenset[str]) -> bool:
        return self.agreed and set(information) <= set(self.information)


@dataclass(frozen=True)
class Decision:
    """On what basis something may be shared with an agency: her agreement (the entry), or a legal basis."""

    basis: str
    reason: str | None
    consent_entry_id: uuid.UUID | None


def codes_of(text: str | None) -> tuple[str, ...]:
    return tuple(code for code in (text or "").split(",") if code)


def check_agency_name(name: str, kind: str) -> str:
    name = " ".join((name or "").split())
    if kind not in AGENCIES:
        raise SharingError("agency_invalid", "agency")
    if len(name) > AGENCY_NAME_MAX or any(not ch.isprintable() for ch in name):
        raise SharingError("agency_name_invalid", "agency_name")
    if kind == AgencyKind.OTHER and not name:
        raise SharingError("agency_name_required", "agency_name")
    if kind == PROGRAMME and name:
        raise SharingError("programme_no_name", "agency_name")  # always the programme of the man linked to her
    return name


def check_information(codes: tuple[str, ...]) -> tuple[str, ...]:
    if not codes:
        raise SharingError("information_required", "information")
    if any(code not in INFORMATION for code in codes):
        raise SharingError("information_unknown", "information")
    return tuple(code for code in INFORMATION if code in set(codes))


def _when(occurred_at: datetime, now: datetime) -> datetime:
    if occurred_at > now + timedelta(minutes=5):
        raise SharingError("sharing_in_future", "occurred_at")
    return occurred_at


def ledger(db: Session, vault: Vault, partner_id: uuid.UUID) -> list[EntryView]:
    """Every entry of hers, oldest first (the order the current state folds them in)."""
    rows = db.execute(select(SharingConsentEvent, StaffUser.display_name)
                      .outerjoin(StaffUser, StaffUser.id == SharingConsentEvent.recorded_by_id)
                      .where(SharingConsentEvent.partner_id == partner_id)
                      .order_by(SharingConsentEvent.occurred_at, SharingConsentEvent.created_at,
                                SharingConsentEvent.id)).all()
    return [EntryView(entry.id, entry.action, Agency(entry.agency, vault.get(entry, "agency_name_ct") or ""),
                      codes_of(entry.information), entry.basis, entry.how_given, vault.get(entry, "reason_ct"),
                      entry.occurred_at, name) for entry, name in rows]


def current(db: Session, vault: Vault, partner_id: uuid.UUID) -> list[AgencyState]:
    """Where sharing with each agency in her ledger stands now, in the order the agencies first appear."""
    states: dict[tuple[str, str], AgencyState] = {}
    for entry in ledger(db, vault, partner_id):
        state = states.setdefault(entry.agency.key, AgencyState(entry.agency))
        state.latest_id = entry.id
        if entry.action == SharingAction.AGREED:
            state.agency = entry.agency  # her latest words for its name
            state.agreed, state.withdrawn = True, False
            state.information, state.since, state.how_given = entry.information, entry.occurred_at, entry.how_given
            state.agreed_entry_id = entry.id
        elif entry.action == SharingAction.WITHDRAWN:
            state.agreed, state.withdrawn = False, True
            state.information, state.since, state.how_given = (), entry.occurred_at, entry.how_given
            state.agreed_entry_id = None
        else:
            state.without_consent.append(entry)
    return list(states.values())


def state_for(states: list[AgencyState], agency: Agency) -> AgencyState:
    return next((state for state in states if state.agency.key == agency.key), AgencyState(agency))


def resolve_agency(db: Session, vault: Vault, partner: PartnerContact, choice: str, typed_name: str) -> Agency:
    """A form's agency: `known:<entry id>` names an agency of her ledger; else a kind and the typed name."""
    if choice.startswith(KNOWN_PREFIX):
        try:
            entry_id = uuid.UUID(choice.removeprefix(KNOWN_PREFIX))
        except ValueError:
            raise SharingError("agency_invalid", "agency") from None
        entry = db.get(SharingConsentEvent, entry_id)
        if entry is None or entry.partner_id != partner.id:
            raise SharingError("agency_invalid", "agency")
        return Agency(entry.agency, vault.get(entry, "agency_name_ct") or "")
    return Agency(choice, check_agency_name(typed_name, choice))


def decide(states: list[AgencyState], agency: Agency, information: tuple[str, ...], basis: str,
           reason: str) -> Decision:
    """The basis for sharing `information` with `agency`: her agreement if it covers it, else a legal basis
    with a written reason. An empty `basis` means "her agreement, if she gave it" (the form then asks)."""
    state = state_for(states, agency)
    reason = (reason or "").replace("\r\n", "\n").strip()
    if basis in ("", SharingBasis.CONSENT):
        if state.covers(information):
            return Decision(SharingBasis.CONSENT, None, state.agreed_entry_id)
        raise SharingError("basis_needed" if not basis else "consent_not_recorded", "basis")
    if basis not in LEGAL_BASES:
        raise SharingError("basis_invalid", "basis")
    if len(reason) < REASON_MIN:
        raise SharingError("reason_required", "reason")
    if len(reason) > REASON_MAX or any(not (ch.isprintable() or ch == "\n") for ch in reason):
        raise SharingError("reason_too_long" if len(reason) > REASON_MAX else "reason_invalid", "reason")
    return Decision(basis, reason, None)


def _staff_id(ctx: DomainContext) -> uuid.UUID | None:
    try:
        return uuid.UUID(ctx.actor.id) if ctx.actor.id else None
    except ValueError:
        return None


def _append(ctx: DomainContext, partner: PartnerContact, *, action: str, agency: Agency,
            information: tuple[str, ...], basis: str, how_given: str | None, reason: str | None,
            occurred_at: datetime, told: bool = False) -> SharingConsentEvent:
    entry = SharingConsentEvent(id=uuid.uuid4(), partner_id=partner.id, action=SharingAction(action),
                                agency=AgencyKind(agency.kind), information=",".join(information) or None,
                                basis=SharingBasis(basis), how_given=SharingHow(how_given) if how_given else None,
                                occurred_at=occurred_at, recorded_by_id=_staff_id(ctx), created_at=ctx.now)
    ctx.vault.put(entry, "agency_name_ct", agency.name or None)
    ctx.vault.put(entry, "reason_ct", reason or None)
    ctx.db.add(entry)
    ctx.db.flush()
    details: dict[str, object] = {"entry": str(entry.id), "agency": agency.kind, "basis": basis,
                                  "information": list(information)}
    if told:
        details["told_note_shows_contact"] = True
    ctx.audit(f"sharing.{action}", "partner_contact", partner.id, details)
    return entry


def _programme_notes_follow(ctx: DomainContext, partner: PartnerContact, agency: Agency) -> None:
    """Once her agreement no longer covers risk notes to his programme, the notes sent are withdrawn too."""
    if agency.kind != PROGRAMME:
        return
    from portal.services.casework import risk_note  # it asks this module for her agreement

    if not state_for(current(ctx.db, ctx.vault, partner.id), agency).covers(risk_note.INFORMATION):
        risk_note.withdraw_all(ctx, partner, "agreement_withdrawn")


def record_agreement(ctx: DomainContext, partner: PartnerContact, *, agency: Agency,
                     information: tuple[str, ...], how_given: str, occurred_at: datetime,
                     told_note_shows_contact: bool = False) -> SharingConsentEvent:
    """She agreed that this information may be shared with this agency (it replaces an earlier agreement).

    For his programme, her worker must have told her that a note shows the programme she is in contact
    (`told_note_shows_contact`), and only risk and children's information can be agreed."""
    check_agency_name(agency.name, agency.kind)
    information = check_information(information)
    if agency.kind == PROGRAMME:
        if not set(information) <= set(PROGRAMME_INFORMATION):
            raise SharingError("programme_information", "information")
        if not told_note_shows_contact:
            raise SharingError("programme_not_told", "told")
    if how_given not in HOW:
        raise SharingError("how_invalid", "how_given")
    entry = _append(ctx, partner, action=SharingAction.AGREED, agency=agency, information=information,
                    basis=SharingBasis.CONSENT, how_given=how_given, reason=None,
                    occurred_at=_when(occurred_at, ctx.now), told=agency.kind == PROGRAMME)
    _programme_notes_follow(ctx, partner, agency)
    return entry


def record_withdrawal(ctx: DomainContext, partner: PartnerContact, *, agency: Agency, how_given: str,
                      occurred_at: datetime) -> SharingConsentEvent:
    """She withdrew her agreement to sharing with this agency: a new entry; earlier entries stay as they were."""
    state = state_for(current(ctx.db, ctx.vault, partner.id), agency)
    if not state.agreed:
        raise SharingError("nothing_to_withdraw", "agency")
    if how_given not in HOW:
        raise SharingError("how_invalid", "how_given")
    entry = _append(ctx, partner, action=SharingAction.WITHDRAWN, agency=state.agency, information=(),
                    basis=SharingBasis.CONSENT, how_given=how_given, reason=None,
                    occurred_at=_when(occurred_at, ctx.now))
    _programme_notes_follow(ctx, partner, state.agency)
    return entry


def record_without_consent(ctx: DomainContext, partner: PartnerContact, *, agency: Agency,
                           information: tuple[str, ...], basis: str, reason: str,
                           occurred_at: datetime) -> SharingConsentEvent:
    """Information shared (or to be shared) with this agency on a legal basis, without her agreement."""
    check_agency_name(agency.name, agency.kind)
    if agency.kind == PROGRAMME:
        raise SharingError("programme_needs_agreement", "agency")  # her page: "Without your yes, nothing is sent."
    information = check_information(information)
    if basis not in LEGAL_BASES:
        raise SharingError("basis_invalid", "basis")
    decision = decide([], agency, information, basis, reason)  # the legal-basis rules: a basis and a reason
    return _append(ctx, partner, action=SharingAction.WITHOUT_CONSENT, agency=agency, information=information,
                   basis=decision.basis, how_given=None, reason=decision.reason,
                   occurred_at=_when(occurred_at, ctx.now))


def erase_for_partner(db: Session, partner_id: uuid.UUID) -> None:
    """Her erasure: every entry of hers is deleted (a referral kept by law keeps its own basis and reason)."""
    db.execute(delete(SharingConsentEvent).where(SharingConsentEvent.partner_id == partner_id))
