"""What `flask --app portal lint-content` reads: every text of hers in every locale, and the texts that sit on a
first screen of hers (titles, main headings, the summaries of what opens on a tap, menu, header and footer of her templates, and
what a template marks `{# first-screen #}`)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from babel.messages.pofile import read_po

from portal.content_rules import Finding, check, check_all, check_giveaways

ROOT = Path(__file__).resolve().parent.parent
HER_TEMPLATES = ("base.html", "error.html", "public/*.html")
# Parts of her templates that show on a first screen, or name a page: giveaway words are refused there.
FIRST_SCREEN = re.compile(
    r"{%\s*block title\s*%}(.*?){%\s*endblock\s*%}|<(h1|summary|nav|header|footer)\b[^>]*>(.*?)</\2>"
    r"|{#\s*first-screen\s*#}(.*?){#\s*end first-screen\s*#}", re.DOTALL)
MSGID = re.compile(r"""_\(\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')""")


@dataclass(frozen=True)
class Flagged:
    locale: str
    where: str
    finding: Finding


def first_screen_msgids(root: Path = ROOT) -> dict[str, str]:
    """Every message id used in a first-screen part of her templates, with the template it comes from."""
    found: dict[str, str] = {}
    for pattern in HER_TEMPLATES:
        for path in sorted((root / "templates").glob(pattern)):
            source = path.read_text(encoding="utf-8")
            for match in FIRST_SCREEN.finditer(source):
                region = next(group for group in (match.group(1), match.group(3), match.group(4)) if group)
                for msgid in MSGID.finditer(region):
                    text = (msgid.group(1) or msgid.group(2) or "").replace('\\"', '"').replace("\\'", "'")
                    found.setdefault(text, str(path.relative_to(root)))
    return found


def catalog(locale: str, root: Path = ROOT) -> dict[str, str]:
    """msgid -> her text in this locale (English: the msgid itself); untranslated entries fall back to English."""
    if locale == "en":
        path, field = root / "translations" / "messages.pot", "id"
    else:
        path, field = root / "translations" / locale / "LC_MESSAGES" / "messages.po", "string"
    with open(path, "rb") as handle:
        messages = read_po(handle, locale=None if locale == "en" else locale)
    texts: dict[str, str] = {}
    for message in messages:
        ids = message.id if isinstance(message.id, tuple | list) else (message.id,)
        values = getattr(message, field)
        values = values if isinstance(values, tuple | list) else (values,)
        for msgid, value in zip(ids, values, strict=False):
            if msgid:
                texts[str(msgid)] = str(value or msgid)
    return texts


def lint_catalogs(locales: Iterable[str], root: Path = ROOT) -> Iterator[Flagged]:
    """Blame and overstatement in every text; giveaway words in every first-screen text."""
    first = first_screen_msgids(root)
    for locale in locales:
        texts = catalog(locale, root)
        for text in texts.values():
            for finding in check(text, locale):
                yield Flagged(locale, "catalog", finding)
        for msgid, where in first.items():
            for finding in check_giveaways(texts.get(msgid, msgid), locale):
                yield Flagged(locale, where, finding)


def lint_lines(lines: Iterable[str], locale: str) -> Iterator[tuple[int, Finding]]:
    """`--locale L -`: the first finding of each flagged line, numbered from 1 (blank lines count)."""
    for number, line in enumerate(lines, start=1):
        text = line.rstrip("\r\n")
        findings = check_all(text, locale) if text.strip() else []
        if findings:
            yield number, findings[0]
