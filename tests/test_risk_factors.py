"""A facilitator's risk report names what WWP EN B.4 asks about (his suicidal ideation, threats to kill,
weapons, stalking, separation), and each raises the severity of her worker's task by the rule table
(services/programme/risk_factors.py): row by row, through the service, the facilitator's page and the API."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from portal.models import ProgrammeEvent, ProgrammeEventFactor, RiskFactor, Task
from portal.services.programme import events
from portal.services.programme.risk_factors import FACTOR_RULES, raised_by
from tests.api_support import make_token, post_event
from tests.factories import login_as
from tests.fanout_support import fan_out
from tests.staff_console import csrf_from

pytestmark = pytest.mark.usefixtures("no_event_floor")

IMMINENCE = ("low", "medium", "high", "imminent")
# factor -> the task's severity for a report of each imminence (low, medium, high, imminent).
EXPECTED = {
    None: ("soon", "urgent", "immediate", "immediate"),
    "threats_to_kill": ("immediate", "immediate", "immediate", "immediate"),
    "weapons": ("immediate", "immediate", "immediate", "immediate"),
    "suicidal_ideation": ("urgent", "immediate", "immediate", "immediate"),
    "stalking": ("urgent", "immediate", "immediate", "immediate"),
    "separation": ("urgent", "immediate", "immediate", "immediate"),
}


def test_the_rule_table_has_a_row_for_every_factor_and_nothing_else():
    assert set(FACTOR_RULES) == set(RiskFactor) and set(EXPECTED) - {None} == set(RiskFactor)


@pytest.mark.parametrize("factor", list(EXPECTED), ids=lambda f: f or "none")
@pytest.mark.parametrize("imminence", IMMINENCE)
def test_each_factor_raises_the_severity_row_by_row(factor, imminence):
    factors = (factor,) if factor else ()
    assert events.severity_for("risk", imminence, factors) == EXPECTED[factor][IMMINENCE.index(imminence)]


def test_factors_do_not_add_up_and_the_highest_wins():
    assert events.severity_for("risk", "low", ("stalking", "separation", "suicidal_ideation")) == "urgent"
    assert events.severity_for("risk", "low", ("stalking", "weapons")) == "immediate"
    assert raised_by("routine", ("stalking",)) == "soon" and raised_by("immediate", ("separation",)) == "immediate"
    with pytest.raises(ValueError):
        raised_by("soon", ("jealousy",))


def report_on_page(client, world, data):  # type: ignore[no-untyped-def]
    path = f"/staff/my-programmes/{world.programme.id}/participants/{world.participant.id}"
    page = client.get(path).get_data(as_text=True)
    key = re.search(r'name="report_key" value="([0-9a-f]+)"', page).group(1)
    return client.post(path + "/events", data={"csrf_token": csrf_from(page), "report_key": key, **data})


def her_task(dbs) -> Task:  # type: ignore[no-untyped-def]
    dbs.expire_all()
    return dbs.scalar(select(Task).where(Task.source_event_id.is_not(None)))


@pytest.mark.parametrize("factor", list(RiskFactor))
@pytest.mark.parametrize("channel", ["page", "api"])
def test_the_rule_table_holds_through_the_page_and_the_api(app, client, dbs, world, clock, factor, channel):
    if channel == "page":
        login_as(client, world.facilitator)
        response = report_on_page(client, world, {"kind": "risk", "risk_to": "partner", "imminence": "low",
                                                  "factors": factor})
        assert response.status_code == 303
    else:
        token = make_token(dbs, world.programme, clock.now())
        response = post_event(client, token, {"participant_ref": world.participant.reference, "kind": "risk",
                                              "risk_to": "partner", "imminence": "low", "factors": [factor]})
        assert response.status_code == 201 and response.get_json()["factors"] == [factor]
    assert fan_out(app) == 1
    assert her_task(dbs).severity == EXPECTED[factor][0]
    stored = list(dbs.scalars(select(ProgrammeEventFactor.factor)))
    assert stored == [factor]


def test_every_factor_at_once_is_stored_in_order_and_shown_in_words(app, client, dbs, world):
    login_as(client, world.facilitator)
    response = report_on_page(client, world, {"kind": "risk", "risk_to": ["partner", "children"],
                                              "imminence": "medium", "factors": list(reversed(RiskFactor))})
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    reported = page[page.index("Reported so far"):]
    assert "Threats to kill" in reported and "Weapons (access or use)" in reported
    fan_out(app)
    task = her_task(dbs)
    assert task.severity == "immediate"
    login_as(client, world.worker)
    html = client.get(f"/staff/tasks/{task.id}").get_data(as_text=True)
    listed = html[html.index('id="risk-factors"'):html.index("</ul>", html.index('id="risk-factors"'))]
    assert re.findall(r"<li>([^<]+)</li>", listed) == [
        "His suicidal thoughts", "Threats to kill", "Weapons (access or use)", "Stalking or harassment",
        "He knows she is separating or has separated"]
    for code in RiskFactor:
        assert code.value not in listed


def test_a_report_without_factors_keeps_its_severity_and_its_fingerprint(app, client, dbs, world, clock):
    data = events.validate(participant_ref="REF-1", kind="risk", risk_to_partner=True, risk_to_children=False,
                           imminence="medium", description=None, occurred_at=None, now=clock.now())
    before = json.dumps(["REF-1", "risk", True, False, "medium", None, None], separators=(",", ":"))
    assert data.fingerprint() == hashlib.sha256(before.encode()).hexdigest()  # as fingerprints were before
    with_one = events.validate(participant_ref="REF-1", kind="risk", risk_to_partner=True, risk_to_children=False,
                               imminence="medium", description=None, occurred_at=None, now=clock.now(),
                               factors=["stalking"])
    assert with_one.fingerprint() != data.fingerprint()


def test_the_same_key_with_other_factors_is_another_request(client, dbs, world, clock):
    token = make_token(dbs, world.programme, clock.now())
    body = {"participant_ref": world.participant.reference, "kind": "risk", "risk_to": "partner",
            "imminence": "low", "factors": ["stalking"]}
    first = post_event(client, token, body, key="k-factors")
    again = post_event(client, token, body, key="k-factors")
    assert first.status_code == again.status_code == 201 and first.data == again.data
    other = post_event(client, token, {**body, "factors": ["weapons"]}, key="k-factors")
    assert other.status_code == 422 and other.get_json()["error"] == "idempotency_key_reused"


@pytest.mark.parametrize(("body", "code"), [
    ({"kind": "risk", "risk_to": "partner", "imminence": "low", "factors": ["jealousy"]}, "invalid_factor"),
    ({"kind": "risk", "risk_to": "partner", "imminence": "low", "factors": ["weapons", "weapons"]},
     "invalid_factor"),
    ({"kind": "risk", "risk_to": "partner", "imminence": "low", "factors": "weapons"}, "invalid_factor"),
    ({"kind": "risk", "risk_to": "partner", "imminence": "low", "factors": [1]}, "invalid_factor"),
    ({"kind": "risk", "risk_to": "partner", "imminence": "low", "factors": ["x" * 41]}, "invalid_factor"),
    ({"kind": "dropout", "factors": ["stalking"]}, "factors_only_for_risk"),
])
def test_the_api_refuses_bad_factors_naming_the_field(client, dbs, world, clock, body, code):
    token = make_token(dbs, world.programme, clock.now())
    response = post_event(client, token, {"participant_ref": world.participant.reference, **body})
    assert response.status_code == 422
    assert (response.get_json()["error"], response.get_json()["field"]) == (code, "factors")
    assert response.get_json()["message"]
    assert dbs.scalar(select(ProgrammeEvent.id)) is None


@pytest.mark.parametrize(("data", "words"), [
    ({"kind": "risk", "risk_to": "partner", "imminence": "low", "factors": ["jealousy"]},
     "Tick only the risk factors listed, each once."),
    ({"kind": "dropout", "factors": ["stalking"], "description": "Kept words"},
     "Risk factors belong to a risk concern only."),
])
def test_the_page_refuses_bad_factors_and_keeps_what_was_typed(client, dbs, world, data, words):
    login_as(client, world.facilitator)
    response = report_on_page(client, world, data)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert words in html
    if data["kind"] == "dropout":
        assert 'value="stalking" checked' in html and "Kept words" in html
    assert dbs.scalar(select(ProgrammeEvent.id)) is None


def test_the_openapi_document_lists_the_factors(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    schema = doc["components"]["schemas"]["EventReport"]["properties"]["factors"]
    assert schema["items"]["enum"] == [factor.value for factor in RiskFactor] and schema["uniqueItems"] is True
    receipt = doc["components"]["schemas"]["EventReceipt"]
    assert "factors" in receipt["required"] and "factors" in receipt["properties"]


def test_factors_raise_a_task_that_she_stopped_contact_about(app, client, dbs, world, clock):
    """She withdrew: a risk report still reaches her worker (do not contact), with the factors' severity."""
    world.partner.status = "withdrawn"
    dbs.merge(world.partner)
    dbs.commit()
    token = make_token(dbs, world.programme, clock.now())
    assert post_event(client, token, {"participant_ref": world.participant.reference, "kind": "risk",
                                      "risk_to": "partner", "imminence": "low",
                                      "factors": ["threats_to_kill"]}).status_code == 201
    fan_out(app)
    task = her_task(dbs)
    assert (task.severity, task.contact_allowed) == ("immediate", False)


def test_during_her_high_risk_period_the_raise_comes_on_top(app, client, dbs, world, clock):
    partner = dbs.get(type(world.partner), world.partner.id)
    partner.high_risk_from = datetime(2026, 1, 1, tzinfo=UTC)
    partner.high_risk_until = datetime(2026, 7, 1, tzinfo=UTC)
    dbs.commit()
    token = make_token(dbs, world.programme, clock.now())
    post_event(client, token, {"participant_ref": world.participant.reference, "kind": "risk", "risk_to": "partner",
                               "imminence": "low", "factors": ["stalking"]})
    fan_out(app)
    task = her_task(dbs)
    assert (task.severity, task.raised_high_risk) == ("immediate", True)  # soon, +1 stalking, +1 her period
