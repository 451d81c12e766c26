"""The real twilio library, offline: exact requests, the API base override, and every error class."""

from __future__ import annotations

from collections import deque
from datetime import UTC, datetime

import pytest
import requests
from urllib3.exceptions import NewConnectionError

from portal.sms.gateway import OutboundSms, Outcome, SendFailed, classify_api_error, classify_delivery_failure
from portal.sms.twilio_backend import TwilioGateway
from tests.sms_support import (
    ACCOUNT_SID,
    AUTH_TOKEN,
    SERVICE_SID,
    RecordingHttpClient,
    error_response,
    message_json,
    twilio_gateway,
)

MESSAGE = OutboundSms(to="+447400123456", body="Hello, a quick reminder.", validity_seconds=3600,
                      status_callback="https://portal.test/sms/status?n=ab&a=1")


def test_send_makes_exactly_the_expected_request_through_a_messaging_service():
    http = RecordingHttpClient(deque([message_json(sid="SM" + "c" * 32, status="accepted")]))
    accepted = twilio_gateway(http).send(MESSAGE)
    assert (accepted.sid, accepted.status) == ("SM" + "c" * 32, "accepted")
    [req] = http.requests
    assert req.method == "POST"
    assert req.url == f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
    assert req.data == {"To": "+447400123456", "Body": "Hello, a quick reminder.", "ValidityPeriod": 3600,
                        "StatusCallback": "https://portal.test/sms/status?n=ab&a=1",
                        "MessagingServiceSid": SERVICE_SID}
    assert req.auth == (ACCOUNT_SID, AUTH_TOKEN)
    assert req.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert req.headers["Accept"] == "application/json"


def test_send_from_a_number_and_to_another_api_base():
    http = RecordingHttpClient()
    twilio_gateway(http, messaging_service_sid="", from_number="+15005550006",
            api_base="http://127.0.0.1:8099/").send(MESSAGE)
    [req] = http.requests
    assert req.url == f"http://127.0.0.1:8099/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
    assert req.data["From"] == "+15005550006" and "MessagingServiceSid" not in req.data


def test_fetch_and_find_use_the_messages_resource():
    http = RecordingHttpClient(deque([
        message_json(sid="SM" + "d" * 32, status="delivered"),
        {"messages": [message_json(sid="SM" + "e" * 32, body="a"),
                      {**message_json(sid="SM" + "f" * 32, body="b"), "date_created": "Sun, 01 Mar 2026 09:00:00 +0000"}],
         "next_page_uri": None, "page": 0, "page_size": 50, "uri": "/x"},
    ]))
    gw = twilio_gateway(http)
    assert gw.fetch("SM" + "d" * 32).status == "delivered"
    found = gw.find("+447400123456", datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    assert [m.sid for m in found] == ["SM" + "e" * 32]  # the older one is filtered out
    assert http.requests[0].method == "GET"
    assert http.requests[0].url.endswith(f"/Accounts/{ACCOUNT_SID}/Messages/{'SM' + 'd' * 32}.json")
    assert http.requests[1].params["To"] == "+447400123456"


def test_fetch_of_an_unknown_sid_is_none():
    http = RecordingHttpClient(deque([error_response(404, 20404)]))
    assert twilio_gateway(http).fetch("SM" + "0" * 32) is None


@pytest.mark.parametrize("status, code, outcome", [
    (400, 21211, Outcome.NUMBER_UNUSABLE), (400, 21614, Outcome.NUMBER_UNUSABLE),
    (400, 21610, Outcome.OPTED_OUT), (429, 20429, Outcome.RETRY), (500, None, Outcome.RETRY),
    (503, 20503, Outcome.RETRY), (400, 30007, Outcome.CALL_INSTEAD), (401, 20003, Outcome.REJECTED),
    (400, 21606, Outcome.REJECTED), (400, 30003, Outcome.RETRY), (400, 30008, Outcome.RETRY),
])
def test_api_errors_are_classified(status, code, outcome):
    http = RecordingHttpClient(deque([error_response(status, code)]))
    with pytest.raises(SendFailed) as raised:
        twilio_gateway(http).send(MESSAGE)
    assert raised.value.outcome is outcome
    assert raised.value.code == (str(code) if code else f"http{status}")


def _refused() -> requests.ConnectionError:
    reason = NewConnectionError(None, "Failed to establish a new connection: [Errno 111] refused")
    return requests.ConnectionError(type("E", (), {"reason": reason})())


@pytest.mark.parametrize("error, outcome", [
    (requests.ConnectTimeout("connect timed out"), Outcome.NOT_SENT),
    (_refused(), Outcome.NOT_SENT),
    (requests.ReadTimeout("read timed out"), Outcome.UNKNOWN),
    (requests.ConnectionError("Connection aborted: RemoteDisconnected"), Outcome.UNKNOWN),
    (requests.exceptions.ChunkedEncodingError("broken"), Outcome.UNKNOWN),
])
def test_network_errors_are_unknown_unless_the_request_never_left(error, outcome):
    http = RecordingHttpClient(deque([error]))
    with pytest.raises(SendFailed) as raised:
        twilio_gateway(http).send(MESSAGE)
    assert raised.value.outcome is outcome


@pytest.mark.parametrize("status, code, warning, outcome", [
    ("undelivered", "30003", False, Outcome.RETRY), ("failed", "30008", True, Outcome.RETRY),
    ("undelivered", "30003", True, Outcome.CALL_INSTEAD),  # an undelivered warning is never resent
    ("undelivered", None, False, Outcome.CALL_INSTEAD), ("undelivered", "30007", False, Outcome.CALL_INSTEAD),
    ("undelivered", "30005", True, Outcome.NUMBER_UNUSABLE), ("failed", "30004", False, Outcome.NUMBER_UNUSABLE),
    ("undelivered", "30006", False, Outcome.NUMBER_UNUSABLE), ("failed", "21610", True, Outcome.OPTED_OUT),
    ("failed", "30036", True, Outcome.EXPIRED),
])
def test_delivery_failures_are_classified(status, code, warning, outcome):
    assert classify_delivery_failure(status, code, warning=warning) is outcome


def test_configuration_is_required():
    with pytest.raises(ValueError):
        TwilioGateway("", AUTH_TOKEN, from_number="+15005550006")
    with pytest.raises(ValueError):
        TwilioGateway(ACCOUNT_SID, AUTH_TOKEN)
    assert classify_api_error(None, None) is Outcome.REJECTED
