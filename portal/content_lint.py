"""What `flask --app portal lint-content` reads: every text of hers in every locale (the catalogs, English
msgids included), the texts that sit on a first screen of hers (titles, main headings, the summaries of what
opens on a tap, menu, header and footer of her templates, and what a template marks `{# first-screen #}`), every
SMS template as it reads in each locale, and the texts admins enter that she is shown (the sharing policy,
helplines, the site name in her page titles).

Contexts (portal/content_rules.py): catalog and admin texts are "text"; first-screen texts and the site name
"title"; SMS templates "sms". A shipped locale without a rules file is a finding of its own (`rules.missing`)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from babel.messages.pofile import read_po

from portal.content_rules import Finding, RulesError, check_all
from portal.services.evaluation.items import ItemSet
from portal.sms.templates import TEMPLATES

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


def _flag(locale: str, where: str, text: str, context: str) -> Iterator[Flagged]:
    for finding in check_all(text, locale, context):
        yield Flagged(locale, where, finding)


def _has_rules(locale: str) -> bool:
    try:
        check_all("", locale)
    except RulesError:
        return False
    return True


def lint_catalogs(locales: Iterable[str], root: Path = ROOT) -> Iterator[Flagged]:
    """Every catalog text (as any text of hers), every first-screen text (as a title) and every SMS template (as a
    text message), in each locale; a locale without rules gives one `rules.missing` finding and nothing else."""
    first = first_screen_msgids(root)
    sms_source = "portal/sms/templates.py"
    for locale in locales:
        if not _has_rules(locale):
            yield Flagged(locale, "portal/content/content_rules",
                          Finding("rules.missing", f"no content rules for locale {locale!r}", locale, "rules"))
            continue
        texts = catalog(locale, root)
        for text in texts.values():
            yield from _flag(locale, "catalog", text, "text")
        for msgid, where in first.items():
            yield from _flag(locale, where, texts.get(msgid, msgid), "title")
        if root == ROOT:
            for key, msgid in TEMPLATES.items():
                yield from _flag(locale, f"{sms_source}:{key}", texts.get(msgid, msgid), "sms")


def lint_admin_texts(locales: Iterable[str], sharing_policy: dict[str, str], helplines: Iterable[tuple[str, str, str]],
                     site_name: str) -> Iterator[Flagged]:
    """The texts admins entered that she is shown: the sharing policy per locale, each helpline's name and hours
    in its locale, and the site name (in every page title of hers, so a title in every locale)."""
    shipped = [locale for locale in locales if _has_rules(locale)]  # lint_catalogs reports the others
    for locale, text in sorted(sharing_policy.items()):
        if locale in shipped and text:
            yield from _flag(locale, "admin: sharing policy", text, "text")
    for locale, name, hours in helplines:
        if locale in shipped:
            yield from _flag(locale, "admin: helpline name", name, "text")
            if hours:
                yield from _flag(locale, "admin: helpline hours", hours, "text")
    for locale in shipped:
        if site_name:
            yield from _flag(locale, "admin: site name (page titles)", site_name, "title")


def lint_evaluation_items(items: ItemSet, locales: Iterable[str]) -> Iterator[Flagged]:
    """Her evaluation questions (the deployment's items file, or the starter one) in each locale she may read
    them in: the title as a page title, every domain, question and answer as text of hers."""
    where = f"evaluation items {items.id}:{items.version}"
    for locale in (locale for locale in locales if _has_rules(locale)):
        yield from _flag(locale, where, items.text(items.titles, locale), "title")
        texts = [items.text(items.not_applicable, locale)] + [items.text(o.texts, locale) for o in items.scale]
        for domain in items.domains:
            texts.append(items.text(domain.titles, locale))
            texts.extend(items.text(item.texts, locale) for item in domain.items)
        for text in texts:
            yield from _flag(locale, where, text, "text")


def lint_lines(lines: Iterable[str], locale: str, context: str = "text") -> Iterator[tuple[int, Finding]]:
    """`--locale L -`: the first finding of each flagged line, numbered from 1 (blank lines count)."""
    for number, line in enumerate(lines, start=1):
        text = line.rstrip("\r\n")
        findings = check_all(text, locale, context) if text.strip() else []
        if findings:
            yield number, findings[0]
