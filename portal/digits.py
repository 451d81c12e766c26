"""Digits as people type them: any script's decimal digits become ASCII; other digit-like characters are refused.

DESIGN.md section 8: Unicode decimal digits (Arabic-Indic, Persian, full-width, Devanagari ...) are converted
to ASCII before checking and counting; superscripts, circled numbers and other digit-like characters that are
not decimal digits are not numbers here, and the caller answers a clear 4xx.
"""

from __future__ import annotations

import unicodedata


def ascii_digits(text: str) -> str:
    """Every Unicode decimal digit (category Nd) as its ASCII digit; every other character unchanged.

    Full-width forms are folded first (NFKC would also turn superscripts into digits, so it is not used).
    """
    out: list[str] = []
    for char in text:
        if char.isascii():
            out.append(char)
            continue
        value = unicodedata.decimal(char, None)
        out.append(str(value) if value is not None else char)
    return "".join(out)


def is_ascii_number(text: str) -> bool:
    """True when text is one or more ASCII digits 0-9 and nothing else (str.isdigit also accepts '²')."""
    return bool(text) and text.isascii() and text.isdigit()


def parse_digits(text: str) -> str | None:
    """Her or a worker's typed number as ASCII digits, surrounding spaces removed; None when it is not one."""
    value = ascii_digits((text or "").strip())
    return value if is_ascii_number(value) else None
