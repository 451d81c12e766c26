"""Schemathesis against the published OpenAPI document, in-process through the WSGI app: no 5xx, ever."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance
from sqlalchemy import func, select

from portal.models import ProgrammeEvent
from portal.services.programme.events import register_participant
from tests.api_support import make_token
from tests.factories import context, make_world

EXAMPLES = 120


@pytest.fixture
def api_app(app, dbs, vault, audit_key, clock):
    app.config["EVENT_RESPONSE_FLOOR_SECONDS"] = 0
    world = make_world(dbs, vault, audit_key)
    for reference in ("0", "A", "a", "00"):  # short references the generator is likely to produce
        register_participant(context(dbs, vault, audit_key, clock.now()), programme=world.programme, reference=reference,
                             created_by=world.facilitator.id)
    dbs.commit()
    return app, make_token(dbs, world.programme, clock.now())


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_no_server_errors_and_responses_match_the_document(api_app, dbs, mode):
    app, token = api_app
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operation = schema["/programme-events"]["POST"]
    statuses: list[int] = []

    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case):  # type: ignore[no-untyped-def]
        # The token goes in as an explicit header, as a CLI `-H` would: schemathesis then knows it is real auth
        # (not a generated value), and its ignored-auth check also probes that the same request without it,
        # or with a wrong one, is refused.
        auth = {"Authorization": f"Bearer {token}"}
        response = case.call(headers=auth)
        statuses.append(response.status_code)
        assert response.status_code < 500, (response.status_code, response.text)
        # Every built-in check except "schema-valid data is accepted": some valid-looking reports are refused
        # with a documented 422 (an unknown participant, a risk without who is at risk).
        case.validate_response(response, excluded_checks=[positive_data_acceptance], headers=auth)

    run()
    assert statuses and max(statuses) < 500
    if mode == GenerationMode.POSITIVE:
        assert 201 in statuses  # valid reports were really accepted, not only refused
        assert dbs.scalar(select(func.count()).select_from(ProgrammeEvent))


def test_without_a_token_everything_is_401(api_app):
    app, _token = api_app
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operation = schema["/programme-events"]["POST"]

    @settings(max_examples=30, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy())
    def run(case):  # type: ignore[no-untyped-def]
        case.headers = {k: v for k, v in (case.headers or {}).items() if k.lower() != "authorization"}
        assert case.call().status_code == 401

    run()
