"""One clock per action (issue 8, item 3): the injected clock reaches every audit entry and every timestamp an
action writes, in every domain, through the real entry points (her pages, her texts, the API, the worker, the
console, the sign-in form).

The app's clock is frozen 25 years before the wall clock, so a single timestamp taken from the wall clock (a
model default, an `onupdate`, a forgotten `now`) is plainly out of place: every datetime an action writes or
changes, in every table, must lie between the action's time and a few months after it (due times, link
expiries, her high-risk period), and every audit entry must carry the action's time exactly.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import url_for
from sqlalchemy import DateTime, Engine, select

from portal.clock import FrozenClock
from portal.models import (
    AuditEvent,
    Base,
    ConsentAction,
    ConsentEvent,
    Notification,
    NotificationState,
    PartnerContact,
    ProgrammeEvent,
    SignInThrottle,
    Task,
)
from portal.models.programme_event import EventFanout
from tests.api_support import make_token, post_event
from tests.factories import login_as, make_world
from tests.fanout_support import fan_out
from tests.public_helpers import open_link
from tests.public_helpers import post as her_post
from tests.sms_support import dispatcher, queued_warning, text_in, with_twilio
from tests.staff_console import csrf_from, password_step

T = datetime(2001, 1, 1, 9, 30, 15, 123456, tzinfo=UTC)  # a Monday, far from any wall clock
LATEST = timedelta(days=200)  # her high-risk period (183 days) is the furthest a written time may run ahead

Snapshot = dict[tuple[str, tuple[Any, ...], str], datetime]


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(T)


def times(engine: Engine) -> Snapshot:
    """Every datetime stored in every table, by (table, primary key, column)."""
    found: Snapshot = {}
    with engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            columns = [c for c in table.columns
                       if isinstance(c.type, DateTime) or isinstance(getattr(c.type, "impl", None), DateTime)]
            if not columns:
                continue
            keys = list(table.primary_key.columns)
            for row in conn.execute(select(*keys, *columns)):
                pk = tuple(row[:len(keys)])
                for column, value in zip(columns, row[len(keys):], strict=True):
                    if value is not None:
                        found[(table.name, pk, column.name)] = value
    return found


def written(before: Snapshot, after: Snapshot) -> Snapshot:
    return {where: value for where, value in after.items() if before.get(where) != value}


def assert_on_the_clock(engine: Engine, before: Snapshot, at: datetime, *, expected: set[str]) -> Snapshot:
    """Everything written since `before` is of the action's time; `expected` tables were written at all."""
    changed = written(before, times(engine))
    assert changed, "the action wrote nothing"
    off = {f"{table}.{column}": value.isoformat() for (table, _, column), value in changed.items()
           if not at <= value <= at + LATEST}
    assert not off, f"timestamps not taken from the action's clock: {off}"
    touched = {table for table, _, _ in changed}
    assert expected <= touched, f"expected writes to {sorted(expected - touched)}"
    return changed


def new_audit(dbs, after_seq: int) -> list[AuditEvent]:  # type: ignore[no-untyped-def]
    dbs.expire_all()
    return list(dbs.scalars(select(AuditEvent).where(AuditEvent.seq > after_seq).order_by(AuditEvent.seq)))


def head(dbs) -> int:  # type: ignore[no-untyped-def]
    return max(dbs.scalars(select(AuditEvent.seq)), default=0)


def test_stop_by_text_her_side_and_her_worker_s_task_carry_the_action_s_time(app, client, dbs, vault, audit_key,
                                                                            engine, clock):
    """Her: STOP texted (consent withdrawn for contact and texts, pending cancelled, links revoked, task)."""
    with_twilio(app)
    world = make_world(dbs, vault, audit_key, prefs={"channel_sms": True})
    dbs.commit()
    queued_warning(dbs, vault, world.partner, clock)
    clock.advance(minutes=7)
    at, seq, before = clock.now(), head(dbs), times(engine)

    assert text_in(client, "STOP").status_code == 200

    changed = assert_on_the_clock(engine, before, at, expected={"consent_event", "task", "notification",
                                                                "inbound_message", "partner_contact"})
    entries = new_audit(dbs, seq)
    assert {e.action for e in entries} >= {"consent.withdrawn.contact", "consent.withdrawn.sms"}
    assert {e.occurred_at for e in entries} == {at}
    assert {e.actor_type for e in entries} == {"sms"}
    withdrawn = dbs.scalars(select(ConsentEvent.occurred_at).where(ConsentEvent.partner_id == world.partner.id,
                                                                 ConsentEvent.action == ConsentAction.WITHDRAWN))
    assert set(withdrawn) == {at}
    note = dbs.scalar(select(Notification).where(Notification.partner_id == world.partner.id))
    assert note.state == NotificationState.CANCELLED and note.finished_at == at and note.updated_at == at
    assert dbs.get(PartnerContact, world.partner.id).updated_at == at  # not the wall clock's onupdate
    assert all(value == at for (table, _, column), value in changed.items() if column.endswith(("created_at",
                                                                                                 "updated_at")))


def test_her_alert_from_her_page_carries_the_action_s_time(app, client, dbs, vault, audit_key, engine, clock):
    """Her: "I am separating" from her own page (a task for her worker, six months of high risk)."""
    world = make_world(dbs, vault, audit_key)
    dbs.commit()
    open_link(client, dbs, world.partner, clock)
    her = client
    with app.test_request_context():
        alert, home = url_for("public.alert"), url_for("public.home")
    clock.advance(minutes=5)  # within her session's idle limit
    at, seq, before = clock.now(), head(dbs), times(engine)

    assert her_post(her, alert, {"kind": "separating"}, token_from=home).status_code == 303

    assert_on_the_clock(engine, before, at, expected={"task", "partner_contact"})
    [entry] = new_audit(dbs, seq)
    assert (entry.action, entry.occurred_at, entry.actor_type) == ("her_report.separating", at, "partner")
    partner = dbs.get(PartnerContact, world.partner.id)
    assert partner.high_risk_from == at and partner.updated_at == at  # six calendar months from now


def test_a_reported_event_and_its_fan_out_each_carry_their_own_time(app, client, dbs, vault, audit_key, engine,
                                                                    clock):
    """Programme: the API report at its time; the worker's fan-out (tasks, her message) at the pass's time."""
    app.config["EVENT_RESPONSE_FLOOR_SECONDS"] = 0
    world = make_world(dbs, vault, audit_key, prefs={"channel_sms": True, "tell_dropout": "message"})
    dbs.commit()
    token = make_token(dbs, world.programme, clock.now())
    clock.advance(minutes=3)
    reported, seq, before = clock.now(), head(dbs), times(engine)

    response = post_event(client, token, {"participant_ref": world.participant.reference, "kind": "dropout"},
                          key=str(uuid.uuid4()))
    assert response.status_code == 201

    assert_on_the_clock(engine, before, reported, expected={"programme_event", "event_fanout"})
    [entry] = new_audit(dbs, seq)
    assert (entry.action, entry.occurred_at, entry.actor_type) == ("programme_event.report", reported, "api")
    assert dbs.scalar(select(ProgrammeEvent.created_at)) == reported

    clock.advance(seconds=11)
    fanned, seq, before = clock.now(), head(dbs), times(engine)
    assert fan_out(app) == 1

    assert_on_the_clock(engine, before, fanned, expected={"task", "notification", "event_fanout"})
    entries = new_audit(dbs, seq)
    assert [e.action for e in entries] == ["task.create"] and entries[0].occurred_at == fanned
    task = dbs.scalar(select(Task))
    assert task.created_at == fanned and task.due_at > reported  # due from the report, made at the pass
    assert dbs.scalar(select(Notification.created_at)) == fanned
    assert dbs.scalar(select(EventFanout.processed_at)) == fanned


def test_the_dispatcher_sends_at_its_own_time(app, dbs, vault, audit_key, engine, clock):
    """Messaging: a send's claim, answer and report all carry the dispatcher's clock."""
    world = make_world(dbs, vault, audit_key, prefs={"channel_sms": True})
    dbs.commit()
    queued_warning(dbs, vault, world.partner, clock)
    clock.advance(minutes=2)
    at, before = clock.now(), times(engine)

    counts = dispatcher(app, clock=clock).run_once()
    assert counts.sent == 1

    assert_on_the_clock(engine, before, at, expected={"notification"})
    dbs.expire_all()
    note = dbs.scalar(select(Notification))
    assert note.claimed_at == at and note.sent_at == at and note.updated_at == at


def test_a_worker_closing_her_case_carries_the_action_s_time(app, client, dbs, vault, audit_key, engine, clock):
    """Casework: her worker closes her case (pending cancelled, links revoked)."""
    world = make_world(dbs, vault, audit_key, prefs={"channel_sms": True})
    dbs.commit()
    queued_warning(dbs, vault, world.partner, clock)
    login_as(client, world.worker)
    case = f"/staff/cases/{world.partner.id}"
    token = csrf_from(client.get(case).get_data(as_text=True))
    clock.advance(minutes=5)
    at, seq, before = clock.now(), head(dbs), times(engine)

    response = client.post(f"{case}/close", data={"csrf_token": token, "reason": "no_longer_needed"})
    assert response.status_code == 303

    assert_on_the_clock(engine, before, at, expected={"partner_contact", "notification"})
    entries = new_audit(dbs, seq)
    assert "case.close" in {e.action for e in entries} and {e.occurred_at for e in entries} == {at}
    partner = dbs.get(PartnerContact, world.partner.id)
    assert partner.closed_at == at and partner.updated_at == at


def test_a_failed_sign_in_is_counted_and_audited_at_the_action_s_time(app, client, dbs, vault, audit_key, engine,
                                                                      clock):
    """Admin: a wrong password (the throttle's row and the audit entry)."""
    world = make_world(dbs, vault, audit_key)
    dbs.commit()
    clock.advance(minutes=1)
    at, seq, before = clock.now(), head(dbs), times(engine)

    assert password_step(client, world.worker.email, "not the password at all").status_code == 400

    assert_on_the_clock(engine, before, at, expected={SignInThrottle.__tablename__, "audit_event"})
    [entry] = new_audit(dbs, seq)
    assert (entry.action, entry.occurred_at, entry.actor_id) == ("staff.sign_in_failed", at, str(world.worker.id))
    throttle = dbs.scalar(select(SignInThrottle).where(SignInThrottle.staff_id == world.worker.id))
    assert throttle.last_failure_at == at

