"""What the dispatcher needs from an SMS provider, and how provider errors are classified."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol


@dataclass(frozen=True)
class OutboundSms:
    to: str
    body: str
    validity_seconds: int
    status_callback: str | None


@dataclass(frozen=True)
class Accepted:
    sid: str
    status: str  # the provider's status at acceptance: accepted | queued | sending | sent ...


@dataclass(frozen=True)
class ProviderMessage:
    sid: str
    status: str
    error_code: str | None
    to: str
    body: str
    created_at: datetime | None


class Outcome(StrEnum):
    RETRY = "retry"  # transient: try again later with backoff
    NOT_SENT = "not_sent"  # the request never left: safe to retry
    UNKNOWN = "unknown"  # the request may have been accepted: reconcile before anything else
    NUMBER_UNUSABLE = "number_unusable"  # permanent: her number cannot get texts
    OPTED_OUT = "opted_out"  # she (or her carrier) opted out of texts from us
    CALL_INSTEAD = "call_instead"  # not delivered: her worker calls her instead
    EXPIRED = "expired"  # validity ran out before the carrier took it: it never reached her
    REJECTED = "rejected"  # anything else: our request or account is wrong; a person must look


TRANSIENT_CODES = frozenset({"30003", "30008", "20429"})
NUMBER_UNUSABLE_CODES = frozenset({"21211", "21614", "30004", "30005", "30006", "21612"})
OPTED_OUT_CODES = frozenset({"21610"})
CALL_INSTEAD_CODES = frozenset({"30007"})
EXPIRED_CODES = frozenset({"30036"})


class SendFailed(Exception):
    """The provider did not accept the message; `outcome` says what to do next."""

    def __init__(self, outcome: Outcome, code: str | None = None, http_status: int | None = None) -> None:
        super().__init__(f"{outcome.value} (code {code}, http {http_status})")
        self.outcome = outcome
        self.code = code
        self.http_status = http_status


class DeleteFailed(Exception):
    """The provider did not delete a message record (it still exists or we could not ask): retry later."""

    def __init__(self, code: str, http_status: int | None = None) -> None:
        super().__init__(f"delete failed (code {code}, http {http_status})")
        self.code = code
        self.http_status = http_status


def classify_api_error(http_status: int | None, code: str | None) -> Outcome:
    """Classify an error answer to a send request (the request reached the provider and was refused)."""
    if code in OPTED_OUT_CODES:
        return Outcome.OPTED_OUT
    if code in NUMBER_UNUSABLE_CODES:
        return Outcome.NUMBER_UNUSABLE
    if code in CALL_INSTEAD_CODES:
        return Outcome.CALL_INSTEAD
    if code in TRANSIENT_CODES or http_status == 429 or (http_status is not None and http_status >= 500):
        return Outcome.RETRY
    return Outcome.REJECTED


def classify_delivery_failure(status: str, code: str | None, *, warning: bool) -> Outcome:
    """Classify a `failed` or `undelivered` status report. An undelivered warning is never resent."""
    if code in OPTED_OUT_CODES:
        return Outcome.OPTED_OUT
    if code in NUMBER_UNUSABLE_CODES:
        return Outcome.NUMBER_UNUSABLE
    if code in EXPIRED_CODES:
        return Outcome.EXPIRED
    if code in CALL_INSTEAD_CODES or status == "undelivered" and warning:
        return Outcome.CALL_INSTEAD
    if code in TRANSIENT_CODES:
        return Outcome.RETRY
    return Outcome.CALL_INSTEAD


class Gateway(Protocol):
    """An SMS provider. send() raises SendFailed; fetch() and find() help reconcile an unknown send;
    delete() removes a message record (ours or hers) after an erasure: it returns when the record is gone
    (or never existed) and raises DeleteFailed otherwise."""

    name: str

    def send(self, message: OutboundSms) -> Accepted: ...

    def fetch(self, sid: str) -> ProviderMessage | None: ...

    def find(self, to: str, since: datetime) -> list[ProviderMessage]: ...

    def delete(self, sid: str) -> None: ...
