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


def test_access_log_paths_keep_plain_words_and_mask_her_link_and_every_id():
    from portal.logs import redact_path

    assert redact_path("/v/abcdefghijklmnopqrstuv") == "/v/[link]"  # even a token of letters only
    assert redact_path("/v/") == "/v/[link]"
    assert redact_path("/assets/css/site.css") == "/assets/css/site.css"
    assert redact_path("/healthz/live") == "/healthz/live"
    assert redact_path("/staff/cases/3f1c2a9e-0d4b-4c4e-9a43-1f2e3d4c5b6a/plan") == "/staff/cases/[id]/plan"
    assert redact_path("/plan/part/Sam Example +447400123456") == "/plan/part/[id]"
    assert redact_path("/") == "/"


def test_every_logger_of_the_portal_family_is_redacted_not_only_the_parent(app, caplog):
    """A filter on "portal" alone misses "portal.sms.webhooks": records are redacted as they are made."""
    with caplog.at_level(logging.INFO):
        logging.getLogger("portal.sms.webhooks").info("text from %s", "+44 7459 123789")
        logging.getLogger("portal.worker").info("link /v/abcdefghijklmnopqrstuv for sam@example.org")
        logging.getLogger("gunicorn.error").info("Error handling request /v/abcdefghijklmnopqrstuv")
        logging.getLogger("elsewhere").info("kept as it is: 2026 report")
    assert "7459" not in caplog.text and "abcdefghij" not in caplog.text and "sam@" not in caplog.text
    assert caplog.text.count("/v/[link]") == 2 and "kept as it is: 2026 report" in caplog.text
