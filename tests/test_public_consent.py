"""Her yes, no and stop on the web: recorded with channel, time and text version; stopping stops everything."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from portal.models import (
    AccessToken,
    ConsentEvent,
    Notification,
    NotificationState,
    PartnerStatus,
    Task,
)
from portal.services.messaging.outbox import enqueue
from tests.factories import make_world
from tests.public_helpers import choose_language, follow_link, new_link, open_link, post


@pytest.fixture
def world(dbs, world):  # type: ignore[no-untyped-def]
    """The common cast, her record still waiting for her answer."""
    world.partner.status = PartnerStatus.INVITED
    dbs.commit()
    return world


def _events(dbs, partner_id, action):  # type: ignore[no-untyped-def]
    return list(dbs.scalars(select(ConsentEvent).where(ConsentEvent.partner_id == partner_id,
                                                       ConsentEvent.action == action)))


def test_the_consent_page_explains_choice_and_how_to_stop(client, dbs, world, clock):
    open_link(client, dbs, world.partner, clock)
    page = client.get("/contact").get_data(as_text=True)
    for words in ("entirely your choice", "changes nothing about any other help", "he is not told",
                  "Stop all contact", "STOP", "code word", "Yes, keep in touch", "No, thank you"):
        assert words in page


def test_yes_is_recorded_with_channel_time_and_text_version_then_offers_a_pin(client, dbs, world, clock):
    open_link(client, dbs, world.partner, clock)
    response = post(client, "/contact", {"answer": "yes"})
    assert response.status_code == 303 and response.headers["Location"].endswith("/pin?next=choices")
    [event] = _events(dbs, world.partner.id, "given")[-1:]
    assert event.channel == "web" and event.text_version == "web-2026-12/en"
    assert event.occurred_at == clock.now()
    dbs.refresh(world.partner)
    assert world.partner.status == PartnerStatus.ACTIVE
    skip = post(client, "/pin", {"action": "skip", "next": "choices"})
    assert skip.headers["Location"].endswith("/choices")


def test_the_text_version_names_the_language_she_read(app, client, dbs, world, clock):
    open_link(client, dbs, world.partner, clock)
    choose_language(app, client, "de", back="/contact")
    post(client, "/contact", {"answer": "yes"})
    assert _events(dbs, world.partner.id, "given")[-1].text_version == "web-2026-12/de"


def test_no_is_recorded_tells_her_worker_and_changes_nothing_else(client, dbs, world, clock):
    open_link(client, dbs, world.partner, clock)
    response = post(client, "/contact", {"answer": "no"})
    assert response.headers["Location"].endswith("/home")
    [event] = _events(dbs, world.partner.id, "declined")
    assert event.text_version == "web-2026-12/en"
    dbs.refresh(world.partner)
    assert world.partner.status == PartnerStatus.DECLINED
    assert dbs.scalar(select(Task).where(Task.partner_id == world.partner.id, Task.kind == "consent_declined_web"))
    page = client.get("/home").get_data(as_text=True)
    assert "You said no to contact" in page and "Nobody else is told" in page


def test_an_answer_that_is_neither_yes_nor_no_is_refused_kindly(client, dbs, world, clock):
    open_link(client, dbs, world.partner, clock)
    response = post(client, "/contact", {"answer": "maybe"})
    assert response.status_code == 400
    assert "Please choose yes or no." in response.get_data(as_text=True)
    assert _events(dbs, world.partner.id, "declined") == []


def test_stop_is_on_every_page_and_confirms_before_stopping(client, dbs, world, clock):
    world.partner.status = PartnerStatus.ACTIVE
    dbs.commit()
    open_link(client, dbs, world.partner, clock)
    for path in ("/home", "/about", "/choices", "/help"):
        assert 'action="/unsubscribe"' in client.get(path).get_data(as_text=True), path
    confirm = post(client, "/unsubscribe", {}, token_from="/home")
    assert confirm.status_code == 200
    assert "Yes, stop all contact" in confirm.get_data(as_text=True)
    dbs.refresh(world.partner)
    assert world.partner.status == PartnerStatus.ACTIVE  # nothing happens before she confirms


def test_stopping_cancels_every_pending_message_revokes_links_and_tells_her_worker(
        client, dbs, vault, world, clock):
    world.partner.status = PartnerStatus.ACTIVE
    dbs.commit()
    open_link(client, dbs, world.partner, clock)
    spare_link = new_link(dbs, world.partner, clock)
    for _ in range(3):
        enqueue(dbs, vault, world.partner, kind="warning", template="warning", now=clock.now())
    dbs.commit()
    response = post(client, "/unsubscribe", {"confirm": "yes"}, token_from="/home")
    assert response.status_code == 303
    states = set(dbs.scalars(select(Notification.state).where(Notification.partner_id == world.partner.id)))
    assert states == {NotificationState.CANCELLED}
    spare = dbs.scalar(select(AccessToken).where(AccessToken.partner_id == world.partner.id,
                                                 AccessToken.used_at.is_(None)))
    assert spare.revoked_at is not None
    assert follow_link(client, spare_link).status_code == 404
    assert dbs.scalar(select(Task).where(Task.partner_id == world.partner.id,
                                         Task.kind == "consent_withdrawn_contact"))
    [event] = _events(dbs, world.partner.id, "withdrawn")
    assert event.channel == "web"
    page = client.get("/home").get_data(as_text=True)
    assert "Contact has stopped" in page


def test_she_can_say_yes_again_after_stopping(client, dbs, world, clock):
    world.partner.status = PartnerStatus.ACTIVE
    dbs.commit()
    open_link(client, dbs, world.partner, clock)
    post(client, "/unsubscribe", {"confirm": "yes"}, token_from="/home")
    post(client, "/contact", {"answer": "yes"})
    dbs.refresh(world.partner)
    assert world.partner.status == PartnerStatus.ACTIVE


def test_a_post_without_the_csrf_token_is_refused(client, dbs, world, clock):
    open_link(client, dbs, world.partner, clock)
    response = client.post("/unsubscribe", data={"confirm": "yes"})
    assert response.status_code == 400
    dbs.refresh(world.partner)
    assert world.partner.status == PartnerStatus.INVITED


def test_another_partners_session_cannot_touch_her_record(client, dbs, vault, audit_key, world, clock):
    other = make_world(dbs, vault, audit_key, partner_phone="+447400123457")
    dbs.commit()
    open_link(client, dbs, other.partner, clock)
    post(client, "/unsubscribe", {"confirm": "yes"}, token_from="/home")
    dbs.refresh(world.partner)
    assert world.partner.status == PartnerStatus.INVITED
    assert uuid.UUID(str(other.partner.id)) != world.partner.id
