"""Her risk note to his programme: the facilitator's one exception (DESIGN 8), and the one writer of RiskNote.

Her worker may send the facilitators of the programme of a man linked to her case a short note about a risk
to her or the children, only while her sharing ledger (services/casework/sharing_consent.py) holds her current
agreement to risk information going to his programme, recorded after she was told that a note shows the
programme she is in contact with the service. Every note passes services/casework/note_check.py (nothing that
says who she is or how to reach her); a refusal is audited with the kind found only, and commits even though
the request fails. Sending and withdrawing are audited. The facilitators see a current note's text and date
only (services/programme/partner_notes.py); a withdrawn note, or every note once she withdraws her agreement,
is shown to nobody on the programme's side.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, aliased

from portal.crypto import Vault
from portal.domain_error import DomainError
from portal.models import (
    AgencyKind,
    Participant,
    PartnerContact,
    PartnerLink,
    PartnerStatus,
    Preferences,
    Programme,
    RiskNote,
    StaffUser,
)
from portal.services.casework import never_disclose, note_check, sharing_consent
from portal.services.context import DomainContext

AGENCY = sharing_consent.Agency(AgencyKind.PROGRAMME, "")  # "his programme": the one a linked man attends
INFORMATION = ("risk",)
TEXT_MAX = note_check.TEXT_MAX


class RiskNoteError(DomainError):
    """The note is refused; `code` picks the message, `field` the input at fault (a never-disclose field's name
    for "never_disclose", so that the message can say which kind of detail was found)."""


@dataclass(frozen=True)
class Target:
    """A man linked to her case (a live link), whose programme a note can go to."""

    participant_id: uuid.UUID
    reference: str
    programme: str


@dataclass(frozen=True)
class SentNote:
    """A note as her worker's pages show it."""

    id: uuid.UUID
    text: str
    sent_at: datetime
    reference: str
    programme: str
    sent_by: str | None
    withdrawn_at: datetime | None
    withdrawn_by: str | None


def targets(db: Session, partner_id: uuid.UUID) -> list[Target]:
    rows = db.execute(select(Participant.id, Participant.reference, Programme.name)
                      .join(PartnerLink, PartnerLink.participant_id == Participant.id)
                      .join(Programme, Programme.id == Participant.programme_id)
                      .where(PartnerLink.partner_id == partner_id, PartnerLink.ended_at.is_(None),
                             Programme.is_active.is_(True))
                      .order_by(Programme.name, Participant.reference)).all()
    return [Target(pid, reference, name) for pid, reference, name in rows]


def agreement(db: Session, vault: Vault, partner_id: uuid.UUID) -> sharing_consent.AgencyState:
    """Where her agreement to risk information going to his programme stands now."""
    return sharing_consent.state_for(sharing_consent.current(db, vault, partner_id), AGENCY)


def notes_of(db: Session, vault: Vault, partner_id: uuid.UUID) -> list[SentNote]:
    """Every note sent from her case, newest first (her worker's pages only)."""
    sender, withdrawer = aliased(StaffUser), aliased(StaffUser)
    rows = db.execute(select(RiskNote, Participant.reference, Programme.name, sender.display_name,
                             withdrawer.display_name)
                      .join(Participant, Participant.id == RiskNote.participant_id)
                      .join(Programme, Programme.id == RiskNote.programme_id)
                      .outerjoin(sender, sender.id == RiskNote.sent_by_id)
                      .outerjoin(withdrawer, withdrawer.id == RiskNote.withdrawn_by_id)
                      .where(RiskNote.partner_id == partner_id)
                      .order_by(RiskNote.sent_at.desc(), RiskNote.id)).all()
    return [SentNote(note.id, vault.get(note, "text_ct") or "", note.sent_at, reference, programme, sent_by,
                     note.withdrawn_at, withdrawn_by)
            for note, reference, programme, sent_by, withdrawn_by in rows]


def current_count(db: Session, partner_id: uuid.UUID) -> int:
    """How many notes from her case his programme sees now."""
    return len(list(db.scalars(select(RiskNote.id).where(RiskNote.partner_id == partner_id,
                                                         RiskNote.withdrawn_at.is_(None)))))


def _hers(db: Session, vault: Vault, partner: PartnerContact) -> note_check.Hers:
    prefs = db.scalar(select(Preferences).where(Preferences.partner_id == partner.id))
    return note_check.Hers(name=vault.get(partner, "name_ct"), phone=vault.get(partner, "phone_ct"),
                           email=vault.get(partner, "email_ct"),
                           code_word=vault.get(prefs, "code_word_ct") if prefs is not None else None,
                           never_disclose=tuple(never_disclose.values_for_checking(db, vault, partner)))


def _staff_id(ctx: DomainContext) -> uuid.UUID | None:
    try:
        return uuid.UUID(ctx.actor.id) if ctx.actor.id else None
    except ValueError:
        return None


def _refused(ctx: DomainContext, partner: PartnerContact, kind: str, field: str | None = None) -> RiskNoteError:
    """Audit the refusal (the kind found, never the value) in its own transaction, so that it stands although
    the request fails; the caller raises what this returns. Call before the request writes anything."""
    details: dict[str, object] = {"kind": kind}
    if field:
        details["field"] = field
    with Session(ctx.db.get_bind()) as tally, tally.begin():
        ctx.on(tally).audit("risk_note.refused", "partner_contact", partner.id, details)
    return RiskNoteError(kind, field)


def send(ctx: DomainContext, partner: PartnerContact, *, participant_id: uuid.UUID | None, text: str,
         told: bool) -> RiskNote:
    """Send a note to the facilitators of the programme of this man linked to her case.

    `told`: her worker confirms she agreed to it, knowing it shows his programme she is in contact."""
    try:
        text = note_check.clean(text)
    except note_check.NoteProblem as problem:
        raise RiskNoteError(problem.code, "text") from None
    if partner.status == PartnerStatus.ERASED:
        raise RiskNoteError("case_erased")
    target = next((t for t in targets(ctx.db, partner.id) if t.participant_id == participant_id), None)
    if target is None:
        raise RiskNoteError("participant_invalid", "participant")
    if not told:
        raise RiskNoteError("told_required", "told")
    try:
        decision = sharing_consent.decide(sharing_consent.current(ctx.db, ctx.vault, partner.id), AGENCY,
                                          INFORMATION, sharing_consent.SharingBasis.CONSENT, "")
    except sharing_consent.SharingError:
        raise _refused(ctx, partner, "agreement_needed") from None
    found = note_check.find(text, _hers(ctx.db, ctx.vault, partner))
    if found is not None:
        raise _refused(ctx, partner, found.code, found.field)
    participant = ctx.db.get(Participant, target.participant_id)
    assert participant is not None  # a live link's participant  # nosec B101
    note = RiskNote(id=uuid.uuid4(), participant_id=participant.id, programme_id=participant.programme_id,
                    sent_at=ctx.now, partner_id=partner.id, consent_entry_id=decision.consent_entry_id,
                    sent_by_id=_staff_id(ctx), created_at=ctx.now)
    ctx.vault.put(note, "text_ct", text)
    ctx.db.add(note)
    ctx.db.flush()
    ctx.audit("risk_note.send", "partner_contact", partner.id,
              {"note": str(note.id), "participant": str(participant.id), "programme": str(participant.programme_id),
               "consent_entry": str(decision.consent_entry_id)})
    return note


def _withdraw(ctx: DomainContext, partner: PartnerContact, note: RiskNote, cause: str) -> None:
    note.withdrawn_at = ctx.now
    note.withdrawn_by_id = _staff_id(ctx)
    ctx.audit("risk_note.withdraw", "partner_contact", partner.id, {"note": str(note.id), "cause": cause})


def withdraw(ctx: DomainContext, partner: PartnerContact, note_id: uuid.UUID) -> RiskNote:
    """Her worker withdraws a note (sent in error, or she asks): the facilitators no longer see it."""
    note = ctx.db.get(RiskNote, note_id)
    if note is None or note.partner_id != partner.id:
        raise RiskNoteError("note_unknown")
    if note.withdrawn_at is not None:
        raise RiskNoteError("note_already_withdrawn")
    _withdraw(ctx, partner, note, "worker")
    ctx.db.flush()
    return note


def withdraw_all(ctx: DomainContext, partner: PartnerContact, cause: str) -> int:
    """Every current note of hers withdrawn (she withdrew her agreement to it); how many."""
    notes = list(ctx.db.scalars(select(RiskNote).where(RiskNote.partner_id == partner.id,
                                                       RiskNote.withdrawn_at.is_(None))))
    for note in notes:
        _withdraw(ctx, partner, note, cause)
    ctx.db.flush()
    return len(notes)


def erase_for_partner(db: Session, partner_id: uuid.UUID) -> None:
    """Her erasure: every note from her case is deleted (runs before her sharing ledger is deleted)."""
    db.execute(delete(RiskNote).where(RiskNote.partner_id == partner_id))
