"""One unit of work per request (issue 8 items 3 and 4): what a request wrote stands only if it succeeded;
failure counters and the audit of refusals stand whatever happens (DESIGN.md section 8); every audit entry
a request writes carries the app's clock; every domain refusal shares one base with a code and a field."""

from __future__ import annotations

from datetime import UTC

import pytest
from sqlalchemy import func, select

from portal.domain_error import DomainError
from portal.models import AuditEvent, ContactLogEntry, Role, StaffUser
from tests.factories import STAFF_PASSWORD, login_as, make_world
from tests.public_helpers import BASE, csrf_token, open_link
from tests.public_helpers import post as her_post
from tests.staff_console import csrf_from, post_form


@pytest.fixture
def world(dbs, vault, audit_key):  # type: ignore[no-untyped-def]
    made = make_world(dbs, vault, audit_key)
    dbs.commit()
    return made


def contact_form() -> dict[str, str]:
    return {"occurred_at": "2026-03-02T09:30", "method": "call", "reached": "yes", "safe_to_talk": "yes",
            "outcome": "talked", "notes": "Canary note"}


def actions(dbs) -> list[str]:  # type: ignore[no-untyped-def]
    dbs.expire_all()
    return [e.action for e in dbs.scalars(select(AuditEvent).order_by(AuditEvent.seq))]


def count(dbs, model) -> int:  # type: ignore[no-untyped-def]
    dbs.expire_all()
    return dbs.scalar(select(func.count()).select_from(model))


def broken(*_args, **_kwargs):  # type: ignore[no-untyped-def]
    raise RuntimeError("the page broke after the service wrote")


def test_an_error_in_a_view_after_the_service_wrote_leaves_nothing_committed(app, client, dbs, world,
                                                                              monkeypatch):
    login_as(client, world.worker)
    path = f"/staff/cases/{world.partner.id}/contacts/new"
    token = csrf_from(client.get(path).data)
    monkeypatch.setattr("portal.console.worker_tasks.flash", broken)  # runs after log_contact wrote its rows
    response = client.post(path, data={"csrf_token": token, **contact_form()})
    assert response.status_code == 500
    assert count(dbs, ContactLogEntry) == 0
    assert "contact.log" not in actions(dbs)


def test_a_refused_form_leaves_nothing_committed_even_when_the_service_wrote_first(app, client, dbs, world,
                                                                                  monkeypatch):
    """The service writes her contact and an audit entry, then refuses: the 400 page commits none of it."""
    from portal.services.casework import contact_log

    real = contact_log.log_contact

    def write_then_refuse(*args, **kwargs):  # type: ignore[no-untyped-def]
        real(*args, **kwargs)
        raise contact_log.ContactLogError("too_long", "notes")

    monkeypatch.setattr(contact_log, "log_contact", write_then_refuse)
    login_as(client, world.worker)
    response = post_form(client, f"/staff/cases/{world.partner.id}/contacts/new", contact_form())
    assert response.status_code == 400
    assert count(dbs, ContactLogEntry) == 0
    assert "contact.log" not in actions(dbs)


def test_a_refusal_that_redirects_back_leaves_nothing_committed(app, client, dbs, world, monkeypatch):
    """A worker's action refused with a message on her case page (303): what it wrote does not stand."""
    from portal.services.casework import casework

    def write_then_refuse(ctx, partner, worker, **kwargs):  # type: ignore[no-untyped-def]
        ctx.audit("invite.send", "partner_contact", partner.id)
        raise casework.CaseError("no_sms")

    monkeypatch.setattr(casework, "send_link", write_then_refuse)
    login_as(client, world.worker)
    response = post_form(client, f"/staff/cases/{world.partner.id}/invite", {},
                         page=f"/staff/cases/{world.partner.id}")
    assert response.status_code == 303
    assert "invite.send" not in actions(dbs)


def test_a_success_commits_and_after_commit_work_runs_only_then(app, client, dbs, world, monkeypatch):
    """Erasure's storage clean-up runs after the commit (it needs the rows gone); never after a rollback."""
    seen: list[int] = []

    def clean(engine, _cleanup):  # type: ignore[no-untyped-def]
        from sqlalchemy.orm import Session

        from portal.models import PartnerContact

        with Session(engine) as other:  # a separate connection sees only what is committed
            partner = other.get(PartnerContact, world.partner.id)
            seen.append(0 if partner is None or partner.status == "erased" else 1)

    monkeypatch.setattr("portal.console.worker_actions.clean_storage", clean)
    login_as(client, world.worker)
    path = f"/staff/cases/{world.partner.id}/erase"
    refused = post_form(client, path, {"confirm": "no"})
    assert refused.status_code == 400 and seen == []
    response = post_form(client, path, {"confirm": "ERASE"})
    assert response.status_code == 303
    assert seen == [0]  # ran once, and the erasure was already committed when it ran


def test_wrong_staff_passwords_are_counted_even_when_the_request_fails(app, client, dbs, world, monkeypatch):
    monkeypatch.setattr("portal.console.auth.refused_message", broken)  # fails after the failure is counted
    response = post_form(client, "/staff/sign-in", {"email": world.worker.email, "password": "wrong password"})
    assert response.status_code == 500
    dbs.expire_all()
    assert dbs.get(StaffUser, world.worker.id).failed_attempts == 1
    assert "staff.sign_in_failed" in actions(dbs)


def test_a_wrong_staff_password_refused_with_400_is_still_counted(app, client, dbs, world):
    response = post_form(client, "/staff/sign-in", {"email": world.worker.email, "password": "wrong password"})
    assert response.status_code == 400
    dbs.expire_all()
    assert dbs.get(StaffUser, world.worker.id).failed_attempts == 1
    assert actions(dbs).count("staff.sign_in_failed") == 1


def test_wrong_pins_are_counted_even_when_the_request_fails(app, client, dbs, world, clock, monkeypatch):
    open_link(client, dbs, world.partner, clock)
    assert her_post(client, "/pin", {"action": "set", "pin": "4831", "confirm": "4831"}).status_code == 303
    client.get("/exit")
    open_link(client, dbs, world.partner, clock)
    token = csrf_token(client, "/check")
    monkeypatch.setattr("portal.public.access.render_template", broken)  # the refusal page itself breaks
    response = client.post("/check", data={"pin": "0000", "csrf_token": token}, headers={"Referer": BASE + "/check"})
    assert response.status_code == 500
    dbs.expire_all()
    dbs.refresh(world.partner)
    assert world.partner.pin_failures == 1
    assert "pin.rejected" in actions(dbs)


def test_every_audit_entry_a_request_writes_carries_the_app_clock(app, dbs, world, clock):
    """The app's clock is frozen at a Monday morning of 2026: nothing a request audits may say otherwise."""
    clock.advance(hours=1)  # the clock is now nowhere near the real time, nor the time the world was made
    before = dbs.scalar(select(func.max(AuditEvent.seq)))
    worker, admin, visitor = app.test_client(), app.test_client(), app.test_client()
    login_as(worker, world.worker)
    login_as(admin, world.admin)
    assert worker.get("/staff/cases").status_code == 200  # audited reads of her name
    assert worker.get(f"/staff/cases/{world.partner.id}").status_code == 200
    assert post_form(worker, f"/staff/cases/{world.partner.id}/contacts/new", contact_form()).status_code == 303
    created = post_form(admin, "/staff/admin/users", {"display_name": "Robin", "email": "robin@example.org",
                                                      "role": Role.SUPPORT_WORKER,
                                                      "service_id": str(world.service.id)})
    assert created.status_code == 200
    assert post_form(admin, "/staff/admin/services", {"name": "Another service"},
                     page="/staff/admin/programmes").status_code == 303
    assert post_form(visitor, "/staff/sign-in", {"email": world.worker.email,
                                                 "password": STAFF_PASSWORD + "x"}).status_code == 400
    dbs.expire_all()
    written = list(dbs.scalars(select(AuditEvent).where(AuditEvent.seq > before).order_by(AuditEvent.seq)))
    assert {"partner.read", "contact.log", "staff.create", "service.create", "staff.sign_in_failed"} \
        <= {e.action for e in written}
    expected = clock.now()
    wrong = [(e.action, e.occurred_at) for e in written
             if (e.occurred_at if e.occurred_at.tzinfo else e.occurred_at.replace(tzinfo=UTC)) != expected]
    assert wrong == []


def test_every_domain_refusal_shares_one_base_with_a_code_and_a_field() -> None:
    from portal.services.admin.admin_users import AdminError
    from portal.services.admin.staff_accounts import AccountError
    from portal.services.casework.casework import CaseError
    from portal.services.casework.contact_log import ContactLogError
    from portal.services.her.her_access import PinError
    from portal.services.programme.events import EventError, IdempotencyConflict
    from portal.sms.templates import TemplateError

    made = [AdminError("email", "email"), CaseError("no_sms"), ContactLogError("too_long", "notes"),
            EventError("invalid_kind", "kind must be ...", "kind"), IdempotencyConflict("reused", "used before"),
            PinError("pin_shape"), AccountError("email", "That is not an email address."),
            TemplateError("unknown SMS template")]
    for error in made:
        assert isinstance(error, DomainError) and isinstance(error, ValueError)
        assert error.code and hasattr(error, "field")
    assert PinError("pin_shape").field == "pin"
    assert str(EventError("invalid_kind", "kind must be ...", "kind")) == "kind must be ..."
