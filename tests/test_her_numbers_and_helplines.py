"""Numbers read left to right in every language (bidi isolation), and the helplines the admin marks are on
every page of hers, in her language, falling back to the default language's (never blank)."""

from __future__ import annotations

import re
import uuid

import pytest
from flask import render_template_string, url_for

from portal.models import Helpline
from tests.factories import login_as
from tests.public_helpers import choose_language, open_link
from tests.staff_console import post_form

HER_PAGES = ("public.home", "public.about", "public.patterns", "public.sharing", "public.support", "public.online",
             "public.choices", "public.pin", "public.contact", "public.stop")


def url(app, endpoint: str, **values: object) -> str:  # type: ignore[no-untyped-def]
    with app.test_request_context():
        return url_for(endpoint, **values)


@pytest.fixture
def lines(dbs):  # type: ignore[no-untyped-def]
    dbs.add(Helpline(id=uuid.uuid4(), locale="en", name="Night line", phone="+44 808 2000 247", hours="24 hours",
                     on_every_page=True))
    dbs.add(Helpline(id=uuid.uuid4(), locale="en", name="Day line", phone="0800 111", hours="9:00–17:00"))
    dbs.add(Helpline(id=uuid.uuid4(), locale="de", name="Hilfetelefon", phone="116 016", hours="rund um die Uhr",
                     on_every_page=True))
    dbs.commit()


def test_the_filters_isolate_numbers_and_dial_only_digits(app):
    with app.test_request_context():
        assert render_template_string("{{ '+44 808 2000'|tel }}") == \
            '<a href="tel:+448082000" dir="ltr">+44 808 2000</a>'
        assert render_template_string("{{ '٠٨٠٨ 123'|tel }}") == '<a href="tel:0808123" dir="ltr">٠٨٠٨ 123</a>'
        assert render_template_string("{{ '<b>1</b>'|ltr }}") == '<bdi dir="ltr">&lt;b&gt;1&lt;/b&gt;</bdi>'
        assert 'href="tel:1"' in render_template_string("{{ '1\"><script>'|tel }}")
        assert "<script>" not in render_template_string("{{ '1\"><script>'|tel }}")


@pytest.mark.parametrize("locale", ["en", "de", "ar"])
def test_every_page_of_hers_shows_the_marked_helplines_in_her_language(app, client, dbs, world, clock, lines,
                                                                        locale):
    open_link(client, dbs, world.partner, clock)
    if locale != "en":
        choose_language(app, client, locale)
    for endpoint in HER_PAGES:
        html = client.get(url(app, endpoint)).get_data(as_text=True)
        footer = html.split('<footer class="foot">', 1)[1]
        assert '<details class="lines-foot">' in footer, endpoint
        if locale == "de":
            assert "Hilfetelefon" in footer and "Night line" not in footer, endpoint
            assert '<a href="tel:116016" dir="ltr">116 016</a>' in footer
        else:  # English's own, and Arabic has none: the default language's, marked as English
            assert "Night line" in footer and "Hilfetelefon" not in footer, endpoint
            assert "Day line" not in footer  # not marked for every page
            assert '<a href="tel:+448082000247" dir="ltr">+44 808 2000 247</a>' in footer
            if locale == "ar":
                assert re.search(r'<li lang="en" dir="ltr"><strong>Night line</strong>', footer), endpoint


def test_the_emergency_number_is_isolated_on_every_page_of_hers(app, client, dbs, world, clock):
    open_link(client, dbs, world.partner, clock)
    choose_language(app, client, "ar")
    for endpoint in HER_PAGES:
        html = client.get(url(app, endpoint)).get_data(as_text=True)
        assert '<a href="tel:999" dir="ltr">999</a>' in html, endpoint
        assert not re.search(r'<a href="tel:[^"]*">', html.replace(' dir="ltr">', "")), endpoint


def test_her_help_page_falls_back_to_the_default_language_never_blank(app, client, dbs, world, clock, lines):
    open_link(client, dbs, world.partner, clock)
    choose_language(app, client, "ar")
    html = client.get(url(app, "public.support")).get_data(as_text=True)
    main = html.split("<main", 1)[1].split("</main>", 1)[0]
    assert "Night line" in main and "Day line" in main and '<bdi>9:00–17:00</bdi>' in main
    assert '<li lang="en" dir="ltr"><strong>Day line</strong>' in main


def test_pages_without_her_session_show_no_helplines(app, client, dbs, world, clock, lines):
    for path in (url(app, "public.index"), "/v/" + "Q" * 22):
        html = client.get(path).get_data(as_text=True)
        assert "lines-foot" not in html and "Night line" not in html, path


def test_no_marked_line_means_no_footer_list(app, client, dbs, world, clock):
    dbs.add(Helpline(id=uuid.uuid4(), locale="en", name="Day line", phone="0800 111", hours=""))
    dbs.commit()
    open_link(client, dbs, world.partner, clock)
    assert "lines-foot" not in client.get(url(app, "public.home")).get_data(as_text=True)


def test_the_admin_marks_a_line_for_every_page(app, dbs, world, clock):
    admin = app.test_client()
    login_as(admin, world.admin)
    response = post_form(admin, "/staff/admin/helplines", {"locale": "en", "name": "Night line",
                                                           "phone": "0808 000 0000", "hours": "",
                                                           "position": "0", "on_every_page": "1"})
    assert response.status_code == 303
    line = dbs.query(Helpline).one()
    assert line.on_every_page
    assert "(every page)" in admin.get("/staff/admin/helplines").get_data(as_text=True)
