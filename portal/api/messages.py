"""The API's words for every refusal of a programme report: one place, by the domain's code (services/events.
EventError), as portal/public/messages.py does for her pages and portal/console/refusals.py for the console.

Plain English for the programme systems' developers (a machine interface: never shown to her)."""

from __future__ import annotations

from portal.domain_error import DomainError
from portal.models import EventKind, Imminence, RiskFactor
from portal.services.programme.events import DESCRIPTION_MAX

EVENT_MESSAGES: dict[str, str] = {
    "invalid_reference": "A programme reference is 1 to 64 letters, digits or . _ / - and starts with a letter "
                         "or digit.",
    "duplicate_reference": "That reference is registered in this programme already.",
    "invalid_kind": f"kind must be one of: {', '.join(EventKind.ALL)}.",
    "risk_to_required": "A risk concern says who is at risk: partner, children or both.",
    "imminence_required": f"A risk concern needs imminence: {', '.join(Imminence)}.",
    "risk_fields_only_for_risk": "risk_to and imminence belong to kind 'risk' only.",
    "invalid_factor": f"factors is a list of: {', '.join(RiskFactor.ALL)}, each once.",
    "factors_only_for_risk": "factors belong to kind 'risk' only.",
    "description_too_long": f"The description is limited to {DESCRIPTION_MAX} characters.",
    "invalid_occurred_at": "occurred_at needs a time zone (e.g. 2026-03-02T10:00:00Z).",
    "occurred_at_in_future": "occurred_at is in the future.",
    "idempotency_key_reused": "This Idempotency-Key was used before with a different request.",
    "invalid_idempotency_key": "An Idempotency-Key is 1 to 200 printable ASCII characters.",
    "unknown_participant": "No participant with that reference in this programme.",
}
FALLBACK = "The report cannot be accepted."


def message(error: DomainError) -> str:
    """What the API says for a refusal (its code stays the machine-readable part of the answer)."""
    return EVENT_MESSAGES.get(error.code, FALLBACK)
