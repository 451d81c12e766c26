"""The evaluation items as data: the project's starter questions, or a deployment's own (the Toolkit's) file.

An items file is JSON (format "portal-evaluation-items/1"; README "Evaluation" describes it):

    {"format": "portal-evaluation-items/1", "id": "starter", "version": "1", "official": false,
     "title": {"en": "...", "de": "..."}, "source": "where it comes from, and under which licence",
     "scale": [{"code": "never", "score": 0, "text": {"en": "Never", ...}}, ...],
     "not_applicable": {"en": "Does not apply to me", ...},
     "domains": [{"code": "safety", "title": {...}, "may_not_apply": false,
                  "items": [{"code": "afraid", "better": "low", "text": {...}}, ...]}, ...]}

Every question is answered on the one `scale` (scores rising, each a whole number); `better` says which end of
it is the better one for her ("high" or "low"), so a change can be read as better or worse whatever the
wording. A domain that `may_not_apply` (the children's domains) offers "does not apply" too; that answer has no
score. The languages of `title` are the file's languages; every text is in each of them. Her pages show her
language if the file has it, else English, else the file's first. A file that breaks a rule is refused at
start-up with what and where.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from portal.services.admin.content_files import DataFileError, read_json_file, texts_by_language

FORMAT = "portal-evaluation-items/1"
STARTER_PATH = Path(__file__).resolve().parents[2] / "content" / "evaluation_items" / "starter.json"
MAX_BYTES = 1_000_000
MAX_ITEMS = 80
MAX_OPTIONS = 11
CODE = re.compile(r"[a-z][a-z0-9_]{0,39}")
LABEL = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,39}")
KEYS = {"format", "id", "version", "official", "title", "source", "scale", "not_applicable", "domains", "about"}
NOT_APPLICABLE = "not_applicable"  # the answer code of "does not apply to me" (no score)
# The six Mirabal domains, in the Toolkit's order: a file covers each of them, in this order.
DOMAINS = ("respect_communication", "space_for_action", "safety", "shared_parenting", "awareness", "childhoods")


class ItemsError(DataFileError):
    """The items file cannot be used; the message says what is wrong and where."""


@dataclass(frozen=True)
class Option:
    code: str
    score: int
    texts: Mapping[str, str]


@dataclass(frozen=True)
class Item:
    code: str
    domain: str
    better: str  # "high" | "low"
    may_not_apply: bool
    texts: Mapping[str, str]

    def oriented(self, score: int, top: int) -> int:
        """The score turned so that higher is better for her (0 … top)."""
        return score if self.better == "high" else top - score


@dataclass(frozen=True)
class Domain:
    code: str
    titles: Mapping[str, str]
    may_not_apply: bool
    items: tuple[Item, ...]


@dataclass(frozen=True)
class ItemSet:
    id: str
    version: str
    official: bool
    titles: Mapping[str, str]
    source: str
    scale: tuple[Option, ...]
    not_applicable: Mapping[str, str]
    domains: tuple[Domain, ...]

    @property
    def locales(self) -> tuple[str, ...]:
        return tuple(self.titles)

    @property
    def items(self) -> tuple[Item, ...]:
        return tuple(item for domain in self.domains for item in domain.items)

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(item.code for item in self.items)

    def item(self, code: str) -> Item | None:
        return next((item for item in self.items if item.code == code), None)

    def answers_for(self, item: Item) -> tuple[str, ...]:
        """The answer codes a question takes (the scale, and "does not apply" where it may not)."""
        return tuple(o.code for o in self.scale) + ((NOT_APPLICABLE,) if item.may_not_apply else ())

    def score(self, answer: str) -> int | None:
        """An answer's score on the scale (None for "does not apply" or an unknown code)."""
        return next((o.score for o in self.scale if o.code == answer), None)

    @property
    def top(self) -> int:
        return max(o.score for o in self.scale)

    def language(self, locale: str) -> str:
        """Her language if the file has it, else English if it has that, else its first."""
        if locale in self.titles:
            return locale
        return "en" if "en" in self.titles else self.locales[0]

    def text(self, texts: Mapping[str, str], locale: str) -> str:
        return texts[self.language(locale)]


def _code(value: Any, origin: str, path: str, example: str) -> str:
    if not isinstance(value, str) or not CODE.fullmatch(value):
        raise ItemsError(f"{origin}: {path}: expected a lower-case code such as {example!r}")
    return value


def _scale(value: Any, origin: str, locales: tuple[str, ...], known: tuple[str, ...]) -> tuple[Option, ...]:
    if not isinstance(value, list) or not 2 <= len(value) <= MAX_OPTIONS:
        raise ItemsError(f"{origin}: scale: expected a list of 2 to {MAX_OPTIONS} answers")
    options: list[Option] = []
    for number, entry in enumerate(value):
        path = f"scale[{number}]"
        if not isinstance(entry, dict) or set(entry) != {"code", "score", "text"}:
            raise ItemsError(f'{origin}: {path}: expected {{"code": …, "score": …, "text": {{…}}}}')
        code = _code(entry["code"], origin, f"{path}.code", "sometimes")
        score = entry["score"]
        if not isinstance(score, int) or isinstance(score, bool) or not 0 <= score <= 100:
            raise ItemsError(f"{origin}: {path}.score: expected a whole number from 0 to 100")
        if options and score <= options[-1].score:
            raise ItemsError(f"{origin}: {path}.score: scores rise from the first answer to the last")
        if code == NOT_APPLICABLE or code in {o.code for o in options}:
            raise ItemsError(f"{origin}: {path}.code: {code!r} is used twice or is reserved")
        options.append(Option(code, score, texts_by_language(entry["text"], f"{path}.text", origin, locales, known,
                                                             ItemsError)))
    return tuple(options)


def _domain(entry: Any, number: int, origin: str, locales: tuple[str, ...], known: tuple[str, ...],
            seen: set[str]) -> Domain:
    path = f"domains[{number}]"
    if not isinstance(entry, dict) or set(entry) != {"code", "title", "may_not_apply", "items"}:
        raise ItemsError(f'{origin}: {path}: expected {{"code", "title", "may_not_apply", "items"}}')
    if entry["code"] != DOMAINS[number]:
        raise ItemsError(f"{origin}: {path}.code: expected {DOMAINS[number]!r} (the six domains, in order: "
                         f"{', '.join(DOMAINS)})")
    if not isinstance(entry["may_not_apply"], bool):
        raise ItemsError(f"{origin}: {path}.may_not_apply: expected true or false")
    items_doc = entry["items"]
    if not isinstance(items_doc, list) or not items_doc:
        raise ItemsError(f"{origin}: {path}.items: expected a list of at least one question")
    items: list[Item] = []
    for item_number, item in enumerate(items_doc):
        item_path = f"{path}.items[{item_number}]"
        if not isinstance(item, dict) or set(item) != {"code", "better", "text"}:
            raise ItemsError(f'{origin}: {item_path}: expected {{"code": …, "better": …, "text": {{…}}}}')
        code = _code(item["code"], origin, f"{item_path}.code", "afraid")
        if code in seen:
            raise ItemsError(f"{origin}: {item_path}.code: {code!r} is used twice")
        seen.add(code)
        if item["better"] not in ("high", "low"):
            raise ItemsError(f'{origin}: {item_path}.better: expected "high" or "low" (which end of the scale is '
                             "better for her)")
        items.append(Item(code, entry["code"], item["better"], entry["may_not_apply"],
                          texts_by_language(item["text"], f"{item_path}.text", origin, locales, known, ItemsError)))
    return Domain(entry["code"], texts_by_language(entry["title"], f"{path}.title", origin, locales, known,
                                                   ItemsError), entry["may_not_apply"], tuple(items))


def parse_items(doc: Any, known_locales: Iterable[str], origin: str = "items") -> ItemSet:
    """Check a decoded items document; ItemsError says what is wrong, prefixed by `origin`."""
    known = tuple(known_locales)
    if not isinstance(doc, dict):
        raise ItemsError(f"{origin}: expected a JSON object")
    if doc.get("format") != FORMAT:
        raise ItemsError(f'{origin}: format: expected "{FORMAT}"')
    unknown = sorted(set(doc) - KEYS)
    if unknown:
        raise ItemsError(f"{origin}: {unknown[0]}: not a field of an items file")
    for name in ("id", "version"):
        if not isinstance(doc.get(name), str) or not LABEL.fullmatch(doc[name]):
            raise ItemsError(f"{origin}: {name}: expected 1 to 40 letters, digits, '.', '_' or '-'")
    if not isinstance(doc.get("official"), bool):
        raise ItemsError(f"{origin}: official: expected true (the Toolkit's items) or false (starter items)")
    titles = texts_by_language(doc.get("title"), "title", origin, None, known, ItemsError)
    locales = tuple(titles)
    source = doc.get("source", "")
    if not isinstance(source, str) or len(source) > 600 or not source.isprintable():
        raise ItemsError(f"{origin}: source: expected a text of at most 600 printable characters")
    scale = _scale(doc.get("scale"), origin, locales, known)
    not_applicable = texts_by_language(doc.get("not_applicable"), "not_applicable", origin, locales, known,
                                       ItemsError)
    domains_doc = doc.get("domains")
    if not isinstance(domains_doc, list) or len(domains_doc) != len(DOMAINS):
        raise ItemsError(f"{origin}: domains: expected the six domains ({', '.join(DOMAINS)})")
    seen: set[str] = set()
    domains = tuple(_domain(entry, number, origin, locales, known, seen) for number, entry in enumerate(domains_doc))
    if len(seen) > MAX_ITEMS:
        raise ItemsError(f"{origin}: domains: at most {MAX_ITEMS} questions in all")
    return ItemSet(doc["id"], doc["version"], doc["official"], titles, source.strip(), scale, not_applicable,
                   domains)


def load_items(path: str | Path, known_locales: Iterable[str]) -> ItemSet:
    """Read and check an items file (ItemsError names the file and the problem)."""
    return parse_items(read_json_file(path, MAX_BYTES, ItemsError), known_locales, str(path))


def configured_items(setting: str, known_locales: Iterable[str]) -> ItemSet:
    """The deployment's items (PORTAL_EVALUATION_ITEMS names its file), else the starter items."""
    return load_items(setting.strip() or STARTER_PATH, known_locales)
