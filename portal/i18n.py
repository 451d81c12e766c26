"""The one list of locales, locale selection, and text direction."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeGuard

from flask import Flask, current_app, g, has_request_context, request

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


def select_locale() -> str:
    """DESIGN 8: this view's `?lang=`, then her saved choice (on her record: her pages put it in
    `g.saved_locale`, see portal.public.context), then her browser's Accept-Language, then the default.

    Nothing here writes: a GET may change the language of the page it asks for, never what she sees next.
    """
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
