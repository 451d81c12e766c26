"""While the database does not answer: every kind of request gets a 503 with Retry-After (her page in her words,
the console's, the API's JSON), hardened like any other answer, never a 500 or a traceback; her texts are kept
sealed on disk and handed on by the worker once it answers again (DESIGN 8). The restart drill under load is
tests/test_database_restart.py (PostgreSQL)."""

from __future__ import annotations

import dataclasses

from sqlalchemy import create_engine, select

from portal import create_app
from portal.database import harden_engine, normalise_url
from portal.migrate import upgrade
from portal.models import InboundMessage, Task, TaskKind
from portal.services.messaging.inbound_spool import waiting
from portal.webhooks.routes import spool_directory
from portal.worker import build_dispatcher, replay_spooled_texts
from tests.factories import make_world
from tests.sms_support import ACCOUNT_SID, AUTH_TOKEN, HER_PHONE, text_in
from tests.support import make_config
from tests.test_observatory import assert_a_plus


def test_without_its_database_the_app_answers_503_and_keeps_her_texts_for_later(tmp_path):
    missing = tmp_path / "not-yet" / "portal.sqlite3"  # a directory that does not exist: nothing can open it
    app = create_app(make_config(f"sqlite:///{missing}", tmp_path, twilio_auth_token=AUTH_TOKEN,
                                 twilio_account_sid=ACCOUNT_SID))
    app.config["PORTAL"] = dataclasses.replace(app.config["PORTAL"], public_url="https://portal.test")
    client = app.test_client()
    client.set_cookie("__Host-sid", "x" * 43, domain="localhost")  # a returning visitor: her session is looked up

    answers = {"her home": client.get("/home"), "her page in German": client.get("/about?lang=de"),
               "console": client.get("/staff/sign-in"), "healthz": client.get("/healthz"),
               "api": client.post("/api/v1/programme-events", json={"kind": "dropout"},
                                  headers={"Authorization": "Bearer " + "t" * 43})}
    for where, response in answers.items():
        assert response.status_code == 503, (where, response.status_code)
        assert "Traceback" not in response.get_data(as_text=True)
        assert_a_plus(where, response)
    assert answers["her home"].headers["Retry-After"] == "30"
    assert "Please try again in a minute" in answers["her home"].get_data(as_text=True)
    assert answers["api"].get_json()["error"] == "service_unavailable"

    # Her STOP while it is down: Twilio gets its normal answer, and the text waits on disk, sealed.
    reply = text_in(client, "STOP", sid="SM" + "5" * 32)
    assert reply.status_code == 200 and reply.mimetype == "text/xml"
    spooled = waiting(spool_directory(app))
    assert len(spooled) == 1 and b"STOP" not in spooled[0].read_bytes() and HER_PHONE.encode() not in \
        spooled[0].read_bytes()

    # The database is back (made and migrated), she is on it: the worker hands her STOP on, once.
    missing.parent.mkdir()
    engine = harden_engine(create_engine(normalise_url(f"sqlite:///{missing}")))
    upgrade(engine)
    from portal.extensions import db

    with app.app_context():
        db.engine.dispose()
        world = make_world(db.session, app.extensions["portal.vault"], app.extensions["portal.audit_key"],
                           prefs={"channel_sms": True})
        db.session.commit()
        assert replay_spooled_texts(build_dispatcher(app), app) == 1
        assert replay_spooled_texts(build_dispatcher(app), app) == 0  # the file went with its commit
        stored = db.session.scalar(select(InboundMessage).where(InboundMessage.message_sid == "SM" + "5" * 32))
        assert stored is not None and stored.keyword == "opt_out"
        kinds = db.session.scalars(select(Task.kind).where(Task.partner_id == world.partner.id)).all()
        assert TaskKind.CONSENT_WITHDRAWN_CONTACT in kinds
        db.session.remove()
        db.engine.dispose()
    engine.dispose()
    assert waiting(spool_directory(app)) == []


def test_without_redis_for_sessions_the_app_answers_503_not_500(database_url, tmp_path):
    app = create_app(make_config(database_url, tmp_path, redis_url="redis://127.0.0.1:1/0"))  # nothing listens
    client = app.test_client()
    client.set_cookie("__Host-sid", "y" * 43, domain="localhost")
    for where, response in {"her page, her session unreadable": client.get("/home"),
                            "console, a new session not kept": app.test_client().get("/staff/sign-in")}.items():
        assert response.status_code == 503, (where, response.status_code)
        assert response.headers["Retry-After"] == "30"
        assert_a_plus(where, response)
    from portal.extensions import db

    with app.app_context():
        db.engine.dispose()
