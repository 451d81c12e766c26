"""In Chromium, with JavaScript on and off: she says she is separating and reads what the product will do; the
dispatcher process runs a week later; her worker sees her high-risk period and the check-in task. And her advance
choice about a STOP texted from her phone, on her choices page. axe-core finds nothing on the pages touched."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from flask import url_for
from playwright.sync_api import expect
from sqlalchemy import select

from portal.clock import FrozenClock
from portal.models import PartnerStatus, Preferences, Task
from portal.worker import build_dispatcher, checkin_rules, run
from tests.browser.conftest import axe_violations
from tests.browser.her_world import arrange_world, open_her_link
from tests.browser.staff_pages import sign_in

pytestmark = pytest.mark.browser

START = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
DESKTOP = {"width": 1200, "height": 900}


def path(live, endpoint: str, **values) -> str:
    """An address of the served app (her paths may be renamed; the endpoints stay)."""
    with live.app.test_request_context():
        return live.url + url_for(endpoint, **values)


def with_calls(live, partner_id) -> None:
    with live.db() as db:
        prefs = db.scalar(select(Preferences).where(Preferences.partner_id == partner_id))
        prefs.channel_call = True
        db.commit()


def test_her_separation_report_promise_and_her_workers_check_in(live_server_factory, new_page, javascript):
    clock = FrozenClock(START)
    live = live_server_factory(clock=clock)
    world = arrange_world(live, status=PartnerStatus.ACTIVE)
    with_calls(live, world.partner.id)

    her = new_page(javascript=javascript)
    open_her_link(her, live.url + live.invite_path(world.partner.id))
    # Telling her worker: an ordinary link on every page to the confirm page, where each note opens under a
    # neutral heading and is sent by its own button.
    her.get_by_role("link", name="Send a note to your worker").first.click()
    her.locator("#note-2 summary").click()
    with her.expect_navigation():
        her.get_by_role("button", name="Send note 2").click()
    her.locator("details.more summary").first.click()  # "What happens next"
    promise = her.locator("#high-risk-period").inner_text()
    assert promise.startswith("Until September 2, 2026, your worker will check in with you more often")
    assert "six months" not in her.content()
    if javascript:
        assert axe_violations(her) == []

    # A week later the dispatcher process (`flask --app portal worker`) makes her worker's check-in task.
    clock.advance(days=7)
    with live.app.app_context():
        dispatcher = build_dispatcher(live.app, out=io.StringIO())
        run(dispatcher, once=True, poll_seconds=0.1, echo=lambda _line: None, rules=checkin_rules(live.app))
    with live.db() as db:
        [task] = db.scalars(select(Task).where(Task.kind == "high_risk_checkin"))
        assert task.partner_id == world.partner.id

    worker = new_page(javascript=True, viewport=DESKTOP)  # JavaScript only so that axe-core can run
    sign_in(worker, live.url, world.worker.email, world.totp["worker"], at=clock.now())
    worker.goto(path(live, "console.worker_case", partner_id=world.partner.id))
    block = worker.locator("section", has=worker.locator("#high-risk")).inner_text()
    assert "From Mar 2, 2026 until Sep 2, 2026." in block
    assert "You get a check-in task every 7 days." in block
    assert "Check in with her (high-risk period)" in worker.content()
    assert axe_violations(worker) == []
    with worker.expect_navigation():
        worker.get_by_role("link", name="Check in with her (high-risk period)").first.click()
    expect(worker.locator("body")).to_contain_text("A scheduled check-in during her high-risk period.")
    assert axe_violations(worker) == []


def test_her_advance_choice_after_stop(live_server, new_page, javascript):
    world = arrange_world(live_server, status=PartnerStatus.ACTIVE)
    with_calls(live_server, world.partner.id)
    her = new_page(javascript=javascript)
    open_her_link(her, live_server.url + live_server.invite_path(world.partner.id))
    her.goto(path(live_server, "public.choices"))
    assert her.locator("#check_after_stop-no").is_checked()  # the default: no
    if javascript:
        assert axe_violations(her) == []
    her.get_by_label("Yes, my worker may call me once to check (only if I chose phone calls)").check()
    her.get_by_role("button", name="Save my choices").click()
    her.wait_for_load_state()
    with live_server.db() as db:
        prefs = db.scalar(select(Preferences).where(Preferences.partner_id == world.partner.id))
        assert prefs.check_after_stop is True
    her.goto(path(live_server, "public.choices"))
    assert her.locator("#check_after_stop-yes").is_checked()
    # Without phone calls among her ways, the choice is explained and nothing she typed is lost.
    her.get_by_label("Phone calls from my support worker").uncheck()
    her.get_by_label("Text messages (SMS)").check()
    her.get_by_role("button", name="Save my choices").click()
    her.wait_for_load_state()
    assert "please also choose phone calls" in her.content()
    assert her.locator("#check_after_stop-yes").is_checked()
    if javascript:
        assert axe_violations(her) == []
