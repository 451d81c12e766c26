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


def test_each_language_is_named_in_itself_and_arabic_and_persian_read_right_to_left(client):
    assert LOCALES["fr"].native_name == "Français" and LOCALES["uk"].native_name == "Українська"
    assert {code for code, info in LOCALES.items() if info.direction == "rtl"} == {"ar", "fa"}
    assert html_attrs(client.get("/?lang=fa")) == ("fa", "rtl")
    page = client.get("/").get_data(as_text=True)
    for code, info in LOCALES.items():
        assert f'lang="{code}" hreflang="{code}" dir="{info.direction}"' in page and info.native_name in page


def test_the_console_speaks_only_its_own_languages(client):
    """A staff page never comes half translated: a browser asking for a locale her pages speak but the console
    does not gets the console in English; one the console speaks, in that language."""
    from portal.i18n import CONSOLE_LOCALES

    assert {"en", "de"} <= set(CONSOLE_LOCALES) < set(LOCALES)
    her_only = next(code for code in LOCALES if code not in CONSOLE_LOCALES)
    assert html_attrs(client.get("/staff/sign-in", headers={"Accept-Language": her_only})) == ("en", "ltr")
    assert html_attrs(client.get("/staff/sign-in", headers={"Accept-Language": f"{her_only}, de;q=0.5"})) \
        == ("de", "ltr")
    assert html_attrs(client.get("/", headers={"Accept-Language": her_only}))[0] == her_only  # her pages do


def test_the_admin_page_shows_which_languages_are_not_yet_reviewed(client, world):
    from tests.factories import login_as

    login_as(client, world.admin)
    page = client.get("/staff/admin/settings").get_data(as_text=True)
    assert "Reviewed by a native-speaking practitioner" in page
    for code, info in LOCALES.items():
        assert f'<span lang="{code}"' in page and info.native_name in page
    assert page.count("Not yet") == sum(1 for info in LOCALES.values() if not info.reviewed)


def test_the_deployments_duress_words_exist_for_every_console_language():
    from portal.i18n import CONSOLE_LOCALES
    from portal.services.admin.deployment import DURESS_LOCALES

    assert DURESS_LOCALES == CONSOLE_LOCALES
