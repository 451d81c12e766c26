"""Her questions pages (issue 13; portal/public/questions.py): her yes or no (off until she says yes), the stage
offered to her answered on her page without JavaScript (any question left blank, the whole stage skipped in one
tap), a second send or someone else's stage refused kindly, garbage answers refused with her form kept, her
language and direction, neutral titles, and her start page saying discreetly that questions wait."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from portal.models import (
    ConsentEvent,
    EvaluationOffer,
    OfferState,
    QuestionnaireResponse,
)
from portal.runtime import evaluation_items as app_items
from portal.services.evaluation import offers
from portal.services.evaluation.answers import read_answers
from tests.factories import make_partner, reloaded, set_prefs
from tests.public_helpers import choose_language, her_client, post
from tests.test_evaluation_offers import END, START, dates, dispatcher_pass, says
from tests.test_public_routes import check_page

FORM = "/questions"


@pytest.fixture
def items(app):  # type: ignore[no-untyped-def]
    """The app's item set (the starter questions in tests)."""
    with app.app_context():
        return app_items()


@pytest.fixture
def offered(app, dbs, vault, audit_key, world, clock):  # type: ignore[no-untyped-def]
    """She said yes, texts on; the intake stage of his programme was offered to her by the dispatcher."""
    set_prefs(dbs, world.partner.id, channel_sms=True)
    dates(dbs, world, START, END)
    clock.current = datetime(2026, 1, 20, 10, 0, tzinfo=UTC)
    says(dbs, vault, audit_key, world, clock)
    dispatcher_pass(app, clock)
    clock.advance(hours=2)
    [offer] = dbs.scalars(select(EvaluationOffer).where(EvaluationOffer.partner_id == world.partner.id))
    assert offer.state == OfferState.OFFERED
    return offer


def send(client, offer_id, answers: dict[str, str], action: str = "send"):  # type: ignore[no-untyped-def]
    form = {"offer": str(offer_id), "action": action, **{f"q-{code}": value for code, value in answers.items()}}
    return post(client, FORM, form, token_from=FORM)


def response_of(dbs, world) -> QuestionnaireResponse | None:  # type: ignore[no-untyped-def]
    dbs.expire_all()
    return dbs.scalar(select(QuestionnaireResponse).where(QuestionnaireResponse.partner_id == world.partner.id))


def text(response) -> str:  # type: ignore[no-untyped-def]
    return response.get_data(as_text=True)


def test_her_yes_or_no_is_off_until_she_says_yes_and_changes_at_any_time(app, dbs, world, clock):
    her = her_client(app, world.partner)
    page = her.get("/questions/choice")
    assert page.status_code == 200
    html = text(page)
    assert "At the moment: these questions are off." in html
    assert re.search(r'id="answer-no" name="answer" value="no" checked', html)
    assert "never shown to him, or to the staff who run his programme" in html  # one tap away, inside <details>
    check_page(her, "/questions/choice", page, "en")
    assert post(her, "/questions/choice", {"answer": "maybe"}).status_code == 400
    assert post(her, "/questions/choice", {"answer": "yes"}).status_code == 303
    assert "At the moment: you said yes." in text(her.get("/questions/choice"))
    clock.advance(minutes=1)  # her ledger orders her words by when she said them
    assert post(her, "/questions/choice", {"answer": "no"}).status_code == 303
    dbs.expire_all()
    ledger = [(e.action, e.channel) for e in dbs.scalars(
        select(ConsentEvent).where(ConsentEvent.partner_id == world.partner.id, ConsentEvent.scope == "evaluation")
        .order_by(ConsentEvent.occurred_at))]
    assert ledger == [("given", "web"), ("withdrawn", "web")]
    assert "these questions are off" in text(her.get("/questions/choice"))


def test_her_start_page_links_to_her_choice_and_says_when_questions_wait(app, dbs, world, offered):
    her = her_client(app, world.partner)
    home = text(her.get("/home"))
    assert "A few questions are waiting for you" in home and 'href="/questions/choice"' in home
    assert send(her, offered.id, {}).status_code == 303
    assert "A few questions are waiting for you" not in text(her.get("/home"))


def test_she_answers_some_questions_and_leaves_others_blank(items, app, dbs, vault, world, offered):
    her = her_client(app, world.partner)
    page = her.get(FORM)
    html = text(page)
    check_page(her, FORM, page, "en")
    assert html.count('<fieldset class="domain">') == len(items.domains) == 6
    assert html.count('name="q-') == sum(len(items.answers_for(i)) + 1 for i in items.items)  # + "skip this question"
    assert "Does not apply to me" in html and "Skip these questions" in html
    assert "<title>A few questions about the last four weeks" in html
    first, second, third = items.items[0], items.items[1], items.items[2]
    response = send(her, offered.id, {first.code: "often", second.code: "", third.code: ""})
    assert response.status_code == 303 and response.headers["Location"].endswith("/questions/thanks")
    assert "Your answers are saved." in text(her.get("/questions/thanks"))
    row = response_of(dbs, world)
    assert read_answers(vault, row) == {first.code: "often"}  # the blank ones are simply absent
    assert (row.recorded_by, row.stage, row.offer_id) == ("her", "intake", offered.id)
    assert reloaded(dbs, offered).state == OfferState.ANSWERED
    assert "There are no questions waiting for you at the moment." in text(her.get(FORM))


def test_a_second_send_is_refused_kindly_and_changes_nothing(items, app, dbs, vault, world, offered):
    her = her_client(app, world.partner)
    code = items.items[0].code
    assert send(her, offered.id, {code: "never"}).status_code == 303
    again = send(her, offered.id, {code: "always"})
    assert again.status_code == 409
    assert "These questions are closed" in text(again) and "nothing more you need to do" in text(again)
    check_page(her, FORM, again, "en")
    assert read_answers(vault, response_of(dbs, world)) == {code: "never"}
    assert send(her, offered.id, {}, action="skip").status_code == 409
    assert reloaded(dbs, offered).state == OfferState.ANSWERED


def test_skipping_the_stage_is_one_tap_and_is_never_asked_again(app, dbs, world, offered, clock):
    her = her_client(app, world.partner)
    response = send(her, offered.id, {}, action="skip")
    assert response.status_code == 303
    assert "nobody will ask you about them again" in text(her.get("/questions/thanks"))
    assert reloaded(dbs, offered).state == OfferState.SKIPPED
    assert response_of(dbs, world) is None


@pytest.mark.parametrize("offer_id", ["someone_else", "unknown", "garbage"])
def test_an_offer_that_is_not_hers_gets_the_same_kind_page(items, app, dbs, vault, audit_key, world, offered, offer_id):
    other = make_partner(dbs, vault, audit_key, world.service, world.worker, phone="+447400123999")
    theirs = EvaluationOffer(partner_id=other.id, programme_id=world.programme.id, stage="intake",
                             due_on=START, state=OfferState.OFFERED)
    dbs.add(theirs)
    dbs.commit()
    value = {"someone_else": str(theirs.id), "unknown": "8f0e8a3c-0000-4000-8000-000000000000",
             "garbage": "x" * 5000}[offer_id]
    her = her_client(app, world.partner)
    response = send(her, value, {items.items[0].code: "never"})
    assert response.status_code == 409 and "These questions are closed" in text(response)
    assert send(her, value, {}, action="skip").status_code == 409
    assert reloaded(dbs, theirs).state == OfferState.OFFERED and reloaded(dbs, offered).state == OfferState.OFFERED
    assert dbs.scalar(select(QuestionnaireResponse.id)) is None


@pytest.mark.parametrize("answers", [{"afraid": "very much"}, {"no_such_question": "never"},
                                     {"listens": "not_applicable"}])
def test_garbage_answers_get_a_400_with_her_form_kept(items, app, dbs, world, offered, answers):
    kept = next(i for i in items.items if i.code not in answers)
    her = her_client(app, world.partner)
    response = send(her, offered.id, {kept.code: "rarely", **answers})
    assert response.status_code == 400
    html = text(response)
    assert "Please choose one of the answers, or leave this question blank." in html
    assert "<title>Error:" in html and 'id="error-summary"' in html
    assert re.search(rf'id="{kept.code}-rarely" name="q-{kept.code}" value="rarely" checked', html)  # kept
    assert response_of(dbs, world) is None and reloaded(dbs, offered).state == OfferState.OFFERED
    assert send(her, offered.id, {}, action="something").status_code == 400


def test_her_questions_in_arabic_right_to_left(app, dbs, world, offered):
    her = her_client(app, world.partner)
    assert choose_language(app, her, "ar").status_code == 303  # saved on her record
    page = her.get(FORM)
    html = text(page)
    assert '<html lang="ar" dir="rtl">' in html
    assert "بعض الأسئلة عن الأسابيع الأربعة الماضية" in html
    assert "لا ينطبق عليّ" in html  # "does not apply to me", from the items file
    check_page(her, FORM, page, "ar")


def test_without_her_yes_or_with_contact_stopped_nothing_waits(app, dbs, world):
    her = her_client(app, world.partner)
    html = text(her.get(FORM))
    assert "There are no questions waiting for you at the moment." in html
    assert "You have not asked for these questions." in html
    assert "A few questions are waiting" not in text(her.get("/home"))


def test_the_thanks_page_alone_says_nothing_was_sent(app, dbs, world):
    her = her_client(app, world.partner)
    page = her.get("/questions/thanks")
    assert page.status_code == 200 and "Your answers are saved." not in text(page)
    check_page(her, "/questions/thanks", page, "en")


def test_her_copy_of_her_information_lists_her_answers(items, app, dbs, world, offered):
    her = her_client(app, world.partner)
    code = items.items[0].code
    assert send(her, offered.id, {code: "sometimes"}).status_code == 303
    page = text(her.get("/copy"))
    section = page[page.index('id="copy-questionnaires"'):page.index('id="copy-plan"')]
    question = html.escape(items.items[0].texts["en"], quote=True)
    assert f"<li>{question} – Sometimes</li>" in section  # in her words, not as codes
    assert code not in section and "sometimes<" not in section


def test_answers_to_another_item_set_are_listed_by_their_codes(items, app, dbs, world, offered):
    """Answers given to an item set the deployment no longer has cannot be put in that set's words: codes, then."""
    her = her_client(app, world.partner)
    code = items.items[0].code
    assert send(her, offered.id, {code: "sometimes"}).status_code == 303
    row = response_of(dbs, world)
    row.items_version = "older"
    dbs.commit()
    page = text(her.get("/copy"))
    section = page[page.index('id="copy-questionnaires"'):page.index('id="copy-plan"')]
    assert f'<bdi dir="ltr">{code}</bdi>: <span class="written">sometimes</span>' in section


def test_the_offer_she_sees_is_the_one_offered_to_her(dbs, world, offered):
    assert offers.waiting(dbs, world.partner.id).id == offered.id
    assert offers.her_open_offer(dbs, world.partner.id, offered.id) is not None
    assert offers.her_open_offer(dbs, world.partner.id, "not-a-uuid") is None
    assert offers.her_open_offer(dbs, world.facilitator.id, offered.id) is None
