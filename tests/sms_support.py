"""Helpers for the SMS tests: a recording Twilio HttpClient, the one way to sign a Twilio webhook (`signed_post`,
`text_in`), dispatchers, her texts allowed."""

from __future__ import annotations

import json
import uuid
from collections import deque
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from sqlalchemy.orm import Session, sessionmaker
from twilio.http import HttpClient
from twilio.http.response import Response
from twilio.request_validator import RequestValidator

from portal.models import Notification, Preferences
from portal.services.messaging.delivery import Policy
from portal.services.messaging.dispatch import Dispatcher
from portal.services.messaging.outbox import enqueue
from portal.sms.console_backend import ConsoleGateway
from portal.sms.factory import catalogs
from portal.sms.twilio_backend import TwilioGateway
from tests.factories import set_prefs, set_windows  # noqa: F401 - set_windows re-exported for the SMS tests

AUTH_TOKEN = "test-auth-token-0123456789abcdef"
ACCOUNT_SID = "AC" + "1" * 32
SERVICE_SID = "MG" + "2" * 32
PUBLIC_URL = "https://portal.test"
HER_PHONE = "+447400123456"  # make_world's default for her number


@dataclass
class SentRequest:
    method: str
    url: str
    params: dict[str, Any] | None
    data: dict[str, Any] | None
    headers: dict[str, str]
    auth: tuple[str, str] | None


@dataclass
class RecordingHttpClient(HttpClient):
    """A twilio HttpClient that records each request and answers from a queue (or raises from it)."""

    answers: deque[Any] = field(default_factory=deque)
    requests: list[SentRequest] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(logger=None, is_async=False)  # type: ignore[arg-type]

    def request(self, method, uri, params=None, data=None, headers=None, auth=None, timeout=None,
                allow_redirects=False):  # type: ignore[no-untyped-def]
        self.requests.append(SentRequest(method, uri, params, data, dict(headers or {}), auth))
        answer = self.answers.popleft() if self.answers else message_json()
        if isinstance(answer, BaseException):
            raise answer
        if isinstance(answer, Response):
            return answer
        return Response(201 if method == "POST" else 200, json.dumps(answer))


def message_json(sid: str | None = None, status: str = "queued", to: str = "+447400123456", body: str = "x",
                 error_code: int | None = None) -> dict[str, Any]:
    sid = sid or "SM" + uuid.uuid4().hex
    return {"sid": sid, "account_sid": ACCOUNT_SID, "to": to, "from": "+15005550006", "body": body,
            "status": status, "error_code": error_code, "date_created": "Mon, 02 Mar 2026 10:00:00 +0000",
            "num_segments": "1", "uri": f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages/{sid}.json"}


def error_response(status: int, code: int | None) -> Response:
    return Response(status, json.dumps({"code": code, "message": "refused", "more_info": "", "status": status}))


def twilio_signature(path: str, params: dict[str, str], *, token: str = AUTH_TOKEN, base: str = PUBLIC_URL) -> str:
    """The X-Twilio-Signature Twilio sends for form `params` posted to base + path."""
    return RequestValidator(token).compute_signature(base + path, params)


def signed_post(client, path: str, params: dict[str, str], *, token: str = AUTH_TOKEN,
                base: str = PUBLIC_URL, signature: str | None = None, **kwargs: Any):  # type: ignore[no-untyped-def]
    """POST form data to a webhook with the signature Twilio would send for base + path."""
    sig = signature if signature is not None else twilio_signature(path, params, token=token, base=base)
    return client.post(path, data=urlencode(params), content_type="application/x-www-form-urlencoded",
                       headers={"X-Twilio-Signature": sig}, **kwargs)


def text_in(client, body: str, sender: str = HER_PHONE, sid: str | None = None, **kwargs: Any):  # type: ignore[no-untyped-def]
    """Her text arriving: Twilio's signed POST to /sms/inbound (keywords to `signed_post`)."""
    params = {"MessageSid": sid or "SM" + uuid.uuid4().hex, "AccountSid": ACCOUNT_SID, "From": sender,
              "To": "+15005550006", "Body": body, "NumMedia": "0"}
    return signed_post(client, "/sms/inbound", params, **kwargs)


def twilio_gateway(http: RecordingHttpClient, **kwargs: Any) -> TwilioGateway:
    """The real Twilio backend on the recording client (the messaging service unless told otherwise)."""
    kwargs.setdefault("messaging_service_sid", SERVICE_SID)
    return TwilioGateway(ACCOUNT_SID, AUTH_TOKEN, http_client=http, **kwargs)


def allow_texts(db: Session, partner_id: uuid.UUID, **prefs: Any) -> Preferences:
    """Her preferences with texts on (and anything else given)."""
    return set_prefs(db, partner_id, channel_sms=True, **prefs)


def queued_warning(db: Session, vault: Any, partner: Any, clock: Any, **kwargs: Any) -> Notification:
    """A warning for her waiting in the outbox, committed (keywords to `outbox.enqueue`)."""
    kwargs.setdefault("template", "warning")
    note = enqueue(db, vault, partner, kind="warning", now=clock.now(), **kwargs)
    db.commit()
    return note


def dispatcher(app, gateway=None, clock=None, **policy: Any) -> Dispatcher:  # type: ignore[no-untyped-def]
    from portal.extensions import db

    with app.app_context():
        engine = db.engine
    settings = app.config["PORTAL"]
    policy.setdefault("warning_stale", timedelta(hours=settings.warning_stale_hours))
    return Dispatcher(
        sessions=sessionmaker(engine, expire_on_commit=False), vault=app.extensions["portal.vault"],
        audit_key=app.extensions["portal.audit_key"], gateway=gateway or ConsoleGateway(out=_Null()),
        catalogs=catalogs(), policy=Policy(public_url=settings.public_url, **policy),
        clock=(clock or app.extensions["portal.clock"]).now)


class _Null:
    def write(self, _text: str) -> int:
        return 0

    def flush(self) -> None:
        return None


def with_twilio(app, **extra: Any):  # type: ignore[no-untyped-def]
    """The app's settings with a Twilio auth token (webhook signatures) and anything else given."""
    from dataclasses import replace

    app.config["PORTAL"] = replace(app.config["PORTAL"], twilio_auth_token=AUTH_TOKEN,
                                   twilio_account_sid=ACCOUNT_SID, **extra)
    return app
