"""The server side of the quick exit: her session ends, the browser is told to forget the site, no referrer."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select

from portal.models import Helpline, WebSession
from portal.services.admin import deployment
from tests.public_helpers import open_link


def test_exit_ends_her_session_clears_site_data_and_leaves_for_the_neutral_site(client, dbs, world, clock):
    open_link(client, dbs, world.partner, clock)
    assert dbs.scalar(select(func.count()).select_from(WebSession)) == 1
    response = client.get("/exit")
    assert response.status_code == 303
    assert response.headers["Location"] == "https://neutral.example/weather"
    assert response.headers["Clear-Site-Data"] == '"cache", "cookies", "storage"'
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["Cache-Control"].startswith("no-store")
    assert "__Host-sid=;" in response.headers["Set-Cookie"]
    assert dbs.scalar(select(func.count()).select_from(WebSession)) == 0
    back = client.get("/choices")  # what Back reloads: no session, so only the neutral start page
    assert back.status_code == 303 and back.headers["Location"] == "/"


def test_the_background_exit_ends_her_session_and_clears_site_data_without_a_csrf_token(client, dbs, world, clock):
    """POST /exit is what the exit script sends (navigator.sendBeacon) while the neutral site loads."""
    open_link(client, dbs, world.partner, clock)
    assert dbs.scalar(select(func.count()).select_from(WebSession)) == 1
    response = client.post("/exit")  # no token: a beacon carries none, and it can only end her own session
    assert response.status_code == 204 and response.get_data() == b""
    assert response.headers["Clear-Site-Data"] == '"cache", "cookies", "storage"'
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["Cache-Control"].startswith("no-store")
    assert "__Host-sid=;" in response.headers["Set-Cookie"]
    assert dbs.scalar(select(func.count()).select_from(WebSession)) == 0
    back = client.get("/choices")
    assert back.status_code == 303 and back.headers["Location"] == "/"


def test_the_exit_link_names_the_neutral_site_for_the_script(client, dbs, world, clock):
    deployment.save(dbs, "exit_url", "https://weather.example/today")
    dbs.commit()
    open_link(client, dbs, world.partner, clock)
    page = client.get("/home").get_data(as_text=True)
    assert 'id="exit" href="/exit" data-away="https://weather.example/today"' in page


def test_exit_works_without_any_session(client):
    response = client.get("/exit")
    assert response.status_code == 303
    assert "Set-Cookie" not in response.headers


def test_the_exit_site_comes_from_the_deployment_settings(client, dbs):
    deployment.save(dbs, "exit_url", "https://weather.example/today")
    dbs.commit()
    assert client.get("/exit").headers["Location"] == "https://weather.example/today"


def test_the_site_name_and_emergency_number_come_from_the_deployment_settings(client, dbs, world, clock):
    deployment.save(dbs, "site_name", "Bookings")
    deployment.save(dbs, "emergency_number", "112")
    dbs.commit()
    page = client.get("/").get_data(as_text=True)
    assert "<title>Bookings</title>" in page
    assert "tel:" not in page  # the start page, without her session, shows no emergency line
    open_link(client, dbs, world.partner, clock)
    home = client.get("/home").get_data(as_text=True)
    assert "Bookings" in home and 'href="tel:112"' in home and "In an emergency, call" in home


def test_helplines_are_shown_per_language_with_the_default_language_as_fallback(client, dbs, world, clock):
    dbs.add(Helpline(id=uuid.uuid4(), locale="en", name="Night line", phone="0808 000 0000", hours="24 hours"))
    dbs.add(Helpline(id=uuid.uuid4(), locale="de", name="Hilfetelefon", phone="116 016", hours="rund um die Uhr"))
    dbs.commit()
    open_link(client, dbs, world.partner, clock)
    english = client.get("/help?lang=en").get_data(as_text=True)
    assert "Night line" in english and 'href="tel:08080000000"' in english and "Hilfetelefon" not in english
    assert "Hilfetelefon" in client.get("/help?lang=de").get_data(as_text=True)
    assert "Night line" in client.get("/help?lang=ar").get_data(as_text=True)  # none for ar: the default
