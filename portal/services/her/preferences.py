"""Her contact preferences: validate a whole change, apply it, and audit which fields changed (never values).

The one owner of these rules, whoever makes the change: she on her own page, or her worker on her behalf
(services/casework builds the same PreferencesInput). The actor is recorded; a staff actor's change is
audited as made on her behalf.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from portal import content_rules
from portal.crypto import Vault
from portal.digits import ascii_digits
from portal.models import (
    ActorKind,
    ConsentChannel,
    PartnerContact,
    Preferences,
    SafeWindow,
    SupportService,
    TaskKind,
    Tell,
    WarningWording,
    Wording,
)
from portal.services.casework.tasks import close_open_tasks
from portal.services.context import DomainContext
from portal.services.her import consent, language
from portal.sms.discretion import problems
from portal.sms.segments import measure
from portal.sms.templates import LONGEST_NUMBER, with_number

CHANNELS = ("sms", "call", "worker_only", "none")
EXCLUSIVE_CHANNELS = ("worker_only", "none")
TOPICS = ("dropout", "suspended", "completed", "risk")
WEEKDAYS = tuple(range(7))  # 0 = Monday
MAX_WINDOWS = 6
CODE_WORD_MAX = 40  # her page promised 40; her worker's form allowed 60: the shorter, printable rule holds for both
MIDNIGHT = 24 * 60
WORDINGS = tuple(Wording)
OWN_WORDS_INPUT_MAX = 400  # what a form may send; the real limit is one SMS segment (check_own_words)
_TIME = re.compile(r"([01][0-9]|2[0-3]):([0-5][0-9])")

# Zones offered in the list; any valid IANA zone is accepted, and her current zone is always offered.
SUGGESTED_ZONES = (
    "Europe/London", "Europe/Dublin", "Europe/Lisbon", "Europe/Madrid", "Europe/Paris", "Europe/Brussels",
    "Europe/Amsterdam", "Europe/Luxembourg", "Europe/Berlin", "Europe/Zurich", "Europe/Vienna",
    "Europe/Rome", "Europe/Copenhagen", "Europe/Oslo", "Europe/Stockholm", "Europe/Helsinki",
    "Europe/Warsaw", "Europe/Prague", "Europe/Bratislava", "Europe/Budapest", "Europe/Ljubljana",
    "Europe/Zagreb", "Europe/Belgrade", "Europe/Sarajevo", "Europe/Bucharest", "Europe/Sofia",
    "Europe/Athens", "Europe/Istanbul", "Europe/Vilnius", "Europe/Riga", "Europe/Tallinn", "Europe/Kyiv",
    "Europe/Chisinau", "Europe/Malta", "Asia/Nicosia", "Atlantic/Reykjavik", "Atlantic/Canary",
    "Africa/Casablanca", "Africa/Cairo", "Asia/Beirut", "Asia/Amman", "Asia/Damascus", "Asia/Baghdad",
    "Asia/Riyadh", "Asia/Dubai", "Asia/Jerusalem", "Africa/Tunis", "Africa/Algiers",
)


@dataclass(frozen=True)
class WindowInput:
    """One row of the form: some weekdays, a start and an end ("HH:MM"; an end of 00:00 means midnight)."""

    days: tuple[int, ...]
    start: str
    end: str

    @property
    def blank(self) -> bool:
        return not self.days and not self.start.strip() and not self.end.strip()


@dataclass(frozen=True)
class WordingInput:
    """How a warning of one kind should read: a neutral text or her own words, with her worker's number or not."""

    wording: str
    own_words: str = ""
    with_number: bool = False


WordingView = WordingInput  # shown back as it was chosen (her own words are hers to see and change)
DEFAULT_WORDING = WordingInput(Wording.NEUTRAL_1)


@dataclass(frozen=True)
class PreferencesInput:
    channels: frozenset[str]
    windows: tuple[WindowInput, ...]
    timezone: str
    voicemail_ok: bool
    shared_phone: bool
    tell: dict[str, str]
    serious_risk_any_time: bool
    locale: str
    code_word: str = ""          # empty: keep the one she has
    clear_code_word: bool = False
    # If STOP is texted from her phone, her worker may check once by call (needs calls among her ways).
    check_after_stop: bool = False
    wordings: dict[str, WordingInput] | None = None  # per kind of news; None: leave them as they are


@dataclass(frozen=True)
class FieldError:
    """A problem with one field; `code` is explained to her in her language by the page."""

    field: str
    code: str


@dataclass(frozen=True)
class WindowView:
    days: tuple[int, ...]
    start: str
    end: str


@dataclass(frozen=True)
class PreferencesView:
    channels: frozenset[str]
    windows: tuple[WindowView, ...]
    timezone: str
    voicemail_ok: bool
    shared_phone: bool
    tell: dict[str, str]
    serious_risk_any_time: bool
    locale: str
    has_code_word: bool
    check_after_stop: bool = False


@dataclass
class ChangeResult:
    changed: list[str] = field(default_factory=list)
    errors: list[FieldError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def is_valid_zone(name: str) -> bool:
    if not name or len(name) > 64 or name.startswith(("/", ".")) or ".." in name:
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return name in available_timezones()


def _minutes(text: str, *, end: bool) -> int | None:
    match = _TIME.fullmatch(ascii_digits(text.strip()[:8]))  # any script's decimal digits (DESIGN 8)
    if not match:
        return None
    value = int(match.group(1)) * 60 + int(match.group(2))
    return MIDNIGHT if end and value == 0 else value


def _clock(minute: int) -> str:
    minute %= MIDNIGHT
    return f"{minute // 60:02d}:{minute % 60:02d}"


def parse_windows(rows: tuple[WindowInput, ...]) -> tuple[set[tuple[int, int, int]], list[FieldError]]:
    """Turn form rows into (weekday, start, end) triples, or say which row is wrong and why."""
    triples: set[tuple[int, int, int]] = set()
    errors: list[FieldError] = []
    filled = [(index, row) for index, row in enumerate(rows) if not row.blank]
    if len(filled) > MAX_WINDOWS:
        return triples, [FieldError("windows", "windows_too_many")]
    for index, row in filled:
        name = f"window-{index}"
        if not row.days or any(day not in WEEKDAYS for day in row.days):
            errors.append(FieldError(name, "window_days"))
            continue
        start, end = _minutes(row.start, end=False), _minutes(row.end, end=True)
        if start is None or end is None:
            errors.append(FieldError(name, "window_time"))
        elif end <= start:
            errors.append(FieldError(name, "window_order"))
        else:
            triples.update((day, start, end) for day in row.days)
    return triples, errors


def check_own_words(text: str, *, number: bool, locale: str, names: Collection[str] = ()) -> str | None:
    """The one rule for her own words for a warning; None when they may be sent, else the problem's code.

    They must stay ONE segment as sent (GSM-7: 160, else 70 UCS-2 units), with the longest possible number when
    she asked for her worker's number, and pass the discretion check (no link, no telling word in any locale,
    not her name nor her service's) and the no-blame check.
    """
    text = text.strip()
    if not text:
        return "own_words_empty"
    if any(not ch.isprintable() for ch in text):
        return "own_words_characters"
    composed = with_number(text, LONGEST_NUMBER if number else None)
    if not measure(composed).single:
        return "own_words_too_long"
    found = {problem.code for problem in problems(composed, names=names)}
    if "link" in found:
        return "own_words_link"
    if "name" in found:
        return "own_words_name"
    if found or content_rules.check_all(text, locale, "sms"):
        return "own_words_telling"
    return None


def _validate_wordings(wordings: dict[str, WordingInput], locale: str, names: Collection[str]) -> list[FieldError]:
    errors: list[FieldError] = []
    for topic in TOPICS:
        choice = wordings.get(topic)
        if choice is None or choice.wording not in WORDINGS:
            errors.append(FieldError(f"wording-{topic}", "wording_choice"))
            continue
        if choice.wording == Wording.OWN or choice.own_words.strip():
            problem = check_own_words(choice.own_words, number=choice.with_number, locale=locale, names=names)
            if problem:
                errors.append(FieldError(f"own-{topic}", problem))
    return errors


def validate(data: PreferencesInput, locales: Collection[str],
             names: Collection[str] = ()) -> tuple[set[tuple[int, int, int]], list[FieldError]]:
    """Check the whole change; returns her windows and every problem found (all at once, not one by one)."""
    errors: list[FieldError] = []
    if not data.channels or not data.channels <= set(CHANNELS):
        errors.append(FieldError("channels", "channels_choose"))
    elif data.channels & set(EXCLUSIVE_CHANNELS) and len(data.channels) > 1:
        errors.append(FieldError("channels", "channels_exclusive"))
    for topic in TOPICS:
        if data.tell.get(topic) not in Tell.ALL:
            errors.append(FieldError(f"tell-{topic}", "tell_choice"))
        elif data.tell[topic] in (Tell.MESSAGE, Tell.BOTH) and "sms" not in data.channels:
            errors.append(FieldError(f"tell-{topic}", "tell_needs_sms"))
    if not is_valid_zone(data.timezone):
        errors.append(FieldError("timezone", "timezone_unknown"))
    if data.locale not in locales:
        errors.append(FieldError("locale", "locale_unknown"))
    code_word = data.code_word.strip()
    if len(code_word) > CODE_WORD_MAX or any(not ch.isprintable() for ch in code_word):
        errors.append(FieldError("code_word", "code_word_length"))
    if data.check_after_stop and "call" not in data.channels:
        errors.append(FieldError("check_after_stop", "check_after_stop_needs_call"))
    windows, window_errors = parse_windows(data.windows)
    errors.extend(window_errors)
    if not window_errors and not windows and data.channels & {"sms", "call"}:
        errors.append(FieldError("windows", "windows_needed"))
    if data.wordings is not None:
        errors.extend(_validate_wordings(data.wordings, data.locale, names))
    return windows, errors


def _prefs(db: Session, partner: PartnerContact) -> Preferences:
    prefs = db.scalar(select(Preferences).where(Preferences.partner_id == partner.id))
    if prefs is None:
        prefs = Preferences(id=uuid.uuid4(), partner_id=partner.id)
        db.add(prefs)
        db.flush()
    return prefs


def _windows(db: Session, partner_id: uuid.UUID) -> set[tuple[int, int, int]]:
    rows = db.scalars(select(SafeWindow).where(SafeWindow.partner_id == partner_id))
    return {(w.weekday, w.start_minute, w.end_minute) for w in rows}


def save_windows(db: Session, partner: PartnerContact, windows: set[tuple[int, int, int]], *, now: datetime) -> bool:
    """Replace her safe windows with these (weekday, start, end) triples; True when anything changed.

    Once she has any, her worker's "set her safe times" task is done: texts can reach her in them.
    """
    if windows == _windows(db, partner.id):
        return False
    db.execute(delete(SafeWindow).where(SafeWindow.partner_id == partner.id))
    for day, start, end in sorted(windows):
        db.add(SafeWindow(id=uuid.uuid4(), partner_id=partner.id, weekday=day, start_minute=start, end_minute=end))
    db.flush()
    if windows:
        close_open_tasks(db, partner.id, TaskKind.SAFE_TIMES_NEEDED, now=now)
    return True


def rows_of(view: PreferencesView) -> tuple[WindowInput, ...]:
    """Her current windows as form rows (one per time range, with its days)."""
    return tuple(WindowInput(w.days, w.start, w.end) for w in view.windows)


def current(db: Session, partner: PartnerContact) -> PreferencesView:
    """What she has chosen so far, shaped like the form (her code word is never shown back)."""
    prefs = _prefs(db, partner)
    channels = {name for name, on in (("sms", prefs.channel_sms), ("call", prefs.channel_call),
                                      ("worker_only", prefs.channel_worker_only)) if on}
    grouped: dict[tuple[int, int], list[int]] = {}
    for day, start, end in sorted(_windows(db, partner.id)):
        grouped.setdefault((start, end), []).append(day)
    windows = tuple(WindowView(tuple(days), _clock(start), _clock(end))
                    for (start, end), days in sorted(grouped.items(), key=lambda item: (item[1][0], item[0])))
    return PreferencesView(
        channels=frozenset(channels), windows=windows, timezone=partner.timezone,
        voicemail_ok=prefs.voicemail_ok, shared_phone=prefs.shared_phone,
        tell={topic: getattr(prefs, f"tell_{topic}") for topic in TOPICS},
        serious_risk_any_time=prefs.serious_risk_any_time, locale=partner.locale,
        has_code_word=prefs.code_word_ct is not None, check_after_stop=prefs.check_after_stop,
    )


def wordings(db: Session, vault: Vault, partner: PartnerContact) -> dict[str, WordingView]:
    """How each kind of warning reads for her now (no row: the first neutral text, no number)."""
    rows = {row.kind: row for row in db.scalars(select(WarningWording).where(WarningWording.partner_id == partner.id))}
    views = {}
    for topic in TOPICS:
        row = rows.get(topic)
        views[topic] = DEFAULT_WORDING if row is None else WordingView(
            row.wording, vault.get(row, "own_words_ct") or "", row.with_number)
    return views


def _names(db: Session, vault: Vault, partner: PartnerContact) -> list[str]:
    """Names her own words must not hold: hers and her support service's."""
    service = db.get(SupportService, partner.service_id)
    return [name for name in (vault.get(partner, "name_ct"), service.name if service else None) if name]


def _apply_wordings(db: Session, vault: Vault, partner: PartnerContact, chosen: dict[str, WordingInput],
                    now: datetime) -> list[str]:
    changed = []
    rows = {row.kind: row for row in db.scalars(select(WarningWording).where(WarningWording.partner_id == partner.id))}
    for topic in TOPICS:
        choice, row = chosen[topic], rows.get(topic)
        if row is None:
            if choice == DEFAULT_WORDING:
                continue
            row = WarningWording(id=uuid.uuid4(), partner_id=partner.id, kind=topic)
            db.add(row)
        own = choice.own_words.strip()
        before = (row.wording, vault.get(row, "own_words_ct") or "", row.with_number)
        if before != (choice.wording, own, choice.with_number):
            row.wording, row.with_number, row.updated_at = choice.wording, choice.with_number, now
            if own != before[1]:
                vault.put(row, "own_words_ct", own or None)
            changed.append(f"wording_{topic}")
    return changed


def check(db: Session, vault: Vault, partner: PartnerContact, data: PreferencesInput, *,
          locales: Collection[str]) -> list[FieldError]:
    """Every problem `update` would find with this change, without applying anything (a duress session's
    form is answered exactly as her own would be, and nothing is saved: portal/public/duress_view.py)."""
    return validate(data, locales, _names(db, vault, partner) if data.wordings is not None else ())[1]


def update(ctx: DomainContext, partner: PartnerContact, data: PreferencesInput, *,
           locales: Collection[str]) -> ChangeResult:
    """Apply her whole change, or nothing when anything is wrong; one audit event names the changed fields.

    The context's actor is she, or her worker on her behalf."""
    db, vault, now, actor = ctx.db, ctx.vault, ctx.now, ctx.actor
    windows, errors = validate(data, locales, _names(db, vault, partner) if data.wordings is not None else ())
    if errors:
        return ChangeResult(errors=errors)
    prefs = _prefs(db, partner)
    changed: list[str] = []

    def assign(row: object, attr: str, value: object, name: str | None = None) -> None:
        if getattr(row, attr) != value:
            setattr(row, attr, value)
            changed.append(name or attr)

    sms_before = prefs.channel_sms
    assign(prefs, "channel_sms", "sms" in data.channels)
    assign(prefs, "channel_call", "call" in data.channels)
    assign(prefs, "channel_worker_only", "worker_only" in data.channels)
    assign(prefs, "voicemail_ok", data.voicemail_ok)
    assign(prefs, "shared_phone", data.shared_phone)
    assign(prefs, "serious_risk_any_time", data.serious_risk_any_time)
    assign(prefs, "check_after_stop", data.check_after_stop)
    for topic in TOPICS:
        assign(prefs, f"tell_{topic}", data.tell[topic])
    assign(partner, "timezone", data.timezone)
    # Her own form shows her language, so saving it is her choice; her worker's change counts when it differs.
    if (actor.kind == ActorKind.PARTNER or data.locale != partner.locale) \
            and language.apply_choice(partner, data.locale):
        changed.append("locale")
    code_word = data.code_word.strip()
    if data.clear_code_word and prefs.code_word_ct is not None:
        vault.put(prefs, "code_word_ct", None)
        changed.append("code_word")
    elif code_word and code_word != vault.get(prefs, "code_word_ct"):
        vault.put(prefs, "code_word_ct", code_word)
        changed.append("code_word")
    if save_windows(db, partner, windows, now=now):
        changed.append("safe_windows")
    if data.wordings is not None:
        changed.extend(_apply_wordings(db, vault, partner, data.wordings, now))
    on_behalf = actor.kind == ActorKind.STAFF
    if sms_before != prefs.channel_sms:  # texts ticked or unticked: a consent matter, in the ledger
        consent.texts_chosen(ctx, partner, on=prefs.channel_sms,
                             channel=ConsentChannel.WORKER if on_behalf else ConsentChannel.WEB)
    if changed:
        prefs.updated_at = now
        prefs.updated_by_id = uuid.UUID(actor.id) if on_behalf and actor.id else None
        db.flush()
        ctx.audit("preferences.update_on_behalf" if on_behalf else "preferences.changed",
                  "partner_contact", partner.id, {"fields": sorted(changed)})
    return ChangeResult(changed=sorted(changed))
