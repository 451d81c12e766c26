"""Her text in the one form the content rules read: NFKC, case-folded, diacritics removed (Arabic harakat, shadda
and tatweel too), German umlauts spelled out, digits in ASCII, words separated by one space and punctuation
folded to two marks (" , " inside a sentence, " . " at its end), with each character mapped back to the text.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from portal.digits import ascii_digits

# Arabic letter variants (hamza seats, alef maqsura, ta marbuta) read as one letter; tatweel is dropped.
# Persian ی and ک read as the Arabic letters a phone keyboard may type instead; Turkish ı as i (İ loses its dot
# with the accents). Shared with the SMS keywords' folding (portal/sms/textfold.py).
KEYBOARD_LETTERS = {"ی": "ي", "ک": "ك", "ı": "i"}
ARABIC_LETTERS = {"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه", "ؤ": "و", "ئ": "ي", "ـ": "",
                  **KEYBOARD_LETTERS}
# German: "müssen" and "muessen" read alike (both "muessen"); ß is already "ss" once case-folded.
GERMAN_LETTERS = {"ä": "ae", "ö": "oe", "ü": "ue"}
SENTENCE_END = set(".!?;…؟؛。！？")
CLAUSE_MARK = set(",:،、—–()[]{}\"«»“”„‟‹›")
KEPT_SYMBOLS = {"%": "%", "٪": "%", "‰": "%"}
APOSTROPHES = set("'’ʼ`´")


@dataclass(frozen=True)
class Normalised:
    """The folded text, and for each of its characters the index of the character of the original it came from."""

    text: str
    origin: tuple[int, ...]
    source: str

    def original(self, start: int, end: int) -> str:
        """The original text behind the folded span [start, end), trimmed of spaces and marks."""
        inner = [self.origin[i] for i in range(start, end) if self.text[i] not in " .,"]
        if not inner:
            return ""
        return self.source[min(inner): max(inner) + 1].strip()


def _letters(char: str, language: str) -> str:
    """One character folded: compatibility form, case, no diacritics, the locale's letter spellings."""
    folded = unicodedata.normalize("NFKC", char).casefold()
    if language == "de":
        folded = "".join(GERMAN_LETTERS.get(c, c) for c in folded)
    decomposed = unicodedata.normalize("NFKD", folded)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    bare = "".join(ARABIC_LETTERS.get(c, c) for c in bare)
    if language == "de":
        bare = "".join(GERMAN_LETTERS.get(c, c) for c in unicodedata.normalize("NFC", bare))
    return ascii_digits(bare)


def fold_letters(text: str, language: str) -> str:
    """Only the letters folded (no punctuation change): used on the rules' own patterns."""
    return "".join(_letters(char, language) for char in unicodedata.normalize("NFC", text))


def normalise(text: str, language: str) -> Normalised:
    """The text as rules read it: ' word word , word . word ' (one leading and trailing space)."""
    out: list[str] = [" "]
    origin: list[int] = [0]

    def put(piece: str, index: int) -> None:
        for c in piece:
            if c == " " and out[-1] == " ":
                continue
            out.append(c)
            origin.append(index)

    source = unicodedata.normalize("NFC", text)
    for index, char in enumerate(source):
        if char in APOSTROPHES:
            continue  # can't -> cant, men's -> mens
        folded = _letters(char, language)
        for c in folded:
            if c.isalnum():
                put(c, index)
            elif c in KEPT_SYMBOLS or char in KEPT_SYMBOLS:
                put(" % ", index)
            elif c in SENTENCE_END:
                put(" . ", index)
            elif c in CLAUSE_MARK:
                put(" , ", index)
            elif unicodedata.category(c).startswith("M"):
                continue  # a mark NFKD left (Arabic harakat are combining; this catches the rest)
            else:
                put(" ", index)
    if out[-1] != " ":
        out.append(" ")
        origin.append(len(source))
    folded_text = "".join(out)
    # Runs of marks collapse to the strongest: " . , . " -> " . "
    return _collapse_marks(Normalised(folded_text, tuple(origin), source))


def _collapse_marks(value: Normalised) -> Normalised:
    tokens: list[tuple[str, int, int]] = []  # (token, start, end) in value.text
    position = 0
    for piece in value.text.split(" "):
        if piece:
            start = value.text.index(piece, position)
            tokens.append((piece, start, start + len(piece)))
            position = start + len(piece)
    kept: list[tuple[str, int, int]] = []
    for token in tokens:
        if token[0] in ",." and kept and kept[-1][0] in ",.":
            if token[0] == "." and kept[-1][0] == ",":
                kept[-1] = token
            continue
        if token[0] in ",." and not kept:
            continue  # nothing before: a leading mark means nothing
        kept.append(token)
    pieces: list[str] = [" "]
    origin: list[int] = [0]
    for word, start, end in kept:
        pieces.append(word)
        origin.extend(value.origin[start:end])
        pieces.append(" ")
        origin.append(value.origin[end - 1])
    return Normalised("".join(pieces), tuple(origin), value.source)
