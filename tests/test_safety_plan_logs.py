"""Her plan's text never reaches a log (issue 11 item 2: "no log can open it"): every log record, at DEBUG, of
the root logger, werkzeug, SQLAlchemy and the app's own logger, while she sets up her plan with canary text in every
part, opens it with both passphrases, edits, prints, shares and withdraws a copy, and her worker reads the shared
copy, holds no word of it and neither passphrase."""

from __future__ import annotations

import logging

import pytest

from portal.services.her.safety_plan import FIELDS
from tests.factories import signed_in
from tests.public_helpers import her_client, post

MAIN = "CANARYPASS harbour lantern 4471"
SECOND = "CANARYDURESS quiet orchard 8823"
DECOY = "CANARYDECOY dentist at nine"


def canary(section: str, field: str) -> str:
    return f"CANARY-{section}-{field}-q9z"


def form(client, path: str, data: dict[str, str], token_from: str | None = None):  # type: ignore[no-untyped-def]
    return post(client, path, data, token_from=token_from or "/plan", content_type="multipart/form-data")


@pytest.fixture
def every_log(app, caplog):  # type: ignore[no-untyped-def]
    """caplog at DEBUG on the root logger and on werkzeug, SQLAlchemy's engine and the app's logger."""
    app.config["PLAN_OPEN_FLOOR_SECONDS"] = 0
    names = ("", "werkzeug", "sqlalchemy.engine", app.logger.name)
    loggers = [logging.getLogger(name) for name in names]
    for logger in loggers:
        if caplog.handler not in logger.handlers and logger is not logging.getLogger():
            logger.addHandler(caplog.handler)
    caplog.set_level(logging.DEBUG)
    for name in names[1:]:
        caplog.set_level(logging.DEBUG, logger=name)
    app.logger.debug("capture-check app")
    logging.getLogger("werkzeug").debug("capture-check werkzeug")
    assert {r.getMessage() for r in caplog.records} == {"capture-check app", "capture-check werkzeug"}
    caplog.clear()
    yield caplog
    for logger in loggers[1:]:
        if caplog.handler in logger.handlers:
            logger.removeHandler(caplog.handler)


def _record_texts(records: list[logging.LogRecord]) -> list[str]:
    texts = []
    for record in records:
        try:
            texts.append(record.getMessage())
        except (TypeError, ValueError):
            texts.append(str(record.msg))
        texts.append(repr(record.args))
        if record.exc_text:
            texts.append(record.exc_text)
    return texts


def test_no_log_record_holds_a_word_of_her_plan_or_her_passphrases(app, world, every_log):
    from portal.public.plan_words import PART_SLUGS

    her = her_client(app, world.partner)
    response = form(her, "/plan/new", {"passphrase": MAIN, "passphrase_again": MAIN, "second": SECOND,
                                       "second_again": SECOND, "decoy-people-contacts": DECOY})
    assert response.status_code == 303
    for section, fields in FIELDS.items():
        path = f"/plan/part/{PART_SLUGS[section]}"
        assert form(her, path, {field: canary(section, field) for field in fields}, token_from=path).status_code == 303
    printed = her.get("/plan/print").get_data(as_text=True)
    assert all(canary(section, field) in printed for section, fields in FIELDS.items() for field in fields)
    assert form(her, "/plan/close", {}).status_code == 303
    assert form(her, "/plan/open", {"passphrase": SECOND}).status_code == 303
    assert DECOY in her.get("/plan/part/people").get_data(as_text=True)
    assert form(her, "/plan/close", {}).status_code == 303
    assert form(her, "/plan/open", {"passphrase": MAIN}).status_code == 303
    path = "/plan/part/" + PART_SLUGS["places"]
    assert form(her, path, {"safe_places": "CANARY-edited-q9z", "routes": canary("places", "routes")},
                token_from=path).status_code == 303
    assert form(her, "/plan/share", {}).status_code == 303
    worker = signed_in(app, world.worker)
    copy = worker.get(f"/staff/cases/{world.partner.id}/plan").get_data(as_text=True)
    assert "CANARY-edited-q9z" in copy  # her worker did read the shared copy
    assert form(her, "/plan/unshare", {}).status_code == 303
    assert "CANARY-edited-q9z" not in worker.get(f"/staff/cases/{world.partner.id}/plan").get_data(as_text=True)

    records = every_log.records
    assert records, "nothing was captured: the capture is not listening"
    assert any(record.name.startswith("sqlalchemy.engine") for record in records)  # every statement and its values
    texts = _record_texts(records)
    # Case-sensitive, and no short token: sealed bytes in the SQL log are random and must not match by chance.
    secrets = ["CANARY", MAIN, SECOND, DECOY, "harbour lantern", "quiet orchard"]
    leaks = [(secret, text[:200]) for text in texts for secret in secrets if secret in text]
    assert leaks == []
