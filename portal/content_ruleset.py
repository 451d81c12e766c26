"""The content rules of one locale, read from portal/content/content_rules/<locale>.json (format in its README),
and how they are matched: on the normalised text (portal/content_normal.py), each rule at most once per text,
a negation switching a rule off only when it governs the matched clause.

A negation governs a match when it stands before it in the same clause: after the start of its sentence, after
the last contrastive word ("but", "aber", "لكن" ...) and, where the locale says commas end a clause, after the last
comma; and at most `window` words before it. A clause after the match that disowns it ("... is not your job")
switches it off too, and so does reported speech before it ("he may say that ..."): these are not our words.
A rule marked `"negatable": false` ignores all three (naming the programme is naming it, negated or not).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from portal.content_normal import Normalised, fold_letters, normalise

RULES_DIR = Path(__file__).resolve().parent / "content" / "content_rules"
NAME = re.compile(r"^[a-z0-9_.-]+$")
FAMILIES = ("blame", "overstatement", "naming")
APPLIES_TO = ("all", "sms_title")
CONTEXTS = ("text", "sms", "title")  # any text of hers; a text message; a title, heading or first-screen line
MACRO = re.compile(r"<([a-z_]+)(?::(\d+))?>")


class RulesError(ValueError):
    """A rules file is missing or cannot be used; the message names the file and the problem."""


@dataclass(frozen=True)
class Rule:
    name: str
    family: str
    applies_to: str
    negatable: bool
    patterns: tuple[re.Pattern[str], ...]
    match: tuple[str, ...]
    no_match: tuple[str, ...]

    def applies(self, context: str) -> bool:
        return self.applies_to == "all" or context in ("sms", "title")


@dataclass(frozen=True)
class Hit:
    rule: Rule
    phrase: str  # the original words that matched


@dataclass(frozen=True)
class RuleSet:
    locale: str
    rules: tuple[Rule, ...]
    negation: re.Pattern[str]
    scope_break: re.Pattern[str]
    reported: tuple[re.Pattern[str], ...]
    disowned_after: tuple[re.Pattern[str], ...]
    window: int

    def hits(self, text: str, context: str = "text") -> list[Hit]:
        """Every rule that flags this text in this context (at most one hit per rule)."""
        if context not in CONTEXTS:
            raise ValueError(f"unknown context {context!r}")
        normal = normalise(text, self.locale)
        found: list[Hit] = []
        for rule in self.rules:
            if not rule.applies(context):
                continue
            hit = self._first(rule, normal)
            if hit is not None:
                found.append(hit)
        return found

    def _first(self, rule: Rule, normal: Normalised) -> Hit | None:
        for pattern in rule.patterns:
            for match in pattern.finditer(normal.text):
                if rule.negatable and self._not_ours(normal.text, match.start(), match.end()):
                    continue
                return Hit(rule, normal.original(match.start(), match.end()) or match.group(0).strip())
        return None

    def _clause(self, text: str, start: int, end: int) -> tuple[str, str]:
        """The words of the match's clause before it, and after it (up to the clause's end)."""
        sentence_start = text.rfind(" . ", 0, start + 1)
        before = text[sentence_start + 2 if sentence_start >= 0 else 0: start]
        cut = 0
        for mark in self.scope_break.finditer(before):
            cut = mark.end()
        before = before[cut:]
        sentence_end = text.find(" . ", end)
        after = text[end: sentence_end + 1 if sentence_end >= 0 else len(text)]
        stop = self.scope_break.search(after)
        if stop:
            after = after[: stop.start() + 1]
        return " " + before.strip() + " ", " " + after.strip() + " "

    def _not_ours(self, text: str, start: int, end: int) -> bool:
        """True when a negation governs the match, a later clause disowns it, or it is reported speech."""
        before, after = self._clause(text, start, end)
        near = " " + " ".join(before.split()[-self.window:]) + " "
        if self.negation.search(near):
            return True
        if any(p.search(after) for p in self.disowned_after):
            return True
        return any(p.search(before) for p in self.reported)


def rules_locales() -> list[str]:
    """The locales that have a rules file."""
    return sorted(path.stem for path in RULES_DIR.glob("*.json"))


def _fold_pattern(pattern: str, language: str) -> str:
    """A pattern's letters folded as the text is (escapes such as \\w left alone)."""
    out: list[str] = []
    escaped = False
    for char in pattern:
        if escaped:
            out.append(char)
            escaped = False
        elif char == "\\":
            out.append(char)
            escaped = True
        elif char.isalpha():
            out.append(fold_letters(char, language))
        else:
            out.append(char)
    return "".join(out)


def _expand(pattern: str, terms: dict[str, str], negation_words: str, depth: int = 0) -> str:
    def one(match: re.Match[str]) -> str:
        name, count = match.group(1), match.group(2)
        if name == "gap":  # up to N words (3 if not given), none of them a negation, inside the clause
            return rf"(?:(?!(?:{negation_words}) )\w+ ){{0,{int(count or 3)}}}"
        if name == "w":
            return r"\w+"
        if name in terms:
            return _expand(terms[name], terms, negation_words, depth + 1) if depth < 5 else terms[name]
        raise RulesError(f"unknown macro <{name}>")

    return MACRO.sub(one, pattern)


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not value or not all(isinstance(item, str) and item.strip() for item in value):
        raise RulesError(f"{where}: expected a list of non-empty texts (at least one)")
    return tuple(value)


def _compile(raw: str, where: str, language: str, terms: dict[str, str], negation_words: str,
             prefix: str, suffix: str) -> re.Pattern[str]:
    body = _expand(_fold_pattern(raw, language), terms, negation_words)
    try:
        return re.compile(rf"(?<=[ ]){prefix}(?:{body}){suffix}(?=[ ])")
    except re.error as error:
        raise RulesError(f"{where}: pattern {raw!r} does not compile ({error})") from None


def parse_rules(data: Any, locale: str, origin: str) -> RuleSet:
    """A rule set from a rules file's JSON, every field checked (a refusal names the file and the place)."""
    if not isinstance(data, dict) or not isinstance(data.get("rules"), list):
        raise RulesError(f"{origin}: expected an object with \"rules\" (a list) and \"language\" (an object)")
    language = data.get("language", {})
    if not isinstance(language, dict):
        raise RulesError(f"{origin}: \"language\" must be an object")
    terms = {key: _fold_pattern(value, locale) for key, value in language.get("terms", {}).items()}
    negations = [fold_letters(word, locale) for word in _strings(language.get("negation"), f"{origin}: negation")]
    negation_words = "|".join(re.escape(word) for word in sorted(negations, key=len, reverse=True))
    prefix = language.get("word_prefix", "")
    suffix = language.get("word_suffix", "")
    breaks = [fold_letters(word, locale) for word in _strings(language.get("scope_break", ["."]),
                                                              f"{origin}: scope_break")]
    break_words = "|".join(re.escape(word) for word in breaks if word != ",")
    scope = rf" (?:{prefix}(?:{break_words}))(?= )" if break_words else r"(?!x)x"
    if "," in breaks:  # a comma ends a clause, unless what follows continues it ("..., or speak up for him")
        continuing = [fold_letters(word, locale) for word in language.get("comma_continues", [])]
        keep = "|".join(re.escape(word) for word in continuing)
        comma = rf" ,(?= )(?! (?:{keep}) )" if keep else r" ,(?= )"
        scope = rf"(?:{comma}|{scope})"

    def compiled(raw: str, where: str) -> re.Pattern[str]:
        return _compile(raw, where, locale, terms, negation_words, prefix, suffix)

    rules: list[Rule] = []
    seen: set[str] = set()
    for index, item in enumerate(data["rules"]):
        where = f"{origin}: rules[{index}]"
        if not isinstance(item, dict):
            raise RulesError(f"{where}: expected an object")
        name = item.get("name")
        if not isinstance(name, str) or not NAME.match(name) or name in seen:
            raise RulesError(f"{where}: name must be unique and match [a-z0-9_.-]+ (got {name!r})")
        seen.add(name)
        family = item.get("family")
        if family not in FAMILIES:
            raise RulesError(f"{where} ({name}): family must be one of {', '.join(FAMILIES)}")
        applies_to = item.get("applies_to", "all")
        if applies_to not in APPLIES_TO:
            raise RulesError(f"{where} ({name}): applies_to must be one of {', '.join(APPLIES_TO)}")
        negatable = item.get("negatable", family != "naming")
        if not isinstance(negatable, bool):
            raise RulesError(f"{where} ({name}): negatable must be true or false")
        patterns = tuple(compiled(raw, f"{where} ({name})") for raw in _strings(item.get("patterns"), where))
        rules.append(Rule(name, family, applies_to, negatable, patterns,
                          _strings(item.get("match"), f"{where} ({name}) match"),
                          _strings(item.get("no_match"), f"{where} ({name}) no_match")))
    window = language.get("window", 8)
    if not isinstance(window, int) or not 1 <= window <= 30:
        raise RulesError(f"{origin}: window must be a whole number of words from 1 to 30")
    return RuleSet(
        locale, tuple(rules),
        negation=re.compile(rf" {prefix}(?:{negation_words}) "),
        scope_break=re.compile(scope),
        reported=tuple(compiled(raw, f"{origin}: reported") for raw in language.get("reported", [])),
        disowned_after=tuple(compiled(raw, f"{origin}: disowned_after") for raw in language.get("disowned_after", [])),
        window=window,
    )


def language_of(code: str) -> str:
    return code.split("_")[0].split("-")[0]


@lru_cache(maxsize=32)
def rule_set(locale: str) -> RuleSet:
    """The rules of a locale; RulesError when it has no rules file, or the file cannot be used."""
    code = language_of(locale)
    path = RULES_DIR / f"{code}.json"
    if not path.is_file():
        raise RulesError(f"no content rules for locale {code!r} (expected {path.name} in {RULES_DIR.name}/)")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise RulesError(f"{path.name}: not valid JSON ({error})") from None
    return parse_rules(data, code, path.name)
