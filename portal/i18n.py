"""The one list of locales, locale selection, and text direction."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeGuard

from flask import Flask, g, request, session

from portal.extensions import babel


@dataclass(frozen=True)
class LocaleInfo:
    code: str
    native_name: str
    direction: str  # ltr | rtl


LOCALES: dict[str, LocaleInfo] = {
    "en": LocaleInfo("en", "English", "ltr"),
    "de": LocaleInfo("de", "Deutsch", "ltr"),
    "ar": LocaleInfo("ar", "العربية", "rtl"),
}

DEFAULT_LOCALE = "en"


def is_supported(code: str | None) -> TypeGuard[str]:
    return bool(code) and code in LOCALES


def explicit_choice() -> str | None:
    """A language she picked on this request (the language switcher is a GET form sending ?lang=).

    Only the query string is read: parsing a body here could fail (too large) while rendering an error.
    """
    code = request.args.get("lang", type=str)
    return code if is_supported(code) else None


def select_locale() -> str:
    """Her explicit choice, then her session, then the browser's Accept-Language, then the default."""
    choice = explicit_choice()
    if choice:
        if session.get("locale") != choice:
            session["locale"] = choice
        return choice
    stored = session.get("locale")
    if is_supported(stored):
        return stored
    best = request.accept_languages.best_match(list(LOCALES))
    return best or g.get("default_locale", DEFAULT_LOCALE)


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
