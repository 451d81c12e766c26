"""Discreet outbound texts: one translatable template per purpose, rendered in her locale without Flask."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

from portal.domain_error import DomainError


def N_(text: str) -> str:  # noqa: N802 - the gettext marker pybabel extracts by default
    return text


# No service name, no words about violence, programmes, men or names, no link bait; one segment each.
TEMPLATES: dict[str, str] = {
    "invite": N_("Hello, here is the link you asked for: %(url)s"),
    "warning": N_("Hello, a quick reminder to call back when you have a moment. Thank you."),
    "opted_out": N_("You will get no more texts from this number. Reply START if you want them again."),
    "opted_in": N_("Texts from this number are on again. Reply STOP at any time to end them."),
    "help": N_("Texts from this number come only if you asked for them. Reply STOP to end them."),
    # Her evaluation questions (services/evaluation/offers.py): names nothing; at the longest link (55
    # characters) an Arabic text has 14 characters left for the words.
    "evaluation": N_("Hello, a few short questions, if you have a moment: %(url)s"),
}
PARAMS: dict[str, tuple[str, ...]] = {"invite": ("url",), "evaluation": ("url",)}

# Her warnings, per kind of news she can ask to be told: three neutral texts each (she picks one, or writes her
# own words). They never carry the news: each only asks her to call back, more or less soon. Each leaves room in
# one segment for her worker’s number (LONGEST_NUMBER), in every locale (Arabic: 70 UCS-2 units in all).
NEUTRAL_WORDINGS: dict[str, tuple[str, str, str]] = {
    "dropout": (
        N_("Hello, could you call back when you have a moment? Thank you."),
        N_("Hi, just checking in. Ring back when it suits you."),
        N_("Hello, your appointment details have changed. Please call back when you can."),
    ),
    "suspended": (
        N_("Hello, please call back when it is convenient. Thank you."),
        N_("Hi, a quick note: give us a ring when you get a chance."),
        N_("Hello, there is an update about your booking. Please call back when you can."),
    ),
    "completed": (
        N_("Hello, no rush: call back whenever suits you. Thank you."),
        N_("Hi, a small update for you. Ring back any time this week."),
        N_("Hello, a note about your booking. Call back if you would like to talk."),
    ),
    "risk": (
        N_("Hello, please call back today if you can. Thank you."),
        N_("Hi, it would be good to talk soon. Please ring back today."),
        N_("Hello, please call back as soon as it suits you today."),
    ),
}
WORDING_CHOICES = ("neutral_1", "neutral_2", "neutral_3")  # models.Wording, less "own"
# The template a warning about one kind of news is queued with; the dispatcher words it as she chose.
WARNING_TEMPLATES: dict[str, str] = {kind: f"warning_{kind}" for kind in NEUTRAL_WORDINGS}
for _kind, _texts in NEUTRAL_WORDINGS.items():
    TEMPLATES[WARNING_TEMPLATES[_kind]] = _texts[0]
    for _n, _text in enumerate(_texts, start=1):
        TEMPLATES[f"wording_{_kind}_{_n}"] = _text  # every neutral text is a template: rendered and tested

LONGEST_NUMBER = "+" + "9" * 15  # E.164 allows at most 15 digits


def _right_to_left(text: str) -> bool:
    return any(unicodedata.bidirectional(ch) in ("R", "AL") for ch in text)


def with_number(text: str, number: str | None) -> str:
    """Her warning with her worker's number at the end (never a link too: a text carries one or the other).

    In right-to-left text the number is isolated (U+2066 ... U+2069), so a phone does not show it reversed.
    """
    if not number:
        return text
    return f"{text} \u2066{number}\u2069" if _right_to_left(text) else f"{text} {number}"


class TemplateError(DomainError):
    """Unknown template, or parameters missing or unexpected."""

    def __init__(self, message: str) -> None:
        super().__init__("template_invalid", None, message)


@dataclass(frozen=True)
class Catalogs:
    """Message catalogs under translations/: compiled .mo when built, else read straight from the .po."""

    directory: str

    def gettext(self, locale: str, msgid: str) -> str:
        return _load(self.directory, locale).ugettext(msgid) or msgid


class _PoTranslations(NullTranslations):
    def __init__(self, entries: dict[str, str]) -> None:
        super().__init__()
        self._entries = entries

    def ugettext(self, message: str) -> str:
        return self._entries.get(message) or message

    gettext = ugettext


@lru_cache(maxsize=32)
def _load(directory: str, locale: str) -> NullTranslations:
    compiled = Translations.load(directory, [locale])
    if isinstance(compiled, Translations):
        return compiled
    po = Path(directory) / locale / "LC_MESSAGES" / "messages.po"
    if not po.exists():
        return NullTranslations()
    with po.open("rb") as handle:
        catalog = read_po(handle, locale=locale)
    return _PoTranslations({str(m.id): str(m.string) for m in catalog if m.id and isinstance(m.string, str)
                            and m.string})


def neutral_wording(catalogs: Catalogs, kind: str, choice: str, locale: str) -> str:
    """One of the three neutral texts for this kind of news, in her locale (the first for an unknown choice)."""
    texts = NEUTRAL_WORDINGS[kind]
    index = WORDING_CHOICES.index(choice) if choice in WORDING_CHOICES else 0
    return catalogs.gettext(locale, texts[index])


def render(catalogs: Catalogs, template: str, locale: str, params: dict[str, str] | None = None) -> str:
    """The text she receives for this template, in her locale."""
    if template not in TEMPLATES:
        raise TemplateError(f"unknown SMS template {template!r}")
    params = params or {}
    expected = set(PARAMS.get(template, ()))
    if set(params) != expected:
        raise TemplateError(f"template {template!r} takes parameters {sorted(expected)}")
    text = catalogs.gettext(locale, TEMPLATES[template])
    return text % params if expected else text
