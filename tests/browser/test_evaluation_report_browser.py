"""The admin's evaluation report in a real browser: axe-core finds no WCAG 2.2 AA violation, no script, nothing
scrolls sideways at 1024 or 320 CSS pixels; the charts are images with a title, each followed by its table."""

from __future__ import annotations

import pytest

from tests.browser.staff_pages import check_console_page, sign_in
from tests.factories import make_partner, served_world
from tests.test_evaluation_reports import answer, end, intake

pytestmark = pytest.mark.browser


def test_the_report_page_passes_axe(live_server, new_page):  # type: ignore[no-untyped-def]
    world = served_world(live_server)
    with live_server.db() as db:
        for n in range(1, 14):
            her = make_partner(db, live_server.vault, live_server.audit_key, world.service, world.worker,
                               phone=f"+4474001234{n:02d}")
            if n <= 12:
                answer(db, live_server.vault, her.id, world.programme.id, "intake", intake(n))
            if n <= 8 or n == 13:
                answer(db, live_server.vault, her.id, world.programme.id, "end", end(n))
        db.commit()
    problems: list[tuple[str, object]] = []
    page = new_page(javascript=True, viewport={"width": 1024, "height": 768})
    base = live_server.url
    sign_in(page, base, world.admin.email, world.totp["admin"])
    page.click("nav >> text=Evaluation reports")
    page.wait_for_url("**/staff/admin/evaluation")
    check_console_page(page, "report chooser", problems)
    page.click("main form button[type=submit]")
    page.wait_for_url("**/staff/admin/evaluation?programme=*")
    check_console_page(page, "report", problems)
    assert page.locator("svg[role=img] > title").count() >= 3
    assert page.locator("figure.report-chart + .table-wrap table").count() >= 3
    page.screenshot(path="/tmp/reports-evaluation.png")
    page.locator("figure.report-chart").first.screenshot(path="/tmp/reports-evaluation-chart.png")
    page.locator("table:has(#stage-end)").first.screenshot(path="/tmp/reports-evaluation-end.png") \
        if page.locator("table:has(#stage-end)").count() else None
    page.locator("section:has(#stage-end) .table-wrap").nth(2).screenshot(path="/tmp/reports-evaluation-paired.png")
    page.locator("section:has(#stage-end) .table-wrap").nth(1).screenshot(path="/tmp/reports-evaluation-items.png")
    page.locator("figure:has(#chart-warnings-title)").screenshot(path="/tmp/reports-evaluation-warnings.png")
    page.locator("section:has(#service-figures) .table-wrap").last.screenshot(path="/tmp/reports-evaluation-stops.png")
    page.set_viewport_size({"width": 320, "height": 640})
    page.reload()
    check_console_page(page, "report at 320px", problems)
    page.screenshot(path="/tmp/reports-evaluation-320.png")
    assert problems == [], problems
