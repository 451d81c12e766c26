"""The risk checklist as data: the project's starter items, or a deployment's licensed checklist from a file.

A checklist file is JSON (format "portal-risk-checklist/1"; README "Risk assessment" describes it):

    {"format": "portal-risk-checklist/1", "id": "dash", "version": "2024", "official": true,
     "title": {"en": "...", "de": "..."}, "source": "where it comes from, and under which licence",
     "rules": {"high_from_yes": 14, "medium_from_yes": 10, "escalation_incidents": 3, "escalation_months": 12},
     "items": [{"code": "injury", "text": {"en": "...", "de": "..."}}, ...]}

The languages of `title` are the file's languages: every item carries a text in each of them, and each is one
of the staff languages. `medium_from_yes` is optional: without it there is no middle band (standard or high,
plus her worker's judgement). A file that breaks any rule is refused at start-up with what and where.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from portal.services.admin.content_files import DataFileError, read_json_file, texts_by_language

FORMAT = "portal-risk-checklist/1"
STARTER_PATH = Path(__file__).resolve().parents[2] / "content" / "risk_checklists" / "starter.json"
MAX_BYTES = 1_000_000
MAX_ITEMS = 100
TEXT_MAX = 600
CODE = re.compile(r"[a-z][a-z0-9_]{0,39}")
LABEL = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,39}")
KEYS = {"format", "id", "version", "official", "title", "source", "rules", "items", "about"}
RULE_KEYS = {"high_from_yes", "medium_from_yes", "escalation_incidents", "escalation_months"}


class ChecklistError(DataFileError):
    """The checklist file cannot be used; the message says what is wrong and where, for whoever deploys."""


@dataclass(frozen=True)
class ScoringRules:
    """How the checklist scores: `high_from_yes` "yes" answers or more is high risk; `medium_from_yes` (if
    any) or more is medium; `escalation_incidents` incidents within `escalation_months` is potential
    escalation."""

    high_from_yes: int
    medium_from_yes: int | None
    escalation_incidents: int
    escalation_months: int


@dataclass(frozen=True)
class ChecklistItem:
    code: str
    texts: Mapping[str, str]


@dataclass(frozen=True)
class Checklist:
    id: str
    version: str
    official: bool
    titles: Mapping[str, str]
    source: str
    rules: ScoringRules
    items: tuple[ChecklistItem, ...]

    @property
    def locales(self) -> tuple[str, ...]:
        return tuple(self.titles)

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(item.code for item in self.items)

    @property
    def stamp(self) -> str:
        """Which checklist a form was drawn from (a form sent after the checklist changed is refused)."""
        return f"{self.id}:{self.version}"

    def language(self, locale: str) -> str:
        """The staff member's language if the checklist has it, else English if it has that, else its first."""
        if locale in self.titles:
            return locale
        return "en" if "en" in self.titles else self.locales[0]

    def title(self, locale: str) -> str:
        return self.titles[self.language(locale)]

    def text(self, item: ChecklistItem, locale: str) -> str:
        return item.texts[self.language(locale)]


def _whole(rules: Mapping[str, Any], name: str, low: int, high: int, origin: str) -> int:
    value = rules.get(name)
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise ChecklistError(f"{origin}: rules.{name}: expected a whole number from {low} to {high}")
    return value


def _rules(value: Any, item_count: int, origin: str) -> ScoringRules:
    if not isinstance(value, dict):
        raise ChecklistError(f"{origin}: rules: expected an object with high_from_yes, escalation_incidents and "
                             "escalation_months (and medium_from_yes for a middle band)")
    unknown = sorted(set(value) - RULE_KEYS)
    if unknown:
        raise ChecklistError(f"{origin}: rules.{unknown[0]}: not a rule this portal knows")
    high = _whole(value, "high_from_yes", 1, item_count, origin)
    medium = _whole(value, "medium_from_yes", 1, high, origin) if "medium_from_yes" in value else None
    incidents = _whole(value, "escalation_incidents", 1, 100, origin)
    months = _whole(value, "escalation_months", 1, 24, origin)
    return ScoringRules(high, medium, incidents, months)


def parse_checklist(doc: Any, staff_locales: Iterable[str], origin: str = "checklist") -> Checklist:
    """Check a decoded checklist document; ChecklistError says what is wrong, prefixed by `origin`."""
    languages = tuple(staff_locales)
    if not isinstance(doc, dict):
        raise ChecklistError(f"{origin}: expected a JSON object")
    if doc.get("format") != FORMAT:
        raise ChecklistError(f'{origin}: format: expected "{FORMAT}"')
    unknown = sorted(set(doc) - KEYS)
    if unknown:
        raise ChecklistError(f"{origin}: {unknown[0]}: not a field of a checklist")
    for name in ("id", "version"):
        if not isinstance(doc.get(name), str) or not LABEL.fullmatch(doc[name]):
            raise ChecklistError(f"{origin}: {name}: expected 1 to 40 letters, digits, '.', '_' or '-'")
    if not isinstance(doc.get("official"), bool):
        raise ChecklistError(f"{origin}: official: expected true (a licensed checklist) or false (starter items)")
    titles = texts_by_language(doc.get("title"), "title", origin, None, languages, ChecklistError)
    locales = tuple(titles)
    source = doc.get("source", "")
    if not isinstance(source, str) or len(source) > TEXT_MAX or not source.isprintable():
        raise ChecklistError(f"{origin}: source: expected a text of at most {TEXT_MAX} printable characters")
    items_doc = doc.get("items")
    if not isinstance(items_doc, list) or not 1 <= len(items_doc) <= MAX_ITEMS:
        raise ChecklistError(f"{origin}: items: expected a list of 1 to {MAX_ITEMS} items")
    items: list[ChecklistItem] = []
    seen: set[str] = set()
    for number, entry in enumerate(items_doc):
        path = f"items[{number}]"
        if not isinstance(entry, dict) or set(entry) != {"code", "text"}:
            raise ChecklistError(f'{origin}: {path}: expected {{"code": …, "text": {{…}}}}')
        code = entry["code"]
        if not isinstance(code, str) or not CODE.fullmatch(code):
            raise ChecklistError(f"{origin}: {path}.code: expected a lower-case code such as \"threats_to_kill\"")
        if code in seen:
            raise ChecklistError(f"{origin}: {path}.code: {code!r} is used twice")
        seen.add(code)
        items.append(ChecklistItem(code, texts_by_language(entry["text"], f"{path}.text", origin, locales, languages,
                                                                ChecklistError)))
    rules = _rules(doc.get("rules"), len(items), origin)
    return Checklist(doc["id"], doc["version"], doc["official"], titles, source.strip(), rules, tuple(items))


def load_checklist(path: str | Path, staff_locales: Iterable[str]) -> Checklist:
    """Read and check a checklist file (ChecklistError names the file and the problem)."""
    return parse_checklist(read_json_file(path, MAX_BYTES, ChecklistError), staff_locales, str(path))


def configured_checklist(setting: str, staff_locales: Iterable[str]) -> Checklist:
    """The deployment's checklist (PORTAL_RISK_CHECKLIST names its file), else the starter items."""
    return load_checklist(setting.strip() or STARTER_PATH, staff_locales)
