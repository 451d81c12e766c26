"""Her link against preview bots and scanners: GET and HEAD of /v/<token> show one neutral page for every token
and change nothing; only the page's POST spends the link. Her PIN page is hers; any script's digits count."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import AccessToken, AuditEvent, PartnerContact, WebSession
from portal.services.her.her_access import _hasher
from portal.services.her.invites import revoke_invites
from tests.public_helpers import BASE, LINK_FORM, csrf_token, follow_link, new_link, post

# What SMS apps, chat apps, mail scanners and search crawlers send when they fetch a link ahead of her.
BOTS = [
    "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
    "WhatsApp/2.23.20.0 A",
    "TelegramBot (like TwitterBot)",
    "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120 Safari/537.36"
    " SafeLinks",
    "Twitterbot/1.0",
]


def _traces(dbs) -> tuple[int, int, int]:  # type: ignore[no-untyped-def]
    """Everything a fetch could leave behind: sessions, audit entries, spent links."""
    dbs.expire_all()
    return (dbs.scalar(select(func.count()).select_from(WebSession)),
            dbs.scalar(select(func.count()).select_from(AuditEvent)),
            dbs.scalar(select(func.count()).select_from(AccessToken).where(AccessToken.used_at.is_not(None))))


def _with_pin(dbs, world, pin="4831"):  # type: ignore[no-untyped-def]
    partner = dbs.get(PartnerContact, world.partner.id)
    partner.pin_hash = _hasher.hash(pin)
    dbs.commit()


def test_preview_bots_fetching_her_link_first_leave_it_working_for_her(app, dbs, world, clock):
    link = new_link(dbs, world.partner, clock)
    for agent in BOTS:
        bot = app.test_client()
        for response in (bot.get(link, headers={"User-Agent": agent}), bot.head(link, headers={"User-Agent": agent})):
            assert response.status_code == 200, agent
            assert "Set-Cookie" not in response.headers, agent
        assert bot.get("/home").headers["Location"] == "/", agent  # the bot holds no session of hers
    her = app.test_client()
    response = follow_link(her, link)
    assert response.status_code == 303 and response.headers["Location"].endswith("/home")
    assert "__Host-sid=" in response.headers["Set-Cookie"]
    assert her.get("/home").status_code == 200


@pytest.mark.parametrize("method", ["GET", "HEAD"])
@pytest.mark.parametrize("query", ["", "?lang=de"])
def test_looking_at_her_link_writes_nothing_and_sets_no_cookie(app, dbs, world, clock, method, query):
    links = [new_link(dbs, world.partner, clock), "/v/" + "A" * 32, "/v/not-a-token!"]
    before = _traces(dbs)
    client = app.test_client()
    for link in links:
        for agent in BOTS[:3]:
            response = client.open(link + query, method=method, headers={"User-Agent": agent})
            assert response.status_code == 200
            assert "Set-Cookie" not in response.headers
    assert _traces(dbs) == before
    assert client.get_cookie("__Host-sid") is None


def test_looking_at_a_link_leaves_the_viewers_own_session_alone(app, client, dbs, world, clock):
    follow_link(client, new_link(dbs, world.partner, clock))
    before = _traces(dbs)
    response = client.get(new_link(dbs, world.partner, clock))
    assert response.status_code == 200 and "Set-Cookie" not in response.headers
    after = _traces(dbs)
    assert after[0] == before[0] and after[2] == before[2]  # no session, no spent link (the new link was unused)
    assert client.get("/home").status_code == 200  # her session goes on


def test_the_link_page_is_the_same_for_live_used_expired_revoked_unknown_and_malformed_tokens(app, dbs, world,
                                                                                             clock):
    live = new_link(dbs, world.partner, clock)
    used = new_link(dbs, world.partner, clock)
    follow_link(app.test_client(), used)
    expired = new_link(dbs, world.partner, clock, hours=1)
    revoked = new_link(dbs, world.partner, clock)
    revoke_invites(dbs, world.partner.id, clock.now())
    live = new_link(dbs, world.partner, clock)  # issued after the revocation: still live
    dbs.commit()
    clock.advance(hours=2)
    links = {"live": live, "used": used, "expired": expired, "revoked": revoked, "unknown": "/v/" + "A" * 32,
             "malformed": "/v/not-a-token!", "short": "/v/abc"}
    pages = {}
    for name, link in links.items():
        response = app.test_client().get(link)
        assert response.status_code == 200, name
        pages[name] = (response.data, sorted((k, v) for k, v in response.headers.items() if k != "Date"))
    assert len({body for body, _ in pages.values()}) == 1, "the page must not hint whether a link works"
    assert len({str(headers) for _, headers in pages.values()}) == 1
    assert follow_link(app.test_client(), live).status_code == 303  # and the live one still opens


def test_the_link_page_is_one_neutral_button_that_posts_to_the_same_address(client, dbs, world, clock):
    response = client.get(new_link(dbs, world.partner, clock))
    html = response.get_data(as_text=True)
    assert response.headers["Cache-Control"].startswith("no-store")
    assert "<title>Appointments</title>" in html  # the neutral site name, nothing else
    assert html.count("<form") == 1 and LINK_FORM.decode() in html  # no action: this same address
    assert "<input" not in html and html.count("<button") == 1 and ">Continue</button>" in html
    assert "<script" not in html  # works without JavaScript; nothing to run
    # Outside her session the page looks like any appointments site: no exit bar, no emergency line.
    assert 'id="exit"' not in html and "tel:" not in html and "emergency" not in html
    assert 'href="/exit"' not in html


def test_only_the_post_spends_the_link_and_a_dead_link_gets_the_neutral_bad_link_page(client, dbs, world, clock):
    link = new_link(dbs, world.partner, clock)
    for _ in range(3):
        client.get(link)
        client.head(link)
    token = dbs.scalar(select(AccessToken).where(AccessToken.partner_id == world.partner.id))
    assert token.used_at is None
    assert client.post(link).status_code == 303
    dbs.refresh(token)
    assert token.used_at is not None
    client.get("/exit")
    again = client.post(link)
    assert again.status_code == 404 and b"This link does not work" in again.data
    assert 'id="exit"' not in again.get_data(as_text=True)  # a link that does not work: an ordinary site
    assert client.get(link).status_code == 200  # and looking at it is still the same neutral page


def test_the_link_post_is_the_one_form_without_a_csrf_token(client, dbs, world, clock):
    assert client.post(new_link(dbs, world.partner, clock)).status_code == 303  # no token, no Referer
    refused = client.post("/message", data={"kind": "less_safe"})
    assert refused.status_code == 400  # every form of hers still needs its token


def test_the_pin_page_belongs_to_her_pending_session(client, dbs, world, clock):
    _with_pin(dbs, world)
    response = follow_link(client, new_link(dbs, world.partner, clock))
    assert response.headers["Location"].endswith("/check")
    html = client.get("/check").get_data(as_text=True)
    assert html.index('id="exit"') < html.index("<main")  # her quick exit first
    assert 'href="tel:999"' in html and "exit.js" in html


@pytest.mark.parametrize("typed", ["٤٨٣١", "۴۸۳۱", "４８３１", " 4831 "])
def test_her_pin_counts_in_any_scripts_digits(client, dbs, world, clock, typed):
    _with_pin(dbs, world)
    follow_link(client, new_link(dbs, world.partner, clock))
    response = post(client, "/check", {"pin": typed})
    assert response.status_code == 303 and response.headers["Location"].endswith("/home")


def test_she_can_set_her_pin_in_arabic_indic_digits_and_type_it_later_in_ascii(client, dbs, world, clock):
    follow_link(client, new_link(dbs, world.partner, clock))
    assert post(client, "/pin", {"action": "set", "pin": "٤٨٣١", "confirm": "٤٨٣١"}).status_code == 303
    client.get("/exit")
    follow_link(client, new_link(dbs, world.partner, clock))
    assert post(client, "/check", {"pin": "4831"}).headers["Location"].endswith("/home")


@pytest.mark.parametrize("typed", ["⁴⁸³¹", "④⑧③①"])
def test_superscript_digits_are_refused_with_a_clear_message_and_cost_no_try(client, dbs, world, clock, typed):
    _with_pin(dbs, world)
    follow_link(client, new_link(dbs, world.partner, clock))
    response = post(client, "/check", {"pin": typed})
    assert response.status_code == 400
    assert "Please type your PIN with the number keys only." in response.get_data(as_text=True)
    dbs.refresh(world.partner)
    assert world.partner.pin_failures == 0
    assert dbs.scalar(select(AuditEvent).where(AuditEvent.action == "pin.refused")) is not None


def test_a_superscript_pin_cannot_be_set(client, dbs, world, clock):
    follow_link(client, new_link(dbs, world.partner, clock))
    refused = post(client, "/pin", {"action": "set", "pin": "⁴⁸³¹", "confirm": "⁴⁸³¹"})
    assert refused.status_code == 400
    assert "Please type your PIN with the number keys only." in refused.get_data(as_text=True)
    dbs.refresh(world.partner)
    assert world.partner.pin_hash is None


def test_a_wrong_pin_is_counted_and_audited_even_when_the_request_then_fails(app, client, dbs, world, clock,
                                                                            monkeypatch):
    _with_pin(dbs, world)
    follow_link(client, new_link(dbs, world.partner, clock))
    token = post(client, "/check", {"pin": "0000"}).status_code  # one counted try, and a page with a token
    assert token == 400

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("the request's own transaction fails")

    form = {"pin": "1111", "csrf_token": csrf_token(client, "/check")}  # the page itself reads (and commits)
    with app.app_context():
        monkeypatch.setattr(db.session, "commit", broken)
        monkeypatch.setattr(db.session, "rollback", broken)
    failed = client.post("/check", data=form, headers={"Referer": BASE + "/check"})
    monkeypatch.undo()
    assert failed.status_code == 500
    dbs.expire_all()
    assert dbs.get(PartnerContact, world.partner.id).pin_failures == 2
    assert dbs.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "pin.rejected")) == 2


def test_a_lock_ends_every_pending_session_of_hers_and_closes_her_spare_links(app, dbs, world, clock):
    _with_pin(dbs, world)
    first, second = app.test_client(), app.test_client()
    follow_link(first, new_link(dbs, world.partner, clock))
    follow_link(second, new_link(dbs, world.partner, clock))  # another link: another pending session
    spare = new_link(dbs, world.partner, clock)
    attempts = app.config["PORTAL"].pin_max_attempts
    for _ in range(attempts - 2):
        assert post(first, "/check", {"pin": "0000"}).status_code == 400
    first_form = csrf_token(first, "/check")
    response = post(second, "/check", {"pin": "0000"})
    assert "Tries left: 1." in response.get_data(as_text=True)  # one count for her, whichever session
    assert post(second, "/check", {"pin": "0000"}).status_code == 404  # locked
    # The first session, opened from another link, is over too: no fresh tries, not even with the right PIN.
    right = first.post("/check", data={"pin": "4831", "csrf_token": first_form}, headers={"Referer": BASE})
    assert right.status_code == 303 and right.headers["Location"] == "/"
    assert first.get("/home").headers["Location"] == "/"
    assert first.get("/check").headers["Location"] == "/"
    assert follow_link(app.test_client(), spare).status_code == 404  # her unused link is closed as well
    dbs.expire_all()
    assert dbs.scalar(select(func.count()).select_from(AccessToken).where(
        AccessToken.partner_id == world.partner.id, AccessToken.revoked_at.is_(None))) == 0


def test_closing_her_links_ends_a_session_waiting_for_her_pin(client, dbs, world, clock):
    _with_pin(dbs, world)
    follow_link(client, new_link(dbs, world.partner, clock))
    form = csrf_token(client, "/check")
    revoke_invites(dbs, world.partner.id, clock.now())  # what stop (page, text or her worker) and a lock do
    dbs.commit()
    right = client.post("/check", data={"pin": "4831", "csrf_token": form}, headers={"Referer": BASE})
    assert right.status_code == 303 and right.headers["Location"] == "/"
    assert client.get("/home").headers["Location"] == "/"


def test_head_on_her_pin_page_counts_no_try_and_writes_nothing(client, dbs, world, clock):
    """HEAD is answered like GET (Flask adds it to every GET route): a HEAD of her PIN page, as a link scanner
    might send, must not be taken for a wrong PIN (it once wrote a refusal to the audit chain)."""
    _with_pin(dbs, world)
    assert follow_link(client, new_link(dbs, world.partner, clock)).headers["Location"].endswith("/check")
    before = _traces(dbs)
    for _ in range(3):
        assert client.head("/check").status_code == 200
    assert _traces(dbs) == before
    dbs.expire_all()
    assert dbs.get(PartnerContact, world.partner.id).pin_failures == 0
