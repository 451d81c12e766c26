"""Only the channels she chose, only while contact is allowed, only discreet words; otherwise her worker."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from portal.models import Notification, NotificationState, PartnerContact, PartnerStatus, Task
from portal.services.messaging.outbox import cancel_pending, enqueue
from portal.sms.console_backend import ConsoleGateway
from tests.factories import make_partner, reloaded, set_wording
from tests.sms_support import allow_texts, dispatcher, queued_warning


class Quiet:
    def write(self, _t: str) -> int:
        return 0

    def flush(self) -> None:
        return None


def console() -> ConsoleGateway:
    return ConsoleGateway(out=Quiet())


@pytest.mark.parametrize("change, reason", [
    (lambda p, prefs: setattr(prefs, "channel_sms", False), "no_sms_channel"),
    (lambda p, prefs: setattr(p, "sms_opted_out", True), "opted_out"),
    (lambda p, prefs: setattr(p, "sms_unusable", True), "number_unusable"),
    (lambda p, prefs: setattr(p, "status", PartnerStatus.WITHDRAWN), "no_consent"),
    (lambda p, prefs: setattr(p, "status", PartnerStatus.CLOSED), "closed"),
])
def test_a_warning_she_cannot_get_by_text_becomes_a_task_for_her_worker(app, world, dbs, vault, clock, change,
                                                                        reason):
    prefs = allow_texts(dbs, world.partner.id)
    note = queued_warning(dbs, vault, world.partner, clock, serious=True)
    change(dbs.get(PartnerContact, world.partner.id), prefs)
    dbs.commit()
    gw = console()
    dispatcher(app, gw).run_once()
    row = reloaded(dbs, note)
    assert gw.messages == {}
    assert row.state == NotificationState.HANDED_OVER and row.error_code == reason
    [task] = dbs.scalars(select(Task).where(Task.notification_id == note.id))
    assert (task.kind, task.severity, task.assignee_id) == ("message_not_delivered", "urgent", world.worker.id)


def test_her_link_goes_to_her_before_she_has_set_preferences(app, world, dbs, vault, clock):
    partner = dbs.get(PartnerContact, world.partner.id)
    partner.status = PartnerStatus.INVITED
    enqueue(dbs, vault, partner, kind="invite", template="invite", now=clock.now(),
            params={"url": "https://portal.test/v/abc"})
    dbs.commit()
    gw = console()
    dispatcher(app, gw).run_once()
    [message] = gw.messages.values()
    assert message.to == "+447400123456" and message.body.endswith("https://portal.test/v/abc")


def test_her_own_warning_wording_is_used(app, world, dbs, vault, clock):
    allow_texts(dbs, world.partner.id)
    set_wording(dbs, vault, world.partner.id, "dropout",
                own_words="Hi love, the dentist moved your appointment. Ring me x")
    note = queued_warning(dbs, vault, world.partner, clock, template="warning_dropout")
    gw = console()
    dispatcher(app, gw).run_once()
    assert [m.body for m in gw.messages.values()] == ["Hi love, the dentist moved your appointment. Ring me x"]
    assert reloaded(dbs, note).state == NotificationState.SENT


def test_a_telling_personal_wording_is_not_sent(app, world, dbs, vault, clock):
    allow_texts(dbs, world.partner.id)
    set_wording(dbs, vault, world.partner.id, "dropout",  # written past the validation: the dispatcher checks again
                own_words="He dropped out of the programme. Call your support worker.")
    note = queued_warning(dbs, vault, world.partner, clock, template="warning_dropout")
    gw = console()
    dispatcher(app, gw).run_once()
    assert gw.messages == {}
    assert reloaded(dbs, note).error_code == "unsafe_telling_word"


def test_the_console_backend_prints_no_number_and_no_text(app, world, dbs, vault, clock, capsys):
    allow_texts(dbs, world.partner.id)
    queued_warning(dbs, vault, world.partner, clock)
    gw = ConsoleGateway()
    dispatcher(app, gw).run_once()
    out = capsys.readouterr().out
    assert "7400123456" not in out and "reminder" not in out and "1 segment" in out


def test_cancelled_messages_are_never_sent(app, world, dbs, vault, clock):
    allow_texts(dbs, world.partner.id)
    note = queued_warning(dbs, vault, world.partner, clock)
    assert cancel_pending(dbs, world.partner.id, clock.now()) == 1
    dbs.commit()
    gw = console()
    dispatcher(app, gw).run_once()
    assert gw.messages == {} and reloaded(dbs, note).state == NotificationState.CANCELLED


def test_enqueue_refuses_a_template_that_cannot_be_rendered(world, dbs, vault, clock):
    with pytest.raises(ValueError):
        enqueue(dbs, vault, world.partner, kind="warning", template="nope", now=clock.now())
    with pytest.raises(ValueError):
        enqueue(dbs, vault, world.partner, kind="invite", template="invite", now=clock.now())


def test_several_dispatchers_at_once_send_every_message_exactly_once(app, world, dbs, vault, audit_key, clock):
    partners = [world.partner] + [
        make_partner(dbs, vault, audit_key, world.service, world.worker, name=f"P {i}",
                     phone=f"+4474001234{i:02d}", email=None) for i in range(10, 16)]
    for p in partners:
        allow_texts(dbs, p.id)
        for _ in range(5):
            enqueue(dbs, vault, p, kind="warning", template="warning", now=clock.now())
    dbs.commit()
    gw = console()
    lock = threading.Lock()
    original = gw.send

    def locked_send(message):
        with lock:
            return original(message)

    gw.send = locked_send  # type: ignore[method-assign]
    workers = [dispatcher(app, gw, batch=3) for _ in range(4)]
    errors: list[BaseException] = []

    def run(d):
        try:
            for _ in range(3):
                d.run_once()
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(d,)) for d in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    assert len(gw.messages) == 35
    dbs.expire_all()
    assert dbs.scalar(select(func.count()).select_from(Notification).where(
        Notification.state == NotificationState.SENT, Notification.attempts == 1)) == 35


def test_the_worker_loop_stops_cleanly_and_reports(app, world, dbs, vault, clock):
    from portal.worker import run

    allow_texts(dbs, world.partner.id)
    note = queued_warning(dbs, vault, world.partner, clock)
    d = dispatcher(app, console())
    lines: list[str] = []
    run(d, once=True, poll_seconds=0.1, echo=lines.append)
    assert any(line.startswith("sent 1") for line in lines) and lines[-1] == "SMS worker stopped."
    # The console backend's simulated status reports went through the real status handling.
    assert reloaded(dbs, note).state == NotificationState.DELIVERED
