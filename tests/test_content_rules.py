"""The automated no-blame check over every string in the code, templates and catalogs (WWP EN B.1 g)."""

from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from portal.content_rules import check
from portal.i18n import LOCALES

ROOT = Path(__file__).resolve().parent.parent


def catalog_texts(locale: str) -> list[str]:
    if locale == "en":
        with open(ROOT / "translations" / "messages.pot", "rb") as handle:
            catalog = read_po(handle)
        field = "id"
    else:
        with open(ROOT / "translations" / locale / "LC_MESSAGES" / "messages.po", "rb") as handle:
            catalog = read_po(handle, locale=locale)
        field = "string"
    texts = []
    for message in catalog:
        value = getattr(message, field)
        texts.extend(value if isinstance(value, tuple | list) else [value])
    return [t for t in texts if t]


@pytest.mark.parametrize("locale", sorted(LOCALES))
def test_no_string_blames_her_or_overstates(locale):
    problems = [f"{f.rule!r} in {f.text!r}" for text in catalog_texts(locale) for f in check(text, locale)]
    assert problems == []


@pytest.mark.parametrize("text, language", [
    ("Your support will help him to change.", "en"),
    ("Please encourage him to attend every session.", "en"),
    ("Make sure he goes to the group.", "en"),
    ("After the course he will change.", "en"),
    ("Completing the course is guaranteed to keep you safe.", "en"),
    ("Bitte ermutigen Sie ihn, teilzunehmen.", "de"),
    ("Nach dem Kurs ist er geheilt.", "de"),
    ("شجعيه على الحضور", "ar"),
])
def test_the_check_catches_blame_and_overstatement(text, language):
    assert check(text, language)


@pytest.mark.parametrize("text, language", [
    ("There is no guarantee that he will change.", "en"),
    ("Attending is not the same as changing. He will not necessarily stop.", "en"),
    ("It is up to you. Nothing you do or do not do is responsible for what he does.", "en"),
    ("Es gibt keine Garantie, dass er sich ändert.", "de"),
])
def test_the_check_allows_honest_limits(text, language):
    assert check(text, language) == []
