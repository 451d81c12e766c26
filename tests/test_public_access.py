"""Her discreet links and PIN: single use, expiry, one neutral page for every bad link, PIN lock-out."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from portal.crypto import hash_token
from portal.models import AccessToken, AuditEvent, PartnerStatus, Task
from portal.services.her.invites import revoke_invites
from tests.factories import make_world
from tests.public_helpers import follow_link, new_link, open_link, post


def test_a_valid_link_starts_her_session_and_moves_the_token_out_of_the_address_bar(client, dbs, world, clock):
    link = new_link(dbs, world.partner, clock)
    response = follow_link(client, link)
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/home")
    assert link.split("/")[-1] not in response.headers["Location"]
    assert "__Host-sid" in response.headers["Set-Cookie"]
    token = dbs.scalar(select(AccessToken).where(AccessToken.token_hash == hash_token(link[3:])))
    dbs.refresh(token)
    assert token.used_at is not None
    home = client.get("/home")
    assert home.status_code == 200
    assert "Welcome" in home.get_data(as_text=True)


def test_an_invited_partner_is_shown_the_consent_page_first(client, dbs, world, clock):
    world.partner.status = PartnerStatus.INVITED
    dbs.commit()
    open_link(client, dbs, world.partner, clock)
    response = client.get("/home")
    assert response.status_code == 303 and response.headers["Location"].endswith("/contact")


def _bad_links(client, dbs, world, clock):  # type: ignore[no-untyped-def]
    used = new_link(dbs, world.partner, clock)
    follow_link(client, used)
    client.get("/exit")
    expired = new_link(dbs, world.partner, clock, hours=1)
    revoked = new_link(dbs, world.partner, clock)
    revoke_invites(dbs, world.partner.id, clock.now())
    dbs.commit()
    clock.advance(hours=2)
    return {"used": used, "expired": expired, "revoked": revoked, "unknown": "/v/" + "A" * 32,
            "malformed": "/v/not-a-token!", "short": "/v/abc"}


def test_used_expired_revoked_unknown_and_malformed_links_look_exactly_the_same(client, dbs, world, clock):
    bodies = {}
    for name, link in _bad_links(client, dbs, world, clock).items():
        response = follow_link(client, link)
        assert response.status_code == 404, name
        assert "Set-Cookie" not in response.headers or "__Host-sid=;" in response.headers["Set-Cookie"], name
        bodies[name] = response.get_data()
    assert len(set(bodies.values())) == 1, "the page must not hint whether a link ever existed"
    assert b"This link does not work" in bodies["unknown"]


def test_a_link_expires_after_the_configured_time(client, dbs, world, clock):
    link = new_link(dbs, world.partner, clock, hours=72)
    clock.advance(hours=72, seconds=1)
    assert follow_link(client, link).status_code == 404


def test_a_link_for_an_erased_or_closed_record_does_not_work(client, dbs, world, clock):
    link = new_link(dbs, world.partner, clock)
    world.partner.status = PartnerStatus.CLOSED
    dbs.commit()
    assert follow_link(client, link).status_code == 404


def test_her_session_ends_after_fifteen_idle_minutes(client, dbs, world, clock):
    open_link(client, dbs, world.partner, clock)
    clock.advance(minutes=14)
    assert client.get("/home").status_code == 200
    clock.advance(minutes=16)
    response = client.get("/home")
    assert response.status_code == 303 and response.headers["Location"].endswith("/")


def test_her_pages_without_a_session_go_to_the_neutral_start(client):
    for path in ("/home", "/choices", "/about", "/faq", "/privacy", "/help", "/online", "/pin", "/unsubscribe",
                 "/contact", "/check"):
        response = client.get(path)
        assert response.status_code == 303, path
        assert response.headers["Location"] == "/", path


def _set_pin(client, dbs, world, clock, pin="4831"):  # type: ignore[no-untyped-def]
    open_link(client, dbs, world.partner, clock)
    response = post(client, "/pin", {"action": "set", "pin": pin, "confirm": pin})
    assert response.status_code == 303
    client.get("/exit")


def test_after_she_sets_a_pin_later_links_ask_for_it_before_showing_anything(client, dbs, world, clock):
    _set_pin(client, dbs, world, clock)
    dbs.refresh(world.partner)
    assert world.partner.pin_hash.startswith("$argon2id$")
    response = open_link(client, dbs, world.partner, clock)
    assert response.headers["Location"].endswith("/check")
    assert client.get("/home").headers["Location"] == "/"  # nothing of hers before the PIN
    page = client.get("/check")
    assert 'autocomplete="off"' in page.get_data(as_text=True)
    response = post(client, "/check", {"pin": "4831"})
    assert response.status_code == 303 and response.headers["Location"].endswith("/home")
    assert client.get("/home").status_code == 200


def test_wrong_pins_are_limited_then_the_link_dies_and_her_worker_gets_a_task(app, client, dbs, world, clock):
    _set_pin(client, dbs, world, clock)
    open_link(client, dbs, world.partner, clock)
    attempts = app.config["PORTAL"].pin_max_attempts
    for left in range(attempts - 1, 0, -1):
        response = post(client, "/check", {"pin": "0000"})
        assert response.status_code == 400
        assert f"Tries left: {left}" in response.get_data(as_text=True)
    response = post(client, "/check", {"pin": "0000"}, token_from="/check")
    assert response.status_code == 404
    assert b"This link does not work" in response.data
    assert client.get("/check").headers["Location"] == "/"
    task = dbs.scalar(select(Task).where(Task.partner_id == world.partner.id, Task.kind == "pin_locked"))
    assert task is not None and task.assignee_id == world.worker.id
    token = dbs.scalar(select(AccessToken).where(AccessToken.partner_id == world.partner.id,
                                                 AccessToken.revoked_at.is_not(None)))
    assert token is not None


def test_the_right_pin_resets_the_count_of_wrong_tries(client, dbs, world, clock):
    _set_pin(client, dbs, world, clock)
    open_link(client, dbs, world.partner, clock)
    post(client, "/check", {"pin": "1111"})
    post(client, "/check", {"pin": "4831"})
    dbs.refresh(world.partner)
    assert world.partner.pin_failures == 0


@pytest.mark.parametrize("pin, confirm, message", [
    ("12", "12", "A PIN is 4 to 8 numbers."),
    ("abcd", "abcd", "A PIN is 4 to 8 numbers."),
    ("123456789", "123456789", "A PIN is 4 to 8 numbers."),
    ("4831", "4832", "The two PINs are not the same."),
])
def test_a_bad_pin_is_refused_with_a_clear_message(client, dbs, world, clock, pin, confirm, message):
    open_link(client, dbs, world.partner, clock)
    response = post(client, "/pin", {"action": "set", "pin": pin, "confirm": confirm})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    dbs.refresh(world.partner)
    assert world.partner.pin_hash is None


def test_she_can_remove_her_pin_and_every_change_is_audited(client, dbs, world, clock):
    _set_pin(client, dbs, world, clock)
    open_link(client, dbs, world.partner, clock)
    post(client, "/check", {"pin": "4831"})
    assert post(client, "/pin", {"action": "remove"}).status_code == 303
    dbs.refresh(world.partner)
    assert world.partner.pin_hash is None
    actions = set(dbs.scalars(select(AuditEvent.action)))
    assert {"link.opened", "pin.set", "pin.accepted", "pin.removed"} <= actions
    details = " ".join(dbs.scalars(select(AuditEvent.details)))
    assert "4831" not in details


def test_opening_links_is_rate_limited(client, dbs, world, clock):
    statuses = [client.post("/v/" + "B" * 32).status_code for _ in range(31)]
    assert statuses[:30] == [404] * 30
    assert statuses[30] == 429
    assert client.get("/v/" + "B" * 32).status_code == 429  # one budget for looking and for opening


def test_pin_attempts_are_rate_limited_per_address(app, client, dbs, world, clock):
    _set_pin(client, dbs, world, clock)
    codes = []
    for _ in range(11):
        open_link(client, dbs, world.partner, clock)
        codes.append(post(client, "/check", {"pin": "4831"}).status_code)
        client.get("/exit")
    assert codes[:10] == [303] * 10
    assert codes[10] == 429


def test_links_are_stored_only_as_hashes(dbs, world, clock):
    link = new_link(dbs, world.partner, clock)
    token = link[3:]
    assert dbs.scalar(select(func.count()).select_from(AccessToken).where(AccessToken.token_hash == token)) == 0
    assert re.fullmatch(r"[A-Za-z0-9_-]{22}", token)  # 128 bits, URL-safe (DESIGN §8 "One segment")


def test_a_new_link_starts_a_fresh_session_with_a_new_id(client, dbs, vault, audit_key, world, clock):
    first = open_link(client, dbs, world.partner, clock).headers["Set-Cookie"]
    other = make_world(dbs, vault, audit_key, partner_phone="+447400123459")
    dbs.commit()
    second = open_link(client, dbs, other.partner, clock).headers["Set-Cookie"]
    assert first.split(";")[0] != second.split(";")[0]
    post(client, "/message", {"kind": "less_safe"}, token_from="/home")
    task = dbs.scalar(select(Task).where(Task.kind == "her_less_safe"))
    assert task.partner_id == other.partner.id
