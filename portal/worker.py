"""The long-running worker: fan out programme events, make due check-in tasks (and missed agreed check-ins), offer
her evaluation stages, dispatch, apply simulated reports (console), sleep, stop cleanly on SIGTERM."""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

from flask import Flask
from sqlalchemy.orm import sessionmaker

from portal.config import Settings
from portal.services.audit import SYSTEM
from portal.services.casework.high_risk import Rules
from portal.services.casework.high_risk import run_pass as run_checkins
from portal.services.evaluation import offers
from portal.services.her import her_checkins
from portal.services.messaging.delivery import policy_from_settings, record_report
from portal.services.messaging.dispatch import Counts, Dispatcher
from portal.services.programme.fanout import PassResult, run_pass
from portal.sessions import purge_expired_sessions
from portal.sms.console_backend import ConsoleGateway
from portal.sms.factory import catalogs, gateway_from_settings

log = logging.getLogger("portal.worker")


def build_dispatcher(app: Flask, *, lease_seconds: int = 120, reconcile_after_seconds: int = 600,
                     batch: int = 20, retry_after_seconds: int = 30, **gateway_kwargs: Any) -> Dispatcher:
    """A dispatcher wired to this app's database, keys, clock and configured backend."""
    from portal.extensions import db

    settings = app.config["PORTAL"]
    clock = app.extensions["portal.clock"]
    policy = policy_from_settings(settings, lease=timedelta(seconds=lease_seconds),
                                  reconcile_after=timedelta(seconds=reconcile_after_seconds), batch=batch,
                                  backoff_base=timedelta(seconds=retry_after_seconds))
    return Dispatcher(
        sessions=sessionmaker(db.engine, expire_on_commit=False),
        vault=app.extensions["portal.vault"], audit_key=app.extensions["portal.audit_key"],
        gateway=gateway_from_settings(settings, **gateway_kwargs), catalogs=catalogs(), policy=policy,
        clock=clock.now, worker_id=f"{socket.gethostname()[:30]}:{os.getpid()}",
    )


def apply_simulated_reports(dispatcher: Dispatcher) -> int:
    """Console backend: feed its `sent`/`delivered` reports through the same code as /sms/status."""
    gateway = dispatcher.gateway
    if not isinstance(gateway, ConsoleGateway):
        return 0
    reports = gateway.take_reports()
    for report in reports:
        query = parse_qs(urlsplit(report.callback_url or "").query)
        note_hex, attempt = query.get("n", [None])[0], query.get("a", [None])[0]
        with dispatcher.sessions() as db, db.begin():
            record_report(dispatcher.context(db, dispatcher.clock()), dispatcher.policy, sid=report.sid,
                          status=report.status, error_code=report.error_code,
                          note_id=uuid.UUID(hex=note_hex) if note_hex else None,
                          attempt=int(attempt) if attempt else None)
        print(f"[sms console] {report.sid} {report.status}", file=gateway.out, flush=True)
    return len(reports)


def fan_out(dispatcher: Dispatcher) -> PassResult:
    """Turn every waiting programme-event entry into her worker's tasks and her messages (before sending)."""
    total = PassResult()
    while True:
        result = run_pass(dispatcher.sessions, dispatcher.contexts(SYSTEM))
        total.processed += result.processed
        total.failed += result.failed
        if not result.more or not result.processed:  # all done, or only failures left (they wait)
            return total


def check_in(dispatcher: Dispatcher, rules: Rules) -> int:
    """Her worker's scheduled check-in tasks during her high-risk period (one per slot, however many run)."""
    return run_checkins(dispatcher.sessions, dispatcher.vault, dispatcher.audit_key, dispatcher.clock, rules)


def agreed_check_ins(dispatcher: Dispatcher) -> int:
    """Her worker's task for each agreed check-in day she missed (one per day, however many run; never a text)."""
    return her_checkins.run_pass(dispatcher.sessions, dispatcher.vault, dispatcher.audit_key, dispatcher.clock)


def replay_spooled_texts(dispatcher: Dispatcher, app: Flask) -> int:
    """Her texts that came while the database was down (portal/webhooks spooled them): handled now, as of when
    she sent them, each in its own transaction; the reply a keyword would have had is not sent afterwards."""
    from portal.services.messaging.inbound import receive
    from portal.services.messaging.inbound_spool import SpooledText, replay
    from portal.webhooks.routes import inbound_settings, spool_directory

    with app.app_context():
        texts = inbound_settings()

    def handle(text: SpooledText) -> None:
        with dispatcher.sessions() as db, db.begin():
            receive(dispatcher.context(db, text.received_at), texts, message_sid=text.message_sid,
                    sender=text.sender, body=text.body)

    return replay(spool_directory(app), dispatcher.vault, handle)


def evaluation_offers(dispatcher: Dispatcher, service_zone: ZoneInfo) -> offers.PassCounts:
    """Her evaluation stages as they fall due: each offered once (a discreet text, or her worker's task to ask
    by phone), reminded at most once, expired in time (however many run; services/evaluation/offers.py)."""
    return offers.run_pass(dispatcher.sessions, dispatcher.vault, dispatcher.audit_key, dispatcher.clock,
                           offers.Links(dispatcher.policy.public_url), service_zone)


def service_zone(app: Flask) -> ZoneInfo:
    """The service's clock, which his programme dates are on (PORTAL_DEFAULT_TIMEZONE)."""
    return ZoneInfo(app.config["PORTAL"].default_timezone)


def checkin_rules(app: Flask) -> Rules:
    """The deployment's high-risk period and check-in rhythm (PORTAL_HIGH_RISK_MONTHS, PORTAL_CHECKIN_EVERY_DAYS)."""
    return Rules.from_settings(app.config["PORTAL"])


ESCALATE_EVERY = timedelta(seconds=60)


def escalate(dispatcher: Dispatcher) -> int:
    """Hand every task nobody acknowledged in time to the service's admin (WWP EN B.1 f: nothing missed)."""
    from portal.services.casework.escalation import escalate_overdue

    with dispatcher.sessions() as db, db.begin():
        return len(escalate_overdue(dispatcher.contexts(SYSTEM)(db)))


def delete_at_provider(dispatcher: Dispatcher) -> int:
    """After an erasure: delete her messages at the provider (queued by the erasure); failures wait and retry."""
    from portal.services.casework.erasure_storage import StorageCleanup, clean_storage
    from portal.services.messaging.provider_deletions import run_due

    result = run_due(dispatcher.sessions, dispatcher.gateway, dispatcher.clock())
    if result.deleted:  # their ids were just deleted here too: out of the SQLite WAL / vacuumed
        with dispatcher.sessions() as db:
            engine = db.get_bind().engine
        clean_storage(engine, StorageCleanup(("provider_deletion",)))
    return result.deleted + result.failed


def _summary(counts: Counts) -> str:
    return (f"sent {counts.sent}, rescheduled {counts.rescheduled}, retried {counts.retried}, "
            f"unknown {counts.unknown}, reconciled {counts.reconciled}, failed {counts.failed}, "
            f"handed over {counts.handed_over}")


def run(dispatcher: Dispatcher, *, once: bool, poll_seconds: float,
        echo: Callable[[str], None] = print, stop: threading.Event | None = None,
        rules: Rules | None = None, zone: ZoneInfo | None = None, app: Flask | None = None) -> None:
    """Loop until SIGTERM or SIGINT (the message in hand is finished first), or until `stop` is set; --once: one
    pass. Each pass first hands on her texts spooled while the database was down (with `app`: its instance
    directory), then fans out programme events, so what they cause is sent in the same pass; then it makes
    the check-in tasks that are due (`rules`: the deployment's, see checkin_rules) and the tasks for agreed
    check-in days she missed, and offers her evaluation stages that fell due (`zone`: the service's clock, see
    service_zone)."""
    stop = threading.Event() if stop is None else stop
    rules = rules or Rules()
    zone = zone or ZoneInfo(Settings.default_timezone)

    def request_stop(signum: int, _frame: object) -> None:
        stop.set()

    main = threading.current_thread() is threading.main_thread()  # signals can be caught there only
    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGTERM, signal.SIGINT)} if main else {}
    echo(f"SMS worker {dispatcher.worker_id} using the {dispatcher.gateway.name} backend"
         + ("" if once else f", polling every {poll_seconds:g}s"))
    next_escalation = dispatcher.clock()
    try:
        while not stop.is_set():
            fanned = PassResult()
            try:
                replayed = replay_spooled_texts(dispatcher, app) if app is not None else 0
                if replayed:
                    echo(f"handled {replayed} text(s) that came while the database was down")
                fanned = fan_out(dispatcher)
                checkins = check_in(dispatcher, rules)
                if checkins:
                    echo(f"made {checkins} check-in task(s)")
                missed = agreed_check_ins(dispatcher)
                if missed:
                    echo(f"made {missed} missed-check-in task(s)")
                offered = evaluation_offers(dispatcher, zone)
                if offered.texted or offered.phone_tasks or offered.reminded:
                    echo(f"offered {offered.texted + offered.phone_tasks} evaluation stage(s), "
                         f"reminded {offered.reminded}")
                counts = dispatcher.run_once()
                apply_simulated_reports(dispatcher)
                delete_at_provider(dispatcher)
                purge_expired_sessions(dispatcher.sessions, dispatcher.clock())
                if once or dispatcher.clock() >= next_escalation:
                    escalated = escalate(dispatcher)
                    next_escalation = dispatcher.clock() + ESCALATE_EVERY
                    if escalated:
                        echo(f"escalated {escalated} overdue task(s) to the service's admin")
            except Exception:  # noqa: BLE001 - keep the loop alive (database restart, provider outage)
                log.exception("dispatch pass failed; trying again after the poll interval")
                if once:
                    raise
                counts = Counts()
            if fanned.processed or fanned.failed:
                echo(f"fanned out {fanned.processed} programme event(s)"
                     + (f", {fanned.failed} failed and wait for the next pass" if fanned.failed else ""))
            if counts.busy or once:
                echo(_summary(counts))
            if once:
                break
            stop.wait(poll_seconds)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    echo("SMS worker stopped.")
