"""The check a risk note to his programme must pass: nothing in it may say who she is or how to reach her.

Refused, with the kind that was found (never the value): her phone number in any formatting (spaces, dashes,
dots, brackets, +44, 0044 or 0 prefixes, any script's digits via portal/digits.py) or a run of six or more of
its digits; her email address (any capitals) or its name part; her name or any word of it; her code word; any
never-disclose value of her case (services/casework/never_disclose.py: her safe address or a line of it, her new
number, each child's school and other details); and any phone number or email address at all (a note to the
facilitators needs none). Characters that look like digits but are not (superscripts, circled numbers) are
refused too, so that a number cannot be hidden in them.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import phonenumbers

from portal.digits import ascii_digits
from portal.domain_error import DomainError

TEXT_MAX = 1000
_FRAGMENT_MIN = 4      # a never-disclose value's line or part shorter than this is not looked for on its own
_HER_DIGITS_MIN = 6    # this many of her number's digits in a row are her number
_ANY_PHONE_MIN = 7     # a run of this many digits (dates and times aside) is a phone number
_NUMBER_RUN = re.compile(r"\+?\d(?:[\s\-./()]{0,3}\d)*")
_PHONE_RUN = re.compile(r"\+?\d(?:[\s\-()]{0,3}\d)*")
_DATES_AND_TIMES = re.compile(r"\b\d{4}-\d{1,2}-\d{1,2}\b|\b\d{1,2}[./-]\d{1,2}[./-]\d{2,4}\b|\b\d{1,2}[:.]\d{2}\b")
_EMAIL = re.compile(r"[^\s@<>()\[\],;:\"]+@[^\s@<>()\[\],;:\"]+\.[^\s@<>()\[\],;:\"]+")
_WORD = re.compile(r"\w+")


class NoteProblem(DomainError):
    """The note is refused: `code` says what kind of thing was found (or what is wrong with the text), `field`
    which never-disclose field (for "never_disclose"). Neither carries the value."""


@dataclass(frozen=True)
class Hers:
    """What of hers the note is checked against (decrypted for the check only)."""

    name: str | None = None
    phone: str | None = None          # E.164
    email: str | None = None
    code_word: str | None = None
    never_disclose: tuple[tuple[str, str], ...] = ()  # (field, value)


def clean(text: str) -> str:
    """The note as it will be stored: line ends unified, outer space trimmed; NoteProblem if it cannot be one."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if not text:
        raise NoteProblem("note_required")
    if len(text) > TEXT_MAX:
        raise NoteProblem("note_too_long")
    if any(not (ch.isprintable() or ch == "\n") for ch in text):
        raise NoteProblem("note_invalid")
    return text


def _folded(text: str) -> str:
    """For comparing words: compatibility forms (full-width letters), no case, single spaces."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def _digit_runs(text: str, pattern: re.Pattern[str]) -> list[str]:
    return [re.sub(r"\D", "", match.group()) for match in pattern.finditer(text)]


def _national(e164: str | None) -> str | None:
    """Her number's national significant digits (what every formatting of it contains), or None."""
    if not e164:
        return None
    try:
        number = phonenumbers.parse(e164, "GB")
    except phonenumbers.NumberParseException:
        digits = re.sub(r"\D", "", e164)
        return digits or None
    return phonenumbers.national_significant_number(number) or None


def _carries_number(runs: list[str], e164: str | None) -> bool:
    national = _national(e164)
    if not national:
        return False
    return any(national in run or (len(run) >= _HER_DIGITS_MIN and run in national) for run in runs)


def _has_word(folded_text: str, word: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(word)}(?!\w)", folded_text) is not None


def _fragments(value: str) -> list[str]:
    """A value, and each of its lines and comma- or semicolon-separated parts, long enough to look for."""
    parts = [value, *re.split(r"[\n,;]", value)]
    folded = [_folded(part) for part in parts]
    folded += [re.sub(r"^[\d\s/-]+", "", part) for part in folded]  # "12 Rose Street" is there as "rose street"
    return [part for part in dict.fromkeys(folded) if len(part) >= _FRAGMENT_MIN]


def find(text: str, hers: Hers) -> NoteProblem | None:
    """The first kind of thing the note must not carry, or None when it is clean (`text` already `clean`)."""
    if any(not ch.isascii() and unicodedata.digit(ch, None) is not None and unicodedata.decimal(ch, None) is None
           for ch in text):
        return NoteProblem("digit_like")
    digits = ascii_digits(text)
    runs = _digit_runs(digits, _NUMBER_RUN)
    if _carries_number(runs, hers.phone):
        return NoteProblem("her_phone")
    folded = _folded(digits)
    if hers.email:
        email = _folded(hers.email)
        local = email.split("@", 1)[0]
        if email in folded or (len(local) >= 5 and _has_word(folded, local)):
            return NoteProblem("her_email")
    if hers.name and any(_has_word(folded, word) for word in _WORD.findall(_folded(hers.name)) if len(word) >= 2):
        return NoteProblem("her_name")
    if hers.code_word and _has_word(folded, _folded(hers.code_word)):
        return NoteProblem("her_code_word")
    for field, value in hers.never_disclose:
        if field == "new_number":
            if _carries_number(runs, value):
                return NoteProblem("never_disclose", field)
        elif field not in ("name", "phone", "email", "code_word") \
                and any(fragment in folded for fragment in _fragments(ascii_digits(value))):
            return NoteProblem("never_disclose", field)
    if _EMAIL.search(folded):
        return NoteProblem("email_address")
    if any(len(run) >= _ANY_PHONE_MIN for run in _digit_runs(_DATES_AND_TIMES.sub(" ", digits), _PHONE_RUN)):
        return NoteProblem("phone_number")
    return None
