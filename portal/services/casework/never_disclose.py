"""Never-disclose fields, and the one owner of when they may be seen: only on her case page, after "Show".

Always never-disclose: her safe address, her new number, and each child's school and other details. An admin
may mark more of her case fields so (deployment setting `never_disclose_fields`, from MARKABLE). A never-
disclose value is decrypted for a person only by `reveal` (a POST her worker makes on her case page, audited:
who, which field, never the value), or in her copy of her information when she, or her worker handing it to her,
ticks to include them (services/her/access_export.py, audited); everywhere else (lists, tasks, other pages, logs,
the API, any facilitator view) it is shown as hidden or not at all.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.crypto import InvalidPhoneNumber, Vault, normalise_phone
from portal.domain_error import DomainError
from portal.models import ChildRecord, PartnerContact, Preferences
from portal.services.admin import deployment
from portal.services.context import DomainContext

ALWAYS = ("safe_address", "new_number")       # her case's fields that are never disclosed
CHILD_FIELDS = ("school", "details")          # each child's fields that are never disclosed
MARKABLE = ("name", "phone", "email", "code_word")  # her case's fields an admin may mark never-disclose
CASE_FIELDS = ALWAYS + MARKABLE
SETTING = "never_disclose_fields"
ADDRESS_MAX = 500

_PARTNER_COLUMNS = {"name": "name_ct", "phone": "phone_ct", "email": "email_ct", "safe_address": "safe_address_ct",
                    "new_number": "new_number_ct"}
_CHILD_COLUMNS = {"school": "school_ct", "details": "details_ct"}


class NeverDiscloseError(DomainError):
    """The change is refused; `code` picks the message, `field` the input at fault."""


@dataclass(frozen=True)
class Revealed:
    """The one value a Show response may carry: which field (of her case, or of one child) and its value."""

    field: str
    value: str | None
    child_id: uuid.UUID | None = None


@dataclass(frozen=True)
class Guarded:
    """A field as a page may show it: `value` only when it may be shown on this response; `hidden` when a value
    is recorded but stays hidden (the page says "hidden — press Show")."""

    field: str
    value: str | None
    hidden: bool
    revealed: bool = False


def marked(db: Session) -> tuple[str, ...]:
    """The case fields an admin marked never-disclose (unknown names in the setting are ignored)."""
    chosen = deployment.load(db, "", "").never_disclose_fields
    return tuple(name for name in MARKABLE if name in set(chosen or ()))


def check_marked(names: list[str]) -> list[str]:
    """An admin's choice of fields, checked: only MARKABLE names, in their order."""
    if any(name not in MARKABLE for name in names):
        raise NeverDiscloseError("field_unknown", SETTING)
    return [name for name in MARKABLE if name in set(names)]


def hidden_fields(db: Session) -> frozenset[str]:
    """Every case field that is hidden until "Show": the always-hidden ones and those an admin marked."""
    return frozenset(ALWAYS) | frozenset(marked(db))


def is_hidden(db: Session, field: str) -> bool:
    return field in hidden_fields(db)


def _code_word(db: Session, vault: Vault, partner: PartnerContact) -> str | None:
    prefs = db.scalar(select(Preferences).where(Preferences.partner_id == partner.id))
    return vault.get(prefs, "code_word_ct") if prefs is not None else None


def _case_value(db: Session, vault: Vault, partner: PartnerContact, field: str) -> str | None:
    if field == "code_word":
        return _code_word(db, vault, partner)
    return vault.get(partner, _PARTNER_COLUMNS[field])


def _case_recorded(db: Session, partner: PartnerContact, field: str) -> bool:
    if field == "code_word":
        prefs = db.scalar(select(Preferences).where(Preferences.partner_id == partner.id))
        return prefs is not None and prefs.code_word_ct is not None
    return getattr(partner, _PARTNER_COLUMNS[field]) is not None


def case_fields(db: Session, vault: Vault, partner: PartnerContact,
                revealed: Revealed | None = None) -> dict[str, Guarded]:
    """Her case's fields as her case page may show them now: hidden ones are not even decrypted, except the one
    `revealed` by this response's Show."""
    hidden = hidden_fields(db)
    shown: dict[str, Guarded] = {}
    for name in CASE_FIELDS:
        if revealed is not None and revealed.child_id is None and revealed.field == name:
            shown[name] = Guarded(name, revealed.value, hidden=False, revealed=True)
        elif name in hidden:
            shown[name] = Guarded(name, None, hidden=_case_recorded(db, partner, name))
        else:
            shown[name] = Guarded(name, _case_value(db, vault, partner, name), hidden=False)
    return shown


def child_fields(child: ChildRecord, revealed: Revealed | None = None) -> dict[str, Guarded]:
    """A child's never-disclose fields as her case page may show them now (only a Show of this child reveals)."""
    shown = {}
    for name, column in _CHILD_COLUMNS.items():
        if revealed is not None and revealed.child_id == child.id and revealed.field == name:
            shown[name] = Guarded(name, revealed.value, hidden=False, revealed=True)
        else:
            shown[name] = Guarded(name, None, hidden=getattr(child, column) is not None)
    return shown


def reveal(ctx: DomainContext, partner: PartnerContact, field: str) -> Revealed:
    """Her worker pressed Show on her case page: the one value, for this one response; audited (never the value)."""
    if field not in CASE_FIELDS:
        raise NeverDiscloseError("field_unknown", "field")
    value = _case_value(ctx.db, ctx.vault, partner, field)
    ctx.audit("never_disclose.show", "partner_contact", partner.id, {"field": field})
    return Revealed(field, value)


def reveal_child(ctx: DomainContext, partner: PartnerContact, child: ChildRecord, field: str) -> Revealed:
    if field not in _CHILD_COLUMNS or child.partner_id != partner.id:
        raise NeverDiscloseError("field_unknown", "field")
    value = ctx.vault.get(child, _CHILD_COLUMNS[field])
    ctx.audit("never_disclose.show", "partner_contact", partner.id, {"field": f"child_{field}", "child": str(child.id)})
    return Revealed(field, value, child.id)


@dataclass(frozen=True)
class PrivateChange:
    """Her safe address and new number as her worker typed them: empty keeps what is recorded."""

    safe_address: str = ""
    new_number: str = ""
    clear_safe_address: bool = False
    clear_new_number: bool = False


def check_address(text: str) -> str:
    text = (text or "").replace("\r\n", "\n").strip()
    if len(text) > ADDRESS_MAX:
        raise NeverDiscloseError("address_too_long", "safe_address")
    if any(not (ch.isprintable() or ch == "\n") for ch in text):
        raise NeverDiscloseError("address_invalid", "safe_address")
    return text


def check_number(text: str, region: str) -> str:
    text = (text or "").strip()
    if not text:
        return ""
    try:
        return normalise_phone(text[:40], region)
    except InvalidPhoneNumber:
        raise NeverDiscloseError("new_number_invalid", "new_number") from None


def update_private(ctx: DomainContext, partner: PartnerContact, change: PrivateChange, *, region: str) -> list[str]:
    """Record, replace or remove her safe address and new number; which changed (audited by name only)."""
    address = check_address(change.safe_address)
    number = check_number(change.new_number, region)
    changed = []
    for name, value, clear in (("safe_address", address, change.clear_safe_address),
                               ("new_number", number, change.clear_new_number)):
        column = _PARTNER_COLUMNS[name]
        if clear and getattr(partner, column) is not None:
            ctx.vault.put(partner, column, None)
            changed.append(name)
        elif value and not clear:
            ctx.vault.put(partner, column, value)
            changed.append(name)
    if changed:
        partner.updated_at = ctx.now
        ctx.audit("never_disclose.update", "partner_contact", partner.id, {"fields": changed})
    return changed


def values_for_checking(db: Session, vault: Vault, partner: PartnerContact) -> list[tuple[str, str]]:
    """Every never-disclose value of her case, with its field's name, for a check that text carries none of them
    (services/casework/risk_note.py): never for display, never logged. Her safe address, her new number, each
    child's school and other details, and the case fields an admin marked."""
    values = [(name, _case_value(db, vault, partner, name)) for name in (*ALWAYS, *marked(db))]
    for child in db.scalars(select(ChildRecord).where(ChildRecord.partner_id == partner.id)):
        values += [(f"child_{name}", vault.get(child, column)) for name, column in _CHILD_COLUMNS.items()]
    return [(name, value) for name, value in values if value]


def recorded(partner: PartnerContact) -> dict[str, bool]:
    """Whether her safe address and new number are recorded (saying so discloses neither)."""
    return {name: getattr(partner, _PARTNER_COLUMNS[name]) is not None for name in ALWAYS}
