"""Her second passphrase (issue 11 item 3): it opens the harmless plan, gives her worker one immediate "do not
call" task and holds texts to her; nothing else differs from her real passphrase. Wrong tries are slowed per
plan, counted before any key is derived, committed whatever the request does, the same on both paths, and no
number of simultaneous tries gets past the limit."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.models import AuditEvent, PartnerContact, SafetyPlan, Severity, Task, TaskKind
from portal.services.audit import Actor
from portal.services.casework import inbox
from portal.services.her import safety_plan
from portal.services.her.safety_plan import TryLimits
from portal.services.messaging.texts_hold import HoldError
from tests.factories import context, reloaded
from tests.plan_support import CANARY_DECOY, CANARY_PLAN, DURESS, KDF, PASSPHRASE, content, her_ctx, make_plan


@pytest.fixture
def plan(dbs, world, ctx_for):  # type: ignore[no-untyped-def]
    return make_plan(her_ctx(ctx_for, world.partner), world.partner, mine=content(people__contacts=CANARY_PLAN),
                     decoy=content(support__services=CANARY_DECOY))


def try_open(ctx_for, partner, passphrase, **kwargs):  # type: ignore[no-untyped-def]
    """One opening as her page does it: the service, then the request's commit."""
    ctx = her_ctx(ctx_for, partner)
    outcome = safety_plan.open_plan(ctx, partner, passphrase, kdf=KDF, **kwargs)
    ctx.db.commit()
    return outcome


def duress_tasks(dbs, partner_id):  # type: ignore[no-untyped-def]
    dbs.expire_all()
    return list(dbs.scalars(select(Task).where(Task.partner_id == partner_id, Task.kind == TaskKind.PLAN_DURESS)))


def test_the_second_passphrase_opens_the_harmless_plan_and_quietly_tells_her_worker(dbs, world, ctx_for, plan,
                                                                                      clock):
    outcome = try_open(ctx_for, world.partner, DURESS)
    assert outcome.unlocked is not None and outcome.unlocked.duress and outcome.unlocked.slot != plan.slot
    shown = safety_plan.read(dbs, outcome.unlocked)
    assert shown.fields == {"support.services": CANARY_DECOY} and CANARY_PLAN not in str(shown)
    [task] = duress_tasks(dbs, world.partner.id)
    assert (task.severity, task.contact_allowed, task.assignee_id) == (Severity.IMMEDIATE, False, world.worker.id)
    assert task.done_at is None and task.released_at is None
    assert reloaded(dbs, world.partner).texts_held_since == clock.now()
    audit = dbs.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1)).one()
    assert audit.action == "plan.opened_duress" and str(task.id) in audit.details


def test_her_real_passphrase_makes_no_task_and_holds_nothing(dbs, world, ctx_for, plan):
    outcome = try_open(ctx_for, world.partner, PASSPHRASE)
    assert outcome.unlocked is not None and not outcome.unlocked.duress
    assert safety_plan.read(dbs, outcome.unlocked).fields == {"people.contacts": CANARY_PLAN}
    assert duress_tasks(dbs, world.partner.id) == []
    assert reloaded(dbs, world.partner).texts_held_since is None
    assert dbs.scalar(select(AuditEvent.action).order_by(AuditEvent.seq.desc()).limit(1)) == "plan.opened"


def test_both_passphrases_give_the_same_outcome_shape_and_do_the_same_work(dbs, world, ctx_for, plan, monkeypatch):
    derived = []
    real_kdf = safety_plan.passphrase_key
    monkeypatch.setattr(safety_plan, "passphrase_key", lambda *a: derived.append(1) or real_kdf(*a))
    outcomes = {}
    for passphrase in (PASSPHRASE, DURESS, "not her passphrase"):
        derived.clear()
        outcomes[passphrase] = try_open(ctx_for, world.partner, passphrase)
        assert len(derived) == 2, passphrase  # both slots' keys, always
    real, duress, wrong = outcomes[PASSPHRASE], outcomes[DURESS], outcomes["not her passphrase"]
    assert (real.wait_seconds, real.tries_left_before_wait) == (duress.wait_seconds, duress.tries_left_before_wait)
    assert type(real.unlocked) is type(duress.unlocked) and len(real.unlocked.data_key) == 32
    assert wrong.unlocked is None


def test_opening_again_under_pressure_never_piles_up_tasks(dbs, world, ctx_for, plan, clock, audit_key, vault):
    for _ in range(3):
        assert try_open(ctx_for, world.partner, DURESS).unlocked.duress
        clock.advance(minutes=5)
    [task] = duress_tasks(dbs, world.partner.id)
    # Her worker released texts; a new opening under pressure holds them again, on the same open task.
    safety_plan.release_texts(ctx_for(Actor("staff", str(world.worker.id))), task.id)
    dbs.commit()
    assert reloaded(dbs, world.partner).texts_held_since is None
    try_open(ctx_for, world.partner, DURESS)
    [again] = duress_tasks(dbs, world.partner.id)
    assert again.id == task.id and again.released_at is None
    assert reloaded(dbs, world.partner).texts_held_since is not None
    # Once her worker closed it, the next opening under pressure is a new task.
    inbox.complete(ctx_for(Actor("staff", str(world.worker.id))), reloaded(dbs, task), world.worker)
    dbs.commit()
    assert reloaded(dbs, world.partner).texts_held_since is None  # closing the task lifts the hold
    try_open(ctx_for, world.partner, DURESS)
    assert len(duress_tasks(dbs, world.partner.id)) == 2


def test_simultaneous_openings_under_pressure_make_one_task(app, dbs, world, ctx_for, plan, vault, audit_key, clock):
    engine = dbs.get_bind()
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def attempt() -> None:
        try:
            with Session(engine, expire_on_commit=False) as db:
                her = db.get(PartnerContact, world.partner.id)
                ctx = context(db, vault, audit_key, clock.now(), Actor("partner", str(her.id)))
                barrier.wait()
                assert safety_plan.open_plan(ctx, her, DURESS, kdf=KDF).unlocked is not None
                db.commit()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=attempt) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(duress_tasks(dbs, world.partner.id)) == 1


def test_releasing_texts_is_for_a_duress_task_only_and_audited(dbs, world, ctx_for, plan):
    try_open(ctx_for, world.partner, DURESS)
    [task] = duress_tasks(dbs, world.partner.id)
    staff = ctx_for(Actor("staff", str(world.worker.id)))
    other = inbox_task(dbs, world)
    with pytest.raises(HoldError, match="not_a_hold"):
        safety_plan.release_texts(staff, other.id)
    safety_plan.release_texts(staff, task.id)
    dbs.commit()
    released = reloaded(dbs, task)
    assert released.released_at is not None and released.done_at is None  # it stays open for her worker
    assert dbs.scalar(select(AuditEvent.action).order_by(AuditEvent.seq.desc()).limit(1)) == "texts.released"


def inbox_task(dbs, world):  # type: ignore[no-untyped-def]
    from portal.services.casework.tasks import create_task

    task = create_task(dbs, world.partner, kind=TaskKind.SMS_HELP, severity=Severity.SOON,
                       now=world.partner.created_at)
    dbs.commit()
    return task


# -- wrong tries -------------------------------------------------------------------------------------------


def tries_of(dbs, plan_id):  # type: ignore[no-untyped-def]
    with Session(dbs.get_bind()) as fresh:
        row = fresh.get(SafetyPlan, plan_id)
        return row.wrong_tries, row.wait_until


def test_a_wrong_try_is_counted_even_when_the_request_rolls_back(dbs, world, ctx_for, plan):
    ctx = her_ctx(ctx_for, world.partner)
    outcome = safety_plan.open_plan(ctx, world.partner, "not her passphrase", kdf=KDF)
    assert outcome.unlocked is None
    dbs.rollback()  # the page failed afterwards
    assert tries_of(dbs, plan.plan_id) == (1, None)
    actions = list(dbs.scalars(select(AuditEvent.action).order_by(AuditEvent.seq)))
    assert actions[-1] == "plan.wrong_passphrase"  # its audit entry committed with the count


def test_the_wait_grows_and_waiting_derives_nothing(dbs, world, ctx_for, plan, clock, monkeypatch):
    derived = []
    real_kdf = safety_plan.passphrase_key
    monkeypatch.setattr(safety_plan, "passphrase_key", lambda *a: derived.append(1) or real_kdf(*a))
    lefts = [try_open(ctx_for, world.partner, f"wrong guess {n}").tries_left_before_wait for n in range(4)]
    assert lefts == [4, 3, 2, 1]
    fifth = try_open(ctx_for, world.partner, "wrong guess 5")
    assert (fifth.unlocked, fifth.wait_seconds, fifth.tries_left_before_wait) == (None, 30, 0)
    waits = []
    for expected in (60, 120, 240):
        derived.clear()
        clock.advance(seconds=10)
        during = try_open(ctx_for, world.partner, PASSPHRASE)  # even her right passphrase waits
        assert during.unlocked is None and during.wait_seconds > 0 and derived == []
        clock.advance(seconds=during.wait_seconds)
        waits.append(try_open(ctx_for, world.partner, "still wrong").wait_seconds)
        assert waits[-1] == expected
    assert tries_of(dbs, plan.plan_id)[0] == 8
    # Capped at an hour, and never a wipe: after any number of wrong tries her passphrase still opens it.
    limits = TryLimits()
    assert limits.wait_after(40) == 3600 and limits.wait_after(4) == 0
    clock.advance(seconds=240)
    assert try_open(ctx_for, world.partner, PASSPHRASE).unlocked is not None
    assert tries_of(dbs, plan.plan_id) == (0, None)


@pytest.mark.parametrize("right", [PASSPHRASE, DURESS])
def test_either_right_passphrase_resets_the_count_the_same_way(dbs, world, ctx_for, plan, clock, right):
    for n in range(5):
        try_open(ctx_for, world.partner, f"wrong guess {n}")
    assert tries_of(dbs, plan.plan_id)[0] == 5
    clock.advance(seconds=30)
    outcome = try_open(ctx_for, world.partner, right)
    assert outcome.unlocked is not None
    assert (outcome.wait_seconds, outcome.tries_left_before_wait) == (0, 5)
    assert tries_of(dbs, plan.plan_id) == (0, None)


def test_simultaneous_wrong_tries_cannot_get_past_the_limit(dbs, world, plan, vault, audit_key, clock, monkeypatch):
    derived = Counter[int]()
    lock = threading.Lock()
    real_kdf = safety_plan.passphrase_key

    def counting(*args):  # type: ignore[no-untyped-def]
        with lock:
            derived[threading.get_ident()] += 1
        return real_kdf(*args)

    monkeypatch.setattr(safety_plan, "passphrase_key", counting)
    engine = dbs.get_bind()
    count = 12
    barrier = threading.Barrier(count)
    outcomes = []
    errors: list[BaseException] = []

    def attempt(n: int) -> None:
        try:
            with Session(engine, expire_on_commit=False) as db:  # one browser each: its own session
                her = db.get(PartnerContact, world.partner.id)
                ctx = context(db, vault, audit_key, clock.now(), Actor("partner", str(her.id)))
                barrier.wait()
                outcome = safety_plan.open_plan(ctx, her, f"a thief's guess {n}", kdf=KDF)
                db.rollback()
                with lock:
                    outcomes.append(outcome)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(outcomes) == count and all(o.unlocked is None for o in outcomes)
    assert sorted(o.tries_left_before_wait for o in outcomes if o.tries_left_before_wait) == [1, 2, 3, 4]
    assert all(o.wait_seconds == 30 for o in outcomes if not o.tries_left_before_wait)
    assert sum(derived.values()) == 5 * 2  # exactly the free tries were derived; the others found the wait
    assert tries_of(dbs, plan.plan_id)[0] == 5
    assert dbs.scalar(select(func.count()).select_from(AuditEvent)
                      .where(AuditEvent.action == "plan.wrong_passphrase")) == 5
