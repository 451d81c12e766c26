"""Hypothesis over the staff sign-in, code and authenticator set-up forms: hostile text never gives a 5xx."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal.models import StaffUser
from tests.factories import STAFF_PASSWORD
from tests.staff_console import csrf_from

FUZZ = settings(max_examples=200, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
DIGITISH = st.sampled_from(list("0123456789０１２３４５６７８９٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹¹²³⁴⁵⁶⁷⁸⁹⁰①②③ \t\u200b\u00a0"))
HOSTILE = st.one_of(st.text(max_size=300), st.text(DIGITISH, max_size=12),
                    st.sampled_from(["", " ", "\x00", "１２３４５６", "¹²³⁴⁵⁶", "1" * 10_000, "\ufeff123456"]))


@pytest.fixture
def world(dbs, world, clock):  # type: ignore[no-untyped-def]
    """The common cast, her worker's authenticator already set up."""
    world.worker.totp_confirmed_at = clock.now() - timedelta(days=1)
    dbs.commit()
    return world


def addresses():  # type: ignore[no-untyped-def]
    """A fresh client address per example, so the per-address limit does not hide the code under test."""
    return (f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}" for n in itertools.count(1))


def test_hostile_sign_in_forms_never_5xx(app, world):
    client = app.test_client()
    token = csrf_from(client.get("/staff/sign-in").data)
    where = addresses()

    @FUZZ
    @given(email=st.one_of(HOSTILE, st.just(world.worker.email), st.just(world.worker.email.upper() + " ")),
           password=st.one_of(HOSTILE, st.just(STAFF_PASSWORD + "\x00")))
    def attempt(email: str, password: str) -> None:
        client.environ_base["REMOTE_ADDR"] = next(where)
        response = client.post("/staff/sign-in", data={"csrf_token": token, "email": email, "password": password})
        assert response.status_code < 500

    attempt()


@pytest.mark.parametrize("step", ["/staff/sign-in/code", "/staff/sign-in/authenticator"])
def test_hostile_codes_never_5xx_and_always_count(app, dbs, world, step):
    if step.endswith("authenticator"):
        user = dbs.get(StaffUser, world.worker.id)
        user.totp_confirmed_at = None
        dbs.commit()
    client = app.test_client()
    where = addresses()
    client.environ_base["REMOTE_ADDR"] = next(where)
    token = csrf_from(client.get("/staff/sign-in").data)
    first = client.post("/staff/sign-in", data={"csrf_token": token, "email": world.worker.email,
                                                "password": STAFF_PASSWORD})
    assert first.status_code == 303 and first.headers["Location"].endswith(step)
    token = csrf_from(client.get(step).data)
    seen = {"tries": 0}

    @settings(FUZZ, max_examples=100)
    @given(code=HOSTILE)
    def attempt(code: str) -> None:
        client.environ_base["REMOTE_ADDR"] = next(where)
        response = client.post(step, data={"csrf_token": token, "code": code})
        assert response.status_code in (303, 400), response.status_code
        seen["tries"] += 1

    attempt()
    dbs.expire_all()
    # Every refused code was counted (none escaped the counter by raising).
    assert dbs.get(StaffUser, world.worker.id).failed_attempts == seen["tries"]
