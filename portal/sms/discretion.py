"""Checks that a text is safe on a lock screen: one segment, no telling words, no links, no names."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from portal.sms.segments import measure
from portal.sms.textfold import fold, words

# Words that must never appear in a text to her, in any locale (folded: case and accents ignored).
TELLING_WORDS: dict[str, tuple[str, ...]] = {
    "en": ("abuse", "abusive", "abuser", "violence", "violent", "domestic", "perpetrator", "programme",
           "program", "course", "group", "groups", "session", "sessions", "men", "man", "husband",
           "boyfriend", "partner", "ex", "police", "court", "refuge", "shelter", "victim", "survivor",
           "risk", "danger", "dangerous", "threat", "safety", "harm", "dropout", "dropped", "facilitator",
           "attend", "attendance", "excluded", "suspended", "warning", "alert", "support service"),
    "de": ("gewalt", "missbrauch", "misshandlung", "tater", "taeter", "programm", "kurs", "gruppe",
           "sitzung", "manner", "maenner", "mann", "ehemann", "freund", "partner", "polizei", "gericht",
           "frauenhaus", "opfer", "risiko", "gefahr", "gefahrlich", "bedrohung", "sicherheit", "warnung",
           "abbruch", "abgebrochen"),
    # Arabic words are matched inside longer words too (prefixes like ال, و, ب attach to them).
    "ar": ("عنف", "اساءه", "معتدي", "برنامج", "دوره", "مجموعه", "رجال", "رجل", "زوج", "شريك", "شرطه",
           "محكمه", "ملجا", "ضحيه", "خطر", "تهديد", "امان", "تحذير", "انسحاب"),
}
_URL = re.compile(r"(https?://|www\.|\b[a-z0-9-]+\.(com|org|net|uk|de|info|app|link|ly)\b)", re.IGNORECASE)


@dataclass(frozen=True)
class Problem:
    code: str  # too_long | telling_word | link | name
    detail: str = ""


def _is_arabic(term: str) -> bool:
    return any("\u0600" <= ch <= "\u06ff" for ch in term)


def problems(text: str, *, allow_url: str | None = None, names: Iterable[str] = ()) -> list[Problem]:
    """Everything that makes this text unsafe to send; empty when it may go out."""
    found: list[Problem] = []
    info = measure(text)
    if not info.single:
        found.append(Problem("too_long", f"{info.units}/{info.limit} {info.encoding}"))
    checked = text.replace(allow_url, " ") if allow_url else text
    if _URL.search(checked):
        found.append(Problem("link"))
    folded_words = " " + " ".join(words(checked)) + " "
    folded_text = fold(checked)
    for terms in TELLING_WORDS.values():
        for term in terms:
            needle = fold(term)
            if _is_arabic(term):
                hit = needle in folded_text
            else:
                hit = f" {' '.join(words(term))} " in folded_words
            if hit:
                found.append(Problem("telling_word", term))
    for name in names:
        for part in words(name):
            if len(part) >= 2 and f" {part} " in folded_words:
                found.append(Problem("name"))
                break
    return found
