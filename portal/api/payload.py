"""Parse and check the JSON body of a programme-event report; errors carry a stable code and the field."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from portal.models import EventKind
from portal.services.programme.events import DESCRIPTION_MAX, IMMINENCE

FIELDS = {"participant_ref", "kind", "risk_to", "imminence", "description", "occurred_at", "factors"}
FACTORS_MAX = 10
RISK_TARGETS = ("partner", "children")


class PayloadError(ValueError):
    def __init__(self, status: int, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.field = field


@dataclass(frozen=True)
class Report:
    participant_ref: str
    kind: str
    risk_to_partner: bool
    risk_to_children: bool
    imminence: str | None
    description: str | None
    occurred_at: datetime | None
    factors: tuple[str, ...] = ()


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def load_json(raw: bytes) -> Any:
    try:
        return json.loads(raw.decode("utf-8"), parse_constant=_reject_constant)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise PayloadError(400, "invalid_json", "The body is not valid UTF-8 JSON.") from exc


def _string(doc: dict[str, Any], name: str, *, required: bool, max_length: int) -> str | None:
    value = doc.get(name)
    if value is None:
        if required:
            raise PayloadError(422, "missing_field", f"{name} is required.", name)
        return None
    if not isinstance(value, str):
        raise PayloadError(422, "invalid_type", f"{name} must be a string.", name)
    if len(value) > max_length:
        raise PayloadError(422, "too_long", f"{name} is limited to {max_length} characters.", name)
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise PayloadError(422, "invalid_text", f"{name} contains characters that are not valid text.", name) from exc
    if "\x00" in value:
        raise PayloadError(422, "invalid_text", f"{name} contains a NUL character.", name)
    return value


def _risk_to(value: Any) -> tuple[bool, bool]:
    if value is None:
        return False, False
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not items or not all(isinstance(i, str) for i in items):
        raise PayloadError(422, "invalid_risk_to", 'risk_to is "partner", "children" or a list of them.', "risk_to")
    unknown = [i for i in items if i not in RISK_TARGETS]
    if unknown or len(set(items)) != len(items):
        raise PayloadError(422, "invalid_risk_to", 'risk_to is "partner", "children" or a list of them, '
                           "each once.", "risk_to")
    return "partner" in items, "children" in items


def _factors(value: Any) -> tuple[str, ...]:
    """A list of factor codes (which codes, each once, and only on a risk report: services/events checks)."""
    if value is None:
        return ()
    if not isinstance(value, list) or len(value) > FACTORS_MAX \
            or not all(isinstance(item, str) and 0 < len(item) <= 40 for item in value):
        raise PayloadError(422, "invalid_factor", "factors is a list of risk factor codes (see the schema).",
                           "factors")
    return tuple(value)


def _occurred_at(text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError as exc:
        raise PayloadError(422, "invalid_occurred_at", "occurred_at must be an RFC 3339 date-time, "
                           "e.g. 2026-03-02T10:00:00Z.", "occurred_at") from exc
    if when.tzinfo is None:
        raise PayloadError(422, "invalid_occurred_at", "occurred_at needs a time zone offset or Z.", "occurred_at")
    try:
        when.astimezone(UTC)  # year 1 with a positive offset (or 9999 with a negative one) has no UTC time
    except OverflowError as exc:
        raise PayloadError(422, "invalid_occurred_at", "occurred_at is outside the years 0001 to 9999 in UTC.",
                           "occurred_at") from exc
    return when


def parse_report(doc: Any) -> Report:
    if not isinstance(doc, dict):
        raise PayloadError(422, "invalid_body", "The body must be a JSON object.")
    extra = sorted(set(doc) - FIELDS)
    if extra:
        raise PayloadError(422, "unknown_field", f"Unknown field: {extra[0]}.", extra[0])
    reference = _string(doc, "participant_ref", required=True, max_length=64)
    kind = _string(doc, "kind", required=True, max_length=40)
    if kind not in EventKind.ALL:
        raise PayloadError(422, "invalid_kind", f"kind must be one of: {', '.join(EventKind.ALL)}.", "kind")
    imminence = _string(doc, "imminence", required=False, max_length=20)
    if imminence is not None and imminence not in IMMINENCE:
        raise PayloadError(422, "invalid_imminence", f"imminence must be one of: {', '.join(IMMINENCE)}.",
                           "imminence")
    to_partner, to_children = _risk_to(doc.get("risk_to"))
    description = _string(doc, "description", required=False, max_length=DESCRIPTION_MAX)
    occurred = _occurred_at(_string(doc, "occurred_at", required=False, max_length=64))
    factors = _factors(doc.get("factors"))
    return Report(reference or "", kind, to_partner, to_children, imminence, description, occurred, factors)
