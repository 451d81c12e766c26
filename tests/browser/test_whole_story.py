"""The whole story in a real browser: a facilitator reports dropout → her worker sees the task → she gets the
discreet message in her safe window (console SMS backend, the worker's --once pass; its fan-out pass made the task)
→ her worker logs the call."""

from __future__ import annotations

import io

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from portal.models import ContactLogEntry, Notification, PartnerStatus, Preferences, Task, Tell
from portal.sms.discretion import problems
from portal.worker import build_dispatcher, run
from tests.browser.conftest import axe_violations
from tests.browser.her_world import arrange_world
from tests.browser.staff_pages import sign_in
from tests.fanout_support import fan_out

pytestmark = pytest.mark.browser


def test_dropout_reaches_her_and_her_worker_logs_the_call(live_server, new_page):
    live = live_server
    live.app.config["EVENT_RESPONSE_FLOOR_SECONDS"] = 0.05
    world = arrange_world(live, status=PartnerStatus.ACTIVE)
    with live.db() as db:
        prefs = db.scalar(select(Preferences).where(Preferences.partner_id == world.partner.id))
        prefs.channel_sms = True
        prefs.tell_dropout = Tell.BOTH  # a message, and a call from her worker
        db.commit()

    # 1. The facilitator reports that he dropped out.
    # The console ships no script at all; JavaScript is on only so that axe-core can run in the page.
    fac = new_page(javascript=True, viewport={"width": 1200, "height": 900})
    sign_in(fac, live.url, world.facilitator.email, world.totp["facilitator"])
    fac.click("text=My programmes")
    fac.click(f"main a:text-is('{world.programme.name}')")
    fac.click(f"text={world.participant.reference}")
    fac.check("input[name=kind][value=dropout]")
    fac.fill("#description", "Has not attended for three weeks")
    with fac.expect_navigation():  # POST, 303, then the page: content() mid-navigation reads ""
        fac.click("text=Send report")
    expect(fac.locator("body")).to_contain_text("Thank you. The report is recorded.")
    assert axe_violations(fac) == []
    assert "Sam Example" not in fac.content()

    # 1b. The dispatcher process (`flask --app portal worker`, within seconds) makes her side of the report.
    assert fan_out(live.app) == 1

    # 2. Her worker sees the task, asking for a call.
    wrk = new_page(javascript=True, viewport={"width": 1200, "height": 900})
    sign_in(wrk, live.url, world.worker.email, world.totp["worker"])
    wrk.click("nav >> text=Tasks")
    row = wrk.locator("tr", has_text="Dropped out")
    assert row.count() == 1 and "She asked for a call" in row.inner_text()
    assert "Urgent" in row.inner_text()
    assert axe_violations(wrk) == []

    # 3. The SMS worker's --once pass sends her the discreet warning inside her safe window.
    with live.app.app_context():  # as `flask --app portal worker --once` runs it
        dispatcher = build_dispatcher(live.app, out=io.StringIO())
        run(dispatcher, once=True, poll_seconds=0.1, echo=lambda _line: None)
    [sent] = dispatcher.gateway.messages.values()
    assert sent.to == "+447400123456"
    assert problems(sent.body, names=["Sam", "Example"]) == []
    with live.db() as db:
        note = db.scalar(select(Notification).where(Notification.kind == "warning"))
        assert note.state == "delivered" and note.partner_id == world.partner.id

    # 4. Her worker opens the task, sees the message was delivered, and logs the call.
    with wrk.expect_navigation():
        row.locator("a").first.click()
    expect(wrk.locator("body")).to_contain_text("Delivered")
    assert axe_violations(wrk) == []
    wrk.click("text=Log a contact for this task")
    wrk.check("input[name=reached]")
    wrk.check("input[name=safe_to_talk][value=yes]")
    wrk.select_option("#outcome", "talked")
    wrk.check("input[name=information][value=safety_planning]")
    wrk.fill("#notes", "Reviewed her safety plan after his dropout")
    wrk.fill("#next_step", "Call again on Friday")
    with wrk.expect_navigation():
        wrk.click("main button[type=submit]")
    expect(wrk.locator("body")).to_contain_text("Contact logged.")
    assert "Reviewed her safety plan after his dropout" in wrk.content()
    assert axe_violations(wrk) == []  # her case page
    with live.db() as db:
        entry = db.scalar(select(ContactLogEntry))
        task = db.scalar(select(Task).where(Task.kind == "event_dropout"))
        assert entry.outcome == "talked" and entry.safe_to_talk == "yes" and entry.worker_id == world.worker.id
        assert task.done_at is not None
