"""Content a deployment may replace with its own file (the risk checklist, the evaluation items): reading the
JSON and checking its texts by language, each refusal naming the file, the place and the problem."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from portal.services.admin.printable import printable

TEXT_MAX = 600


class DataFileError(ValueError):
    """A content file cannot be used; the message says what is wrong and where, for whoever deploys."""


def where(origin: str, path: str) -> str:
    return f"{origin}: {path}" if path else origin


def texts_by_language(value: Any, path: str, origin: str, locales: tuple[str, ...] | None,
                      known_locales: Iterable[str], error: type[DataFileError] = DataFileError) -> dict[str, str]:
    """One text per language: each language known, the same languages as `locales` (when given), every text
    printable, not empty, at most TEXT_MAX characters, its spaces folded."""
    known = tuple(known_locales)
    if not isinstance(value, dict) or not value:
        raise error(f"{where(origin, path)}: expected an object of texts by language, such as {{\"en\": \"…\"}}")
    unknown = sorted(set(value) - set(known))
    if unknown:
        raise error(f"{where(origin, path)}: unknown language {unknown[0]!r} (languages: {', '.join(known)})")
    if locales is not None and set(value) != set(locales):
        missing = sorted(set(locales) - set(value))
        extra = sorted(set(value) - set(locales))
        problem = f"no {missing[0]!r} text" if missing else f"a {extra[0]!r} text the title does not have"
        raise error(f"{where(origin, path)}: {problem} (every text is in the title's languages: "
                    f"{', '.join(locales)})")
    texts: dict[str, str] = {}
    for code in (locales or tuple(value)):
        text = value[code]
        if not isinstance(text, str) or not text.strip():
            raise error(f"{where(origin, path)}.{code}: expected a text that is not empty")
        text = " ".join(text.split())
        if len(text) > TEXT_MAX or not printable(text):
            raise error(f"{where(origin, path)}.{code}: a text of at most {TEXT_MAX} printable characters")
        texts[code] = text
    return texts


def read_json_file(path: str | Path, max_bytes: int, error: type[DataFileError] = DataFileError) -> Any:
    """The decoded JSON of a file of at most `max_bytes` (error names the file and what is wrong)."""
    origin = str(path)
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise error(f"{origin}: cannot be read ({exc.strerror or type(exc).__name__})") from exc
    if len(raw) > max_bytes:
        raise error(f"{origin}: larger than {max_bytes} bytes")
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise error(f"{origin}: not valid UTF-8 JSON ({exc})") from exc
