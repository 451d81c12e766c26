"""Her link and PIN limits under simultaneous requests against the served app (SQLite and PostgreSQL): one
link opens once however many phones or scanners race for it, and every wrong PIN counts, whichever session."""

from __future__ import annotations

import re

import httpx
from sqlalchemy import func, select

from portal.models import AccessToken, AuditEvent, PartnerContact, PartnerStatus, Task
from portal.services.her.her_access import PIN_LOCKED_TASK, _hasher
from tests.factories import served_world
from tests.public_helpers import follow_link
from tests.served import fire

TIMEOUT = 60.0  # Argon2 on a small shared machine: eight at once take a while
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def _her(live, pin: str | None = None):  # type: ignore[no-untyped-def]
    world = served_world(live, status=PartnerStatus.ACTIVE)
    if pin:
        with live.db() as db:
            db.get(PartnerContact, world.partner.id).pin_hash = _hasher.hash(pin)
            db.commit()
    return world


def _cookie(response: httpx.Response) -> str | None:
    found = re.search(r"__Host-sid=([^;]*)", response.headers.get("set-cookie", ""))
    return f"__Host-sid={found.group(1)}" if found and found.group(1) else None


def _pending_session(live, world) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    """Open a fresh link as she does; return her pending session's cookie and the PIN form's CSRF token.

    (The cookie is handled by hand: __Host- cookies are Secure, and the served app is plain http on loopback.)
    """
    with httpx.Client(base_url=live.url, timeout=TIMEOUT) as http:
        opened = follow_link(http, live.invite_path(world.partner.id))
        assert opened.status_code == 303 and opened.headers["location"].endswith("/check")
        cookie = _cookie(opened)
        page = http.get("/check", headers={"Cookie": cookie})
        return cookie, _CSRF.search(page.text).group(1)  # type: ignore[return-value, union-attr]


def _wrong_pin(live, cookie: str, token: str) -> httpx.Response:  # type: ignore[no-untyped-def]
    with httpx.Client(base_url=live.url, timeout=TIMEOUT) as http:  # a separate connection each
        return http.post("/check", data={"pin": "0000", "csrf_token": token},
                         headers={"Cookie": cookie, "Referer": live.url + "/check"})


def _post(live, path: str) -> httpx.Response:  # type: ignore[no-untyped-def]
    with httpx.Client(base_url=live.url, timeout=TIMEOUT) as http:  # a separate connection each
        return http.post(path)


def test_of_eight_simultaneous_openings_of_one_link_exactly_one_gets_her_session(live_server):
    world = _her(live_server)
    for _ in range(3):
        path = live_server.invite_path(world.partner.id)
        with httpx.Client(base_url=live_server.url, timeout=TIMEOUT) as http:
            assert http.get(path).status_code == 200  # a preview fetch first changes nothing

        results = fire(8, lambda _, path=path: _post(live_server, path))
        codes = sorted(r.status_code for r in results)
        assert codes == [303] + [404] * 7, codes  # one in, seven see the neutral bad-link page, none 5xx
        [winner] = [r for r in results if r.status_code == 303]
        assert winner.headers["location"].endswith("/home")
        with httpx.Client(base_url=live_server.url, timeout=TIMEOUT) as http:
            assert http.get("/home", headers={"Cookie": _cookie(winner)}).status_code == 200
        assert all(_cookie(r) is None for r in results if r is not winner)
    with live_server.db() as db:
        assert db.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "link.opened")) == 3


def test_eight_simultaneous_wrong_pins_all_count(live_server_factory):
    live = live_server_factory(pin_max_attempts=50)
    world = _her(live, pin="4831")
    cookie, token = _pending_session(live, world)
    results = fire(8, lambda _: _wrong_pin(live, cookie, token))
    assert [r.status_code for r in results] == [400] * 8
    assert sorted(int(re.search(r"Tries left: (\d+)", r.text).group(1)) for r in results) == list(range(42, 50))
    with live.db() as db:
        assert db.get(PartnerContact, world.partner.id).pin_failures == 8
        rejected = db.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "pin.rejected"))
        assert rejected == 8


def test_simultaneous_wrong_pins_from_all_her_pending_sessions_lock_once(live_server_factory):
    live = live_server_factory(pin_max_attempts=5)
    world = _her(live, pin="4831")
    sessions = [_pending_session(live, world) for _ in range(2)]  # two links opened: two pending sessions
    spare = live.invite_path(world.partner.id)
    results = fire(8, lambda i: _wrong_pin(live, *sessions[i % 2]))
    codes = [r.status_code for r in results]
    assert all(code in (303, 400, 404) for code in codes), codes  # never a 5xx
    assert codes.count(404) >= 1  # at the fifth wrong try, counted across both sessions, her links die
    with live.db() as db:
        tasks = db.scalar(select(func.count()).select_from(Task).where(Task.partner_id == world.partner.id,
                                                                        Task.kind == PIN_LOCKED_TASK))
        assert tasks == 1  # her worker is told once, not once per request
        assert db.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "pin.locked")) == 1
        open_links = db.scalar(select(func.count()).select_from(AccessToken).where(
            AccessToken.partner_id == world.partner.id, AccessToken.revoked_at.is_(None)))
        assert open_links == 0
    with httpx.Client(base_url=live.url, timeout=TIMEOUT) as http:
        for cookie, token in sessions:  # both pending sessions have ended: not even the right PIN gets in
            right = http.post("/check", data={"pin": "4831", "csrf_token": token},
                              headers={"Cookie": cookie, "Referer": live.url + "/check"})
            # 303 to the start (its link is closed), or 400 when the lock already ended the session itself
            assert right.status_code in (303, 400) and right.headers.get("location", "/") == "/", right
            assert http.get("/home", headers={"Cookie": cookie}).headers["location"] == "/"
        assert http.post(spare).status_code == 404  # her spare link is closed too
