"""Her worker's side of her evaluation questions (issue 13): her yes or no as she told it, a stage asked by
phone (recorded sealed, as her worker's, the phone task done), a stage she does not want to answer, and every
refusal: her no, a closed stage, another woman's stage, another service's worker, garbage answers."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from portal.models import (
    AuditEvent,
    ConsentEvent,
    EvaluationOffer,
    PartnerStatus,
    QuestionnaireResponse,
    Task,
)
from portal.services.audit import Actor
from portal.services.evaluation.answers import read_answers
from portal.services.her import consent
from tests.evaluation_support import her_yes, offer_stage
from tests.factories import login_as, make_partner, make_world, reloaded
from tests.staff_console import csrf_from

ANSWERS = {"listens": "rarely", "afraid": "often", "children_at_ease": "not_applicable"}


@pytest.fixture
def staged(dbs, world, ctx_for, clock):
    """Her yes, and her intake stage offered with a phone task for her worker."""
    her_yes(ctx_for(), world.partner)
    offer, task = offer_stage(dbs, world.partner, world.programme.id, clock.now(),
                              participant_id=world.participant.id)
    dbs.commit()
    return offer, task


@pytest.fixture
def worker(client, world):
    login_as(client, world.worker)
    return client


def phone_url(world, offer) -> str:
    return f"/staff/cases/{world.partner.id}/evaluation/{offer.id}/phone"


def send(client, path, data, page=None):
    token = csrf_from(client.get(page or path).data)
    return client.post(path, data={"csrf_token": token, **data})


def answered(data: dict[str, str]) -> dict[str, str]:
    return {f"q-{code}": answer for code, answer in data.items()}


def test_the_form_shows_every_question_each_optional_with_the_reminder(worker, world, staged):
    page = worker.get(phone_url(world, staged[0]))
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    from portal.services.evaluation.items import STARTER_PATH

    doc = json.loads(STARTER_PATH.read_text())
    for domain in doc["domains"]:
        for item in domain["items"]:
            assert item["text"]["en"] in text
            # one radio group per question, "Not answered" chosen until she answers
            assert text.count(f'name="q-{item["code"]}"') == 5 + domain["may_not_apply"] + 1
    assert "exactly as it is written" in text and "may be skipped" in text and "nothing is followed up" in text
    assert "Start of his programme" in text  # the stage, in the console's words


def test_her_worker_records_her_answers_by_phone_sealed_and_the_task_closes(worker, dbs, vault, world, staged):
    offer, task = staged
    response = send(worker, phone_url(world, offer), answered({**ANSWERS, "puts_down": ""}))
    assert response.status_code == 303 and response.headers["Location"].endswith("#evaluation")
    [row] = dbs.scalars(select(QuestionnaireResponse).where(QuestionnaireResponse.partner_id == world.partner.id))
    assert (row.recorded_by, row.recorded_by_id, row.stage, row.offer_id) == (
        "worker_phone", world.worker.id, "intake", offer.id)
    assert read_answers(vault, row) == ANSWERS  # the skipped question is simply absent
    assert b"often" not in row.answers_ct and b"listens" not in row.answers_ct  # sealed
    assert reloaded(dbs, offer).state == "answered"
    closed = reloaded(dbs, task)
    assert closed.done_at is not None and closed.acknowledged_by_id == world.worker.id
    audit = dbs.scalar(select(AuditEvent).where(AuditEvent.action == "evaluation.answered"))
    assert json.loads(audit.details) == {"answered": 3, "recorded_by": "worker_phone", "stage": "intake"}
    # Her case page says the stage is answered, and never shows what she said.
    page = worker.get(f"/staff/cases/{world.partner.id}").get_data(as_text=True)
    assert "Answered" in page and "Ask by phone" not in page
    assert "Often" not in page and "Did he listen to you" not in page
    # Sent twice: refused, nothing more stored.
    again = send(worker, phone_url(world, offer), answered(ANSWERS), page=f"/staff/cases/{world.partner.id}")
    assert again.status_code == 409 and b"no longer open" in again.data
    assert dbs.scalar(select(func.count()).select_from(QuestionnaireResponse)) == 1


def test_the_task_page_leads_to_the_questions(worker, world, staged):
    offer, task = staged
    page = worker.get(f"/staff/tasks/{task.id}").get_data(as_text=True)
    assert phone_url(world, offer) in page
    assert "reading them as written" in page  # the task kind's guidance


def test_garbage_answers_are_refused_with_a_message_and_nothing_is_stored(worker, dbs, world, staged):
    offer, task = staged
    response = send(worker, phone_url(world, offer), answered({"listens": "very much", "afraid": "often"}))
    assert response.status_code == 400 and b"Choose one of the answers shown" in response.data
    assert b'aria-describedby="q-listens-error"' in response.data  # the question at fault is marked
    response = send(worker, phone_url(world, offer), answered({"children_at_ease": "not_applicable",
                                                               "listens": "not_applicable"}))
    assert response.status_code == 400  # "does not apply" is only for the children's questions
    assert dbs.scalar(select(func.count()).select_from(QuestionnaireResponse)) == 0
    assert reloaded(dbs, offer).state == "offered" and reloaded(dbs, task).done_at is None


def test_her_no_refuses_asking_and_skipping(worker, dbs, world, staged, ctx_for, clock):
    offer, task = staged
    page = worker.get(phone_url(world, offer)).data  # the form was open on her worker's screen
    clock.advance(minutes=5)
    consent.evaluation_chosen(ctx_for(Actor("partner", str(world.partner.id))), world.partner, on=False,
                              channel="web")
    dbs.commit()
    token = csrf_from(page)
    response = worker.post(phone_url(world, offer), data={"csrf_token": token, **answered(ANSWERS)})
    assert response.status_code == 409 and b"do not ask her" in response.data
    response = worker.post(f"/staff/cases/{world.partner.id}/evaluation/{offer.id}/skip", data={"csrf_token": token})
    assert response.status_code == 409
    assert dbs.scalar(select(func.count()).select_from(QuestionnaireResponse)) == 0
    assert worker.get(phone_url(world, offer)).status_code == 409  # and the form is not offered


def test_she_does_not_want_to_answer_this_stage(worker, dbs, world, staged):
    offer, task = staged
    path = f"/staff/cases/{world.partner.id}/evaluation/{offer.id}/skip"
    response = send(worker, path, {}, page=phone_url(world, offer))
    assert response.status_code == 303
    assert reloaded(dbs, offer).state == "skipped" and reloaded(dbs, task).done_at is not None
    assert dbs.scalar(select(func.count()).select_from(QuestionnaireResponse)) == 0
    audit = dbs.scalar(select(AuditEvent).where(AuditEvent.action == "evaluation.skipped"))
    assert json.loads(audit.details) == {"recorded_by": "worker_phone", "stage": "intake"}
    again = send(worker, path, {}, page=f"/staff/cases/{world.partner.id}")
    assert again.status_code == 409


def test_a_stage_asked_without_a_task_is_recorded_too(worker, dbs, vault, world, ctx_for, clock):
    her_yes(ctx_for(), world.partner)
    offer, _none = offer_stage(dbs, world.partner, world.programme.id, clock.now(), stage="middle",
                               state="pending", phone_task=False)
    dbs.commit()
    assert send(worker, phone_url(world, offer), answered({"afraid": "never"})).status_code == 303
    row = dbs.scalar(select(QuestionnaireResponse))
    assert row.stage == "middle" and read_answers(vault, row) == {"afraid": "never"}


def test_when_contact_stopped_she_is_not_asked(worker, dbs, world, staged):
    offer, _task = staged
    dbs.get(type(world.partner), world.partner.id).status = PartnerStatus.CLOSED
    dbs.commit()
    response = send(worker, phone_url(world, offer), answered(ANSWERS), page=f"/staff/cases/{world.partner.id}")
    assert response.status_code == 409 and b"do not contact her" in response.data
    assert dbs.scalar(select(func.count()).select_from(QuestionnaireResponse)) == 0


def test_another_womans_stage_and_garbage_ids_are_not_found(worker, dbs, vault, audit_key, world, staged,
                                                            ctx_for, clock):
    other = make_partner(dbs, vault, audit_key, world.service, world.worker, phone="+447400222333")
    her_yes(ctx_for(), other)
    hers, _task = offer_stage(dbs, other, world.programme.id, clock.now())
    dbs.commit()
    token = csrf_from(worker.get(f"/staff/cases/{world.partner.id}").data)
    wrong = f"/staff/cases/{world.partner.id}/evaluation/{hers.id}"
    assert worker.get(wrong + "/phone").status_code == 404
    assert worker.post(wrong + "/phone", data={"csrf_token": token, **answered(ANSWERS)}).status_code == 404
    assert worker.post(wrong + "/skip", data={"csrf_token": token}).status_code == 404
    for garbage in ("nope", "0", "../x"):
        assert worker.get(f"/staff/cases/{world.partner.id}/evaluation/{garbage}/phone").status_code == 404
    assert reloaded(dbs, hers).state == "offered"


def test_a_worker_of_another_service_is_refused(app, dbs, vault, audit_key, world, staged):
    offer, task = staged
    elsewhere = make_world(dbs, vault, audit_key, partner_phone="+447400555666")
    dbs.commit()
    browser = app.test_client()
    login_as(browser, elsewhere.worker)
    token = csrf_from(browser.get("/staff/cases").data)
    assert browser.get(phone_url(world, offer)).status_code == 404
    assert browser.post(phone_url(world, offer), data={"csrf_token": token, **answered(ANSWERS)}).status_code == 404
    assert browser.post(f"/staff/cases/{world.partner.id}/evaluation/{offer.id}/skip",
                        data={"csrf_token": token}).status_code == 404
    assert browser.post(f"/staff/cases/{world.partner.id}/evaluation/consent",
                        data={"csrf_token": token, "choice": "no"}).status_code == 404
    assert reloaded(dbs, offer).state == "offered" and reloaded(dbs, task).done_at is None
    assert dbs.scalar(select(func.count()).select_from(QuestionnaireResponse)) == 0


def consent_rows(dbs, world):
    dbs.expire_all()
    return [(row.action, row.channel, row.recorded_by_id) for row in dbs.scalars(
        select(ConsentEvent).where(ConsentEvent.partner_id == world.partner.id, ConsentEvent.scope == "evaluation")
        .order_by(ConsentEvent.occurred_at, ConsentEvent.id))]


def test_her_worker_records_her_yes_and_her_no_in_the_consent_ledger(worker, dbs, world, clock):
    case = f"/staff/cases/{world.partner.id}"
    page = worker.get(case).get_data(as_text=True)
    assert "She has not said yes to evaluation questions" in page
    response = send(worker, case + "/evaluation/consent", {"choice": "yes"}, page=case)
    assert response.status_code == 303
    assert consent_rows(dbs, world) == [("given", "worker", world.worker.id)]
    assert "She said yes to evaluation questions" in worker.get(case).get_data(as_text=True)
    # A stage is offered, with a phone task; then she tells her worker no.
    offer, task = offer_stage(dbs, world.partner, world.programme.id, clock.now())
    dbs.commit()
    clock.advance(minutes=5)  # her no comes after her yes
    assert send(worker, case + "/evaluation/consent", {"choice": "no"}, page=case).status_code == 303
    assert consent_rows(dbs, world)[-1] == ("withdrawn", "worker", world.worker.id)
    assert reloaded(dbs, offer).state == "cancelled"
    assert reloaded(dbs, task).done_at is not None  # nobody is asked to call her about it any more
    # The same word again changes nothing and says so.
    again = send(worker, case + "/evaluation/consent", {"choice": "no"}, page=case)
    assert again.status_code == 303 and len(consent_rows(dbs, world)) == 2
    assert b"Nothing changed" in worker.get(case).data


@pytest.mark.parametrize("choice", ["", "maybe", "YES", "1"])
def test_her_word_garbage_is_refused(worker, dbs, world, choice):
    case = f"/staff/cases/{world.partner.id}"
    response = send(worker, case + "/evaluation/consent", {"choice": choice}, page=case)
    assert response.status_code == 400 and b"Choose what she told you" in response.data
    assert consent_rows(dbs, world) == []


def test_a_yes_needs_contact_with_her(worker, dbs, world):
    dbs.get(type(world.partner), world.partner.id).status = PartnerStatus.WITHDRAWN
    dbs.commit()
    case = f"/staff/cases/{world.partner.id}"
    response = send(worker, case + "/evaluation/consent", {"choice": "yes"}, page=case)
    assert response.status_code == 409 and b"do not contact her" in response.data
    assert consent_rows(dbs, world) == []


def test_her_case_page_lists_her_stages_with_stage_due_date_and_state(worker, dbs, world, ctx_for, clock):
    her_yes(ctx_for(), world.partner)
    offer_stage(dbs, world.partner, world.programme.id, clock.now(), stage="intake", state="answered",
                phone_task=False)
    offer_stage(dbs, world.partner, world.programme.id, clock.now(), stage="middle", phone_task=False)
    dbs.commit()
    page = worker.get(f"/staff/cases/{world.partner.id}").get_data(as_text=True)
    section = page[page.index('id="evaluation"'):page.index("</section>", page.index('id="evaluation"'))]
    assert "Start of his programme" in section and "Middle of his programme" in section
    assert "Answered" in section and "Offered" in section
    assert section.count("Ask by phone") == 1  # only the open stage
    assert section.count('<time datetime="2026-03-02">') == 2  # each due date
    assert dbs.scalar(select(func.count()).select_from(EvaluationOffer)) == 2
    assert dbs.scalar(select(func.count()).select_from(Task).where(Task.kind == "evaluation_by_phone")) == 0
