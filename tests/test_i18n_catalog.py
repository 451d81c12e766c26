"""The message catalogs: the template matches the strings in the code and templates, and every shipped locale is
complete (no fuzzy or empty entry), compiles, and keeps the source's placeholders and markup."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from portal.i18n import CONSOLE_LOCALES, LOCALES
from tests.catalog_scope import extract_with_locations, her_message_ids

ROOT = Path(__file__).resolve().parent.parent


def extract(target: Path) -> str:
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg", "-k", "_l",
         "-k", "lazy_gettext", "--no-location", "--sort-output", "--omit-header", "-o", str(target), "."],
        cwd=ROOT, check=True,
    )
    return target.read_text()


def test_messages_pot_is_up_to_date(tmp_path):
    fresh = extract(tmp_path / "messages.pot")
    committed = (ROOT / "translations" / "messages.pot").read_text()
    assert fresh == committed, "translations/messages.pot is out of date: run `make messages`"


# -- every shipped catalog: complete, compiled, and true to its source (issue 14) --------------------------

SHIPPED = sorted(code for code in LOCALES if code != "en")  # English is the source
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|%[sd]|\{(\w*)\}")
MARKUP = re.compile(r"</?([a-z][a-z0-9]*)\b[^>]*>")


def catalog(locale: str):  # type: ignore[no-untyped-def]
    with (ROOT / "translations" / locale / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle, locale=locale)


def entries(locale: str):  # type: ignore[no-untyped-def]
    for message in catalog(locale):
        if message.id:
            ids = message.id if isinstance(message.id, tuple) else (message.id,)
            strs = message.string if isinstance(message.string, tuple) else (message.string,)
            yield message, ids, strs


def test_every_shipped_locale_has_a_catalog():
    assert SHIPPED and all((ROOT / "translations" / code / "LC_MESSAGES" / "messages.po").exists()
                           for code in SHIPPED)


@pytest.fixture(scope="module")
def her_ids(tmp_path_factory):  # type: ignore[no-untyped-def]
    return her_message_ids(extract_with_locations(tmp_path_factory.mktemp("scope") / "messages.pot"))


@pytest.mark.parametrize("locale", SHIPPED)
def test_no_fuzzy_or_empty_entry_and_every_message_of_the_template_is_there(locale, tmp_path, her_ids):
    """Everything she can see is translated in every locale; the console's own words in the console's locales
    (a console page picks among those only: portal.i18n.select_locale)."""
    template = extract(tmp_path / "messages.pot")
    with (tmp_path / "messages.pot").open("rb") as handle:
        wanted = {m.id for m in read_po(handle) if m.id}
    must_translate = wanted if locale in CONSOLE_LOCALES else her_ids
    found = {}
    for message, _ids, strs in entries(locale):
        found[message.id] = message
        assert not message.fuzzy, (locale, message.id)
        if message.id in must_translate:
            assert all(s.strip() for s in strs), (locale, "empty translation", message.id)
    assert template and wanted - set(found) == set(), (locale, "missing", sorted(wanted - set(found))[:5])


def test_her_part_of_the_catalog_is_most_of_her_pages_and_none_of_the_consoles(her_ids):
    """The split is real: her words are hundreds of entries, and the console's sign-in words are not among them."""
    assert 400 < len(her_ids) < 2000
    assert "Quick exit" in her_ids or any("exit" in message_id.lower() for message_id in her_ids)
    assert not any(message_id.startswith("Audit log") for message_id in her_ids)


@pytest.mark.parametrize("locale", SHIPPED)
def test_placeholders_and_markup_match_the_source(locale):
    problems = []
    for message, ids, strs in entries(locale):
        if not any(strs):
            continue  # a staff entry of a locale the console does not speak (checked above)
        source_places = {m.group(0) for source in ids for m in PLACEHOLDER.finditer(source)}
        source_tags = sorted(m.group(1) for m in MARKUP.finditer(ids[0]))
        for text in strs:
            if {m.group(0) for m in PLACEHOLDER.finditer(text)} != source_places:
                problems.append(("placeholders", message.id, text))
            if sorted(m.group(1) for m in MARKUP.finditer(text)) != source_tags:
                problems.append(("markup", message.id, text))
    assert problems == [], problems[:5]


@pytest.mark.parametrize("locale", SHIPPED)
def test_every_shipped_locale_compiles(locale, tmp_path):
    with (tmp_path / "messages.mo").open("wb") as handle:
        write_mo(handle, catalog(locale))
    assert (tmp_path / "messages.mo").stat().st_size > 1000
    errors = list(catalog(locale).check())
    assert errors == [], errors[:3]
