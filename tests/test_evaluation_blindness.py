"""Her evaluation questions never reach a facilitator or the API (issue 13): a canary walk over every route, as
his facilitator and as a programme's API token holder, after seeding her yes, her stages (with phone tasks) and
her answers (by her and by phone) whose stored values are canaries: the item and answer codes, the questions'
words, the stage labels, her due dates, her name and number. And what his facilitator can read is byte-identical
before and after all of it: he cannot learn whether she opted in, was offered a stage or answered one."""

from __future__ import annotations

import copy
import json
import uuid
from datetime import date

import pytest
from sqlalchemy import select

from portal.console import labels
from portal.i18n import LOCALES
from portal.models import EvaluationOffer, ProgrammeEvent, QuestionnaireResponse, RecordedBy, StaffUser, Task
from portal.services.audit import Actor
from portal.services.evaluation import answers
from portal.services.evaluation.items import STARTER_PATH, ItemSet, parse_items
from portal.services.programme.participant_dates import ProgrammeDates, set_dates
from tests.api_support import make_token, post_event
from tests.evaluation_support import her_yes, offer_stage
from tests.factories import login_as, make_participant, make_world
from tests.route_walk import walk
from tests.staff_console import csrf_from
from tests.test_blindness import _facilitator_views, _scenario, leaks, report_as_facilitator

NAME = "Qx8Eval Canary"
PHONE = "+447400818283"
PHONE_FORMS = [PHONE, "07400 818283", "07400818283", "7400818283", "818283"]
DUE = date(2026, 11, 23)  # her stages' due date: a date nothing of his is on
DUE_FORMS = ["2026-11-23", "Nov 23, 2026", "23 Nov 2026", "23.11.2026"]
HINTS = ["evaluation", "questionnaire", "Mirabal", "Impact Toolkit", "stage timing", "Ask by phone"]


def canary_items() -> ItemSet:
    """The starter items with every code and every English text marked, so that any trace of them is found."""
    doc = json.loads(STARTER_PATH.read_text())
    doc = copy.deepcopy(doc)
    doc["title"]["en"] = "Qx8 title " + doc["title"]["en"]
    doc["not_applicable"]["en"] = "Qx8 na " + doc["not_applicable"]["en"]
    for option in doc["scale"]:
        option["code"] = "qx8s_" + option["code"]
        option["text"]["en"] = "Qx8 answer " + option["text"]["en"]
    for domain in doc["domains"]:
        domain["title"]["en"] = "Qx8 domain " + domain["title"]["en"]
        for item in domain["items"]:
            item["code"] = "qx8i_" + item["code"]
            item["text"]["en"] = "Qx8 question " + item["text"]["en"]
    return parse_items(doc, LOCALES, "canary items")


def item_words(items: ItemSet) -> list[str]:
    words = [items.titles["en"], items.not_applicable["en"]]
    words += [o.code for o in items.scale] + [o.texts["en"] for o in items.scale]
    words += [d.titles["en"] for d in items.domains]
    words += [i.code for i in items.items] + [i.texts["en"] for i in items.items]
    # and the starter's own words, as a deployment without its own file would show them
    starter = json.loads(STARTER_PATH.read_text())
    words += [i["text"]["en"] for d in starter["domains"] for i in d["items"]]
    words += [d["title"]["en"] for d in starter["domains"]] + [starter["title"]["en"]]
    return words


@pytest.fixture
def seeded(app, dbs, vault, audit_key, clock, ctx_for):
    app.config["EVENT_RESPONSE_FLOOR_SECONDS"] = 0
    items = canary_items()
    app.extensions["portal.evaluation_items"] = items
    world = make_world(dbs, vault, audit_key, partner_phone=PHONE, name=NAME)
    set_dates(ctx_for(Actor("staff", str(world.facilitator.id))), world.participant,
              ProgrammeDates(date(2026, 2, 16), date(2026, 8, 17)))
    dbs.commit()
    return world, items


def evaluate_her(dbs, world, items, ctx_for, clock) -> list[str]:
    """Her yes, all five stages offered (with phone tasks), two answered (one by her, one by phone), one skipped;
    returns every id made."""
    her = world.partner
    her_yes(ctx_for(), her)
    made: list[str] = []
    offers = {}
    for stage in ("intake", "middle", "end", "after_6", "after_12"):
        offer, task = offer_stage(dbs, her, world.programme.id, clock.now(), stage=stage,
                                  participant_id=world.participant.id, due_on=DUE)
        offers[stage] = offer
        made += [str(offer.id), str(task.id)]
    scale = [o.code for o in items.scale]
    mine = {item.code: scale[n % len(scale)] for n, item in enumerate(items.items)}
    worker_ctx = ctx_for(Actor("staff", str(world.worker.id)))
    made.append(str(answers.record_answers(ctx_for(Actor("partner", str(her.id))), items, her, offers["intake"],
                                           mine, recorded_by=RecordedBy.HER).response_id))
    made.append(str(answers.record_answers(worker_ctx, items, her, offers["middle"], mine,
                                           recorded_by=RecordedBy.WORKER_PHONE,
                                           staff_id=world.worker.id).response_id))
    answers.skip_stage(worker_ctx, her, offers["end"], recorded_by=RecordedBy.WORKER_PHONE)
    dbs.commit()
    assert dbs.scalar(select(QuestionnaireResponse.id).where(QuestionnaireResponse.partner_id == her.id))
    return made


def canaries(world, items, made: list[str]) -> list[str]:
    ids = [world.partner.id, world.worker.id, *made]
    id_forms = [form for value in ids for form in (str(value), uuid.UUID(str(value)).hex)]
    stage_words = [str(text) for text in labels.EVALUATION_STAGE.values()]
    state_words = [str(labels.OFFER_STATE[s]) for s in ("answered", "skipped")]
    return [NAME, *PHONE_FORMS, *DUE_FORMS, *id_forms, *item_words(items), *stage_words, *state_words, *HINTS]


def test_no_facilitator_route_and_no_api_route_reaches_her_evaluation(app, client, dbs, seeded, ctx_for, clock):
    world, items = seeded
    made = evaluate_her(dbs, world, items, ctx_for, clock)
    watch = canaries(world, items, made)
    token = make_token(dbs, world.programme, clock.now())
    fac_id = world.facilitator.id
    login_as(client, world.facilitator)
    first = [report_as_facilitator(client, world, world.participant, {"kind": "completed"}),
             post_event(client, token, {"participant_ref": world.participant.reference, "kind": "risk",
                                        "risk_to": "partner", "imminence": "low"})]
    for response in first:
        assert response.status_code < 400 and leaks(response, watch) == []
    known = [str(world.programme.id), str(world.participant.id), str(world.partner.id), "nope",
             str(dbs.scalar(select(ProgrammeEvent.id))), *made[:2], made[-1]]
    form = {"kind": "attendance_concern", "reference": "WALK-REF-8", "description": "walk", "imminence": "",
            "report_key": uuid.uuid4().hex, "started_on": "2026-03-01", "expected_end_on": "2026-09-01",
            "choice": "yes", **{f"q-{code}": "qx8s_often" for code in items.codes[:3]},
            "intake-anchor": "start", "intake-offset": "3", "confirm": "ERASE"}

    def sign_in() -> None:
        user = dbs.get(StaffUser, fac_id)
        dbs.refresh(user)
        login_as(client, user)

    def check(endpoint, method, url, response) -> None:  # type: ignore[no-untyped-def]
        assert response.status_code < 500, (method, url, response.status_code)
        assert leaks(response, watch) == [], (method, url, leaks(response, watch))

    walked = walk(app, client, sign_in=sign_in, csrf_page=f"/staff/my-programmes/{world.programme.id}", form=form,
                  known=lambda _variable: known, check=check)
    assert walked > 100

    # As a programme's API token holder (not signed in to the console), every route, and the API's own.
    api = app.test_client()
    api.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    walked = walk(app, api, sign_in=lambda: None, csrf_page="/staff/sign-in", form=form,
                  known=lambda _variable: known, check=check)
    assert walked > 100
    for body in ({"participant_ref": world.participant.reference, "kind": "dropout"},
                 {"participant_ref": world.participant.reference, "kind": "programme_ended"},
                 {"participant_ref": "NOT-HIM", "kind": "completed"}, {"kind": "evaluation"}, ["x"]):
        check("api", "POST", "/api/v1/programme-events", post_event(api, None, body))
    check("api", "GET", "/api/v1/openapi.json", api.get("/api/v1/openapi.json"))

    # Nothing above touched her evaluation: her stages and answers are as they were.
    dbs.expire_all()
    assert sorted(o.state for o in dbs.scalars(select(EvaluationOffer))) == \
        ["answered", "answered", "offered", "offered", "skipped"]
    # The detector works: her worker's case page shows her stages, and the phone form the questions.
    login_as(client, dbs.get(StaffUser, world.worker.id))
    case = client.get(f"/staff/cases/{world.partner.id}")
    seen = leaks(case, watch)
    assert NAME in seen and "Six months after" in seen and "Nov 23, 2026" in seen and "evaluation" in seen
    assert not [word for word in seen if word.startswith("qx8")]  # her answers: not on her worker's page either
    phone_form = client.get(f"/staff/cases/{world.partner.id}/evaluation/{made[6]}/phone")  # after_6
    assert phone_form.status_code == 200 and items.items[0].texts["en"] in leaks(phone_form, watch)
    assert dbs.scalar(select(Task.id).where(Task.kind == "evaluation_by_phone", Task.done_at.is_(None)))


def test_what_his_facilitator_and_the_api_read_is_the_same_before_and_after_her_evaluation(
        app, client, dbs, seeded, ctx_for, clock):
    world, items = seeded
    lonely = make_participant(dbs, world.programme)  # nobody linked to him; the same programme dates
    set_dates(ctx_for(Actor("staff", str(world.facilitator.id))), lonely,
              ProgrammeDates(date(2026, 2, 16), date(2026, 8, 17)))
    dbs.commit()
    login_as(client, world.facilitator)
    token = make_token(dbs, world.programme, clock.now())
    swaps = {str(world.participant.id): "HIM", world.participant.reference: "REF"}
    before = _facilitator_views(client, world, world.participant, token, swaps)
    evaluate_her(dbs, world, items, ctx_for, clock)
    login_as(client, dbs.get(StaffUser, world.facilitator.id))
    assert _facilitator_views(client, world, world.participant, token, swaps) == before
    # Reporting about him (and setting his dates) answers exactly as for a man nobody is linked to.
    linked = _scenario(client, world, world.participant, token, swaps)
    unlinked = _scenario(client, world, lonely, token, {str(lonely.id): "HIM", lonely.reference: "REF"})
    assert linked == unlinked
    for participant in (world.participant, lonely):
        page = f"/staff/my-programmes/{world.programme.id}/participants/{participant.id}"
        dates = client.post(page + "/dates", data={"csrf_token": csrf_from(client.get(page).data),
                                                   "started_on": "2026-02-01", "expected_end_on": "2026-01-01"})
        assert dates.status_code == 400
        assert leaks(dates, canaries(world, items, [])) == []
