"""The one list of locales, locale selection, and text direction."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeGuard

from flask import Flask, current_app, g, has_request_context, request

from portal.extensions import babel


@dataclass(frozen=True)
class LocaleInfo:
    code: str
    native_name: str  # the language named in itself
    direction: str  # ltr | rtl
    console: bool = False  # the staff console speaks it too (its catalog is complete for staff words as well)
    # DESIGN 8: a native-speaking practitioner has read her pages and texts in it. English is the source; every
    # other locale is marked unreviewed until a practitioner signs it off (the admin page and README show it).
    reviewed: bool = False


LOCALES: dict[str, LocaleInfo] = {
    "en": LocaleInfo("en", "English", "ltr", console=True, reviewed=True),
    "de": LocaleInfo("de", "Deutsch", "ltr", console=True),
    "fr": LocaleInfo("fr", "Français", "ltr", console=True),
    "es": LocaleInfo("es", "Español", "ltr", console=True),
    "it": LocaleInfo("it", "Italiano", "ltr"),
    "nl": LocaleInfo("nl", "Nederlands", "ltr"),
    "pl": LocaleInfo("pl", "Polski", "ltr"),
    "pt": LocaleInfo("pt", "Português", "ltr"),
    "ro": LocaleInfo("ro", "Română", "ltr"),
    "el": LocaleInfo("el", "Ελληνικά", "ltr"),
    "tr": LocaleInfo("tr", "Türkçe", "ltr"),
    "uk": LocaleInfo("uk", "Українська", "ltr"),
    "ar": LocaleInfo("ar", "العربية", "rtl", console=True),
    "fa": LocaleInfo("fa", "فارسی", "rtl"),
}
CONSOLE_LOCALES: tuple[str, ...] = tuple(code for code, info in LOCALES.items() if info.console)

DEFAULT_LOCALE = "en"
SAVED_LOCALE = "saved_locale"  # g key: the language she chose, saved on her record


def is_supported(code: str | None) -> TypeGuard[str]:
    return bool(code) and code in LOCALES


def explicit_choice() -> str | None:
    """A language asked for by this view's address (`?lang=`): it changes this page only, and is never stored.

    Only the query string is read: parsing a body here could fail (too large) while rendering an error.
    """
    if not has_request_context():
        return None
    code = request.args.get("lang", type=str)
    return code if is_supported(code) else None


def default_locale() -> str:
    configured = getattr(current_app.config.get("PORTAL"), "default_locale", DEFAULT_LOCALE)
    return configured if is_supported(configured) else DEFAULT_LOCALE


def browser_choice() -> str | None:
    """The best of our locales for this browser's Accept-Language, if any."""
    if not has_request_context():
        return None
    return request.accept_languages.best_match(list(LOCALES))


def staff_request() -> bool:
    """The staff console's pages (and its sign-in): they speak the console's locales only."""
    return has_request_context() and (request.blueprint or "").startswith("console")


def select_locale() -> str:
    """DESIGN 8: this view's `?lang=`, then her saved choice (on her record: her pages put it in
    `g.saved_locale`, see portal.public.context), then her browser's Accept-Language, then the default.
    The console chooses among its own locales (CONSOLE_LOCALES), so a page of it is never half translated.

    Nothing here writes: a GET may change the language of the page it asks for, never what she sees next.
    """
    if staff_request():
        chosen = request.accept_languages.best_match(list(CONSOLE_LOCALES))
        configured = default_locale()
        return chosen or (configured if configured in CONSOLE_LOCALES else DEFAULT_LOCALE)
    for candidate in (explicit_choice(), g.get(SAVED_LOCALE), browser_choice()):
        if is_supported(candidate):
            return candidate
    return default_locale()


def current_direction(code: str) -> str:
    return LOCALES.get(code, LOCALES[DEFAULT_LOCALE]).direction


def configure_i18n(app: Flask, translations_dir: str) -> None:
    app.config["BABEL_DEFAULT_LOCALE"] = app.config["PORTAL"].default_locale
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = translations_dir
    babel.init_app(app, locale_selector=select_locale)

    @app.context_processor
    def locale_context() -> dict[str, object]:
        from flask_babel import get_locale

        code = str(get_locale() or DEFAULT_LOCALE)
        return {"locale_code": code, "text_direction": current_direction(code), "locales": LOCALES}
