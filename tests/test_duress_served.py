"""Her plan opened with her passphrase and with her second one, at the same moment from several sessions against
the served app (SQLite and PostgreSQL): every answer has the same status, Location and headers, and her worker
gets exactly one duress task. Shape only: `make bench` measures the timing (scripts/bench_duress.py)."""

from __future__ import annotations

import re

import httpx
from sqlalchemy import func, select

from portal.models import PartnerContact, PartnerStatus, Task, TaskKind
from tests.factories import served_world
from tests.plan_console_support import DECOY, PLAN, REAL, SECOND
from tests.plan_support import KDF
from tests.public_helpers import follow_link
from tests.served import fire

TIMEOUT = 120.0
# Two of each at once: every try counts as wrong until it proves right (safety_plan's limit, 5 free tries), so
# more than five right ones at the same instant would see the wait, on either path alike.
SESSIONS_PER_PATH = 2
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
_SID = re.compile(r"__Host-sid=([^;]*)")


def _session(live, partner_id) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    """A fresh session of hers (cookie handled by hand: __Host- cookies are Secure, loopback is http)."""
    with httpx.Client(base_url=live.url, timeout=TIMEOUT) as http:
        opened = follow_link(http, live.invite_path(partner_id))
        found = _SID.search(opened.headers.get("set-cookie", ""))
        assert opened.status_code == 303 and found
        cookie = f"__Host-sid={found.group(1)}"
        page = http.get("/plan", headers={"Cookie": cookie})
        token = _CSRF.search(page.text)
        assert page.status_code == 200 and token
        return cookie, token.group(1)


def _shape(response: httpx.Response) -> tuple[object, ...]:
    headers = sorted((name.lower(), _SID.sub("__Host-sid=<id>", value)) for name, value in
                     response.headers.multi_items() if name.lower() != "date")
    return response.status_code, response.headers.get("location"), tuple(headers), len(response.content)


def test_real_and_duress_openings_at_once_answer_alike_and_give_one_task(live_server_factory):
    from portal.services.her import safety_plan
    from portal.services.her.her_access import partner_actor
    from tests.factories import context

    live = live_server_factory()
    live.app.config["PLAN_OPEN_FLOOR_SECONDS"] = 0  # shape only: no need to wait out the floor here
    world = served_world(live, status=PartnerStatus.ACTIVE)
    with live.db() as db:
        partner = db.get(PartnerContact, world.partner.id)
        safety_plan.create(context(db, live.vault, live.audit_key, live.now(), partner_actor(partner.id)), partner,
                           REAL, duress_passphrase=SECOND, decoy=DECOY, content=PLAN, kdf=KDF)
        db.commit()
    passphrases = [REAL, SECOND] * SESSIONS_PER_PATH
    sessions = [_session(live, world.partner.id) for _ in passphrases]

    def open_plan(index: int) -> httpx.Response:
        cookie, token = sessions[index]
        with httpx.Client(base_url=live.url, timeout=TIMEOUT) as http:  # a connection of its own each
            return http.post("/plan/open", data={"csrf_token": token, "passphrase": passphrases[index]},
                             headers={"Cookie": cookie, "Referer": live.url + "/plan"})

    answers = fire(len(passphrases), open_plan)
    shapes = {_shape(answer) for answer in answers}
    assert len(shapes) == 1, shapes
    status, location, _headers, _length = shapes.pop()
    assert status == 303 and location == "/plan"
    with live.db() as db:
        tasks = db.scalar(select(func.count()).select_from(Task).where(Task.partner_id == world.partner.id,
                                                                       Task.kind == TaskKind.PLAN_DURESS))
        assert tasks == 1
        assert db.get(PartnerContact, world.partner.id).texts_held_since is not None
    # Each session then shows the plan its passphrase opened (her people, or the harmless plan's none).
    pages = []
    for (cookie, _token), passphrase in zip(sessions, passphrases, strict=True):
        with httpx.Client(base_url=live.url, timeout=TIMEOUT) as http:
            page = http.get("/plan/part/people", headers={"Cookie": cookie})
        assert page.status_code == 200
        assert (PLAN.fields["people.contacts"] in page.text) == (passphrase == REAL)
        pages.append((page.status_code, sorted(name.lower() for name in page.headers if name.lower() != "date")))
    assert all(page == pages[0] for page in pages)
