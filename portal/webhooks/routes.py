"""POST /sms/inbound and POST /sms/status: verify Twilio's signature, hand the work to a service."""

from __future__ import annotations

import logging
import re
import uuid
from datetime import timedelta
from pathlib import Path

from flask import Flask, Response, abort, current_app, request
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from twilio.request_validator import RequestValidator, get_signature_algorithm
from twilio.twiml.messaging_response import MessagingResponse

from portal.errors import database_unavailable
from portal.extensions import db
from portal.runtime import domain_context, now, settings, vault
from portal.services.messaging.delivery import SMS_ACTOR, policy_from_settings, record_report
from portal.services.messaging.inbound import MAX_BODY, InboundSettings, receive
from portal.services.messaging.inbound_spool import SpooledText, spool
from portal.sms.factory import catalogs
from portal.webhooks import bp

log = logging.getLogger("portal.sms.webhooks")

SID = re.compile(r"^(SM|MM|SS)[0-9a-f]{32}$")
STATUS = re.compile(r"^[a-z_]{2,20}$")
ERROR_CODE = re.compile(r"^\d{1,6}$")


def _signed_url() -> str:
    """The URL Twilio signed: our public base URL (not the proxy's view of it) plus path and query."""
    query = request.query_string.decode("latin-1")
    return settings().public_url.rstrip("/") + request.path + (f"?{query}" if query else "")


def _require_signature() -> None:
    token = settings().twilio_auth_token
    signature = request.headers.get("X-Twilio-Signature", "")
    algorithm = get_signature_algorithm(request.headers.get("X-Twilio-Webhooks-Signature-Settings"))
    if not token or not signature or not RequestValidator(token).validate(
            _signed_url(), request.form, signature, algorithm=algorithm):
        log.warning("rejected an unsigned or wrongly signed request to %s", request.path)
        abort(403, description="The request signature is missing or not valid.")


def _field(name: str, pattern: re.Pattern[str], *, required: bool = True) -> str | None:
    value = request.form.get(name, "").strip()
    if not value:
        if required:
            abort(400, description=f"{name} is required.")
        return None
    if not pattern.match(value):
        abort(400, description=f"{name} is not valid.")
    return value


def _twiml(reply: str | None) -> Response:
    response = MessagingResponse()
    if reply:
        response.message(reply)
    return Response(str(response), mimetype="text/xml")


@bp.post("/inbound")
def inbound() -> Response:
    _require_signature()
    sid = _field("MessageSid", SID)
    sender = request.form.get("From", "").strip()
    body = request.form.get("Body", "")
    if not sender or len(sender) > 40:
        abort(400, description="From is required.")
    if len(body) > MAX_BODY:
        abort(400, description="Body is too long.")
    try:
        with Session(db.engine) as session, session.begin():
            result = receive(domain_context(SMS_ACTOR, session), inbound_settings(), message_sid=str(sid),
                             sender=sender, body=body)
    except SQLAlchemyError as exc:
        if not database_unavailable(exc):
            raise
        # Twilio would not send it again: kept sealed on disk for the worker (services/messaging/inbound_spool).
        spool(spool_directory(current_app), vault(), SpooledText(str(sid), sender, body, now()))
        log.warning("database unavailable: an inbound text was spooled for the worker to replay")
        return _twiml(None)
    log.info("inbound text handled: %s", result.outcome)
    return _twiml(result.reply)


def inbound_settings() -> InboundSettings:
    cfg = settings()
    return InboundSettings(catalogs(), cfg.public_url, cfg.default_region, timedelta(hours=cfg.invite_ttl_hours))


def spool_directory(app: Flask) -> Path:
    """Where this instance keeps texts that came while the database was down (its worker replays them): under
    PORTAL_INSTANCE_PATH, which the web process and its worker share."""
    return Path(app.config["PORTAL"].instance_path) / "inbound-spool"


@bp.post("/status")
def status() -> Response:
    _require_signature()
    sid = str(_field("MessageSid", SID))
    status_value = str(_field("MessageStatus", STATUS))
    code = _field("ErrorCode", ERROR_CODE, required=False)
    note_id: uuid.UUID | None = None
    attempt: int | None = None
    try:
        if request.args.get("n"):
            note_id = uuid.UUID(hex=request.args["n"])
            attempt = int(request.args.get("a", ""))
    except ValueError:
        abort(400, description="The callback address is not valid.")
    policy = policy_from_settings(settings())
    with Session(db.engine) as session, session.begin():
        result = record_report(domain_context(SMS_ACTOR, session), policy, sid=sid, status=status_value,
                               error_code=code, note_id=note_id, attempt=attempt)
    log.info("status report %s: %s", status_value, "duplicate" if result.duplicate else
             ("applied" if result.matched else "kept for later"))
    return Response(status=204)
