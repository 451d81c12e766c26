"""No log line holds anything about her (issue 15 item 5b): canary values seeded everywhere, one realistic flow,
every log record captured at DEBUG, none of the canaries found.

The flow: her link opened and spent, her pages; her free-text SMS arriving on the signed webhook; a programme
report through the API; the notification worker (the real `run` loop and the real Twilio client, against a
Twilio stand-in on loopback) fanning it out and sending her warning; Twilio's status callback; her worker
signing in (password and code), opening her case and logging a contact with canary notes. Captured: every
record reaching the root logger at DEBUG (the app's, werkzeug's, SQLAlchemy's, the Twilio library's, the
worker's), the worker's own printed lines, and each record's arguments and traceback. The gunicorn access log
is checked on the real server in tests/test_serve.py.
"""

from __future__ import annotations

import http.server
import json
import logging
import socketserver
import threading
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from portal.models import Tell
from portal.worker import build_dispatcher, checkin_rules, run
from tests.api_support import make_token, post_event
from tests.factories import STAFF_PASSWORD, make_world, set_wording, told_of_everything
from tests.public_helpers import follow_link, new_link
from tests.sms_support import ACCOUNT_SID, SERVICE_SID, message_json, signed_post, text_in, with_twilio
from tests.staff_console import code_for, post_form, session_id, sign_in

NAME = "Quillfeather Marigoldine"
PHONE = "+447459123789"
PHONE_NATIONAL = ("7459123789", "07459 123789", "7459 123789", "07459123789")
EMAIL = "quill.marigold.canary@example.org"
TEXT_IN = "CANARYTEXT the blue kettle is on at the allotment"
OWN_WORDS = "CANARYWORDS your parcel from Aunt Tilly is ready"
NOTES = "CANARYNOTES she mentioned the red car outside the school"
NEXT_STEP = "CANARYNEXT call back on Thursday"


class TwilioStandIn(http.server.BaseHTTPRequestHandler):
    """Answers the Messages resource as Twilio does; records what it was sent."""

    sent: list[dict[str, list[str]]] = []
    sids: list[str] = []

    def do_POST(self) -> None:  # noqa: N802 - the standard library's name
        form = parse_qs(self.rfile.read(int(self.headers.get("Content-Length", "0"))).decode())
        type(self).sent.append(form)
        answer = message_json(to=form["To"][0], body=form.get("Body", [""])[0])
        type(self).sids.append(answer["sid"])
        body = json.dumps(answer).encode()
        self.send_response(201)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        return


@pytest.fixture
def twilio_stand_in() -> Iterator[str]:
    TwilioStandIn.sent, TwilioStandIn.sids = [], []
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), TwilioStandIn)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def every_record(caplog) -> Iterator[pytest.LogCaptureFixture]:  # type: ignore[type-arg]
    """Every record that reaches the root logger, at DEBUG (loggers that keep their own level, such as the
    Twilio library's HTTP logger at WARNING, keep it: that is how the deployment runs)."""
    caplog.set_level(logging.DEBUG)
    logging.getLogger("portal.canary-check").debug("capture-check")
    assert "capture-check" in caplog.text
    caplog.clear()
    yield caplog


def _texts(records: list[logging.LogRecord]) -> str:
    texts = []
    for record in records:
        try:
            texts.append(record.getMessage())
        except (TypeError, ValueError):
            texts.append(str(record.msg))
        texts.append(repr(record.args))
        if record.exc_info and record.exc_info[1] is not None:
            texts.append(repr(record.exc_info[1]))
        if record.exc_text:
            texts.append(record.exc_text)
    return "\n".join(texts)


def test_no_log_record_of_a_whole_flow_holds_her_name_number_texts_link_or_any_code(
        app, client, dbs, vault, audit_key, clock, twilio_stand_in, every_record):
    app.config["EVENT_RESPONSE_FLOOR_SECONDS"] = 0
    with_twilio(app, sms_backend="twilio", twilio_messaging_service_sid=SERVICE_SID, twilio_api_base=twilio_stand_in)
    world = make_world(dbs, vault, audit_key, partner_phone=PHONE, name=NAME, email=EMAIL,
                       prefs=told_of_everything(Tell.BOTH))
    set_wording(dbs, vault, world.partner.id, "dropout", "own", own_words=OWN_WORDS)
    api_token = make_token(dbs, world.programme, clock.now())
    link = new_link(dbs, world.partner, clock)
    dbs.commit()
    canaries = [NAME, *NAME.split(), PHONE, *PHONE_NATIONAL, EMAIL, TEXT_IN, OWN_WORDS, NOTES, NEXT_STEP,
                link.rsplit("/", 1)[1], api_token, STAFF_PASSWORD, world.participant.reference]

    # Her link, her pages.
    her = app.test_client()
    assert follow_link(her, link).status_code == 303
    canaries.append(session_id(her))
    assert her.get("/home").status_code == 200
    # Her text arrives.
    assert text_in(client, TEXT_IN, sender=PHONE).status_code == 200
    # A programme report, then the worker: fan-out, and her warning sent through Twilio.
    assert post_event(client, api_token, {"participant_ref": world.participant.reference,
                                          "kind": "dropout"}).status_code == 201
    printed: list[str] = []
    with app.app_context():
        run(build_dispatcher(app), once=True, poll_seconds=0.1, echo=printed.append, rules=checkin_rules(app))
    to_her = [(form, sid) for form, sid in zip(TwilioStandIn.sent, TwilioStandIn.sids, strict=True)
              if form["To"] == [PHONE]]
    assert to_her, f"the flow sent her nothing: {printed}"
    bodies = [form["Body"][0] for form, _sid in to_her]
    assert OWN_WORDS in bodies  # her warning, in her own words
    canaries += bodies
    # Twilio reports it delivered.
    form, sid = to_her[0]
    callback = urlsplit(form["StatusCallback"][0])
    status = {"MessageSid": sid, "MessageStatus": "delivered", "AccountSid": ACCOUNT_SID, "To": PHONE,
              "From": "+15005550006"}
    assert signed_post(client, f"{callback.path}?{callback.query}", status).status_code in (200, 204)
    # Her worker signs in, opens her case, logs a contact.
    staff = app.test_client()
    code = code_for(world.totp["worker"], clock)
    canaries += [code, world.totp["worker"], world.worker.email]
    assert sign_in(staff, world.worker.email, STAFF_PASSWORD, world.totp["worker"], clock).status_code == 303
    canaries.append(session_id(staff))
    case = staff.get(f"/staff/cases/{world.partner.id}")
    assert case.status_code == 200 and NAME in case.get_data(as_text=True)
    logged = post_form(staff, f"/staff/cases/{world.partner.id}/contacts/new", {
        "occurred_at": "2026-03-02T09:30", "method": "call", "safe_to_talk": "yes", "outcome": "talked",
        "notes": NOTES, "next_step": NEXT_STEP, "reached": "yes"})
    assert logged.status_code == 303, logged.get_data(as_text=True)[:500]
    assert staff.get("/staff/").status_code == 200

    captured = _texts(every_record.records) + "\n" + "\n".join(printed)
    assert every_record.records, "the flow logged nothing at all: the capture is not working"
    found = sorted({c for c in canaries if c and c in captured})
    assert not found, f"found in the logs: {found}"
