"""Principles 3 and 6 as code: no text may make her responsible for him, or overstate what programmes achieve,
and no SMS, title, heading or first-screen line of hers may name the service, the programme, violence or abuse
(the rules per locale: portal/content/content_rules, matched by portal/content_ruleset.py), nor hold a word of
its locale's giveaway list (portal/content/giveaway_words).

Contexts: "text" (any text of hers: blame and overstatement), "sms" and "title" (also naming and giveaway words).
A locale without a rules file cannot be checked: `check` raises RulesError.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from portal.content_ruleset import RulesError, language_of, rule_set, rules_locales
from portal.sms.textfold import fold, words

__all__ = ["Finding", "RulesError", "check", "check_all", "check_giveaways", "giveaway_locales", "giveaway_words",
           "giveaways", "rules_locales"]

GIVEAWAY_DIR = Path(__file__).resolve().parent / "content" / "giveaway_words"
RULE_GIVEAWAY = "giveaway"


@dataclass(frozen=True)
class Finding:
    rule: str  # the rule's name ([a-z0-9_.-]+), or "giveaway" for a word of the giveaway list
    text: str
    detail: str = ""  # the words of the text that matched (a giveaway finding: the list's entry)
    family: str = "naming"  # blame | overstatement | naming


def _language(code: str) -> str:
    return language_of(code)


def check(text: str, language: str, context: str = "text") -> list[Finding]:
    """Every rule of the locale that flags this text in this context (each rule at most once)."""
    return [Finding(hit.rule.name, text, hit.phrase, hit.rule.family)
            for hit in rule_set(language).hits(text, context)]


@dataclass(frozen=True)
class Giveaway:
    """One entry of a giveaway list: a whole word or phrase, or a part of a word (`stem*`, `*part*`, `*end`)."""

    entry: str
    parts: tuple[str, ...]
    prefix: bool  # `*` before: any start
    suffix: bool  # `*` after: any end

    def matches(self, folded_words: list[str], joined: str) -> bool:
        if len(self.parts) > 1:
            return f" {' '.join(self.parts)} " in joined
        part = self.parts[0]
        for word in folded_words:
            if (self.prefix and self.suffix and part in word) or (self.prefix and not self.suffix and word.endswith(part)) \
                    or (self.suffix and not self.prefix and word.startswith(part)) or word == part:
                return True
        return False


def giveaway_locales() -> list[str]:
    """The locales that have a giveaway list."""
    return sorted(path.stem for path in GIVEAWAY_DIR.glob("*.txt"))


@lru_cache(maxsize=32)
def giveaway_words(language: str) -> tuple[Giveaway, ...]:
    """The giveaway list of one locale (empty for a locale without one), read from its data file."""
    path = GIVEAWAY_DIR / f"{_language(language)}.txt"
    if not path.is_file():
        return ()
    entries = []
    for line in path.read_text(encoding="utf-8").splitlines():
        entry = line.split("#", 1)[0].strip()
        if not entry:
            continue
        core = entry.strip("*")
        parts = tuple(words(core))
        if parts:
            entries.append(Giveaway(entry, parts, entry.startswith("*"), entry.endswith("*")))
    return tuple(entries)


def giveaways(text: str, language: str) -> list[str]:
    """The entries of this locale's giveaway list found in `text` (case, accents and letter variants ignored)."""
    folded = words(fold(text))
    joined = " " + " ".join(folded) + " "
    return [item.entry for item in giveaway_words(language) if item.matches(folded, joined)]


def check_giveaways(text: str, language: str) -> list[Finding]:
    """A finding for each giveaway word in a text meant for a first screen, a title, a heading or a path."""
    return [Finding(RULE_GIVEAWAY, text, entry) for entry in giveaways(text, language)]


def check_all(text: str, language: str, context: str = "text") -> list[Finding]:
    """Every rule on one text in its context; in an SMS or a title the giveaway words too."""
    findings = check(text, language, context)
    if context in ("sms", "title"):
        findings += check_giveaways(text, language)
    return findings
