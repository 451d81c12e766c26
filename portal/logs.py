"""Logging that never writes her phone number, an email address, a message body or a link token."""

from __future__ import annotations

import logging
import re

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


class RedactingFilter(logging.Filter):
    """Applies `redact` to every record that passes through the loggers it is attached to."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


def configure_redacting_logs(app: Flask) -> None:
    flt = RedactingFilter()
    for logger in (app.logger, logging.getLogger("werkzeug"), logging.getLogger("portal")):
        if not any(isinstance(f, RedactingFilter) for f in logger.filters):
            logger.addFilter(flt)
