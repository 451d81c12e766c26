"""Her evaluation stages offered by the dispatcher process (issue 13; services/evaluation/offers.py): each stage
falls due from his programme dates, only after her yes, only the latest due one, one text in her safe times (or
her worker's phone task), one reminder at most, then expiry; skipped or cancelled stages are never followed up,
and racing dispatchers offer each stage once, on SQLite and PostgreSQL."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker

from portal.models import (
    ConsentChannel,
    EvaluationOffer,
    EvaluationStage,
    Notification,
    NotificationState,
    OfferState,
    Participant,
    PartnerContact,
    Task,
    TaskKind,
)
from portal.services.evaluation import offers
from portal.services.evaluation.answers import skip_stage
from portal.services.evaluation.stages import (
    DEFAULT_PLAN,
    ProgrammeDates,
    due_dates,
    his_dates,
    programme_plan,
    set_stage_timing,
)
from portal.services.her import consent
from portal.services.her.her_access import partner_actor
from portal.services.programme.events import Reporter, report_event
from tests.factories import context, make_partner, reloaded, set_prefs, set_windows
from tests.public_helpers import follow_link
from tests.served import fire

LONDON = ZoneInfo("Europe/London")
START = date(2026, 1, 5)  # his start; the default plan: intake a week later, middle on 6 April, end on 6 July
END = date(2026, 7, 6)
HIS_DATES = ProgrammeDates(START, END, None)


def stage_on(today: date, plan=DEFAULT_PLAN, dates=HIS_DATES) -> str | None:  # type: ignore[no-untyped-def]
    due = offers.latest_due(due_dates(plan, dates), today)
    return None if due is None else due.stage


def test_each_stage_falls_due_from_his_programme_dates_and_only_the_latest_is_offered():
    assert stage_on(date(2026, 1, 11)) is None  # intake is a week after his start
    assert stage_on(date(2026, 1, 12)) == "intake"
    assert stage_on(date(2026, 4, 5)) is None  # intake long past its grace, and nothing later is due yet
    assert stage_on(date(2026, 4, 6)) == "middle"  # halfway between 5 January and 6 July
    assert stage_on(date(2026, 7, 6)) == "end"
    assert stage_on(date(2027, 1, 4)) == "after_6"  # 182 days after his end
    assert stage_on(date(2027, 7, 6)) == "after_12"  # 365 days after his end


def test_a_stage_gone_past_its_grace_is_not_offered_and_no_earlier_one_instead():
    assert stage_on(date(2026, 1, 12) + offers.GRACE) == "intake"  # six weeks: still asked
    assert stage_on(date(2026, 1, 12) + offers.GRACE + timedelta(days=1)) is None
    assert stage_on(date(2026, 4, 6) + offers.GRACE + timedelta(days=1)) is None  # middle gone: not intake either


def test_no_dates_no_stage():
    assert stage_on(date(2026, 6, 1), dates=ProgrammeDates(None, None, None)) is None
    assert stage_on(date(2026, 1, 20), dates=ProgrammeDates(START, None, None)) == "intake"  # no end in sight yet
    assert stage_on(date(2026, 7, 6), dates=ProgrammeDates(START, None, None)) is None


def test_a_programmes_own_plan_and_his_dropout_date(dbs, vault, audit_key, world, clock):
    ctx = context(dbs, vault, audit_key, clock.now())
    set_stage_timing(ctx, world.programme.id, "intake", anchor="start", offset_days=0, enabled=True, staff_id=None)
    set_stage_timing(ctx, world.programme.id, "middle", anchor="middle", offset_days=0, enabled=False, staff_id=None)
    dbs.commit()
    plan = programme_plan(dbs, world.programme.id)
    assert stage_on(START, plan) == "intake"  # on his first day, as this programme asks
    assert stage_on(date(2026, 4, 6), plan) is None  # middle switched off (and intake long gone)
    participant = dbs.get(Participant, world.participant.id)
    participant.started_on, participant.expected_end_on = START, END
    dbs.commit()
    clock.current = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
    report_event(context(dbs, vault, audit_key, clock.now()), programme=world.programme,
                 participant_ref=participant.reference, kind="dropout",
                 reporter=Reporter(staff_id=world.facilitator.id))
    dbs.commit()
    dates = his_dates(dbs, participant, LONDON)
    assert dates.end == date(2026, 3, 2)  # his dropout ends his programme early
    assert stage_on(date(2026, 3, 2), plan, dates) == "end"
    assert stage_on(date(2026, 3, 2) + timedelta(days=182), plan, dates) == "after_6"


# -- the dispatcher's pass ---------------------------------------------------------------------------------

def dates(dbs, world, started: date, expected_end: date | None) -> None:  # type: ignore[no-untyped-def]
    participant = dbs.get(Participant, world.participant.id)
    participant.started_on, participant.expected_end_on = started, expected_end
    dbs.commit()


def says(dbs, vault, audit_key, world, clock, on: bool = True) -> None:  # type: ignore[no-untyped-def]
    partner = dbs.get(PartnerContact, world.partner.id)
    consent.evaluation_chosen(context(dbs, vault, audit_key, clock.now(), partner_actor(partner.id)), partner,
                              on=on, channel=ConsentChannel.WEB)
    dbs.commit()


def dispatcher_pass(app, clock) -> str:  # type: ignore[no-untyped-def]
    """One pass of the dispatcher process (`flask --app portal worker --once`); what the console backend sent."""
    from portal.worker import build_dispatcher, checkin_rules, run, service_zone

    out = io.StringIO()
    with app.app_context():
        dispatcher = build_dispatcher(app, out=out)
        run(dispatcher, once=True, poll_seconds=0.1, echo=lambda _line: None, rules=checkin_rules(app),
            zone=service_zone(app))
    return out.getvalue()


def offers_of(dbs, world) -> list[EvaluationOffer]:  # type: ignore[no-untyped-def]
    dbs.expire_all()
    return sorted(dbs.scalars(select(EvaluationOffer).where(EvaluationOffer.partner_id == world.partner.id)),
                  key=lambda offer: EvaluationStage.ALL.index(EvaluationStage(offer.stage)))


def texts_of(dbs, world) -> list[Notification]:  # type: ignore[no-untyped-def]
    dbs.expire_all()
    return list(dbs.scalars(select(Notification).where(Notification.partner_id == world.partner.id,
                                                       Notification.kind == "evaluation")
                            .order_by(Notification.created_at)))


def phone_tasks(dbs, world) -> list[Task]:  # type: ignore[no-untyped-def]
    dbs.expire_all()
    return list(dbs.scalars(select(Task).where(Task.partner_id == world.partner.id,
                                               Task.kind == TaskKind.EVALUATION_BY_PHONE)))


@pytest.fixture
def texts_world(dbs, world):  # type: ignore[no-untyped-def]
    """Her texts on, safe times always open; his programme began on 5 January, ends on 6 July."""
    set_prefs(dbs, world.partner.id, channel_sms=True)
    dates(dbs, world, START, END)
    return world


def test_nothing_before_her_yes_and_one_text_after_it_that_signs_her_in_on_the_questions(app, client, dbs, vault,
                                                                                         audit_key, texts_world,
                                                                                         clock):
    world = texts_world
    clock.current = datetime(2026, 1, 20, 10, 0, tzinfo=UTC)  # intake due since 12 January
    dispatcher_pass(app, clock)
    assert offers_of(dbs, world) == [] and texts_of(dbs, world) == []
    says(dbs, vault, audit_key, world, clock)
    sent = dispatcher_pass(app, clock)
    [offer] = offers_of(dbs, world)
    assert (offer.stage, offer.state, offer.due_on, offer.offered_at, offer.task_id) == (
        "intake", OfferState.OFFERED, date(2026, 1, 12), clock.now(), None)
    [text] = texts_of(dbs, world)
    assert (text.template, text.state) == ("evaluation", NotificationState.DELIVERED)  # the console backend reports it
    dispatcher_pass(app, clock)
    assert len(texts_of(dbs, world)) == 1 and len(offers_of(dbs, world)) == 1  # once, however often it runs
    assert "Hello, a few short questions, if you have a moment:" in sent
    link = "/v/" + sent.split("/v/")[1].split()[0]
    response = follow_link(client, link)
    assert response.status_code == 303 and response.headers["Location"].endswith("/questions")
    page = client.get("/questions").get_data(as_text=True)
    assert "Send my answers" in page and str(offer.id) in page


def test_she_said_yes_late_only_the_latest_due_stage_is_offered(app, dbs, vault, audit_key, texts_world, clock):
    world = texts_world
    clock.current = datetime(2026, 4, 20, 10, 0, tzinfo=UTC)  # intake long gone; middle due on 6 April
    says(dbs, vault, audit_key, world, clock)
    dispatcher_pass(app, clock)
    assert [(o.stage, o.state) for o in offers_of(dbs, world)] == [("middle", OfferState.OFFERED)]


def test_a_stage_gone_by_the_time_she_says_yes_is_not_offered(app, dbs, vault, audit_key, texts_world, clock):
    clock.current = datetime(2026, 6, 1, 10, 0, tzinfo=UTC)  # middle was due 8 weeks ago; end not yet
    says(dbs, vault, audit_key, texts_world, clock)
    dispatcher_pass(app, clock)
    assert offers_of(dbs, texts_world) == []
    clock.current = datetime(2026, 7, 6, 10, 0, tzinfo=UTC)
    dispatcher_pass(app, clock)
    assert [o.stage for o in offers_of(dbs, texts_world)] == ["end"]


def test_no_dates_nothing_offered(app, dbs, vault, audit_key, world, clock):
    set_prefs(dbs, world.partner.id, channel_sms=True)
    dbs.commit()
    says(dbs, vault, audit_key, world, clock)
    clock.advance(days=400)
    dispatcher_pass(app, clock)
    assert offers_of(dbs, world) == [] and phone_tasks(dbs, world) == []


@pytest.mark.parametrize("how", ["her_no", "her_stop"])
def test_never_after_her_no_or_her_stop(app, dbs, vault, audit_key, texts_world, clock, how):
    world = texts_world
    clock.current = datetime(2026, 1, 20, 10, 0, tzinfo=UTC)
    says(dbs, vault, audit_key, world, clock)
    dispatcher_pass(app, clock)
    clock.advance(hours=1)
    partner = dbs.get(PartnerContact, world.partner.id)
    ctx = context(dbs, vault, audit_key, clock.now(), partner_actor(partner.id))
    if how == "her_no":
        consent.evaluation_chosen(ctx, partner, on=False, channel=ConsentChannel.WEB)
    else:
        consent.stop_contact(ctx, partner, channel=ConsentChannel.WEB)
    dbs.commit()
    [offer] = offers_of(dbs, world)
    assert offer.state == OfferState.CANCELLED
    for day in (datetime(2026, 1, 31, 10, tzinfo=UTC), datetime(2026, 4, 7, 10, tzinfo=UTC),
                datetime(2026, 7, 7, 10, tzinfo=UTC)):
        clock.current = day
        dispatcher_pass(app, clock)
    assert [(o.stage, o.state) for o in offers_of(dbs, world)] == [("intake", OfferState.CANCELLED)]  # no later stage
    assert len(texts_of(dbs, world)) == 1


@pytest.mark.parametrize("why", ["calls_only", "shared_phone", "no_safe_times", "opted_out"])
def test_when_no_text_may_reach_her_her_worker_gets_one_routine_task_instead(app, dbs, vault, audit_key, world,
                                                                             clock, why):
    dates(dbs, world, START, END)
    prefs = {"calls_only": {"channel_call": True}, "shared_phone": {"channel_sms": True, "shared_phone": True},
             "no_safe_times": {"channel_sms": True}, "opted_out": {"channel_sms": True}}[why]
    set_prefs(dbs, world.partner.id, **prefs)
    if why == "no_safe_times":
        set_windows(dbs, world.partner.id, [])
    if why == "opted_out":
        dbs.get(PartnerContact, world.partner.id).sms_opted_out = True
    dbs.commit()
    clock.current = datetime(2026, 1, 20, 10, 0, tzinfo=UTC)
    says(dbs, vault, audit_key, world, clock)
    dispatcher_pass(app, clock)
    dispatcher_pass(app, clock)
    [offer] = offers_of(dbs, world)
    [task] = phone_tasks(dbs, world)
    assert (offer.state, offer.task_id, task.severity, task.assignee_id) == (
        OfferState.OFFERED, task.id, "routine", world.worker.id)
    assert texts_of(dbs, world) == []
    clock.advance(days=12)
    dispatcher_pass(app, clock)
    assert texts_of(dbs, world) == [] and len(phone_tasks(dbs, world)) == 1  # no reminder on the phone route
    clock.advance(days=10)  # 22 days after the offer: expired, and the task closes itself
    dispatcher_pass(app, clock)
    assert offers_of(dbs, world)[0].state == OfferState.EXPIRED
    assert reloaded(dbs, task).done_at is not None


def test_the_text_goes_only_inside_her_safe_window(app, dbs, vault, audit_key, world, clock):
    set_prefs(dbs, world.partner.id, channel_sms=True)
    set_windows(dbs, world.partner.id, [(1, 18 * 60, 19 * 60 + 30)])  # Tuesdays 18:00-19:30, London
    dbs.commit()
    dates(dbs, world, START, END)
    clock.current = datetime(2026, 1, 19, 10, 0, tzinfo=UTC)  # a Monday
    says(dbs, vault, audit_key, world, clock)
    assert dispatcher_pass(app, clock) == ""
    [text] = texts_of(dbs, world)
    assert text.state == NotificationState.PENDING and text.not_before == datetime(2026, 1, 20, 18, 0, tzinfo=UTC)
    clock.current = datetime(2026, 1, 20, 17, 59, tzinfo=UTC)
    assert dispatcher_pass(app, clock) == ""
    clock.current = datetime(2026, 1, 20, 18, 5, tzinfo=UTC)
    assert "/v/" in dispatcher_pass(app, clock)
    assert texts_of(dbs, world)[0].state == NotificationState.DELIVERED


def test_one_reminder_after_ten_days_then_it_expires_after_twenty_one(app, dbs, vault, audit_key, texts_world,
                                                                    clock):
    world = texts_world
    clock.current = datetime(2026, 1, 20, 10, 0, tzinfo=UTC)
    says(dbs, vault, audit_key, world, clock)
    dispatcher_pass(app, clock)
    offered_at = clock.now()
    clock.current = offered_at + timedelta(days=9, hours=23)
    dispatcher_pass(app, clock)
    assert len(texts_of(dbs, world)) == 1
    clock.current = offered_at + timedelta(days=10)
    dispatcher_pass(app, clock)
    dispatcher_pass(app, clock)
    assert len(texts_of(dbs, world)) == 2
    assert offers_of(dbs, world)[0].reminded_at == offered_at + timedelta(days=10)
    clock.current = offered_at + timedelta(days=20)
    dispatcher_pass(app, clock)
    assert len(texts_of(dbs, world)) == 2  # never a second reminder
    clock.current = offered_at + timedelta(days=21)
    dispatcher_pass(app, clock)
    [offer] = offers_of(dbs, world)
    assert (offer.state, offer.closed_at) == (OfferState.EXPIRED, offered_at + timedelta(days=21))
    clock.current = offered_at + timedelta(days=40)
    dispatcher_pass(app, clock)
    assert len(offers_of(dbs, world)) == 1 and len(texts_of(dbs, world)) == 2


def test_a_skipped_stage_is_never_followed_up(app, dbs, vault, audit_key, texts_world, clock):
    world = texts_world
    clock.current = datetime(2026, 1, 20, 10, 0, tzinfo=UTC)
    says(dbs, vault, audit_key, world, clock)
    dispatcher_pass(app, clock)
    partner = dbs.get(PartnerContact, world.partner.id)
    [offer] = offers_of(dbs, world)
    assert skip_stage(context(dbs, vault, audit_key, clock.now(), partner_actor(partner.id)), partner, offer,
                      recorded_by="her")
    dbs.commit()
    for days in (10, 21, 30):
        clock.current = datetime(2026, 1, 20, 10, 0, tzinfo=UTC) + timedelta(days=days)
        dispatcher_pass(app, clock)
    assert [(o.stage, o.state) for o in offers_of(dbs, world)] == [("intake", OfferState.SKIPPED)]
    assert len(texts_of(dbs, world)) == 1
    clock.current = datetime(2026, 4, 6, 10, 0, tzinfo=UTC)  # the next stage is another question: asked once
    dispatcher_pass(app, clock)
    assert [o.stage for o in offers_of(dbs, world)] == ["intake", "middle"]


def test_a_pending_earlier_stage_gives_way_to_a_later_one(app, dbs, vault, audit_key, texts_world, clock):
    world = texts_world
    dbs.add(EvaluationOffer(partner_id=world.partner.id, programme_id=world.programme.id,
                            participant_id=world.participant.id, stage="intake", due_on=date(2026, 1, 12)))
    dbs.commit()
    clock.current = datetime(2026, 4, 7, 10, 0, tzinfo=UTC)
    says(dbs, vault, audit_key, world, clock)
    dispatcher_pass(app, clock)
    assert [(o.stage, o.state) for o in offers_of(dbs, world)] == [("intake", OfferState.EXPIRED),
                                                                   ("middle", OfferState.OFFERED)]


def test_two_women_two_programmes_each_asked_once(app, dbs, vault, audit_key, texts_world, clock):
    other = make_partner(dbs, vault, audit_key, texts_world.service, texts_world.worker, phone="+447400123999",
                         prefs={"channel_sms": True})
    from tests.factories import link

    link(dbs, other, dbs.get(Participant, texts_world.participant.id))
    dbs.commit()
    clock.current = datetime(2026, 1, 20, 10, 0, tzinfo=UTC)
    says(dbs, vault, audit_key, texts_world, clock)
    dispatcher_pass(app, clock)
    assert dbs.scalar(select(func.count()).select_from(EvaluationOffer)) == 1  # only she said yes


def test_racing_dispatchers_offer_each_stage_once(app, dbs, vault, audit_key, texts_world, clock):
    world = texts_world
    clock.current = datetime(2026, 1, 20, 10, 0, tzinfo=UTC)
    says(dbs, vault, audit_key, world, clock)
    sessions = sessionmaker(dbs.get_bind(), expire_on_commit=False)
    links = offers.Links("https://portal.test")

    def one_pass(_index: int) -> offers.PassCounts:
        return offers.run_pass(sessions, vault, audit_key, clock.now, links, LONDON)

    made = fire(6, one_pass)
    assert sum(c.created for c in made) == 1 and sum(c.texted for c in made) == 1
    assert len(offers_of(dbs, world)) == 1 and len(texts_of(dbs, world)) == 1
    clock.advance(days=10)
    reminded = fire(6, one_pass)
    assert sum(c.reminded for c in reminded) == 1
    assert len(texts_of(dbs, world)) == 2
