"""Her own voice: "I feel less safe" and "I am separating" reach her worker from every page (WWP EN B.4)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from portal.models import AuditEvent, Severity, Task
from tests.public_helpers import open_link, post


def _tasks(dbs, partner_id, kind):  # type: ignore[no-untyped-def]
    return list(dbs.scalars(select(Task).where(Task.partner_id == partner_id, Task.kind == kind)))


def test_every_page_links_to_the_confirm_page_which_has_one_button_per_report(client, dbs, world, clock):
    open_link(client, dbs, world.partner, clock)
    for path in ("/home", "/choices", "/contact", "/about", "/faq", "/privacy", "/help", "/online",
                 "/pin", "/unsubscribe"):
        page = client.get(path).get_data(as_text=True)
        assert 'href="/message"' in page, path  # an ordinary link, one tap from every page
        assert 'name="kind"' not in page, path  # nothing is sent from the page itself (item 8: no slip)
    confirm = client.get("/message").get_data(as_text=True)
    assert confirm.count('<form method="post" action="/message"') == 2
    assert confirm.count('name="kind" value="less_safe"') == 1 and confirm.count('name="kind" value="separating"') == 1
    assert dbs.scalar(select(Task).where(Task.partner_id == world.partner.id)) is None  # GET sent nothing


def test_feeling_less_safe_creates_an_urgent_task_for_her_worker(client, dbs, world, clock):
    open_link(client, dbs, world.partner, clock)
    response = post(client, "/message", {"kind": "less_safe"}, token_from="/home")
    assert response.status_code == 303 and response.headers["Location"].endswith("/message/sent")
    [task] = _tasks(dbs, world.partner.id, "her_less_safe")
    assert task.severity == Severity.URGENT
    assert task.assignee_id == world.worker.id
    assert task.due_at == clock.now() + timedelta(hours=4)
    page = client.get("/message/sent").get_data(as_text=True)
    assert "Your worker has been told" in page
    assert client.get("/message/sent").headers["Location"].endswith("/home")  # the confirmation shows once


def test_separation_starts_six_months_of_high_risk_and_alerts_her_worker(client, dbs, world, clock):
    open_link(client, dbs, world.partner, clock)
    post(client, "/message", {"kind": "separating"}, token_from="/home")
    dbs.refresh(world.partner)
    assert world.partner.high_risk_from == clock.now()
    assert world.partner.high_risk_until == datetime(2026, 9, 2, 10, 0, tzinfo=UTC)  # six calendar months
    [task] = _tasks(dbs, world.partner.id, "her_separation")
    assert task.severity == Severity.URGENT
    # She chose no calls and no texts: her page does not promise check-ins (tests/test_promises_high_risk.py
    # covers the page when she did choose a way).
    page = client.get("/message/sent").get_data(as_text=True)
    assert "your worker will not contact you to check in" in page and "six months" not in page


def test_a_second_tap_does_not_pile_up_duplicate_alerts_but_a_later_one_does(client, dbs, world, clock):
    open_link(client, dbs, world.partner, clock)
    post(client, "/message", {"kind": "less_safe"}, token_from="/home")
    post(client, "/message", {"kind": "less_safe"}, token_from="/home")
    assert len(_tasks(dbs, world.partner.id, "her_less_safe")) == 1
    clock.advance(minutes=61)
    open_link(client, dbs, world.partner, clock)
    post(client, "/message", {"kind": "less_safe"}, token_from="/home")
    assert len(_tasks(dbs, world.partner.id, "her_less_safe")) == 2
    audits = list(dbs.scalars(select(AuditEvent).where(AuditEvent.action == "her_report.less_safe")))
    assert len(audits) == 3


def test_an_unknown_report_kind_is_refused_without_an_alert(client, dbs, world, clock):
    open_link(client, dbs, world.partner, clock)
    response = post(client, "/message", {"kind": "<script>"}, token_from="/home")
    assert response.status_code == 400
    assert dbs.scalar(select(Task).where(Task.partner_id == world.partner.id)) is None
