"""Locale: her explicit choice > session > Accept-Language > default; <html lang dir> follows it."""

import re

import pytest

from portal.i18n import LOCALES


def html_attrs(response):
    match = re.search(r'<html lang="([^"]+)" dir="([^"]+)"', response.get_data(as_text=True))
    assert match, "no <html lang dir>"
    return match.groups()


def test_default_is_english_ltr(client):
    assert html_attrs(client.get("/")) == ("en", "ltr")


def test_accept_language_is_used(client):
    assert html_attrs(client.get("/", headers={"Accept-Language": "de-DE,de;q=0.9"})) == ("de", "ltr")
    assert html_attrs(client.get("/", headers={"Accept-Language": "xx, ar;q=0.5"})) == ("ar", "rtl")


def test_explicit_choice_beats_browser_for_that_view_and_leaves_nothing_without_a_session(client):
    """DESIGN 8: a GET may change the language of the current view only; a visitor without a session gets
    no session (and no cookie) for it, so the next page follows her browser again."""
    german_browser = {"Accept-Language": "de"}
    response = client.get("/?lang=ar", headers=german_browser)
    assert html_attrs(response) == ("ar", "rtl")
    assert "Set-Cookie" not in response.headers
    assert html_attrs(client.get("/", headers=german_browser)) == ("de", "ltr")
    assert html_attrs(client.get("/?lang=en", headers=german_browser)) == ("en", "ltr")


def test_unsupported_choice_is_ignored(client):
    assert html_attrs(client.get("/?lang=../../etc", headers={"Accept-Language": "de"})) == ("de", "ltr")


@pytest.mark.parametrize("code", sorted(LOCALES))
def test_every_locale_has_a_catalog_and_direction(code):
    from pathlib import Path

    info = LOCALES[code]
    assert info.direction in {"ltr", "rtl"}
    if code != "en":
        assert (Path(__file__).resolve().parent.parent / "translations" / code / "LC_MESSAGES" / "messages.po").exists()
