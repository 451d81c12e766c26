"""Admin pages: accounts, programmes and memberships, settings, helplines, API tokens, the audit log."""

from __future__ import annotations

import re
import uuid

import pytest
from sqlalchemy import func, select, update

from portal.crypto import hash_token
from portal.models import (
    AccessToken,
    AuditEvent,
    Helpline,
    Programme,
    ProgrammeMembership,
    Role,
    StaffUser,
    SupportService,
)
from portal.services.admin import deployment
from portal.services.programme.events import api_token
from tests.factories import STAFF_PASSWORD, login_as, make_staff, reloaded
from tests.staff_console import code_for, csrf_from, password_step, post_form, sign_in


@pytest.fixture
def admin(client, world):  # type: ignore[no-untyped-def]
    login_as(client, world.admin)
    return client


def last_audit(dbs) -> AuditEvent:  # type: ignore[no-untyped-def]
    return dbs.scalar(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1))


def secret_on(page: bytes, element_id: str) -> str:
    match = re.search(rf'id="{element_id}">([^<]+)<', page.decode())
    assert match, f"no #{element_id} on the page"
    return match.group(1).strip()


ADMIN_GETS = ["/staff/admin/users", "/staff/admin/programmes", "/staff/admin/settings", "/staff/admin/sharing",
              "/staff/admin/helplines", "/staff/admin/tokens", "/staff/admin/audit"]


def admin_posts(world) -> list[str]:  # type: ignore[no-untyped-def]
    uid, pid = world.worker.id, world.programme.id
    return ["/staff/admin/users", f"/staff/admin/users/{uid}/disable", f"/staff/admin/users/{uid}/enable",
            f"/staff/admin/users/{uid}/reset-authenticator", f"/staff/admin/users/{uid}/reset-password",
            "/staff/admin/services", "/staff/admin/programmes", f"/staff/admin/programmes/{pid}/deactivate",
            f"/staff/admin/programmes/{pid}/members", "/staff/admin/settings", "/staff/admin/sharing",
            "/staff/admin/helplines", "/staff/admin/tokens", "/staff/admin/audit/verify"]


@pytest.mark.parametrize("role", ["worker", "facilitator"])
def test_other_roles_get_404_on_every_admin_page(client, dbs, world, role):
    login_as(client, getattr(world, role))
    token = csrf_from(client.get("/staff/").data)
    before = dbs.scalar(select(func.count()).select_from(AuditEvent))
    for path in ADMIN_GETS:
        assert client.get(path).status_code == 404, path
    for path in admin_posts(world):
        assert client.post(path, data={"csrf_token": token, "email": "x@example.org", "role": "admin",
                                       "name": "x"}).status_code == 404, path
    assert dbs.scalar(select(func.count()).select_from(AuditEvent)) == before
    assert reloaded(dbs, world.worker).is_active
    home = client.get("/staff/").data
    assert b"/staff/admin/" not in home


def test_signed_out_people_are_sent_to_sign_in(client, world):
    for path in ADMIN_GETS:
        response = client.get(path)
        assert response.status_code == 303 and response.headers["Location"].endswith("/staff/sign-in")


def test_admin_sees_admin_links(admin):
    page = admin.get("/staff/").data.decode()
    for path in ADMIN_GETS:
        assert f'href="{path}"' in page


def test_created_account_signs_in_with_one_time_password_then_chooses_its_own(app, admin, dbs, world, clock):
    created = post_form(admin, "/staff/admin/users", {"display_name": "Robin Worker", "email": "Robin@Example.org",
                                                       "role": Role.SUPPORT_WORKER, "service_id": str(world.service.id)})
    assert created.status_code == 200
    one_time = secret_on(created.data, "one-time-password")
    user = dbs.scalar(select(StaffUser).where(StaffUser.email == "robin@example.org"))
    assert user.password_change_required and one_time not in user.password_hash
    assert user.password_hash.startswith("$argon2id$")
    assert (last_audit(dbs).action, last_audit(dbs).object_id) == ("staff.create", str(user.id))
    assert one_time.encode() not in admin.get("/staff/admin/users").data  # shown once only

    robin = app.test_client()
    password_step(robin, "robin@example.org", one_time)
    setup = robin.get("/staff/sign-in/authenticator")
    secret = secret_on(setup.data, "totp-secret").replace(" ", "")
    done = post_form(robin, "/staff/sign-in/authenticator", {"code": code_for(secret, clock)})
    assert done.headers["Location"].endswith("/staff/account/password")
    assert robin.get("/staff/").headers["Location"].endswith("/staff/account/password")
    new = "lantern meadow copper thistle"
    changed = post_form(robin, "/staff/account/password", {"current": one_time, "new": new, "confirm": new})
    assert changed.status_code == 303
    assert robin.get("/staff/").status_code == 200


@pytest.mark.parametrize(("form", "message"), [
    ({"email": "not-an-address"}, b"work email address"),
    ({"role": "superuser"}, b"Choose a role"),
    ({"display_name": ""}, b"name of up to 200"),
    ({"service_id": "garbage"}, b"Choose a support service"),
    ({"service_id": str(uuid.uuid4())}, b"Choose a support service"),
])
def test_account_creation_refuses_bad_input(admin, dbs, world, form, message):
    data = {"display_name": "Sam", "email": "sam.new@example.org", "role": Role.FACILITATOR,
            "service_id": str(world.service.id), **form}
    refused = post_form(admin, "/staff/admin/users", data, page="/staff/admin/users")
    assert refused.status_code == 400 and message in refused.data
    assert dbs.scalar(select(func.count()).select_from(StaffUser)) == 3


def test_duplicate_email_is_refused(admin, world):
    refused = post_form(admin, "/staff/admin/users", {"display_name": "Dup", "email": world.worker.email.upper(),
                                                       "role": Role.FACILITATOR, "service_id": str(world.service.id)})
    assert refused.status_code == 400 and b"exists already" in refused.data


def test_disabling_ends_sessions_and_sign_in(app, admin, dbs, world, clock):
    worker = app.test_client()
    login_as(worker, world.worker)
    assert worker.get("/staff/").status_code == 200
    done = post_form(admin, f"/staff/admin/users/{world.worker.id}/disable", {}, page="/staff/admin/users")
    assert done.status_code == 303
    assert worker.get("/staff/").status_code == 303
    user = reloaded(dbs, world.worker)
    user.totp_confirmed_at = clock.now()
    dbs.commit()
    assert password_step(app.test_client(), world.worker.email, STAFF_PASSWORD).status_code == 400
    assert dbs.scalars(select(AuditEvent.action).order_by(AuditEvent.seq.desc()).limit(2)).all() == [
        "staff.sign_in_refused", "staff.disable"]
    post_form(admin, f"/staff/admin/users/{world.worker.id}/enable", {}, page="/staff/admin/users")
    assert sign_in(app.test_client(), world.worker.email, STAFF_PASSWORD, world.totp["worker"],
                   clock).status_code == 303


def test_an_admin_cannot_disable_themselves(admin, dbs, world):
    refused = post_form(admin, f"/staff/admin/users/{world.admin.id}/disable", {}, page="/staff/admin/users")
    assert refused.status_code == 400 and b"your own account" in refused.data
    assert reloaded(dbs, world.admin).is_active


def test_resetting_the_authenticator_ends_sessions_and_asks_for_a_new_setup(app, admin, dbs, world, clock):
    user = reloaded(dbs, world.worker)
    user.totp_confirmed_at = clock.now()
    dbs.commit()
    worker = app.test_client()
    login_as(worker, reloaded(dbs, world.worker))
    post_form(admin, f"/staff/admin/users/{world.worker.id}/reset-authenticator", {}, page="/staff/admin/users")
    assert worker.get("/staff/").status_code == 303
    again = app.test_client()
    first = password_step(again, world.worker.email, STAFF_PASSWORD)
    assert first.headers["Location"].endswith("/staff/sign-in/authenticator")
    new_secret = secret_on(again.get("/staff/sign-in/authenticator").data, "totp-secret").replace(" ", "")
    assert new_secret != world.totp["worker"]
    assert post_form(again, "/staff/sign-in/authenticator",
                     {"code": code_for(world.totp["worker"], clock)}).status_code == 400
    assert post_form(again, "/staff/sign-in/authenticator",
                     {"code": code_for(new_secret, clock)}).status_code == 303


def test_password_reset_shows_a_new_one_time_password(app, admin, dbs, world, clock):
    reset = post_form(admin, f"/staff/admin/users/{world.worker.id}/reset-password", {}, page="/staff/admin/users")
    one_time = secret_on(reset.data, "one-time-password")
    user = reloaded(dbs, world.worker)
    user.totp_confirmed_at = clock.now()
    dbs.commit()
    assert password_step(app.test_client(), world.worker.email, STAFF_PASSWORD).status_code == 400
    assert sign_in(app.test_client(), world.worker.email, one_time, world.totp["worker"], clock).status_code == 303
    assert reloaded(dbs, world.worker).password_change_required


def test_programmes_services_and_memberships(admin, dbs, vault, audit_key, world):
    assert post_form(admin, "/staff/admin/services", {"name": "North service"},
                     page="/staff/admin/programmes").status_code == 303
    north = dbs.scalar(select(SupportService).where(SupportService.name == "North service"))
    assert post_form(admin, "/staff/admin/programmes", {"name": "Tuesday group", "service_id": str(north.id)},
                     page="/staff/admin/programmes").status_code == 303
    tuesday = dbs.scalar(select(Programme).where(Programme.name == "Tuesday group"))
    assert tuesday.service_id == north.id
    # A worker of another service cannot join; a facilitator can; an admin cannot.
    members = f"/staff/admin/programmes/{tuesday.id}/members"
    refused = post_form(admin, members, {"staff_id": str(world.worker.id)}, page="/staff/admin/programmes")
    assert refused.status_code == 400 and b"their own support service" in refused.data
    assert post_form(admin, members, {"staff_id": str(world.admin.id)},
                     page="/staff/admin/programmes").status_code == 400
    assert post_form(admin, members, {"staff_id": str(world.facilitator.id)},
                     page="/staff/admin/programmes").status_code == 303
    again = post_form(admin, members, {"staff_id": str(world.facilitator.id)}, page="/staff/admin/programmes")
    assert again.status_code == 400 and b"two roles" in again.data
    north_worker, _ = make_staff(dbs, vault, audit_key, Role.SUPPORT_WORKER, north.id)
    dbs.commit()
    assert post_form(admin, members, {"staff_id": str(north_worker.id)},
                     page="/staff/admin/programmes").status_code == 303
    roles = dict(dbs.execute(select(ProgrammeMembership.staff_id, ProgrammeMembership.role)
                             .where(ProgrammeMembership.programme_id == tuesday.id)).all())
    assert roles == {world.facilitator.id: Role.FACILITATOR, north_worker.id: Role.SUPPORT_WORKER}
    membership = dbs.scalar(select(ProgrammeMembership).where(ProgrammeMembership.staff_id == north_worker.id))
    assert post_form(admin, f"/staff/admin/programmes/{tuesday.id}/members/{membership.id}/remove", {},
                     page="/staff/admin/programmes").status_code == 303
    removed_id = membership.id
    dbs.expire_all()
    assert dbs.get(ProgrammeMembership, removed_id) is None
    # A membership id under another programme's URL is not found.
    other = dbs.scalar(select(ProgrammeMembership).where(ProgrammeMembership.staff_id == world.facilitator.id,
                                                         ProgrammeMembership.programme_id == world.programme.id))
    assert post_form(admin, f"/staff/admin/programmes/{tuesday.id}/members/{other.id}/remove", {},
                     page="/staff/admin/programmes").status_code == 404
    assert post_form(admin, "/staff/admin/programmes/not-a-uuid/members", {"staff_id": "x"},
                     page="/staff/admin/programmes").status_code == 404


def settings_form(**changes: str) -> dict[str, str]:
    form = {"site_name": "Appointments", "exit_url": "https://weather.example/today", "emergency_number": "112",
            "child_protection_steps": "Call the duty team.",
            "retention_days": "400", "escalate_after_minutes": "90", "due_immediate": "20", "due_urgent": "120",
            "due_soon": "600", "due_routine": "2880",
            "risk_reassess_days": "90"}
    form.update(changes)
    return form


def test_settings_are_saved_and_audited_by_key_only(admin, app, dbs, world):
    saved = post_form(admin, "/staff/admin/settings", settings_form())
    assert saved.status_code == 303
    view = deployment.load(dbs, "env name", "https://env.example")
    assert (view.exit_url, view.emergency_number, view.retention_days) == ("https://weather.example/today", "112",
                                                                            400)
    assert view.due_minutes == {"immediate": 20, "urgent": 120, "soon": 600, "routine": 2880}
    entry = last_audit(dbs)
    assert entry.action == "deployment.update" and "duty team" not in entry.details and "112" not in entry.details
    page = admin.get("/staff/admin/settings").data.decode()
    assert 'value="https://weather.example/today"' in page and "Call the duty team." in page


@pytest.mark.parametrize(("change", "message"), [
    ({"retention_days": "5"}, b"outside the allowed range"),
    ({"retention_days": "many"}, b"whole number"),
    ({"exit_url": "http://weather.example"}, b"https://"),
    ({"exit_url": "javascript:alert(1)"}, b"https://"),
    ({"emergency_number": "call 999"}, b"digits, spaces"),
    ({"site_name": ""}, b"cannot be empty"),
    ({"due_routine": "10"}, b"must not get shorter"),
    ({"child_protection_steps": "x" * 4001}, b"too long"),
])
def test_bad_settings_are_refused_with_a_message(admin, dbs, world, change, message):
    refused = post_form(admin, "/staff/admin/settings", settings_form(**change))
    assert refused.status_code == 400 and message in refused.data
    assert deployment.load(dbs, "env", "https://env.example").retention_days == deployment.DEFAULTS["retention_days"]


def test_helplines_per_locale(admin, dbs, world):
    added = post_form(admin, "/staff/admin/helplines", {"locale": "de", "name": "Hilfetelefon",
                                                         "phone": "+49 116 016", "hours": "24/7",
                                                         "is_emergency": "", "position": "1"})
    assert added.status_code == 303
    view = deployment.load(dbs, "x", "https://x.example")
    assert [h.name for h in view.helplines_for("de")] == ["Hilfetelefon"]
    bad = post_form(admin, "/staff/admin/helplines", {"locale": "xx", "name": "A", "phone": "1"})
    assert bad.status_code == 400 and b"Choose a language" in bad.data
    line = dbs.scalar(select(Helpline))
    assert post_form(admin, f"/staff/admin/helplines/{line.id}/delete", {},
                     page="/staff/admin/helplines").status_code == 303
    assert dbs.scalar(select(func.count()).select_from(Helpline)) == 0


@pytest.mark.parametrize("name", ["Domestic Abuse Partner Support", "Violence programme contacts"])
def test_a_site_name_that_names_the_service_is_refused_on_save(admin, dbs, world, name):
    """The site name is in every page title of hers: the content check reads it as a title before it is saved."""
    refused = post_form(admin, "/staff/admin/settings", settings_form(site_name=name))
    assert refused.status_code == 400 and "must not name the service" in refused.get_data(as_text=True)
    assert deployment.load(dbs, "Appointments", "https://env.example").site_name == "Appointments"
    assert post_form(admin, "/staff/admin/settings", settings_form(site_name="Town appointments")).status_code == 303


def test_a_helpline_text_that_blames_her_is_refused_on_save(admin, dbs, world):
    """A helpline's name and hours are shown on her pages in its language: checked there before they are saved."""
    for field, text in (("name", "Make sure he goes to every session"), ("hours", "It takes two, call us")):
        form = {"locale": "en", "name": "Night line", "phone": "0800 123 456", "hours": "9-17", field: text}
        refused = post_form(admin, "/staff/admin/helplines", form)
        assert refused.status_code == 400 and "could make her feel responsible" in refused.get_data(as_text=True)
        assert text in refused.get_data(as_text=True)  # what the admin typed is kept in the form
    assert dbs.scalar(select(func.count()).select_from(Helpline)) == 0


def test_api_tokens_shown_once_stored_hashed_and_revocable(admin, dbs, world, clock):
    created = post_form(admin, "/staff/admin/tokens", {"programme_id": str(world.programme.id),
                                                        "label": "case system", "valid_days": "30"})
    assert created.status_code == 200
    token = secret_on(created.data, "api-token")
    row = dbs.scalar(select(AccessToken).where(AccessToken.label == "case system"))
    assert row.token_hash == hash_token(token) and row.programme_id == world.programme.id
    assert token.encode() not in admin.get("/staff/admin/tokens").data
    assert api_token(dbs, hash_token(token), clock.now()) is not None
    assert post_form(admin, f"/staff/admin/tokens/{row.id}/revoke", {},
                     page="/staff/admin/tokens").status_code == 303
    dbs.expire_all()
    assert api_token(dbs, hash_token(token), clock.now()) is None
    assert last_audit(dbs).action == "api_token.revoke"
    bad = post_form(admin, "/staff/admin/tokens", {"programme_id": "nope", "label": "x", "valid_days": "30"})
    assert bad.status_code == 400
    bad = post_form(admin, "/staff/admin/tokens", {"programme_id": str(world.programme.id), "label": "x",
                                                    "valid_days": "9999"})
    assert bad.status_code == 400 and b"outside the allowed range" in bad.data


def test_audit_log_pages_and_verification(admin, dbs, world):
    page = admin.get("/staff/admin/audit")
    assert page.status_code == 200 and b"Created a staff account" in page.data  # actions by name, not code
    assert admin.get("/staff/admin/audit?page=999").status_code == 200
    assert admin.get("/staff/admin/audit?page=abc").status_code == 200
    ok = post_form(admin, "/staff/admin/audit/verify", {}, page="/staff/admin/audit")
    assert ok.status_code == 200 and b"is intact" in ok.data
    dbs.execute(update(AuditEvent).where(AuditEvent.seq == 2).values(action="partner.tampered"))
    dbs.commit()
    broken = post_form(admin, "/staff/admin/audit/verify", {}, page="/staff/admin/audit")
    assert b"tampered with" in broken.data and b"Entry 2" in broken.data


def test_audit_log_pages_fifty_at_a_time(admin, dbs, vault, audit_key, world):
    from portal.models import utcnow
    from portal.services.audit import SYSTEM, record

    for _ in range(60):
        record(dbs, audit_key, SYSTEM, "test.filler", now=utcnow())
    dbs.commit()
    first = admin.get("/staff/admin/audit").data.decode()
    assert "Page 1 of 2" in first and first.count("Test · filler") == 50  # an unlabelled action reads as its parts
    second = admin.get("/staff/admin/audit?page=2").data.decode()
    assert "Page 2 of 2" in second
