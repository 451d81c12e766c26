"""Staff sign-in limits as an attacker meets them (issue 9 items 4, 8 and 9): concurrent failures all count,
per-address limits answer 429, an attacker cannot keep the real person out, forwarded headers count only from
trusted proxies, and TOTP digits from any script are digits."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.models import AuditEvent, StaffUser
from portal.services.admin import signin
from tests.factories import STAFF_PASSWORD, make_world, served_world
from tests.served import fire
from tests.served_staff import StaffClient
from tests.staff_console import code_for, csrf_from, password_step, post_form

ATTACKER = "203.0.113.66"
HER_ADDRESS = "198.51.100.7"
WRONG = "not the password at all"


def confirm(dbs, user: StaffUser, clock) -> None:  # type: ignore[no-untyped-def]
    fresh = dbs.get(StaffUser, user.id)
    fresh.totp_confirmed_at = clock.now() - timedelta(days=1)
    dbs.commit()


def client_at(app, address: str):  # type: ignore[no-untyped-def]
    """A test client whose requests come from `address` (REMOTE_ADDR, as the WSGI server would set it)."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def failures(dbs, user: StaffUser) -> int:  # type: ignore[no-untyped-def]
    dbs.expire_all()
    return dbs.get(StaffUser, user.id).failed_attempts


def audit_rows(dbs, user: StaffUser, action: str) -> list[AuditEvent]:  # type: ignore[no-untyped-def]
    dbs.expire_all()
    return list(dbs.scalars(select(AuditEvent).where(AuditEvent.object_id == str(user.id),
                                                     AuditEvent.action == action).order_by(AuditEvent.seq)))


# --- 9.4: every failure counts, even all at once --------------------------------------------------------------

def test_twelve_simultaneous_wrong_passwords_count_twelve(live_server):  # type: ignore[no-untyped-def]
    world = served_world(live_server)
    email, user_id = world.worker.email, world.worker.id

    def attempt(i: int) -> int:
        with StaffClient(live_server.url) as browser:
            return browser.password_step(email, f"{WRONG} {i}").status_code

    statuses = fire(12, attempt)
    assert statuses == [400] * 12
    with live_server.db() as db:
        user = db.get(StaffUser, user_id)
        entries = db.scalars(select(AuditEvent).where(AuditEvent.object_id == str(user_id))).all()
        failed = [e for e in entries if e.action == "staff.sign_in_failed"]
        # An attempt that arrives once this address has earned its wait is refused unchecked ("locked"); every
        # attempt is either counted or refused, and every counted one is counted (the old read-modify-write
        # counted 1 of 12).
        refused = [e for e in entries if e.action == "staff.sign_in_refused"
                   and __import__("json").loads(e.details)["reason"] == "locked"]
        assert len(failed) + len(refused) == 12
        assert user.failed_attempts == len(failed) > signin.FREE_FAILURES
        assert sorted(__import__("json").loads(a.details)["failures"] for a in failed) == list(range(1, len(failed) + 1))


def test_a_failure_stays_counted_when_the_request_fails_afterwards(app, dbs, world, monkeypatch):
    from portal.console import auth

    def broken() -> str:
        raise RuntimeError("rendering failed after the attempt was counted")

    monkeypatch.setattr(auth, "refused_message", broken)
    assert password_step(client_at(app, ATTACKER), world.worker.email, WRONG).status_code == 500
    assert failures(dbs, world.worker) == 1
    assert len(audit_rows(dbs, world.worker, "staff.sign_in_failed")) == 1


# --- 9.4: a per-address limit, with a message people can read -------------------------------------------------

@pytest.mark.parametrize(("language", "expected"), [
    ("en", "Too many sign-in attempts from this network"),
    ("de", "Zu viele Anmeldeversuche aus diesem Netzwerk"),
])
def test_the_per_address_limit_answers_429_with_a_readable_message(app, world, language, expected):
    client = client_at(app, ATTACKER)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
    token = csrf_from(client.get("/staff/sign-in").data)
    statuses = [client.post("/staff/sign-in", data={"csrf_token": token, "email": f"x{i}@example.org",
                                                    "password": WRONG}).status_code for i in range(25)]
    assert statuses[:20] == [400] * 20 and set(statuses[20:]) == {429}
    refused = client.post("/staff/sign-in", data={"csrf_token": token, "email": "a@example.org", "password": WRONG})
    page = refused.data.decode()
    assert refused.status_code == 429 and expected in page and 'name="password"' in page
    # Another address is not limited by this one.
    assert password_step(client_at(app, HER_ADDRESS), "y@example.org", WRONG).status_code == 400


def test_the_code_step_shares_the_per_address_limit(app, dbs, world, clock):
    confirm(dbs, world.worker, clock)
    client = client_at(app, ATTACKER)
    assert password_step(client, world.worker.email, STAFF_PASSWORD).status_code == 303
    token = csrf_from(client.get("/staff/sign-in/code").data)
    statuses = [client.post("/staff/sign-in/code", data={"csrf_token": token, "code": "abc"}).status_code
                for _ in range(25)]
    assert 429 in statuses and 500 not in statuses
    assert b"Too many sign-in attempts" in client.post("/staff/sign-in/code",
                                                       data={"csrf_token": token, "code": "1"}).data


# --- 9.4: no indefinite lockout of the real person ------------------------------------------------------------

def test_an_attacker_at_one_address_cannot_keep_the_real_user_out(app, dbs, world, clock):
    confirm(dbs, world.worker, clock)
    attacker = client_at(app, ATTACKER)
    token = csrf_from(attacker.get("/staff/sign-in").data)
    email = world.worker.email

    def hammer(times: int) -> list[int]:
        return [attacker.post("/staff/sign-in", data={"csrf_token": token, "email": email,
                                                      "password": WRONG}).status_code for _ in range(times)]

    for _ in range(8):  # two hours of trying, a burst every quarter of an hour
        assert set(hammer(12)) <= {400, 429}
        # The real person, at her own address, gets in at once every time.
        her = client_at(app, HER_ADDRESS)
        first = password_step(her, email, STAFF_PASSWORD)
        assert first.status_code == 303
        assert post_form(her, "/staff/sign-in/code", {"code": code_for(world.totp["worker"], clock)}).status_code == 303
        assert her.get("/staff/").status_code == 200
        clock.advance(minutes=15, seconds=1)
        app.extensions["portal.clock"] = clock
    # The attacker is still throttled: of 96 tries, only the free ones and about one per lock period were
    # real guesses (the rest were refused unverified: address locked, or over the per-address limit).
    guesses = len(audit_rows(dbs, world.worker, "staff.sign_in_failed"))
    assert 1 <= guesses <= signin.FREE_FAILURES + 8
    right = attacker.post("/staff/sign-in", data={"csrf_token": token, "email": email, "password": STAFF_PASSWORD})
    assert right.status_code in (400, 429)


def test_a_lock_never_lasts_longer_than_fifteen_minutes(app, dbs, world, clock):
    confirm(dbs, world.worker, clock)
    attacker = client_at(app, ATTACKER)
    key = signin.client_key(app.extensions["portal.audit_key"], ATTACKER)
    for _ in range(12):
        password_step(attacker, world.worker.email, WRONG)
        dbs.expire_all()
        until = signin.lock_until(dbs, dbs.get(StaffUser, world.worker.id), key, clock.now())
        assert until is None or until - clock.now() <= timedelta(minutes=15)
        clock.advance(minutes=16)  # past any lock: every try is a counted failure
    assert until is not None and until - clock.now() <= timedelta(minutes=15)


def test_distributed_guessing_is_throttled_but_her_usual_address_still_works(app, dbs, world, clock):
    confirm(dbs, world.worker, clock)
    email = world.worker.email
    her = client_at(app, HER_ADDRESS)  # she signed in from here before
    assert password_step(her, email, STAFF_PASSWORD).status_code == 303
    assert post_form(her, "/staff/sign-in/code", {"code": code_for(world.totp["worker"], clock)}).status_code == 303
    bots = [client_at(app, f"203.0.113.{n}") for n in range(1, 9)]
    for bot in bots:
        for _ in range(signin.FREE_FAILURES + 1):
            password_step(bot, email, WRONG)
    # Account-wide: a new address now waits, even with the right password (guessing across addresses is slowed).
    newcomer = client_at(app, "192.0.2.200")
    assert password_step(newcomer, email, STAFF_PASSWORD).status_code == 400
    dbs.expire_all()
    user = dbs.get(StaffUser, world.worker.id)
    assert user.locked_until is not None and user.locked_until - clock.now() <= signin.LOCK_CAP
    # Her usual address is not locked out.
    clock.advance(seconds=40)  # the next TOTP step
    again = client_at(app, HER_ADDRESS)
    assert password_step(again, email, STAFF_PASSWORD).status_code == 303
    assert post_form(again, "/staff/sign-in/code", {"code": code_for(world.totp["worker"], clock)}).status_code == 303
    # And the new address gets in once the (bounded) wait is over.
    clock.advance(minutes=15, seconds=1)
    assert password_step(client_at(app, "192.0.2.200"), email, STAFF_PASSWORD).status_code == 303


# --- 9.9: forwarded headers only from trusted proxies ---------------------------------------------------------

def test_rotating_forwarded_for_from_an_untrusted_peer_does_not_bypass_the_limit(database_url, instance_dir):
    from portal import create_app
    from tests.support import make_config, wipe_database

    app = create_app(make_config(database_url, instance_dir, trust_proxy=True))  # no list: loopback only
    try:
        client = client_at(app, ATTACKER)
        token = csrf_from(client.get("/staff/sign-in").data)
        statuses = [client.post("/staff/sign-in", headers={"X-Forwarded-For": f"10.9.{i // 250}.{i % 250 + 1}"},
                                data={"csrf_token": token, "email": "a@example.org", "password": WRONG}).status_code
                    for i in range(25)]
        assert set(statuses[20:]) == {429}
    finally:
        from portal.extensions import db

        with app.app_context():
            db.session.remove()
            wipe_database(db.engine)


def test_served_untrusted_peer_cannot_choose_its_address(live_server_factory):
    live = live_server_factory(trust_proxy=True, trusted_proxies="10.0.0.0/8")  # the loopback peer is not in it
    email = served_world(live).worker.email
    counter = itertools.count(1)
    statuses = []
    with StaffClient(live.url) as browser:
        for _ in range(25):
            browser.forwarded_for = f"198.18.0.{next(counter)}"
            statuses.append(browser.password_step(email, WRONG).status_code)
    assert set(statuses[20:]) == {429}


def test_served_trusted_proxy_separates_the_attacker_from_her(live_server_factory):
    live = live_server_factory(trusted_proxies="127.0.0.1")
    with live.db() as db:
        world = make_world(db, live.vault, live.audit_key)
        world.worker.totp_confirmed_at = live.now() - timedelta(days=1)
        db.commit()
        email = world.worker.email

    def attack(i: int) -> int:
        with StaffClient(live.url, forwarded_for=f"{HER_ADDRESS}, {ATTACKER}") as browser:  # spoofed left part
            return browser.password_step(email, f"{WRONG} {i}").status_code

    statuses = fire(12, attack)
    assert set(statuses) <= {400, 429}
    with StaffClient(live.url, forwarded_for=ATTACKER) as browser:  # the attacker's address is locked
        assert browser.password_step(email, STAFF_PASSWORD).status_code in (400, 429)
    with StaffClient(live.url, forwarded_for=HER_ADDRESS) as browser:  # hers is not
        assert browser.password_step(email, STAFF_PASSWORD).status_code == 303


def test_client_address_walks_past_trusted_proxies_only():
    from portal.proxies import TrustedProxies, parse_networks

    proxies = TrustedProxies(lambda e, s: None, parse_networks("127.0.0.1, 10.0.0.0/8"))
    assert proxies.client_address("127.0.0.1", "198.51.100.7") == "198.51.100.7"
    assert proxies.client_address("127.0.0.1", "1.2.3.4, 198.51.100.7, 10.1.1.1") == "198.51.100.7"
    assert proxies.client_address("127.0.0.1", "not-an-address") == "127.0.0.1"
    assert proxies.client_address("192.0.2.1", "198.51.100.7") == "192.0.2.1"
    assert proxies.trusted("::ffff:10.2.3.4") and not proxies.trusted("::1") and not proxies.trusted("junk")


def test_proxy_settings_are_checked(tmp_path):
    from portal.config import ConfigError, load_settings

    env = {"PORTAL_TRUSTED_PROXIES": "127.0.0.1, 10.0.0.0/8"}
    assert load_settings(env, str(tmp_path)).proxy_networks == ("127.0.0.1", "10.0.0.0/8")
    assert load_settings({"PORTAL_TRUST_PROXY": "true"}, str(tmp_path)).proxy_networks == ("127.0.0.0/8",
                                                                                           "::1/128")
    assert load_settings({}, str(tmp_path)).proxy_networks == ()
    with pytest.raises(ConfigError, match="PORTAL_TRUSTED_PROXIES"):
        load_settings({"PORTAL_TRUSTED_PROXIES": "10.0.0.0/8, example.org"}, str(tmp_path))
    production = {"PORTAL_ENV": "production", "PORTAL_TRUST_PROXY": "true"}
    with pytest.raises(ConfigError, match="PORTAL_TRUST_PROXY=true needs PORTAL_TRUSTED_PROXIES"):
        load_settings(production, str(tmp_path))


def test_the_limiter_counts_in_redis_when_configured(database_url, instance_dir):
    from limits.storage import MemoryStorage, RedisStorage

    from portal import create_app
    from portal.extensions import limiter
    from tests.support import make_config

    create_app(make_config(database_url, instance_dir, redis_url="redis://127.0.0.1:6399/0"))
    assert isinstance(limiter._storage, RedisStorage)
    create_app(make_config(database_url, instance_dir))
    assert isinstance(limiter._storage, MemoryStorage)


# --- 9.8: TOTP digits from any script -------------------------------------------------------------------------

FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


@pytest.mark.parametrize("digits", [FULL_WIDTH, ARABIC_INDIC])
def test_totp_digits_from_any_script_are_accepted(client, dbs, world, clock, digits):
    confirm(dbs, world.worker, clock)
    assert password_step(client, world.worker.email, STAFF_PASSWORD).status_code == 303
    code = code_for(world.totp["worker"], clock).translate(digits)
    done = post_form(client, "/staff/sign-in/code", {"code": code})
    assert done.status_code == 303 and client.get("/staff/").status_code == 200


def test_superscript_totp_is_refused_counted_and_audited(client, dbs, world, clock):
    confirm(dbs, world.worker, clock)
    assert password_step(client, world.worker.email, STAFF_PASSWORD).status_code == 303
    code = code_for(world.totp["worker"], clock).translate(SUPERSCRIPT)
    refused = post_form(client, "/staff/sign-in/code", {"code": code})
    assert refused.status_code == 400 and b"using the digits 0 to 9" in refused.data
    assert failures(dbs, world.worker) == 1
    (row,) = audit_rows(dbs, world.worker, "staff.sign_in_failed")
    assert '"stage":"totp"' in row.details and "not_digits" in row.details


def test_full_width_code_finishes_the_authenticator_set_up(client, dbs, world, clock):
    assert password_step(client, world.worker.email, STAFF_PASSWORD).status_code == 303
    code = code_for(world.totp["worker"], clock).translate(FULL_WIDTH)
    done = post_form(client, "/staff/sign-in/authenticator", {"code": code})
    assert done.status_code == 303
    refused = client_at(client.application, ATTACKER)
    assert password_step(refused, world.worker.email, STAFF_PASSWORD).status_code == 303
    bad = post_form(refused, "/staff/sign-in/code", {"code": "¹²³⁴⁵⁶"})
    assert bad.status_code == 400 and failures(dbs, world.worker) == 1
