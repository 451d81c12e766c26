"""Logs never carry her number, an email address or a link token."""

import logging

from portal.logs import RedactingFilter, redact


def test_redaction():
    line = 'GET /v/whmYwUjn7FwEyXQRG8kE41KFxDL1BwnG HTTP/1.1 from +44 7400 123456 sam@example.org'
    cleaned = redact(line)
    assert "whmYwUjn7" not in cleaned and "7400" not in cleaned and "sam@" not in cleaned
    assert cleaned.startswith("GET /v/[link] HTTP/1.1")


def test_werkzeug_access_log_is_redacted(app, caplog):
    logger = logging.getLogger("werkzeug")
    assert any(isinstance(f, RedactingFilter) for f in logger.filters)
    with caplog.at_level(logging.INFO, logger="werkzeug"):
        logger.info('"%s" %s', "GET /v/abcdefghijklmnopqrstuvwxyz012345 HTTP/1.1", 200)
    assert "abcdefghij" not in caplog.text and "/v/[link]" in caplog.text
