"""Her worker's first day in a real browser, on a desktop and at 360 px: the inbox puts the immediate and the
overdue task first with words and shapes, the home page says what needs action now, her case page tells the
whole story, a "she stopped contact" task says "Do not contact her" before anything else, and every console
page touched passes axe-core (WCAG 2.2 AA) with no sideways scrolling (issue 10, items 9, 11 and 13)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from portal.models import ConsentChannel, Severity, Task, TaskKind
from portal.services.audit import SYSTEM
from portal.services.casework.tasks import create_task
from portal.services.her import consent
from tests.browser.conftest import PHONE
from tests.browser.staff_pages import check_console_page, sign_in
from tests.factories import context, make_partner, served_world, set_prefs, set_windows

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 800}


def arrange(live):  # type: ignore[no-untyped-def]
    world = served_world(live)
    now = live.now()
    with live.db() as db:
        set_prefs(db, world.partner.id, channel_sms=True, channel_call=True, shared_phone=True, tell_risk="both")
        set_windows(db, world.partner.id, [(0, 9 * 60, 12 * 60), (2, 17 * 60, 19 * 60)])
        her = db.merge(world.partner)
        routine = create_task(db, her, kind=TaskKind.EVENT_COMPLETED, severity=Severity.ROUTINE, now=now)
        overdue = create_task(db, her, kind=TaskKind.EVENT_DROPOUT, severity=Severity.URGENT,
                              now=now - timedelta(hours=6))
        immediate = create_task(db, her, kind=TaskKind.EVENT_RISK, severity=Severity.IMMEDIATE, now=now,
                                child_risk=True)
        stopped = make_partner(db, live.vault, live.audit_key, db.merge(world.service), db.merge(world.worker),
                               name="Robin Stopped", phone="+447400123777", email=None)
        consent.stop_contact(context(db, live.vault, live.audit_key, now, SYSTEM), stopped, channel=ConsentChannel.WEB)
        db.commit()
        stop_task = db.query(Task).filter(Task.partner_id == stopped.id).one()
        ids = {"routine": routine.id, "overdue": overdue.id, "immediate": immediate.id, "stop": stop_task.id}
    return world, ids


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "360px"])
def test_inbox_case_page_and_stopped_contact_task(live_server, new_page, viewport):
    world, ids = arrange(live_server)
    page = new_page(javascript=True, viewport=viewport)
    problems: list[tuple[str, object]] = []
    # "/console", the address people guess, leads to the staff sign-in
    sign_in(page, live_server.url, world.worker.email, world.totp["worker"], start="/console")

    # Home: what needs action now, most urgent first.
    check_console_page(page, "home", problems)
    act_now = page.locator("section.act-now li")
    assert act_now.count() == 2
    assert act_now.nth(0).inner_text().startswith("▲ Immediate")
    assert act_now.nth(1).inner_text().startswith("● Overdue")

    # Inbox: immediate, then overdue, then by due time; the label is words and a shape, not colour alone.
    page.goto(live_server.url + "/staff/tasks")
    check_console_page(page, "inbox", problems)
    rows = page.locator("table.inbox tbody tr")
    hrefs = [rows.nth(i).locator("a").first.get_attribute("href") for i in range(rows.count())]
    assert hrefs[:3] == [f"/staff/tasks/{ids['immediate']}", f"/staff/tasks/{ids['overdue']}",
                         f"/staff/tasks/{ids['stop']}"]
    assert rows.nth(0).locator(".badge").inner_text() == "▲ Immediate"
    assert rows.nth(1).locator(".badge").inner_text() == "● Overdue"
    assert rows.nth(0).locator(".badge").is_visible()

    # Her case page: the whole story.
    page.goto(live_server.url + f"/staff/cases/{world.partner.id}")
    check_console_page(page, "case", problems)
    story = page.locator("main").inner_text()
    for words in ("Her choices", "Someone else may use her phone", "Do not leave a voicemail", "Monday 09:00–12:00",
                  "Wednesday 17:00–19:00", "English", "Text message and phone call", "Open tasks"):
        assert words in story, words
    assert page.locator("ul.tasks li").first.inner_text().startswith("▲ Immediate")

    # The immediate task with a risk to children shows the steps prompt and what to do.
    page.goto(live_server.url + f"/staff/tasks/{ids['immediate']}")
    check_console_page(page, "immediate task", problems)
    assert page.locator("#what-to-do").is_visible() and page.locator("#child-protection").is_visible()

    # A "she stopped contact" task: the warning comes first and is on the first screen.
    page.goto(live_server.url + f"/staff/tasks/{ids['stop']}")
    check_console_page(page, "stopped-contact task", problems)
    warning = page.locator("#do-not-contact")
    assert warning.is_visible() and warning.get_attribute("role") == "alert"
    assert "Do not contact her" in warning.locator("h2").inner_text()
    box = warning.bounding_box()
    assert box is not None and box["y"] + 40 < viewport["height"], box
    assert page.locator("text=Log a contact for this task").count() == 0

    # A page that does not exist, in the staff layout.
    page.goto(live_server.url + "/console/no-such-page")
    check_console_page(page, "staff 404", problems)
    assert page.locator("#exit").count() == 0 and "Go to the staff console" in page.content()
    assert problems == [], problems
