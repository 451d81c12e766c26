"""Sending through Twilio with the official library; PORTAL_TWILIO_API_BASE points it elsewhere."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

import requests
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http import HttpClient
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError

from portal.logs import RedactingFilter
from portal.sms.gateway import (
    Accepted,
    DeleteFailed,
    OutboundSms,
    Outcome,
    ProviderMessage,
    SendFailed,
    classify_api_error,
)

log = logging.getLogger("portal.sms.twilio")
log.addFilter(RedactingFilter())

# The library logs request lines (query strings carry phone numbers) at INFO: keep it quiet and redacted.
_http_log = logging.getLogger("portal.sms.twilio.http")
_http_log.setLevel(logging.WARNING)
_http_log.addFilter(RedactingFilter())

REQUEST_TIMEOUT_SECONDS = 15.0


def _never_left(exc: BaseException) -> bool:
    """True when a connection error happened before any byte of the request was sent."""
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return True
    if isinstance(exc, requests.exceptions.ConnectionError):
        reason = getattr(exc.args[0], "reason", None) if exc.args else None
        return isinstance(reason, (NewConnectionError, ConnectTimeoutError))
    return False


def _code(value: object) -> str | None:
    return None if value in (None, "", 0) else str(value)


class TwilioGateway:
    """The Messages API through twilio.rest.Client (messaging service SID or a from-number)."""

    name = "twilio"

    def __init__(self, account_sid: str, auth_token: str, *, from_number: str = "",
                 messaging_service_sid: str = "", api_base: str = "", http_client: HttpClient | None = None,
                 timeout: float = REQUEST_TIMEOUT_SECONDS) -> None:
        if not (account_sid and auth_token):
            raise ValueError("TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN are required for the twilio backend")
        if not (from_number or messaging_service_sid):
            raise ValueError("set TWILIO_MESSAGING_SERVICE_SID or TWILIO_FROM_NUMBER")
        self.from_number = from_number
        self.messaging_service_sid = messaging_service_sid
        self.http_client = http_client or TwilioHttpClient(timeout=timeout, logger=_http_log)
        self.client = Client(account_sid, auth_token, http_client=self.http_client, environment={})
        if api_base:
            self.client.api.base_url = api_base.rstrip("/")

    def _sender(self) -> dict[str, str]:
        if self.messaging_service_sid:
            return {"messaging_service_sid": self.messaging_service_sid}
        return {"from_": self.from_number}

    def send(self, message: OutboundSms) -> Accepted:
        try:
            created = self.client.messages.create(
                to=message.to, body=message.body, validity_period=message.validity_seconds,
                status_callback=message.status_callback, **self._sender())
        except TwilioRestException as exc:
            code = _code(exc.code) or f"http{exc.status}"
            outcome = classify_api_error(exc.status, code)
            log.warning("Twilio refused a message: http %s, code %s -> %s", exc.status, code, outcome.value)
            raise SendFailed(outcome, code, exc.status) from exc
        except requests.exceptions.RequestException as exc:
            outcome = Outcome.NOT_SENT if _never_left(exc) else Outcome.UNKNOWN
            log.warning("Twilio request failed (%s): %s", type(exc).__name__, outcome.value)
            raise SendFailed(outcome) from exc
        except TwilioException as exc:  # e.g. an unreadable answer: the message may exist
            log.warning("Twilio answer not understood (%s): unknown", type(exc).__name__)
            raise SendFailed(Outcome.UNKNOWN) from exc
        return Accepted(str(created.sid), str(created.status or "queued"))

    @staticmethod
    def _view(msg: Any) -> ProviderMessage:  # twilio's MessageInstance (untyped)
        return ProviderMessage(
            sid=str(msg.sid), status=str(msg.status), error_code=_code(msg.error_code),
            to=str(msg.to), body=str(msg.body or ""), created_at=msg.date_created)

    def fetch(self, sid: str) -> ProviderMessage | None:
        try:
            return self._view(self.client.messages(sid).fetch())
        except TwilioRestException as exc:
            if exc.status == 404:
                return None
            raise

    def find(self, to: str, since: datetime) -> list[ProviderMessage]:
        """Messages to this number created since `since` (newest first; a queued one has no sent date yet)."""
        found = []
        for msg in self.client.messages.list(to=to, limit=50):
            view = self._view(msg)
            if view.created_at is None or view.created_at >= since:
                found.append(view)
        return found

    def delete(self, sid: str) -> None:
        """Delete the Message resource at Twilio (its body and number go with it); 404: already gone."""
        try:
            self.client.messages(sid).delete()
        except TwilioRestException as exc:
            if exc.status == 404:
                return
            code = _code(exc.code) or f"http{exc.status}"
            log.warning("Twilio did not delete a message: http %s, code %s", exc.status, code)
            raise DeleteFailed(code, exc.status) from exc
        except requests.exceptions.RequestException as exc:
            raise DeleteFailed(type(exc).__name__) from exc
        except TwilioException as exc:
            raise DeleteFailed(type(exc).__name__) from exc
