"""Logging that never writes her phone number, an email address, a message body or a link token."""

from __future__ import annotations

import logging
import re
from typing import Any

from flask import Flask

_PHONE = re.compile(r"\+?\d[\d\s().-]{6,}\d")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
_LINK_TOKEN = re.compile(r"/v/[A-Za-z0-9_-]+")
# A path segment an access log may keep: a plain lower-case word, perhaps with a file extension. Anything else
# (ids, tokens, hashes, her text) is written as "[id]"; the segment after her link's letter always as "[link]".
_PLAIN_SEGMENT = re.compile(r"[a-z][a-z_-]{0,31}(\.[a-z0-9]{1,8})?")


def redact(text: str) -> str:
    """Mask link tokens, email addresses and anything that looks like a phone number."""
    return _PHONE.sub("[number]", _EMAIL.sub("[email]", _LINK_TOKEN.sub("/v/[link]", text)))


def redact_path(path: str) -> str:
    """A request path fit for an access log: her link's token, ids and anything not a plain word masked.

    No query string is ever kept: the caller passes the path alone (PATH_INFO)."""
    from portal.services.her.invites import LINK_PATH

    if path.startswith(LINK_PATH):
        return LINK_PATH + "[link]"
    segments = path.split("/")
    return "/".join(s if not s or _PLAIN_SEGMENT.fullmatch(s) else "[id]" for s in segments)


def _clean(record: logging.LogRecord) -> None:
    try:
        message = record.getMessage()
    except (TypeError, ValueError):
        return  # a malformed call: logging reports it itself
    cleaned = redact(message)
    if cleaned != message:
        record.msg, record.args = cleaned, None


class RedactingFilter(logging.Filter):
    """Applies `redact` to every record that passes through the loggers it is attached to.

    A logger's filters see only the records made by that logger, not those of its children that propagate
    through it: for whole families of loggers, see `install_redacting_records`."""

    def filter(self, record: logging.LogRecord) -> bool:
        _clean(record)
        return True


# Every record made by these loggers, or by any logger below them ("portal.sms.webhooks"), is redacted as it
# is made, whichever handler later writes it.
REDACTED_FAMILIES = ("portal", "werkzeug", "gunicorn.error", "twilio")


def _covered(name: str) -> bool:
    return any(name == family or name.startswith(family + ".") for family in REDACTED_FAMILIES)


def install_redacting_records() -> None:
    """Wrap the process's log record factory (once) so that each record of REDACTED_FAMILIES is redacted."""
    base = logging.getLogRecordFactory()
    if getattr(base, "portal_redacting", False):
        return

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = base(*args, **kwargs)
        if _covered(record.name):
            _clean(record)
        return record

    factory.portal_redacting = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)


def configure_redacting_logs(app: Flask) -> None:
    install_redacting_records()
    flt = RedactingFilter()
    for logger in (app.logger, logging.getLogger("werkzeug"), logging.getLogger("portal")):
        if not any(isinstance(f, RedactingFilter) for f in logger.filters):
            logger.addFilter(flt)
