"""Discreet outbound texts: one translatable template per purpose, rendered in her locale without Flask."""

from __future__ import annotations

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
}
PARAMS: dict[str, tuple[str, ...]] = {"invite": ("url",)}
CUSTOM_WARNING = "custom_warning"


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
