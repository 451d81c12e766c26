"""docs/promises.md is the list of every promise her pages and messages make (DESIGN 2.9). This keeps it honest:
every test a row names exists, every row that claims a kept promise names one, and every sentence of the English
catalog that reads like a promise is listed there (as a promise, as not yet kept, or as a non-promise)."""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "promises.md"
CATALOG = ROOT / "translations" / "messages.pot"
TEST_REF = re.compile(r"(tests/[\w/]+\.py)::(\w+)")
# What a promise sounds like in English (a small list: add to it, never take away).
PROMISE = re.compile(r"\bwill\b|\bnever\b|\balways\b|at any time|\bnothing\b|\bnot told\b", re.I)
UNTESTED_SECTIONS = ("Not yet kept",)


def sections() -> dict[str, list[list[str]]]:
    """Each `## ` section's table rows (cells), header and separator rows left out."""
    found: dict[str, list[list[str]]] = {}
    title = ""
    for line in DOC.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            title = line[3:].strip()
            found[title] = []
        elif line.startswith("|") and title:
            cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
            if set("".join(cells)) <= set("-: ") or cells[0] in ("Promise", "Sentence"):
                continue
            found[title].append(cells)
    return found


@cache
def defined_tests(path: str) -> frozenset[str]:
    tree = ast.parse((ROOT / path).read_text(encoding="utf-8"))
    names = {node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)}
    return frozenset(name for name in names if name.startswith("test"))


def _normal(text: str) -> str:
    return " ".join(text.split())


def test_the_list_exists_and_has_promises():
    rows = [row for title, rows in sections().items() for row in rows]
    assert len(rows) > 30


def test_every_named_test_exists():
    missing = []
    for title, rows in sections().items():
        for row in rows:
            for path, name in TEST_REF.findall(" ".join(row)):
                if not (ROOT / path).is_file() or name not in defined_tests(path):
                    missing.append(f"{title}: {path}::{name}")
    assert not missing, "docs/promises.md names tests that do not exist: " + ", ".join(missing)


def test_every_kept_promise_names_a_test():
    untested = [f"{title}: {row[0][:60]}" for title, rows in sections().items() if title not in UNTESTED_SECTIONS
                for row in rows if not TEST_REF.search(" ".join(row[1:]))
                and not title.startswith("Sentences that match")]
    assert not untested, "rows without a test: " + "; ".join(untested)


def test_the_not_yet_kept_rows_say_what_is_missing():
    for row in sections().get("Not yet kept", []):
        assert len(row) == 3 and row[2], row


def promise_like_msgids() -> list[str]:
    with CATALOG.open("rb") as handle:
        catalog = read_po(handle)
    return sorted(_normal(str(m.id)) for m in catalog if m.id and isinstance(m.id, str) and PROMISE.search(m.id))


def test_every_promise_like_sentence_of_the_catalog_is_listed():
    listed = _normal(DOC.read_text(encoding="utf-8"))
    missing = [msgid for msgid in promise_like_msgids() if f'"{msgid}"' not in listed]
    assert not missing, "promise-like sentences not in docs/promises.md (add a row for each):\n" + "\n".join(missing)


def test_the_pattern_finds_the_promises_it_is_meant_to():
    msgids = promise_like_msgids()
    assert "You can start again at any time." in msgids
    assert "Until %(date)s, your worker will check in with you more often, in the ways and at the times you chose." \
        in msgids
