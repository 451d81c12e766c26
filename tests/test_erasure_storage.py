"""Erasure leaves nothing of hers recoverable (issue 9.6): not in the SQLite files (main, -wal, -shm), not as
provider message ids or delivery receipts, and not at Twilio (deleted there by the dispatcher, retried)."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url

from portal.models import (
    Base,
    DeliveryReceipt,
    InboundMessage,
    Notification,
    PartnerContact,
    ProviderDeletion,
)
from portal.services.audit import verify_database
from portal.sms.console_backend import ConsoleGateway
from portal.sms.loopback import FakeMessage, FakeTwilio
from portal.worker import build_dispatcher, run
from tests.factories import login_as
from tests.sms_support import ACCOUNT_SID, AUTH_TOKEN, with_twilio
from tests.staff_console import csrf_from
from tests.support import BACKEND
from tests.test_retention_erasure import CANARY_PHONE, seed_everything

NAME, EMAIL = "Zephyrine Quarterly", "zephyrine.q@example.net"
PLAINTEXT = (NAME, "Zephyrine", "Quarterly", EMAIL, CANARY_PHONE, CANARY_PHONE[1:], "CANARY-CODEWORD",
             "CANARY-WORDING", "CANARY-SMS-BODY", "CANARY-NOTES", "CANARY-NEXT", "CANARY-DETAIL", "CANARY-LINK")
HER_SIDS = ("SMcanary0001", "SMin0001")


def seed_her(dbs, vault, audit_key, clock):  # type: ignore[no-untyped-def]
    world, *_ = seed_everything(dbs, vault, audit_key, clock)
    her = dbs.get(PartnerContact, world.partner.id)
    vault.put(her, "name_ct", NAME)
    vault.put(her, "email_ct", EMAIL)
    dbs.commit()
    return world


def her_ciphertexts(dbs, partner_id) -> list[bytes]:  # type: ignore[no-untyped-def]
    """Every encrypted value (and her sealed plan) in a row of hers. Evaluation answers are kept by design
    (de-identified), so they are not counted as hers here."""
    blobs: list[bytes] = []
    for table in Base.metadata.sorted_tables:
        if table.name == "questionnaire_response":
            continue
        columns = [c for c in table.columns if c.info.get("encrypted") or c.name.startswith(("content_", "wrapped_"))]
        if not columns:
            continue
        key = table.c.id if table.name == PartnerContact.__tablename__ else table.c.get("partner_id")
        if key is None:
            continue
        for row in dbs.execute(select(*columns).where(key == partner_id)):
            blobs.extend(bytes(value) for value in row if value)
    assert len(blobs) >= 8, "the seed should give her ciphertext in many places"
    return blobs


def erase_through_console(client, world) -> None:  # type: ignore[no-untyped-def]
    login_as(client, world.worker)
    path = f"/staff/cases/{world.partner.id}/erase"
    token = csrf_from(client.get(path).data)
    response = client.post(path, data={"csrf_token": token, "confirm": "ERASE"})
    assert response.status_code == 303, response.status_code


def database_files(database_url: str) -> dict[str, bytes]:
    path = Path(make_url(database_url).database)
    return {p.name: p.read_bytes() for p in sorted(path.parent.glob(path.name + "*"))}


@pytest.mark.skipif(BACKEND != "sqlite", reason="reads the SQLite database files (main, -wal, -shm) themselves; "
                    "on PostgreSQL the VACUUM test below covers the server's side")
def test_no_byte_of_hers_left_in_the_sqlite_files(app, client, dbs, vault, audit_key, clock, database_url):
    world = seed_her(dbs, vault, audit_key, clock)
    blobs = her_ciphertexts(dbs, world.partner.id)
    dbs.close()
    files = database_files(database_url)
    assert any(name.endswith("-wal") for name in files)
    assert any(blob in b"".join(files.values()) for blob in blobs), "her ciphertext should be on disk before"

    erase_through_console(client, world)

    once(console_dispatcher(app))  # her message ids: deleted at the provider, then here

    # The app's connections stay open (a running server): nothing is checkpointed by closing them.
    files = database_files(database_url)
    for name, raw in files.items():
        for needle in PLAINTEXT:
            assert needle.encode() not in raw, (name, needle)
            assert needle.encode("utf-16-le") not in raw, (name, needle)
        for number, blob in enumerate(blobs):
            assert blob not in raw and blob[-24:] not in raw, f"her ciphertext #{number} is still in {name}"
        for sid in HER_SIDS:
            assert sid.encode() not in raw, (name, sid)


def test_erasure_removes_her_provider_ids_and_receipts(client, dbs, vault, audit_key, clock):
    world = seed_her(dbs, vault, audit_key, clock)
    erase_through_console(client, world)
    dbs.expire_all()
    assert dbs.scalar(select(func.count()).select_from(DeliveryReceipt)) == 0
    assert dbs.scalar(select(func.count()).select_from(InboundMessage)
                      .where(InboundMessage.message_sid.in_(HER_SIDS))) == 0
    assert dbs.scalar(select(func.count()).select_from(Notification)
                      .where(Notification.provider_sid.is_not(None) | Notification.body_digest.is_not(None))) == 0
    # Only the message ids wait for deletion at the provider; the audit chain holds codes and is intact.
    assert sorted(dbs.scalars(select(ProviderDeletion.message_sid))) == sorted(HER_SIDS)
    assert {c.name for c in ProviderDeletion.__table__.columns}.isdisjoint({"partner_id", "to", "body"})
    assert verify_database(dbs, audit_key).ok


def twilio_dispatcher(app, fake):  # type: ignore[no-untyped-def]
    with_twilio(app, sms_backend="twilio", twilio_api_base=fake.base_url, twilio_from_number="+15005550006")
    with app.app_context():
        return build_dispatcher(app)


def console_dispatcher(app):  # type: ignore[no-untyped-def]
    with app.app_context():
        dispatcher = build_dispatcher(app)
    dispatcher.gateway = ConsoleGateway(out=io.StringIO())
    return dispatcher


def once(dispatcher) -> None:  # type: ignore[no-untyped-def]
    run(dispatcher, once=True, poll_seconds=0, echo=lambda _line: None)


def known_to(fake: FakeTwilio, sids) -> None:  # type: ignore[no-untyped-def]
    for sid in sids:
        fake.messages[sid] = FakeMessage(sid, ACCOUNT_SID, CANARY_PHONE, "+15005550006", None, "x", "delivered",
                                         None, None, None, datetime(2026, 3, 1, tzinfo=UTC))


def test_the_worker_deletes_her_messages_at_twilio(app, client, dbs, vault, audit_key, clock):
    fake = FakeTwilio(auth_token=AUTH_TOKEN, callbacks=False).start()
    try:
        known_to(fake, HER_SIDS)
        world = seed_her(dbs, vault, audit_key, clock)
        erase_through_console(client, world)
        assert fake.deleted == []  # nothing touches the network inside the erasure
        once(twilio_dispatcher(app, fake))
        assert sorted(fake.deleted) == sorted(HER_SIDS)
        assert not set(HER_SIDS) & set(fake.messages)
        dbs.expire_all()
        assert dbs.scalar(select(func.count()).select_from(ProviderDeletion)) == 0  # done: the ids are gone
    finally:
        fake.stop()


def test_a_failed_delete_at_twilio_is_retried(app, client, dbs, vault, audit_key, clock):
    fake = FakeTwilio(auth_token=AUTH_TOKEN, callbacks=False).start()
    try:
        known_to(fake, HER_SIDS)
        world = seed_her(dbs, vault, audit_key, clock)
        erase_through_console(client, world)
        fake.delete_failures.extend([500, 500])
        dispatcher = twilio_dispatcher(app, fake)
        once(dispatcher)
        assert fake.deleted == [] and set(HER_SIDS) <= set(fake.messages)
        dbs.expire_all()
        jobs = list(dbs.scalars(select(ProviderDeletion)))
        assert len(jobs) == 2 and all(j.attempts == 1 and j.last_error for j in jobs)
        once(dispatcher)  # the same moment: each waits its pause (no hammering)
        assert fake.deleted == []
        clock.advance(minutes=1)  # past the first pause: the next pass retries
        once(dispatcher)
        assert sorted(fake.deleted) == sorted(HER_SIDS)
        dbs.expire_all()
        assert dbs.scalar(select(func.count()).select_from(ProviderDeletion)) == 0
    finally:
        fake.stop()


def test_with_the_console_backend_the_deletion_job_just_completes(app, client, dbs, vault, audit_key, clock):
    world = seed_her(dbs, vault, audit_key, clock)
    erase_through_console(client, world)
    once(console_dispatcher(app))
    dbs.expire_all()
    assert dbs.scalar(select(func.count()).select_from(ProviderDeletion)) == 0


@pytest.mark.skipif(BACKEND != "postgresql", reason="PostgreSQL only: checks that her tables were vacuumed")
def test_erasure_vacuums_her_tables_on_postgresql(client, dbs, vault, audit_key, clock):
    world = seed_her(dbs, vault, audit_key, clock)
    dbs.close()
    erase_through_console(client, world)
    dbs.execute(text("SELECT pg_stat_clear_snapshot()"))
    vacuumed = dict(dbs.execute(text(
        "SELECT relname, last_vacuum FROM pg_stat_user_tables WHERE relname IN "
        "('partner_contact', 'preferences', 'inbound_message', 'delivery_receipt', 'notification', 'task')")).all())
    assert len(vacuumed) == 6 and all(vacuumed.values()), vacuumed
