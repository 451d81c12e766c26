"""Her plan on her worker's side in a real browser (JavaScript on: the console ships no script anyway): her case
page says her plan is sealed, then links to the copy she shares, shown in her order; a duress opening's task
says texts are held, and her worker releases them in one step. Every page passes axe-core (WCAG 2.2 AA) with no
sideways scrolling, at 360 px; screenshots go to /tmp."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.models import NotificationKind, PartnerContact, Task, TaskKind
from portal.services.her import safety_plan
from portal.services.her.her_access import partner_actor
from portal.services.messaging.outbox import enqueue
from tests.browser.staff_pages import check_console_page, sign_in
from tests.factories import context, served_world
from tests.plan_console_support import CANARY_DECOY, CANARY_PLAN, DECOY, PLAN, REAL, SECOND
from tests.plan_support import KDF

pytestmark = pytest.mark.browser

SHOTS = "/tmp/plan_console_{}.png"


def _her_ctx(live, db, partner):  # type: ignore[no-untyped-def]
    return context(db, live.vault, live.audit_key, live.now(), partner_actor(partner.id))


def test_her_worker_sees_sealed_then_her_shared_copy_and_releases_texts(live_server, new_page):
    live = live_server
    world = served_world(live)
    world.worker.display_name = "Wren Worker"
    with live.db() as db:
        db.merge(world.worker).display_name = "Wren Worker"
        partner = db.get(PartnerContact, world.partner.id)
        safety_plan.create(_her_ctx(live, db, partner), partner, REAL, duress_passphrase=SECOND, decoy=DECOY,
                           content=PLAN, kdf=KDF)
        db.commit()
    page = new_page(javascript=True)
    problems: list[tuple[str, object]] = []
    sign_in(page, live.url, world.worker.email, world.totp["worker"])
    case = f"{live.url}/staff/cases/{world.partner.id}"

    page.goto(case + "#plan")
    check_console_page(page, "case, sealed", problems)
    assert "It is sealed with her passphrase: nobody here can open it." in page.locator("#plan-sealed").inner_text()
    assert page.locator("#plan-shared").count() == 0 and CANARY_PLAN not in page.content()
    page.locator("#plan").scroll_into_view_if_needed()
    page.screenshot(path=SHOTS.format("case_sealed"))

    with live.db() as db:  # she shares a copy of her plan
        partner = db.get(PartnerContact, world.partner.id)
        opened = safety_plan.open_plan(_her_ctx(live, db, partner), partner, REAL).unlocked
        assert opened is not None
        safety_plan.share(_her_ctx(live, db, partner), partner, opened)
        db.commit()
    page.goto(case)  # a fresh load (the same address with its #plan would only scroll)
    with page.expect_navigation():
        page.locator("#plan-shared a").click()
    check_console_page(page, "shared copy", problems)
    text = page.locator("main").inner_text()
    assert CANARY_PLAN in text and CANARY_DECOY not in text
    assert "She can withdraw it at any time." in text
    assert text.index("Children") < text.index("People she can contact")  # her priorities first
    page.screenshot(path=SHOTS.format("shared_copy"), full_page=True)

    with live.db() as db:  # later, someone makes her open it: the second passphrase
        partner = db.get(PartnerContact, world.partner.id)
        enqueue(db, live.vault, partner, kind=NotificationKind.WARNING, template="warning", now=live.now())
        db.commit()
        assert safety_plan.open_plan(_her_ctx(live, db, partner), partner, SECOND).unlocked is not None
        db.commit()
        task_id = db.scalar(select(Task.id).where(Task.partner_id == partner.id, Task.kind == TaskKind.PLAN_DURESS))
    page.goto(f"{live.url}/staff/tasks/{task_id}")
    check_console_page(page, "duress task, held", problems)
    assert page.locator("#do-not-contact").is_visible()
    assert "Texts to her are held since" in page.locator("#texts-held").inner_text()
    assert "Messages to her waiting: 1." in page.locator("#texts-held").inner_text()
    page.screenshot(path=SHOTS.format("duress_task_held"), full_page=True)
    page.check("#release-confirm")
    with page.expect_navigation():
        page.click("#release-texts button[type=submit]")
    check_console_page(page, "duress task, released", problems)
    assert "Texts to her were released on" in page.locator("#texts-released").inner_text()
    assert "by Wren Worker" in page.locator("#texts-released").inner_text()
    page.screenshot(path=SHOTS.format("duress_task_released"), full_page=True)
    with live.db() as db:
        assert db.get(PartnerContact, world.partner.id).texts_held_since is None
    assert problems == []
