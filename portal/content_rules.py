"""Principles 3 and 6 as code: no text may make her responsible for him, or overstate what programmes achieve,
and no first-screen text, title, heading or path of hers may hold a giveaway word (portal/content/giveaway_words).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from portal.sms.textfold import fold, words

GIVEAWAY_DIR = Path(__file__).resolve().parent / "content" / "giveaway_words"
RULE_BLAME, RULE_OVERSTATEMENT, RULE_GIVEAWAY = "blame", "overstatement", "giveaway"

# Phrases that put his participation, progress or mood on her, per language.
BLAME = {
    "en": [
        r"\bhelp(ing)? him\b", r"\bsupport(ing)? (him|his)\b", r"\bencourag\w* him\b", r"\bmake sure (that )?he\b",
        r"\bdepends? on you\b", r"\byour (support|help) (is|will be) (vital|key|important)\b",
        r"\bwork(ing)? on (the|your) relationship together\b", r"\bkeep (him|an eye on him)\b",
        r"\bmonitor(ing)? (him|his)\b", r"\bremind him\b", r"\breport on (him|how he)\b",
    ],
    "de": [
        r"\bihm (zu )?helfen\b", r"\bihn (zu )?unterstützen\b", r"\bseine veränderung (zu )?unterstützen\b",
        r"\bermutigen sie ihn\b", r"\bsorgen sie dafür, dass er\b", r"\bhängt von ihnen ab\b",
        r"\bbehalten sie ihn im auge\b",
    ],
    "ar": [r"ساعديه", r"شجعيه", r"ادعميه", r"تأكدي من أنه", r"يعتمد عليك", r"راقبيه"],
}

# Promises no programme can keep (allowed only when negated: "there is no guarantee").
OVERSTATE = {
    "en": [r"\bhe will (change|stop|be safe)\b", r"\bcured\b", r"\bsafe now\b", r"\bguarantee[ds]?\b",
           r"\bfixed\b", r"\bchanged man\b"],
    "de": [r"\ber wird sich ändern\b", r"\bgeheilt\b", r"\bjetzt sicher\b", r"\bgarant\w*\b"],
    "ar": [r"سيتغير", r"شُفي", r"شفي تماما", r"آمنة الآن", r"مضمون", r"ضمان"],
}

NEGATION = {
    "en": r"\b(no|not|never|cannot|can't|isn't|won't|without|nobody|nothing|does not|do not)\b",
    "de": r"\b(kein\w*|nicht|nie|niemals|ohne)\b",
    "ar": r"(لا|ليس|لن|لم|غير|بدون|دون)",
}


@dataclass(frozen=True)
class Finding:
    rule: str  # blame | overstatement | giveaway
    text: str
    detail: str = ""  # the pattern or word that matched


def _language(code: str) -> str:
    return code.split("_")[0].split("-")[0]


def check(text: str, language: str) -> list[Finding]:
    """Every blaming phrase, and every un-negated overstatement, in one piece of text."""
    lang = _language(language)
    lowered = text.lower()
    findings = [Finding(RULE_BLAME, text, p) for p in BLAME.get(lang, []) if re.search(p, lowered)]
    negation = NEGATION.get(lang)
    for pattern in OVERSTATE.get(lang, []):
        for match in re.finditer(pattern, lowered):
            before = lowered[max(0, match.start() - 60): match.start()]
            if negation and re.search(negation, before):
                continue
            findings.append(Finding(RULE_OVERSTATEMENT, text, pattern))
    return findings


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


def check_all(text: str, language: str) -> list[Finding]:
    """Every rule on one text: blame, overstatement and giveaway words (`lint-content --locale L -`)."""
    return check(text, language) + check_giveaways(text, language)
