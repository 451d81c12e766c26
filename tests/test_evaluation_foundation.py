"""The evaluation's foundation (issue 13): the items file and its refusals, stage due dates from his programme
dates, her yes in the consent ledger (off by default), her answers sealed once per stage, skipping, erasure."""

from __future__ import annotations

import copy
import json
import uuid
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from portal.domain_error import DomainError
from portal.i18n import LOCALES
from portal.models import (
    ConsentEvent,
    ConsentScope,
    EvaluationOffer,
    EvaluationStage,
    EventKind,
    OfferState,
    ProgrammeEvent,
    QuestionnaireResponse,
    RecordedBy,
)
from portal.services.casework.erasure import erase_partner
from portal.services.evaluation import answers, stages
from portal.services.evaluation.items import STARTER_PATH, ItemsError, configured_items, parse_items
from portal.services.her import consent
from tests.factories import make_world

LONDON = ZoneInfo("Europe/London")


def starter_doc() -> dict:
    return json.loads(STARTER_PATH.read_text(encoding="utf-8"))


# -- the items file ----------------------------------------------------------------------------------------

def test_the_starter_items_cover_the_six_domains_in_every_language_and_say_they_are_not_official():
    items = configured_items("", LOCALES)
    assert [d.code for d in items.domains] == ["respect_communication", "space_for_action", "safety",
                                               "shared_parenting", "awareness", "childhoods"]
    assert not items.official and "NOT THE OFFICIAL" in starter_doc()["about"]
    assert set(items.locales) == set(LOCALES)
    assert all(len(d.items) >= 2 for d in items.domains)
    # The children's domains may not apply to her; the others always do.
    assert [d.code for d in items.domains if d.may_not_apply] == ["shared_parenting", "childhoods"]
    afraid = items.item("afraid")
    assert afraid is not None and afraid.better == "low" and items.answers_for(afraid)[-1] == "always"
    assert items.answers_for(items.item("children_at_ease"))[-1] == "not_applicable"
    assert items.text(afraid.texts, "xx") == afraid.texts["en"]  # a language the file lacks: English


@pytest.mark.parametrize(("change", "message"), [
    (lambda d: d.update(format="x"), "format: expected"),
    (lambda d: d["domains"].pop(), "domains: expected the six domains"),
    (lambda d: d["domains"].reverse(), "domains[0].code: expected 'respect_communication'"),
    (lambda d: d["domains"][2]["items"][0].update(better="up"), 'better: expected "high" or "low"'),
    (lambda d: d["domains"][2]["items"][1].update(code="hurt_or_threat"), "'hurt_or_threat' is used twice"),
    (lambda d: d["scale"][1].update(score=0), "scores rise"),
    (lambda d: d["scale"][0].update(code="not_applicable"), "reserved"),
    (lambda d: d["domains"][0]["items"][0]["text"].pop("de"), "no 'de' text"),
    (lambda d: d["title"].update(xx="?"), "unknown language 'xx'"),
    (lambda d: d.update(extra=1), "extra: not a field"),
])
def test_a_broken_items_file_is_refused_saying_where(change, message):
    doc = copy.deepcopy(starter_doc())
    change(doc)
    with pytest.raises(ItemsError, match=None) as refused:
        parse_items(doc, LOCALES, "items.json")
    assert message in str(refused.value) and str(refused.value).startswith("items.json")


def test_a_deployment_file_that_cannot_be_used_stops_the_app(monkeypatch, tmp_path):
    from portal import create_app
    from portal.config import ConfigError
    from tests.conftest import make_config

    path = tmp_path / "toolkit.json"
    path.write_text("{not json", encoding="utf-8")
    monkeypatch.setenv("PORTAL_EVALUATION_ITEMS", str(path))
    with pytest.raises(ConfigError, match=r"PORTAL_EVALUATION_ITEMS: .*toolkit.json: not valid UTF-8 JSON"):
        create_app(make_config(f"sqlite:///{tmp_path / 'x.db'}", tmp_path))


# -- stage due dates ---------------------------------------------------------------------------------------

def test_stages_fall_due_from_his_programme_dates_and_a_programme_may_change_them(dbs, vault, audit_key, ctx_for):
    world = make_world(dbs, vault, audit_key)
    him = world.participant
    plan = stages.programme_plan(dbs, world.programme.id)
    assert plan == stages.DEFAULT_PLAN
    # No dates yet: nothing can fall due.
    assert set(stages.due_dates(plan, stages.his_dates(dbs, him, LONDON)).values()) == {None}
    him.started_on, him.expected_end_on = date(2026, 1, 5), date(2026, 7, 6)  # 182 days
    due = stages.due_dates(plan, stages.his_dates(dbs, him, LONDON))
    assert due == {EvaluationStage.INTAKE: date(2026, 1, 12), EvaluationStage.MIDDLE: date(2026, 4, 6),
                   EvaluationStage.END: date(2026, 7, 6), EvaluationStage.AFTER_6: date(2027, 1, 4),
                   EvaluationStage.AFTER_12: date(2027, 7, 6)}
    # He drops out on 1 March (late evening in London is still 1 March): his end is that day.
    dbs.add(ProgrammeEvent(id=uuid.uuid4(), programme_id=world.programme.id, participant_id=him.id,
                           kind=EventKind.DROPOUT, occurred_at=datetime(2026, 3, 1, 22, 30, tzinfo=UTC)))
    dbs.flush()
    due = stages.due_dates(plan, stages.his_dates(dbs, him, LONDON))
    assert due[EvaluationStage.END] == date(2026, 3, 1) and due[EvaluationStage.MIDDLE] == date(2026, 2, 1)
    assert due[EvaluationStage.AFTER_6] == date(2026, 8, 30)
    # The programme asks the middle stage 10 days after his start instead, and never the twelve-month one.
    ctx = ctx_for()
    stages.set_stage_timing(ctx, world.programme.id, "middle", anchor="start", offset_days=10, enabled=True,
                            staff_id=world.admin.id)
    stages.set_stage_timing(ctx, world.programme.id, "after_12", anchor="end", offset_days=365, enabled=False,
                            staff_id=world.admin.id)
    due = stages.due_dates(stages.programme_plan(dbs, world.programme.id), stages.his_dates(dbs, him, LONDON))
    assert due[EvaluationStage.MIDDLE] == date(2026, 1, 15) and EvaluationStage.AFTER_12 not in due
    with pytest.raises(DomainError, match="evaluation.offset_out_of_range"):
        stages.set_stage_timing(ctx, world.programme.id, "end", anchor="end", offset_days=5000, enabled=True,
                                staff_id=None)
    with pytest.raises(DomainError, match="evaluation.stage_unknown"):
        stages.set_stage_timing(ctx, world.programme.id, "later", anchor="end", offset_days=0, enabled=True,
                                staff_id=None)


# -- her yes, her answers -----------------------------------------------------------------------------------

def offer_for(dbs, world, stage: str = "intake") -> EvaluationOffer:
    offer = EvaluationOffer(id=uuid.uuid4(), partner_id=world.partner.id, programme_id=world.programme.id,
                            participant_id=world.participant.id, stage=stage, due_on=date(2026, 3, 2))
    dbs.add(offer)
    dbs.flush()
    return offer


def test_her_yes_is_off_by_default_in_the_ledger_and_her_no_cancels_what_is_open(dbs, vault, audit_key, ctx_for):
    world = make_world(dbs, vault, audit_key)
    ctx = ctx_for()
    assert not consent.evaluation_agreed(dbs, world.partner.id)
    assert consent.evaluation_chosen(ctx, world.partner, on=True, channel="web")
    assert not consent.evaluation_chosen(ctx, world.partner, on=True, channel="web")  # already yes: no new entry
    assert consent.evaluation_agreed(dbs, world.partner.id)
    offer = offer_for(dbs, world)
    with pytest.raises(ValueError, match="never by SMS"):
        consent.evaluation_chosen(ctx, world.partner, on=False, channel="sms")
    assert consent.evaluation_chosen(ctx, world.partner, on=False, channel="worker")
    assert offer.state == OfferState.CANCELLED and not consent.evaluation_agreed(dbs, world.partner.id)
    scopes = dbs.scalars(select(ConsentEvent.action).where(ConsentEvent.partner_id == world.partner.id,
                                                           ConsentEvent.scope == ConsentScope.EVALUATION)).all()
    assert scopes == ["given", "withdrawn"]


def test_her_answers_are_sealed_once_per_stage_with_skipped_questions_left_out(dbs, vault, audit_key, ctx_for):
    world = make_world(dbs, vault, audit_key)
    ctx, items = ctx_for(), configured_items("", LOCALES)
    offer = offer_for(dbs, world)
    with pytest.raises(DomainError, match="evaluation.not_agreed"):
        answers.record_answers(ctx, items, world.partner, offer, {"afraid": "never"}, recorded_by=RecordedBy.HER)
    consent.evaluation_chosen(ctx, world.partner, on=True, channel="web")
    with pytest.raises(DomainError) as refused:
        answers.record_answers(ctx, items, world.partner, offer, {"afraid": "maybe"}, recorded_by=RecordedBy.HER)
    assert refused.value.code == "evaluation.answer_unknown" and refused.value.field == "afraid"
    with pytest.raises(DomainError):  # "does not apply" only where the domain may not apply to her
        answers.record_answers(ctx, items, world.partner, offer, {"afraid": "not_applicable"}, recorded_by="her")
    done = answers.record_answers(ctx, items, world.partner, offer,
                                  {"afraid": "rarely", "listens": "", "children_at_ease": "not_applicable"},
                                  recorded_by=RecordedBy.HER)
    assert done.answered == 2 and offer.state == OfferState.ANSWERED
    row = dbs.get(QuestionnaireResponse, done.response_id)
    assert b"rarely" not in row.answers_ct and row.items_id == "starter"
    assert answers.read_answers(vault, row) == {"afraid": "rarely", "children_at_ease": "not_applicable"}
    with pytest.raises(DomainError, match="evaluation.offer_closed"):  # a second send of the same stage
        answers.record_answers(ctx, items, world.partner, offer, {"afraid": "never"}, recorded_by=RecordedBy.HER)
    assert not answers.skip_stage(ctx, world.partner, offer, recorded_by="her")  # closed: nothing changes


def test_a_skipped_stage_is_closed_for_good_and_erasure_deletes_her_answers(dbs, vault, audit_key, ctx_for):
    world = make_world(dbs, vault, audit_key)
    ctx, items = ctx_for(), configured_items("", LOCALES)
    consent.evaluation_chosen(ctx, world.partner, on=True, channel="web")
    skipped, answered = offer_for(dbs, world, "intake"), offer_for(dbs, world, "middle")
    assert answers.skip_stage(ctx, world.partner, skipped, recorded_by="her")
    assert skipped.state == OfferState.SKIPPED
    answers.record_answers(ctx, items, world.partner, answered, {"afraid": "never"}, recorded_by="her")
    open_one = offer_for(dbs, world, "end")
    erase_partner(ctx, world.partner, reason="request")
    dbs.flush()
    for model in (QuestionnaireResponse, EvaluationOffer):
        assert dbs.scalar(select(func.count()).select_from(model)) == 0
    assert dbs.get(EvaluationOffer, open_one.id) is None


def test_the_content_check_reads_her_questions_in_every_language():
    from portal.content_lint import lint_evaluation_items

    items = configured_items("", LOCALES)
    assert list(lint_evaluation_items(items, LOCALES)) == []  # the starter questions pass
    doc = copy.deepcopy(starter_doc())
    doc["domains"][0]["items"][0]["text"]["en"] = "Did you make sure he goes to every session?"
    flagged = list(lint_evaluation_items(parse_items(doc, LOCALES), LOCALES))
    assert [(f.locale, f.finding.rule.split(".")[0]) for f in flagged] == [("en", "blame")]
    assert flagged[0].where == "evaluation items starter:1"
