"""The message catalogs: the template matches the strings in the code and templates, and every shipped locale is
complete (no fuzzy or empty entry), compiles, and keeps the source's placeholders and markup."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from portal.i18n import LOCALES

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


@pytest.mark.parametrize("locale", SHIPPED)
def test_no_fuzzy_or_empty_entry_and_every_message_of_the_template_is_there(locale, tmp_path):
    template = extract(tmp_path / "messages.pot")
    with (tmp_path / "messages.pot").open("rb") as handle:
        wanted = {m.id for m in read_po(handle) if m.id}
    found = {}
    for message, _ids, strs in entries(locale):
        found[message.id] = message
        assert not message.fuzzy, (locale, message.id)
        assert all(s.strip() for s in strs), (locale, "empty translation", message.id)
    assert template and wanted - set(found) == set(), (locale, "missing", sorted(wanted - set(found))[:5])


@pytest.mark.parametrize("locale", SHIPPED)
def test_placeholders_and_markup_match_the_source(locale):
    problems = []
    for message, ids, strs in entries(locale):
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
