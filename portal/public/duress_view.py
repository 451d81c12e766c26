"""A duress session looks like a fresh record (DESIGN §8 "Duress"): the one place her views and templates ask.

While her session carries the duress flag (plan_session.in_duress(): her plan was opened with her duress
passphrase), her pages show nothing she has saved or told: her choices are a fresh record's defaults (no
channels, no times, no wording, no code-word hint), no high-risk-period promise, no confirmation that her
worker was told, her plan as not shared, no check-in history. What she (or someone with her) changes there is
not applied to her record: the page answers as if it were, and remembers it for this session only, so the
next page agrees with the last; her worker is told on the plan_duress task (services/her/duress_requests.py).

What this session "saved" is kept in her server-side session sealed with a key derived from the raw session
id (which is never stored), so a database reader learns nothing from it.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import hashlib
import json
from collections.abc import Mapping
from typing import Any, TypeVar

from flask import session
from flask_babel import get_locale

from portal.crypto import DecryptionError, open_with, seal_with, session_key
from portal.models import PartnerContact, PartnerStatus, Tell
from portal.public import bp, plan_session
from portal.runtime import domain_context
from portal.services.her import duress_requests
from portal.services.her import preferences as prefs_service
from portal.services.her.her_access import partner_actor
from portal.services.her.safety_plan import Unlocked
from portal.sessions import HER, server_session

SEEN = "seen"  # session key: what this duress session has "saved", sealed (see _store)
PURPOSE = "duress-view"
PAD = 512  # what this session "saved" is padded to a multiple of this many bytes before sealing
_AAD = b"pcp:duress-view"
T = TypeVar("T")


def active() -> bool:
    """Whether this request belongs to a duress session: the latest opening of her plan in it was with her
    second passphrase. It stays so once the plan is locked, deleted, or a new one made in that session, until
    her own passphrase opens her plan or the session ends."""
    return _seen().get("duress") is True or plan_session.in_duress()


def unless_duress(value: T, fresh: T) -> T:
    """`value` in her own session; in a duress session, what a fresh record would show (`fresh`)."""
    return fresh if active() else value


@bp.app_template_global("in_duress")
def in_duress() -> bool:
    """For templates: hide anything she has saved or told (e.g. `{% if not in_duress() %}`)."""
    return active()


# --- what a fresh record shows ---------------------------------------------------------------------------

def fresh_preferences(partner: PartnerContact) -> prefs_service.PreferencesView:
    """Her choices as a record that has just said yes shows them: nothing chosen, her time zone and page
    language (neither says anything she told), the model's defaults for what she wants to hear."""
    return prefs_service.PreferencesView(
        channels=frozenset(), windows=(), timezone=partner.timezone, voicemail_ok=False, shared_phone=False,
        tell={topic: Tell.CALL for topic in prefs_service.TOPICS}, serious_risk_any_time=False,
        locale=str(get_locale()), has_code_word=False, check_after_stop=False)


def seen_preferences(partner: PartnerContact) -> prefs_service.PreferencesView:
    """Her choices as a duress session's choices page shows them: what it saved, else a fresh record's."""
    seen = _seen().get("choices")
    return _view_from(seen) if isinstance(seen, dict) else fresh_preferences(partner)


def seen_wordings() -> dict[str, prefs_service.WordingInput]:
    """How each warning would read, in a duress session: as it saved them, else the first neutral text."""
    seen = _seen().get("wordings")
    if isinstance(seen, dict):
        return {topic: prefs_service.WordingInput(**value) for topic, value in seen.items()
                if topic in prefs_service.TOPICS and isinstance(value, dict)}
    return {topic: prefs_service.DEFAULT_WORDING for topic in prefs_service.TOPICS}


def status(partner: PartnerContact) -> str:
    """Her yes or no to contact as her pages show it (duress: as this session left it)."""
    seen = _seen().get("status") if active() else None
    return seen if isinstance(seen, str) and seen in PartnerStatus.__members__.values() else partner.status


def has_pin(partner: PartnerContact) -> bool:
    """Whether her links ask for a PIN, as her PIN page shows it (duress: as this session left it; the
    real answer otherwise, since whoever holds the phone has just seen whether her link asked for one)."""
    seen = _seen().get("has_pin") if active() else None
    return seen if isinstance(seen, bool) else bool(partner.pin_hash)


def questions_on() -> bool:
    """Her yes to a few questions now and then, as a duress session shows it: only what that session said
    (a fresh record has said nothing: off)."""
    return _seen().get("evaluation") is True


def plan_shared(shared: bool) -> bool:
    """Whether her plan page says a copy is shared: in a duress session only if this session 'shared' it."""
    return bool(_seen().get("shared")) if active() else shared


def locale() -> str | None:
    """The language this duress session chose for her pages (never saved on her record), if it chose one."""
    seen = _seen().get("locale") if active() else None
    return seen if isinstance(seen, str) else None


# --- what a duress session asks: remembered for the session, told to her worker ---------------------------

def opened(unlocked: Unlocked) -> None:
    """Her plan was just opened, with either passphrase: the latest opening decides whether this session is a
    duress one (the same write on both paths). Making a new plan, or locking it, changes nothing of that."""
    remember(duress=unlocked.duress)


def remember(**values: Any) -> None:
    """Remember what this duress session 'saved', so its next pages agree with its last."""
    seen = _seen()
    seen.update(values)
    _store(seen)


def remember_choices(data: prefs_service.PreferencesInput, before: prefs_service.PreferencesView) -> None:
    windows = [dataclasses.asdict(prefs_service.WindowView(row.days, row.start, row.end))
               for row in data.windows if not row.blank]
    choices: dict[str, Any] = {"channels": sorted(data.channels), "windows": windows, "timezone": data.timezone,
               "voicemail_ok": data.voicemail_ok, "shared_phone": data.shared_phone, "tell": dict(data.tell),
               "serious_risk_any_time": data.serious_risk_any_time, "locale": data.locale,
               "has_code_word": (before.has_code_word or bool(data.code_word.strip())) and not data.clear_code_word,
               "check_after_stop": data.check_after_stop}
    code_word = data.code_word.strip()
    # Only to know "the same again", as her own page does (sealed with the rest, never the word itself).
    choices["code_word"] = None if data.clear_code_word else _digest(code_word) if code_word else _seen_code_word()
    values: dict[str, Any] = {"choices": choices, "locale": data.locale}
    if data.wordings is not None:
        values["wordings"] = {topic: dataclasses.asdict(choice) for topic, choice in data.wordings.items()}
    remember(**values)


def tell_her_worker(partner: PartnerContact, what: str, *, parts: tuple[str, ...] = ()) -> None:
    """Add what was asked to her open plan_duress task (encrypted), for her worker."""
    duress_requests.record(domain_context(partner_actor(partner.id)), partner, what, parts=parts)


def tell_if_duress(partner: PartnerContact, what: str) -> None:
    """For what a duress session may do as usual (it touches only the harmless plan, or deletes the plan as
    her page says): her worker reads on the task that it happened there."""
    if active():
        tell_her_worker(partner, what)


def changed_parts(data: prefs_service.PreferencesInput, before: prefs_service.PreferencesView,
                  wordings_before: Mapping[str, prefs_service.WordingInput]) -> tuple[str, ...]:
    """Which of her choices a posted form changes, compared with what the page showed (fresh or this
    session's): the codes duress_requests.PARTS words for her worker."""
    windows = {(row.days, row.start, row.end) for row in data.windows if not row.blank}
    checks = {
        "channels": data.channels != before.channels,
        "safe_times": windows != {(w.days, w.start, w.end) for w in before.windows},
        "time_zone": data.timezone != before.timezone,
        "voicemail": data.voicemail_ok != before.voicemail_ok,
        "shared_phone": data.shared_phone != before.shared_phone,
        "told": any(data.tell.get(topic) != before.tell.get(topic) for topic in prefs_service.TOPICS),
        "wording": data.wordings is not None and any(
            data.wordings.get(topic) != wordings_before.get(topic, prefs_service.DEFAULT_WORDING)
            for topic in prefs_service.TOPICS),
        "any_time": data.serious_risk_any_time != before.serious_risk_any_time,
        "check_after_stop": data.check_after_stop != before.check_after_stop,
        "code_word": (data.clear_code_word and before.has_code_word) or (
            bool(data.code_word.strip()) and _digest(data.code_word.strip()) != _seen_code_word()),
        "language": data.locale != before.locale,
    }
    return tuple(part for part, changed in checks.items() if changed)


# --- the sealed session memory ----------------------------------------------------------------------------

@bp.before_request
def _stay_in_duress() -> None:
    """A plan open (or locked) under her second passphrase marks the session, so that deleting the plan or
    making a new one there does not bring her own data back on screen (only her own passphrase does)."""
    if getattr(session, "audience", None) == HER and getattr(session, "partner_id", None) \
            and _seen().get("duress") is not True and plan_session.in_duress():
        remember(duress=True)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _seen_code_word() -> str | None:
    choices = _seen().get("choices")
    return choices.get("code_word") if isinstance(choices, dict) else None


def _key() -> bytes:
    return session_key(server_session().upcoming_sid(), PURPOSE)


def _seen() -> dict[str, Any]:
    blob = session.get(SEEN)
    if not isinstance(blob, str):
        return {}
    try:
        data = json.loads(open_with(_key(), base64.b64decode(blob, validate=True), _AAD))
    except (DecryptionError, ValueError, binascii.Error):
        return {}
    return data if isinstance(data, dict) else {}


def _store(values: dict[str, Any]) -> None:
    text = json.dumps(values, separators=(",", ":"))
    text += " " * (-len(text) % PAD)  # its length says nothing of what it holds ("true" or "false" ...)
    sealed = seal_with(_key(), text.encode(), _AAD)
    session[SEEN] = base64.b64encode(sealed).decode()


def _view_from(seen: dict[str, Any]) -> prefs_service.PreferencesView:
    return prefs_service.PreferencesView(
        channels=frozenset(seen.get("channels", ())),
        windows=tuple(prefs_service.WindowView(tuple(w["days"]), w["start"], w["end"])
                      for w in seen.get("windows", ())),
        timezone=seen["timezone"], voicemail_ok=bool(seen["voicemail_ok"]), shared_phone=bool(seen["shared_phone"]),
        tell=dict(seen["tell"]), serious_risk_any_time=bool(seen["serious_risk_any_time"]), locale=seen["locale"],
        has_code_word=bool(seen["has_code_word"]), check_after_stop=bool(seen["check_after_stop"]))
