"""Logging that never writes her phone number, an email address, a message body or a link token."""

from __future__ import annotations

import logging
import re

from flask import Flask

_PHONE = re.compile(r"\+?\d[\d\s().-]{6,}\d")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
_LINK_TOKEN = re.compile(r"/v/[A-Za-z0-9_-]+")


def redact(text: str) -> str:
    """Mask link tokens, email addresses and anything that looks like a phone number."""
    return _PHONE.sub("[number]", _EMAIL.sub("[email]", _LINK_TOKEN.sub("/v/[link]", text)))


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
