"""Fold text for matching: trim, ignore case, accents, Arabic diacritics and letter variants."""

from __future__ import annotations

import re
import unicodedata

from portal.content_normal import KEYBOARD_LETTERS

# Arabic letter variants, and the letters a phone keyboard may type instead (Persian ی ک, Turkish ı: so "yardım" is
# YARDIM), as the content check reads them.
_ARABIC_VARIANTS = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه", "ـ": None,
                                  **KEYBOARD_LETTERS})
_SPACE = re.compile(r"\s+")
# Anything that is neither a letter nor a digit at the end (". ! ? ؟ … ) emoji ...").
_TRAILING = re.compile(r"[\W_]+$")
_LEADING = re.compile(r"^[\W_]+")


def fold(text: str) -> str:
    """Case-, accent- and variant-insensitive form; whitespace collapsed to single spaces."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    folded = unicodedata.normalize("NFC", stripped).casefold().translate(_ARABIC_VARIANTS)
    return _SPACE.sub(" ", folded).strip()


def fold_keyword(text: str) -> str:
    """A candidate keyword: folded, with punctuation and symbols around it removed."""
    return _LEADING.sub("", _TRAILING.sub("", fold(text)))


def words(text: str) -> list[str]:
    """The folded words of a text (letters and digits only)."""
    return re.findall(r"\w+", fold(text))
