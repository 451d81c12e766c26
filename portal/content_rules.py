"""Principle 6 as code: no text may make her responsible for him, or overstate what programmes achieve."""

from __future__ import annotations

import re
from dataclasses import dataclass

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
    rule: str
    text: str


def check(text: str, language: str) -> list[Finding]:
    """Every blaming phrase, and every un-negated overstatement, in one piece of text."""
    lang = language.split("_")[0].split("-")[0]
    lowered = text.lower()
    findings = [Finding(p, text) for p in BLAME.get(lang, []) if re.search(p, lowered)]
    negation = NEGATION.get(lang)
    for pattern in OVERSTATE.get(lang, []):
        for match in re.finditer(pattern, lowered):
            before = lowered[max(0, match.start() - 60): match.start()]
            if negation and re.search(negation, before):
                continue
            findings.append(Finding(pattern, text))
    return findings
