"""What counts as a printable text an admin may enter: Python's printable characters, plus the zero-width joiners
Persian spelling needs (U+200C between the parts of a word such as «می‌خواهم», U+200D), and new lines where asked."""

from __future__ import annotations

JOINERS = frozenset("\u200c\u200d")


def printable(text: str, newlines: bool = False) -> bool:
    return all(ch.isprintable() or ch in JOINERS or (newlines and ch == "\n") for ch in text)
