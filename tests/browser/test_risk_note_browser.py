"""Her worker, in a real browser at 360 px, records her agreement to a risk note going to his programme (the tick
that she was told what a note shows), sends a note (one with her number is refused first, nothing lost), and his
programme's facilitator sees it on his page as "from the partner support service", and nothing else of her.
Every page passes axe-core (WCAG 2.2 AA), has no script and does not scroll sideways; screenshots go to
/tmp/risknote-*.png."""

from __future__ import annotations

import pytest

from tests.browser.conftest import PHONE
from tests.browser.staff_pages import check_console_page, sign_in
from tests.factories import served_world

pytestmark = pytest.mark.browser

NOTE = "He said he will wait outside the school gates on Friday. He has been drinking heavily this week."


def shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    page.screenshot(path=f"/tmp/risknote-{name}.png", full_page=True)


def test_her_worker_records_her_agreement_sends_a_note_and_his_facilitator_sees_it(live_server, new_page):
    world = served_world(live_server)
    base = live_server.url
    case = f"{base}/staff/cases/{world.partner.id}"
    problems: list[tuple[str, object]] = []
    page = new_page(javascript=True, viewport=PHONE)  # JavaScript only for axe-core: the console ships no script
    sign_in(page, base, world.worker.email, world.totp["worker"])

    page.goto(case)
    page.locator("#risk-notes").scroll_into_view_if_needed()
    assert "is not recorded" in page.inner_text("#risk-notes ~ p")
    with page.expect_navigation():
        page.click("text=Send a risk note to his programme")
    check_console_page(page, "risk note (no agreement)", problems)
    shot(page, "form-no-agreement")
    with page.expect_navigation():
        page.click("text=Record it on her sharing record")

    # Her agreement: without the tick it is refused and said so.
    page.select_option("#a_agency", "programme")
    page.check("input[name=a_information][value=risk]")
    page.select_option("#a_how", "phone")
    with page.expect_navigation():
        page.click("form:has(input[value=agree]) button[type=submit]")
    assert "Tell her first" in page.inner_text("#a_told-error")
    check_console_page(page, "sharing (refused)", problems)
    shot(page, "sharing-refused")
    page.check("input[name=a_told]")
    with page.expect_navigation():
        page.click("form:has(input[value=agree]) button[type=submit]")
    assert "His programme (the staff of his course)" in page.inner_text("#now ~ ul.sharing-state")

    page.goto(case + "/risk-note")
    assert "She agreed on" in page.inner_text("main")
    page.fill("#text", NOTE + " She is on 07400 123 456.")
    page.check("input[name=told]")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert "her phone number" in page.inner_text("#text-error")
    assert "07400 123 456" in page.input_value("#text")  # nothing typed is lost
    check_console_page(page, "risk note (refused)", problems)
    shot(page, "form-refused")
    page.fill("#text", NOTE)
    page.check("input[name=told]")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert NOTE in page.inner_text("#sent ~ ul.records")
    check_console_page(page, "risk note (sent)", problems)
    shot(page, "sent")

    fac = new_page(javascript=True, viewport=PHONE)
    sign_in(fac, base, world.facilitator.email, world.totp["facilitator"])
    fac.goto(f"{base}/staff/my-programmes/{world.programme.id}/participants/{world.participant.id}")
    section = fac.inner_text("#from-partner-support")
    assert "From the partner support service" in section and NOTE in section
    main = fac.inner_text("main")
    for hers in ("Sam", "07400", "sam@example.org", world.worker.display_name, str(world.partner.id)):
        assert hers not in main
    check_console_page(fac, "his page with the note", problems)
    shot(fac, "facilitator")
    assert problems == []
