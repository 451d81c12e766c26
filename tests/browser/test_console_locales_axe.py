"""The console in each of its languages (tests/locales.py: make test sweeps the console's share of en, de, ar and
the day's locale; make test-locales all five): her worker's pages and the facilitator's, with the checks every console
page gets (no script, axe-core with zero violations, no sideways scrolling), in the language the browser asked for
(its sign-out button in that language's words)."""

from __future__ import annotations

import pytest
from flask_babel import force_locale, gettext

from tests.browser.staff_pages import check_console_page, sign_in
from tests.factories import served_world
from tests.locales import console_sweep_locales

pytestmark = pytest.mark.browser

WORKER_PAGES = ("/staff/", "/staff/tasks", "/staff/cases", "/staff/cases/new", "/staff/cases/{partner}",
                "/staff/cases/{partner}/preferences", "/staff/cases/{partner}/risk/new",
                "/staff/cases/{partner}/contacts/new", "/staff/cases/{partner}/children/new",
                "/staff/cases/{partner}/referrals/new", "/staff/cases/{partner}/high-risk",
                "/staff/cases/{partner}/copy", "/staff/conference-approvals", "/staff/account/password",
                "/staff/account/time-zone")
FACILITATOR_PAGES = ("/staff/", "/staff/my-programmes", "/staff/my-programmes/{programme}",
                     "/staff/my-programmes/{programme}/participants/{participant}")


@pytest.mark.parametrize("locale", console_sweep_locales())
def test_the_workers_and_facilitators_pages_pass_axe_in_each_console_language(live_server, new_page, locale):
    world = served_world(live_server)
    ids = {"partner": world.partner.id, "programme": world.programme.id, "participant": world.participant.id}
    with live_server.app.test_request_context(), force_locale(locale):
        sign_out = gettext("Sign out")
    problems: list[tuple[str, object]] = []
    for person, pages in ((world.worker, WORKER_PAGES), (world.facilitator, FACILITATOR_PAGES)):
        page = new_page(javascript=True, viewport={"width": 1024, "height": 768}, locale=locale)
        secret = world.totp["worker" if person is world.worker else "facilitator"]
        sign_in(page, live_server.url, person.email, secret)
        for template in pages:
            path = template.format(**ids)
            response = page.goto(live_server.url + path)
            assert response is not None and response.status == 200, (locale, path, response and response.status)
            assert page.get_attribute("html", "lang") == locale, (path, page.get_attribute("html", "lang"))
            assert page.locator("form.signout button").inner_text().strip() == sign_out, (locale, path)
            check_console_page(page, f"{locale} {path}", problems)
    assert problems == [], problems
