"""Every console route: signed-out people are sent to sign in, other roles get 404, garbage ids never 500."""

from __future__ import annotations

import re
import uuid

import pytest

from portal.models import Role
from tests.factories import login_as, make_world
from tests.staff_console import csrf_from

PUBLIC_CONSOLE_ENDPOINTS = {"console.sign_in", "console.sign_in_code", "console.totp_setup", "console.sign_out"}
ROLE_PREFIXES = {"/staff/admin/": Role.ADMIN, "/staff/cases": Role.SUPPORT_WORKER, "/staff/tasks": Role.SUPPORT_WORKER,
                 "/staff/my-programmes": Role.FACILITATOR}


def console_rules(app):  # type: ignore[no-untyped-def]
    return [rule for rule in app.url_map.iter_rules()
            if rule.endpoint.startswith("console.") and rule.endpoint not in PUBLIC_CONSOLE_ENDPOINTS]


def fill(rule, value: str) -> str:  # type: ignore[no-untyped-def]
    path = re.sub(r"<any\(([a-z_]+)[^)]*\):[a-z_]+>", r"\1", rule.rule)
    return re.sub(r"<[^>]+>", value, path)


def methods(rule) -> list[str]:  # type: ignore[no-untyped-def]
    return sorted(m for m in rule.methods if m in ("GET", "POST"))


def owner_role(path: str) -> str | None:
    return next((role for prefix, role in ROLE_PREFIXES.items() if path.startswith(prefix)), None)


def test_every_console_route_needs_a_full_sign_in(app, client, world):
    token = csrf_from(client.get("/staff/sign-in").data)
    rules = console_rules(app)
    assert len(rules) > 10
    for rule in rules:
        path = fill(rule, str(uuid.uuid4()))
        for method in methods(rule):
            response = client.open(path, method=method, data={"csrf_token": token} if method == "POST" else None)
            assert response.status_code == 303, (method, path, response.status_code)
            assert response.headers["Location"].endswith("/staff/sign-in"), (method, path)


def test_a_password_without_the_code_opens_nothing(app, client, world):
    with client.session_transaction() as sess:
        sess.bind_staff(str(world.admin.id))
        sess["epoch"] = world.admin.session_epoch
        sess["mfa"] = False
    for rule in console_rules(app):
        if "GET" in rule.methods:
            assert client.get(fill(rule, str(uuid.uuid4()))).status_code == 303, rule.rule


@pytest.mark.parametrize("who", ["admin", "worker", "facilitator"])
def test_other_roles_pages_answer_404_and_nothing_answers_500(app, client, world, who):
    user = getattr(world, who)
    login_as(client, user)
    token = csrf_from(client.get("/staff/").data)
    for rule in console_rules(app):
        for value in (str(uuid.uuid4()), "not-a-uuid", "0"):
            path = fill(rule, value)
            for method in methods(rule):
                response = client.open(path, method=method,
                                       data={"csrf_token": token} if method == "POST" else None)
                assert response.status_code < 500, (who, method, path)
                owner = owner_role(path)
                if owner is not None and owner != user.role:
                    assert response.status_code == 404, (who, method, path, response.status_code)
    assert client.get("/staff/").status_code == 200  # still signed in: nothing above ended the session


def test_ids_of_other_services_records_are_not_found(app, dbs, vault, audit_key, world):
    """A worker of another service gets 404 on her record and on every action on it."""
    other = make_world(dbs, vault, audit_key, partner_phone="+447400555666")
    dbs.commit()
    client = app.test_client()
    login_as(client, other.worker)
    token = csrf_from(client.get("/staff/").data)
    her = str(world.partner.id)
    checked = 0
    for rule in console_rules(app):
        if "<partner_id>" not in rule.rule:
            continue
        path = fill(rule, her)
        for method in methods(rule):
            response = client.open(path, method=method, data={"csrf_token": token} if method == "POST" else None)
            assert response.status_code == 404, (method, path, response.status_code)
            checked += 1
    assert checked >= 10
    # Her own worker does see her record.
    own = app.test_client()
    login_as(own, world.worker)
    assert own.get(f"/staff/cases/{her}").status_code == 200
