"""A stop ends her other signed-in sessions in every session store: the database table and Redis alike.

Her sessions carry the epoch of her record they were signed in under (PartnerContact.session_epoch); a stop
raises it. Before, only the database store's rows were deleted: with sessions in Redis, a phone he holds kept
her pages open after she stopped contact from hers.
"""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from tests.factories import make_world, signed_in
from tests.public_helpers import her_client
from tests.public_helpers import post as her_post
from tests.sms_support import text_in, with_twilio
from tests.staff_console import post_form
from tests.support import redis_app


@pytest.fixture(params=["database", "redis"])
def store_app(request, app, database_url, instance_dir, clock):  # type: ignore[no-untyped-def]
    return app if request.param == "database" else redis_app(database_url, instance_dir, clock)


@pytest.fixture
def cast(store_app):  # type: ignore[no-untyped-def]
    from portal.extensions import db

    with store_app.app_context():
        engine = db.engine
    with Session(engine, expire_on_commit=False) as dbs:
        world = make_world(dbs, store_app.extensions["portal.vault"], store_app.extensions["portal.audit_key"])
        dbs.commit()
        yield dbs, world


def home(browser) -> int:  # type: ignore[no-untyped-def]
    return browser.get("/home").status_code


@pytest.mark.parametrize("channel", ["web", "worker", "sms"])
def test_a_stop_ends_her_other_sessions_whatever_the_store(store_app, cast, channel):
    dbs, world = cast
    hers, other = her_client(store_app, world.partner), her_client(store_app, world.partner)
    assert home(hers) == 200 and home(other) == 200
    if channel == "web":
        her_post(hers, "/unsubscribe", {"confirm": "yes"}, token_from="/home")
    elif channel == "worker":
        case = f"/staff/cases/{world.partner.id}"
        post_form(signed_in(store_app, world.worker), f"{case}/withdraw", {}, page=case)
    else:
        assert text_in(with_twilio(store_app).test_client(), "STOP").status_code == 200
    ended = other.get("/home")
    assert ended.status_code == 303 and ended.headers["Location"].endswith("/")  # the neutral start page
    assert home(other) == 303  # and it stays ended
    # The session she stopped from stays hers, to show her it worked; a stop from elsewhere ends it too.
    assert home(hers) == (200 if channel == "web" else 303)


def test_signing_in_after_a_stop_works_again(store_app, cast):
    dbs, world = cast
    before = her_client(store_app, world.partner)
    her_post(before, "/unsubscribe", {"confirm": "yes"}, token_from="/home")
    dbs.refresh(world.partner)
    after = her_client(store_app, world.partner)  # a new link opened later signs her in under the new epoch
    assert home(after) == 200
