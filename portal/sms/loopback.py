"""A loopback stand-in for Twilio's Messages API, for tests, benchmarks and offline development.

It speaks just enough of the real protocol for twilio-python (create, fetch, list, delete), can be told to
fail in each way Twilio can (error codes, HTTP 5xx/429, hanging, dropping the connection after the
message was created), and posts signed status callbacks like Twilio does. Run it on its own with
`python -m portal.sms.loopback --port 8099 --auth-token dev` and set PORTAL_TWILIO_API_BASE.
"""

from __future__ import annotations

import argparse
import json
import secrets
import threading
import time
import urllib.request
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, cast
from urllib.parse import parse_qs, quote, urlsplit

from twilio.request_validator import RequestValidator


@dataclass
class Behaviour:
    """What the next create request gets. kind: ok | error | hang | drop."""

    kind: str = "ok"
    http_status: int = 400
    code: int | None = None
    seconds: float = 0.0
    final_status: str = "delivered"  # for ok: the last status callback
    final_error: int | None = None


@dataclass
class FakeMessage:
    sid: str
    account_sid: str
    to: str
    sender: str | None
    messaging_service_sid: str | None
    body: str
    status: str
    error_code: int | None
    status_callback: str | None
    validity_period: int | None
    created: datetime

    def resource(self) -> dict[str, Any]:
        stamp = format_datetime(self.created, usegmt=True)
        return {
            "sid": self.sid, "account_sid": self.account_sid, "to": self.to, "from": self.sender,
            "messaging_service_sid": self.messaging_service_sid, "body": self.body, "status": self.status,
            "error_code": self.error_code, "error_message": None, "num_segments": "1", "num_media": "0",
            "direction": "outbound-api", "api_version": "2010-04-01", "price": None, "price_unit": "USD",
            "date_created": stamp, "date_updated": stamp, "date_sent": None,
            "uri": f"/2010-04-01/Accounts/{self.account_sid}/Messages/{self.sid}.json", "subresource_uris": {},
        }


@dataclass
class FakeTwilio:
    """The server's state: every request, every message, and the queue of behaviours to apply."""

    auth_token: str = "loopback-token"  # noqa: S105 - a test double's own token, not a secret
    callbacks: bool = True
    callback_delay: float = 0.0
    latency: float = 0.0  # per create: half before the message exists, half after (the answer is late)
    messages: dict[str, FakeMessage] = field(default_factory=dict)
    requests: list[dict[str, Any]] = field(default_factory=list)
    plan: deque[Behaviour] = field(default_factory=deque)
    per_number: dict[str, Behaviour] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    server: ThreadingHTTPServer | None = None
    created_event: threading.Event = field(default_factory=threading.Event)
    deleted: list[str] = field(default_factory=list)  # every MessageSid a DELETE removed (or found gone)
    delete_failures: deque[int] = field(default_factory=deque)  # HTTP statuses for the next DELETEs (e.g. 500)

    @property
    def base_url(self) -> str:
        assert self.server is not None
        host, port = cast(tuple[str, int], self.server.server_address[:2])  # an AF_INET server
        return f"http://{host}:{port}"

    def start(self, port: int = 0) -> FakeTwilio:
        state = self

        class Handler(_Handler):
            fake = state

        self.server = _QuietServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True, name="fake-twilio").start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()

    def created_for(self, to: str | None = None) -> list[FakeMessage]:
        with self.lock:
            return [m for m in self.messages.values() if to is None or m.to == to]

    def _next_behaviour(self, to: str) -> Behaviour:
        with self.lock:
            if to in self.per_number:
                return self.per_number[to]
            return self.plan.popleft() if self.plan else Behaviour()

    def create(self, account_sid: str, form: dict[str, str], behaviour: Behaviour) -> FakeMessage:
        msg = FakeMessage(
            sid="SM" + secrets.token_hex(16), account_sid=account_sid, to=form.get("To", ""),
            sender=form.get("From"), messaging_service_sid=form.get("MessagingServiceSid"),
            body=form.get("Body", ""), status="accepted" if form.get("MessagingServiceSid") else "queued",
            error_code=None, status_callback=form.get("StatusCallback"),
            validity_period=int(form["ValidityPeriod"]) if form.get("ValidityPeriod") else None,
            created=datetime.now(UTC).replace(microsecond=0))
        with self.lock:
            self.messages[msg.sid] = msg
        self.created_event.set()
        if self.callbacks and msg.status_callback:
            threading.Thread(target=self._report, args=(msg, behaviour), daemon=True).start()
        return msg

    def _report(self, msg: FakeMessage, behaviour: Behaviour) -> None:
        time.sleep(self.callback_delay)
        for status, code in (("sent", None), (behaviour.final_status, behaviour.final_error)):
            with self.lock:
                msg.status, msg.error_code = status, code
            self.post_status(msg, status, code)

    def post_status(self, msg: FakeMessage, status: str, code: int | None) -> int | None:
        """POST one signed status callback to the message's StatusCallback URL, as Twilio does."""
        if not msg.status_callback:
            return None
        params = {"MessageSid": msg.sid, "SmsSid": msg.sid, "MessageStatus": status, "SmsStatus": status,
                  "AccountSid": msg.account_sid, "To": msg.to, "ApiVersion": "2010-04-01"}
        if code:
            params["ErrorCode"] = str(code)
        signature = RequestValidator(self.auth_token).compute_signature(msg.status_callback, params)
        data = "&".join(f"{k}={quote(v, safe='')}" for k, v in params.items()).encode()
        if urlsplit(msg.status_callback).scheme not in ("http", "https"):
            return None
        request = urllib.request.Request(msg.status_callback, data=data, method="POST", headers={  # noqa: S310
            "X-Twilio-Signature": signature, "Content-Type": "application/x-www-form-urlencoded"})
        for _ in range(5):  # Twilio retries callbacks that fail
            try:
                # B310 accepted: the scheme is checked above (http/https only); the test double posts to the
                # status callback URL the app itself gave it.
                with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310  # nosec B310
                    return response.status
            except Exception:  # noqa: BLE001
                time.sleep(0.2)
        return None


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that went away mid-answer (a killed worker) is expected here, not an error."""
        return None


class _Handler(BaseHTTPRequestHandler):
    fake: FakeTwilio
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out at once (no delayed-ACK stalls)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet
        return

    def _send_json(self, status: int, payload: dict[str, Any]) -> None:
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _parts(self) -> list[str]:
        return [p for p in urlsplit(self.path).path.split("/") if p]

    def do_POST(self) -> None:  # noqa: N802
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length).decode()
        form = {k: v[0] for k, v in parse_qs(raw, keep_blank_values=True).items()}
        parts = self._parts()
        with self.fake.lock:
            self.fake.requests.append({"method": "POST", "path": urlsplit(self.path).path, "form": form,
                                       "headers": dict(self.headers)})
        if len(parts) != 4 or parts[0] != "2010-04-01" or parts[3] != "Messages.json":
            self._send_json(404, {"code": 20404, "message": "not found", "status": 404})
            return
        behaviour = self.fake._next_behaviour(form.get("To", ""))
        if behaviour.kind == "error":
            self._send_json(behaviour.http_status, {"code": behaviour.code, "message": "refused",
                                                    "more_info": "", "status": behaviour.http_status})
            return
        time.sleep(self.fake.latency / 2)
        msg = self.fake.create(parts[2], form, behaviour)
        time.sleep(self.fake.latency / 2)
        if behaviour.kind == "hang":
            time.sleep(behaviour.seconds)
        if behaviour.kind == "drop":
            self.close_connection = True
            self.connection.close()
            return
        self._send_json(201, msg.resource())

    def do_DELETE(self) -> None:  # noqa: N802
        """DELETE /2010-04-01/Accounts/<sid>/Messages/<MessageSid>.json: 204, or 404 if there is none."""
        parts = self._parts()
        with self.fake.lock:
            self.fake.requests.append({"method": "DELETE", "path": urlsplit(self.path).path})
            failure = self.fake.delete_failures.popleft() if self.fake.delete_failures else None
        if not (len(parts) == 5 and parts[3] == "Messages" and parts[4].endswith(".json")):
            self._send_json(404, {"code": 20404, "message": "not found", "status": 404})
            return
        if failure is not None:
            self._send_json(failure, {"code": 20500, "message": "internal error", "status": failure})
            return
        sid = parts[4][:-5]
        with self.fake.lock:
            found = self.fake.messages.pop(sid, None)
            self.fake.deleted.append(sid)
        if found is None:
            self._send_json(404, {"code": 20404, "message": "not found", "status": 404})
            return
        self.send_response(204)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self) -> None:  # noqa: N802
        parts = self._parts()
        query = parse_qs(urlsplit(self.path).query)
        with self.fake.lock:
            self.fake.requests.append({"method": "GET", "path": urlsplit(self.path).path,
                                       "query": {k: v[0] for k, v in query.items()}})
        if len(parts) == 5 and parts[3] == "Messages" and parts[4].endswith(".json"):
            msg = self.fake.messages.get(parts[4][:-5])
            if msg is None:
                self._send_json(404, {"code": 20404, "message": "not found", "status": 404})
            else:
                self._send_json(200, msg.resource())
            return
        if len(parts) == 4 and parts[3] == "Messages.json":
            to = query.get("To", [None])[0]
            found = sorted(self.fake.created_for(to), key=lambda m: m.created, reverse=True)
            self._send_json(200, {"messages": [m.resource() for m in found], "next_page_uri": None,
                                  "page": 0, "page_size": 50, "uri": urlsplit(self.path).path})
            return
        self._send_json(404, {"code": 20404, "message": "not found", "status": 404})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8099)
    parser.add_argument("--auth-token", default="loopback-token")  # noqa: S106
    parser.add_argument("--no-callbacks", action="store_true")
    args = parser.parse_args()
    fake = FakeTwilio(auth_token=args.auth_token, callbacks=not args.no_callbacks).start(args.port)
    print(f"Fake Twilio listening on {fake.base_url} (set PORTAL_TWILIO_API_BASE={fake.base_url})", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        fake.stop()


if __name__ == "__main__":
    main()
