"""A facilitator's report costs the same whoever is linked: the request writes the event and one fan-out entry;
the dispatcher process (`flask --app portal worker`, and `--once`) makes her worker's tasks and her messages,
promptly, exactly once, and nothing is lost while it is down (/healthz and the admin home say so)."""

from __future__ import annotations

import io
import re
import threading
import time
from collections import Counter
from contextlib import contextmanager
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import event, func, select

from portal.models import (
    Base,
    Notification,
    Participant,
    PartnerLink,
    ProgrammeEvent,
    Task,
    Tell,
)
from portal.models.programme_event import EventFanout
from tests.api_support import make_token, post_event
from tests.factories import (
    context,
    link,
    login_as,
    make_participant,
    make_partner,
    make_world,
    served_world,
    told_of_everything,
)
from tests.fanout_support import fan_out
from tests.staff_console import csrf_from

LINKED = (0, 1, 20)
WRITE = re.compile(r'^\s*(INSERT INTO|UPDATE|DELETE FROM)\s+"?(\w+)"?', re.IGNORECASE)
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


EVERYTHING = told_of_everything(Tell.BOTH)  # message and call for every event


@pytest.fixture
def linked(app, dbs, vault, audit_key, clock, no_event_floor):
    """Three participants of one programme with 0, 1 and 20 linked partners, each wanting every message."""
    world = make_world(dbs, vault, audit_key)
    dbs.delete(dbs.scalar(select(PartnerLink).where(PartnerLink.participant_id == world.participant.id)))
    him: dict[int, Participant] = {}
    phone = 0
    for count in LINKED:
        him[count] = make_participant(dbs, world.programme, f"SAME-{count:02d}")
        for _ in range(count):
            phone += 1
            her = make_partner(dbs, vault, audit_key, world.service, world.worker, phone=f"+4474009{phone:05d}",
                               prefs=EVERYTHING)
            link(dbs, her, him[count])
    dbs.commit()
    return world, him


@contextmanager
def watched(engine):
    """Every SQL statement the engine runs meanwhile (deterministic, unlike timing)."""
    seen: list[str] = []

    def before(_conn, _cursor, statement, _params, _context, _many):  # type: ignore[no-untyped-def]
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", before)


def row_counts(dbs) -> Counter[str]:
    dbs.expire_all()
    return Counter({t.name: dbs.scalar(select(func.count()).select_from(t)) or 0
                    for t in Base.metadata.sorted_tables})


def cost(app, dbs, send):  # type: ignore[no-untyped-def]
    """(statements run, write statements by table, rows added by table, response) for one request."""
    with app.app_context():
        from portal.extensions import db

        engine = db.engine
    before = row_counts(dbs)
    with watched(engine) as seen:
        response = send()
    after = row_counts(dbs)
    writes = Counter(f"{m.group(1).upper()} {m.group(2)}" for s in seen if (m := WRITE.match(s)))
    grown = {name: after[name] - before[name] for name in after if after[name] != before[name]}
    return len(seen), writes, grown, response


def same_body(response, participant: Participant) -> str:
    text = response.get_data(as_text=True).replace(participant.reference, "REF")
    return UUID.sub("UUID", text)


def test_an_api_report_runs_the_same_statements_and_writes_the_same_rows_whoever_is_linked(app, client, dbs,
                                                                                         linked, clock):
    world, him = linked
    token = make_token(dbs, world.programme, clock.now())
    post_event(client, token, {"participant_ref": world.participant.reference, "kind": "suspended"})  # warm up
    measured = {}
    for count in LINKED:
        body = {"participant_ref": him[count].reference, "kind": "risk", "risk_to": ["partner", "children"],
                "imminence": "imminent", "description": "Same words"}
        statements, writes, grown, response = cost(app, dbs, lambda b=body: post_event(client, token, b))
        assert response.status_code == 201
        measured[count] = (statements, writes, grown, same_body(response, him[count]),
                           sorted((k, v) for k, v in response.headers.items() if k != "Date"))
    assert measured[0] == measured[1] == measured[20]
    assert set(measured[0][2]) == {"programme_event", "event_fanout", "audit_event"}
    # And her side follows, from the dispatcher process.
    fan_out(app)
    for count in LINKED:
        assert count_for(dbs, Task, him[count]) == count
        assert count_for(dbs, Notification, him[count]) == count


def count_for(dbs, model, participant: Participant) -> int:
    dbs.expire_all()
    events = select(ProgrammeEvent.id).where(ProgrammeEvent.participant_id == participant.id)
    return dbs.scalar(select(func.count()).select_from(model).where(model.source_event_id.in_(events))) or 0


def report_form(client, world, participant, data):  # type: ignore[no-untyped-def]
    path = f"/staff/my-programmes/{world.programme.id}/participants/{participant.id}"
    page = client.get(path).data.decode()
    key = re.search(r'name="report_key" value="([0-9a-f]+)"', page).group(1)
    return lambda: client.post(path + "/events", data={"csrf_token": csrf_from(page), "report_key": key, **data})


def test_a_console_report_runs_the_same_statements_and_writes_the_same_rows_whoever_is_linked(app, client, dbs,
                                                                                            linked, clock):
    world, him = linked
    login_as(client, world.facilitator)
    report_form(client, world, world.participant, {"kind": "completed"})()  # warm every cache
    measured = {}
    for count in LINKED:
        send = report_form(client, world, him[count], {"kind": "dropout", "description": "Same words"})
        statements, writes, grown, response = cost(app, dbs, send)
        assert response.status_code == 303
        page = client.get(response.headers["Location"])
        measured[count] = (statements, writes, grown, same_body(response, him[count]),
                           UUID.sub("UUID", response.headers["Location"]),
                           re.sub(r'value="[^"]{20,}"', 'value="X"', same_body(page, him[count])))
    assert measured[0] == measured[1] == measured[20]
    assert "Thank you. The report is recorded." in measured[0][5]
    fan_out(app)
    for count in LINKED:
        assert count_for(dbs, Task, him[count]) == count
        assert count_for(dbs, Notification, him[count]) == count


@pytest.fixture
def two_linked(app, dbs, vault, audit_key, no_event_floor):
    """Him, linked to her (message and call for everything) and to a second partner (calls only)."""
    world = make_world(dbs, vault, audit_key, prefs=EVERYTHING)
    second = make_partner(dbs, vault, audit_key, world.service, world.worker, phone="+447400123458")
    link(dbs, second, world.participant)
    dbs.commit()
    return world


def report(dbs, vault, audit_key, world, clock, **kwargs):  # type: ignore[no-untyped-def]
    from portal.services.programme.events import Reporter, report_event

    args = {"kind": "dropout", "participant_ref": world.participant.reference, **kwargs}
    receipt = report_event(context(dbs, vault, audit_key, clock.now()), programme=world.programme,
                           reporter=Reporter(staff_id=world.facilitator.id), **args)
    dbs.commit()
    return receipt


def entries(dbs):  # type: ignore[no-untyped-def]
    dbs.expire_all()
    return list(dbs.scalars(select(EventFanout)))


def her_side(dbs) -> tuple[int, int, int]:
    from portal.models import AuditEvent

    dbs.expire_all()
    return (dbs.scalar(select(func.count()).select_from(Task)) or 0,
            dbs.scalar(select(func.count()).select_from(Notification)) or 0,
            dbs.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "task.create")) or 0)


def test_the_report_leaves_one_waiting_entry_and_her_side_comes_from_the_worker(app, dbs, vault, audit_key,
                                                                                two_linked, clock):
    world = two_linked
    receipt = report(dbs, vault, audit_key, world, clock)
    [entry] = entries(dbs)
    assert (entry.event_id, entry.created_at, entry.processed_at, entry.attempts) == (receipt.id, clock.now(),
                                                                                      None, 0)
    assert her_side(dbs) == (0, 0, 0)
    clock.advance(minutes=10)  # the worker was slow: her worker's task is exactly as urgent as at the report
    assert fan_out(app) == 1
    [entry] = entries(dbs)
    assert entry.processed_at == clock.now() and entry.attempts == 1 and entry.last_error is None
    tasks = {t.partner_id: t for t in dbs.scalars(select(Task))}
    assert set(tasks) == {world.partner.id, next(p for p in tasks if p != world.partner.id)}
    for task in tasks.values():
        assert task.due_at == clock.now() - timedelta(minutes=10) + timedelta(hours=4)  # from the report
        assert task.created_at == clock.now() and task.source_event_id == receipt.id
    [note] = dbs.scalars(select(Notification))
    assert note.partner_id == world.partner.id and note.not_before == clock.now()  # her window decides the send
    assert tasks[world.partner.id].notification_id == note.id and tasks[world.partner.id].call_requested
    assert fan_out(app) == 0 and her_side(dbs) == (2, 1, 2)  # exactly once


def test_a_crash_half_way_through_an_entry_leaves_nothing_and_the_next_pass_does_it_once(app, dbs, vault, audit_key,
                                                                                         two_linked, clock,
                                                                                         monkeypatch):
    from portal.services.programme import events

    world = two_linked
    report(dbs, vault, audit_key, world, clock)
    real = events.create_task
    calls = []

    def crash_after_the_first_task(*args, **kwargs):  # type: ignore[no-untyped-def]
        task = real(*args, **kwargs)  # inserted (flushed) ...
        calls.append(task.id)
        if len(calls) == 1:
            raise RuntimeError("worker died")  # ... and then the worker dies
        return task

    monkeypatch.setattr(events, "create_task", crash_after_the_first_task)
    assert fan_out(app) == 0
    assert calls and her_side(dbs) == (0, 0, 0)  # no partial task, message or audit entry
    [entry] = entries(dbs)
    assert entry.processed_at is None and entry.attempts == 1 and entry.last_error == "RuntimeError"
    assert fan_out(app) == 1
    assert her_side(dbs) == (2, 1, 2)
    [entry] = entries(dbs)
    assert entry.processed_at == clock.now() and entry.attempts == 2 and entry.last_error is None
    monkeypatch.undo()
    assert fan_out(app) == 0 and her_side(dbs) == (2, 1, 2)


def test_worker_down_the_entry_waits_healthz_turns_503_after_60s_and_admins_see_a_banner(app, client, dbs,
                                                                                       two_linked, clock):
    world = two_linked
    token = make_token(dbs, world.programme, clock.now())
    assert client.get("/healthz").get_json() == {"status": "ok", "fanout": {"waiting": 0, "oldest_seconds": 0}}
    assert post_event(client, token, {"participant_ref": world.participant.reference,
                                      "kind": "dropout"}).status_code == 201
    clock.advance(seconds=60)
    health = client.get("/healthz")
    assert health.status_code == 200
    assert health.get_json() == {"status": "ok", "fanout": {"waiting": 1, "oldest_seconds": 60}}
    login_as(client, world.admin)
    assert 'id="fanout-delayed"' not in client.get("/staff/").get_data(as_text=True)
    clock.advance(seconds=1)
    health = client.get("/healthz")
    assert health.status_code == 503
    assert health.get_json() == {"status": "fanout_delayed", "fanout": {"waiting": 1, "oldest_seconds": 61}}
    assert her_side(dbs) == (0, 0, 0)  # it waits, nothing lost
    home = client.get("/staff/").get_data(as_text=True)
    assert 'id="fanout-delayed"' in home and "Programme reports are not being passed on" in home
    assert "Reports waiting: 1." in home
    for other in (world.facilitator, world.worker):  # only admins see it
        login_as(client, other)
        assert 'id="fanout-delayed"' not in client.get("/staff/").get_data(as_text=True)
    # The worker comes back: everything arrives, and all is well again.
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["worker", "--once"])
    assert result.exit_code == 0, result.output
    assert "fanned out 1 programme event(s)" in result.output
    assert her_side(dbs)[:2] == (2, 1)
    assert client.get("/healthz").status_code == 200
    login_as(client, world.admin)
    assert 'id="fanout-delayed"' not in client.get("/staff/").get_data(as_text=True)


def test_the_admin_banner_reads_naturally_in_german_and_arabic(app, client, dbs, two_linked, vault, audit_key,
                                                              clock):
    world = two_linked
    report(dbs, vault, audit_key, world, clock)
    clock.advance(minutes=5)
    login_as(client, world.admin)
    for locale, words in (("de", "Programmberichte werden nicht weitergegeben"),
                          ("ar", "لا تُمرَّر تقارير البرامج")):
        home = client.get(f"/staff/?lang={locale}", headers={"Accept-Language": locale}).get_data(as_text=True)
        assert words in home, locale


def test_the_running_worker_makes_her_task_within_seconds(live_server):
    live = live_server
    world = served_world(live, prefs=EVERYTHING)
    with live.db() as db:
        token = make_token(db, world.programme, live.now())
    from portal.cli import worker_command
    from portal.worker import build_dispatcher, run

    poll = next(p.default for p in worker_command.params if p.name == "poll_seconds")  # the real interval
    stop = threading.Event()
    with live.app.app_context():
        dispatcher = build_dispatcher(live.app, out=io.StringIO())
    worker = threading.Thread(target=run, kwargs={"dispatcher": dispatcher, "once": False, "poll_seconds": poll,
                                                  "echo": lambda _line: None, "stop": stop}, daemon=True)
    worker.start()
    try:
        time.sleep(0.3)  # the loop is idle, waiting between passes
        sent = time.monotonic()
        response = httpx.post(live.url + "/api/v1/programme-events", headers={"Authorization": f"Bearer {token}"},
                              json={"participant_ref": world.participant.reference, "kind": "dropout"})
        assert response.status_code == 201
        while time.monotonic() - sent < 10:
            with live.db() as db:
                task = db.scalar(select(Task).where(Task.partner_id == world.partner.id))
            if task is not None:
                break
            time.sleep(0.05)
        waited = time.monotonic() - sent
        assert task is not None and task.kind == "event_dropout"
        assert waited < poll + 2, waited
        with live.db() as db:  # and the message she chose goes out in the same pass
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline:
                db.expire_all()
                note = db.scalar(select(Notification).where(Notification.partner_id == world.partner.id))
                if note is not None and note.state in ("sent", "delivered"):
                    break
                time.sleep(0.05)
            assert note is not None and note.state in ("sent", "delivered")
    finally:
        stop.set()
        worker.join(10)
    assert not worker.is_alive()


def test_several_workers_and_many_reports_at_once_make_each_task_exactly_once(live_server):
    from tests.served import fire

    live = live_server
    world = served_world(live, prefs=EVERYTHING)
    with live.db() as db:
        token = make_token(db, world.programme, live.now())
    from portal.worker import build_dispatcher, run

    stop = threading.Event()
    workers = []
    for _ in range(3):
        with live.app.app_context():
            dispatcher = build_dispatcher(live.app, out=io.StringIO())
        workers.append(threading.Thread(target=run, daemon=True, kwargs={
            "dispatcher": dispatcher, "once": False, "poll_seconds": 0.05, "echo": lambda _line: None,
            "stop": stop}))
    for worker in workers:
        worker.start()
    reports = 16
    try:
        with httpx.Client() as http:
            answers = fire(reports, lambda i: http.post(
                live.url + "/api/v1/programme-events", headers={"Authorization": f"Bearer {token}"},
                json={"participant_ref": world.participant.reference, "kind": "risk", "risk_to": ["partner"],
                      "imminence": "low", "description": f"report {i}"}))
        assert [a.status_code for a in answers] == [201] * reports
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with live.db() as db:
                waiting = select(func.count()).select_from(EventFanout).where(EventFanout.processed_at.is_(None))
                if not db.scalar(waiting):
                    break
            time.sleep(0.1)
    finally:
        stop.set()
        for worker in workers:
            worker.join(10)
    with live.db() as db:
        per_event = Counter(db.scalars(select(Task.source_event_id)))
        notes = Counter(db.scalars(select(Notification.source_event_id)))
        events = set(db.scalars(select(ProgrammeEvent.id)))
    assert len(events) == reports
    assert set(per_event) == events and set(per_event.values()) == {1}
    assert set(notes) == events and set(notes.values()) == {1}
