"""Least privilege and small things staff expect: the role is a required choice, the authenticator set-up
shows a server-drawn QR code beside the key, the audit log names who and what; and the development SMS
output (issue 10, items 14 and 15)."""

from __future__ import annotations

import io
import re

import pytest
import segno
from sqlalchemy import select

from portal.config import ConfigError, load_settings
from portal.models import StaffUser
from portal.services.casework.casework import case_label
from portal.sms.console_backend import ConsoleGateway
from portal.sms.factory import gateway_from_settings
from portal.sms.gateway import OutboundSms
from tests.factories import STAFF_PASSWORD, login_as
from tests.staff_console import password_step, post_form


@pytest.fixture
def admin(client, world):
    login_as(client, world.admin)
    return client


def test_create_an_account_has_no_default_role(admin):
    page = admin.get("/staff/admin/users").data.decode()
    form = page[page.index('id="new-account"'):]
    assert 'type="radio" name="role"' in form and "<select" not in form.split('name="role"')[0][-200:]
    assert " checked" not in form.split("</fieldset>")[0]  # no role is chosen for the admin
    assert "selected" not in re.sub(r'<select id="service_id".*?</select>', "", form, flags=re.S)


def test_an_account_without_a_role_is_refused_with_a_message(admin, dbs, world):
    response = post_form(admin, "/staff/admin/users", {"display_name": "New Person", "email": "new@example.org",
                                                        "service_id": ""}, page="/staff/admin/users")
    assert response.status_code == 400
    assert "Choose a role." in response.data.decode()
    assert dbs.scalar(select(StaffUser).where(StaffUser.email == "new@example.org")) is None
    chosen = post_form(admin, "/staff/admin/users", {"display_name": "New Person", "email": "new@example.org",
                                                      "role": "support_worker", "service_id": str(world.service.id)},
                       page="/staff/admin/users")
    assert chosen.status_code == 200
    assert dbs.scalar(select(StaffUser.role).where(StaffUser.email == "new@example.org")) == "support_worker"


def test_authenticator_set_up_shows_a_server_drawn_qr_code_of_the_key(client, world):
    assert password_step(client, world.worker.email, STAFF_PASSWORD).status_code == 303
    response = client.get("/staff/sign-in/authenticator")
    page = response.data.decode()
    assert "no-store" in response.headers["Cache-Control"]
    uri = re.search(r'id="totp-uri">([^<]+)<', page).group(1).replace("&amp;", "&")
    assert world.totp["worker"] in uri
    svg = re.search(r'<figure class="qr" id="totp-qr">(<svg.*?</svg>)</figure>', page, re.S).group(1)
    assert 'role="img"' in svg and "<title>QR code of your authenticator key</title>" in svg
    assert "viewBox=" in svg and "width=" not in svg  # scales to its box whole (a fixed size was clipped)
    assert "style=" not in svg and "<script" not in page and "<img" not in page  # the strict CSP holds
    expected = segno.make(uri, error="m", micro=False).svg_inline(scale=5, border=4, lineclass=None)
    path = re.search(r' d="([^"]+)"', expected).group(1)
    assert path in svg  # the code is the key's otpauth URI, module for module
    assert page.index('id="totp-qr"') < page.index('id="totp-secret"')


def test_the_audit_log_says_who_and_what_by_name(admin, dbs, world, client):
    login_as(client, world.worker)
    client.get(f"/staff/cases/{world.partner.id}")  # an audited read of her record
    login_as(client, world.admin)
    page = admin.get("/staff/admin/audit").data.decode()
    table = page[page.index("<tbody>"):page.index("</tbody>")]
    assert world.worker.display_name in table and "Viewed her details" in table
    assert f"Case {case_label(world.partner.id)}" in table and "why: her case page" in table
    assert str(world.partner.id) not in table and str(world.worker.id) not in table
    assert "partner.read" not in table and "<code>" not in table
    assert " UTC" not in page


def message(body="Hi, your appointment details: https://portal.test/v/abc"):
    return OutboundSms("+447700900123", body, 3600, None)


def test_development_prints_the_text_and_her_link_clearly_marked(app):
    settings = load_settings(environ={}, instance_path=app.instance_path,
                             overrides={"data_keys": app.config["PORTAL"].data_keys,
                                        "index_key": app.config["PORTAL"].index_key,
                                        "secret_key": app.config["PORTAL"].secret_key})
    assert settings.env == "development" and settings.sms_backend == "console"
    out = io.StringIO()
    gateway = gateway_from_settings(settings, out=out)
    gateway.send(message())
    printed = out.getvalue()
    assert "[development SMS to +44…0123] Hi, your appointment details: https://portal.test/v/abc" in printed
    assert "development only: not sent to any phone" in printed


def test_any_other_environment_keeps_the_text_hidden(app):
    out = io.StringIO()
    settings = load_settings(environ={"PORTAL_ENV": "staging"}, instance_path=app.instance_path,
                             overrides={"data_keys": app.config["PORTAL"].data_keys,
                                        "index_key": app.config["PORTAL"].index_key,
                                        "secret_key": app.config["PORTAL"].secret_key})
    gateway_from_settings(settings, out=out).send(message())
    assert "text not shown" in out.getvalue() and "appointment" not in out.getvalue()
    quiet = io.StringIO()
    ConsoleGateway(out=quiet).send(message())  # the backend's own default is hidden too
    assert "appointment" not in quiet.getvalue() and "0123" not in quiet.getvalue()


def test_production_cannot_print_texts(app):
    with pytest.raises(ConfigError, match="PORTAL_SMS_BACKEND=console prints messages"):
        load_settings(environ={"PORTAL_ENV": "production", "PORTAL_SMS_BACKEND": "console"},
                      instance_path=app.instance_path)


def test_every_audited_action_has_words_on_the_audit_page():
    from pathlib import Path

    from portal.console.audit_labels import ACTION

    source = "\n".join(path.read_text() for path in Path("portal").rglob("*.py"))
    written = set()
    for call in re.finditer(r"\b(?:record|\.audit)\(", source):  # the first action-shaped literal of each call
        found = re.search(r'f?"([a-z_]+(?:\.[a-z_]+)+)"', source[call.end():call.end() + 300])
        if found and not found.group(0).startswith("f"):
            written.add(found.group(1))
    assert written, "no audit actions found"
    assert sorted(written - set(ACTION)) == []
