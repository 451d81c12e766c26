"""Telling her worker, in Chromium with JavaScript on and off: an ordinary link on every page of hers leads to
the confirm page (DESIGN §8); a note is sent only by its own POST button there, and her worker gets the task."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.models import PartnerStatus, Severity, Task
from tests.browser.conftest import axe_violations
from tests.browser.her_world import arrange_world, open_her_link

pytestmark = pytest.mark.browser


def _tasks(live, partner_id):  # type: ignore[no-untyped-def]
    with live.db() as db:
        return [(task.kind, task.severity, task.assignee_id)
                for task in db.scalars(select(Task).where(Task.partner_id == partner_id).order_by(Task.created_at))]


@pytest.mark.parametrize("note, kind", [("note-1", "her_less_safe"), ("note-2", "her_separation")])
def test_the_link_leads_to_the_confirm_page_and_its_button_tells_her_worker(live_server, new_page, javascript,
                                                                           note, kind):
    world = arrange_world(live_server, status=PartnerStatus.ACTIVE)
    page = new_page(javascript=javascript)
    open_her_link(page, live_server.url + live_server.invite_path(world.partner.id))
    page.goto(live_server.url + "/online")

    link = page.locator("#menu").get_by_role("link", name="Send a note to your worker")
    assert link.count() == 1 and page.locator("#menu form button", has_text="less safe").count() == 0
    link.click()
    page.wait_for_url("**/message")
    assert page.get_by_role("heading", level=1).inner_text() == "Send a note to your worker"
    assert _tasks(live_server, world.partner.id) == []  # opening the page sends nothing
    assert not javascript or axe_violations(page) == []  # axe-core runs in the page: JavaScript on only

    # The note is read one tap further, under a neutral heading; its own button sends it.
    words = page.locator(f"#{note} .note-text")
    assert not words.is_visible()
    page.locator(f"#{note} summary").click()
    assert words.is_visible()
    assert not javascript or axe_violations(page) == []
    page.locator(f"#{note} button[type=submit]").click()
    page.wait_for_url("**/message/sent")
    assert page.get_by_role("heading", level=1).inner_text() == "Your note has been sent"
    assert "Your worker has been told" in page.locator("main").inner_text()
    assert not javascript or axe_violations(page) == []
    assert _tasks(live_server, world.partner.id) == [(kind, Severity.URGENT, world.worker.id)]

    page.reload()  # the confirmation shows once; a reload sends nothing again
    page.wait_for_url("**/home")
    assert len(_tasks(live_server, world.partner.id)) == 1


def test_going_back_from_the_confirm_page_sends_nothing(live_server, new_page, javascript):
    world = arrange_world(live_server, status=PartnerStatus.ACTIVE)
    page = new_page(javascript=javascript)
    open_her_link(page, live_server.url + live_server.invite_path(world.partner.id))
    page.goto(live_server.url + "/message")
    page.locator("#note-1 summary").click()
    page.get_by_role("link", name="Go back without sending anything").click()
    page.wait_for_url("**/home")
    assert _tasks(live_server, world.partner.id) == []
