"""Erasing her destroys her personal data everywhere, keeps a tombstone, cancels what was pending."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.crypto import associated_data, owasp_minimum
from portal.models import (
    AccessToken,
    AuditEvent,
    ContactLogEntry,
    DeliveryReceipt,
    InboundMessage,
    Notification,
    NotificationState,
    PartnerContact,
    PartnerLink,
    PartnerStatus,
    Preferences,
    QuestionnaireResponse,
    SafetyPlan,
    SafetyPlanShare,
    SafeWindow,
    Severity,
    Task,
    WarningWording,
    WebSession,
)
from portal.services.audit import Actor, verify_database
from portal.services.casework.erasure import erase_partner
from portal.services.casework.tasks import create_task
from portal.services.her import safety_plan
from portal.services.her.invites import issue_invite
from portal.services.her.partners import find_by_phone
from portal.services.messaging import outbox
from tests.factories import context, make_world, set_wording

CANARY_PHONE = "+447400999111"

def seed_everything(dbs, vault, audit_key, clock):  # type: ignore[no-untyped-def]
    """Her record with a value in every place her data can live."""
    world = make_world(dbs, vault, audit_key, partner_phone=CANARY_PHONE)
    her = world.partner
    now = clock.now()
    prefs = dbs.scalar(select(Preferences).where(Preferences.partner_id == her.id))
    vault.put(prefs, "code_word_ct", "CANARY-CODEWORD")
    set_wording(dbs, vault, her.id, "risk", own_words="CANARY-WORDING", with_number=True)
    pending = outbox.enqueue(dbs, vault, her, kind="invite", template="invite", now=now,
                             params={"url": "https://portal.test/v/CANARY-LINK"})
    sent = outbox.enqueue(dbs, vault, her, kind="warning", template="warning", now=now)
    sent.state, sent.provider_sid = NotificationState.DELIVERED, "SMcanary0001"
    dbs.add(DeliveryReceipt(id=uuid.uuid4(), message_sid="SMcanary0001", status="delivered"))
    inbound = InboundMessage(id=uuid.uuid4(), message_sid="SMin0001", partner_id=her.id)
    vault.put(inbound, "body_ct", "CANARY-SMS-BODY")
    log = ContactLogEntry(id=uuid.uuid4(), partner_id=her.id, worker_id=world.worker.id, method="call",
                          outcome="no_answer")
    vault.put(log, "notes_ct", "CANARY-NOTES")
    vault.put(log, "next_step_ct", "CANARY-NEXT")
    dbs.add_all([inbound, log])
    task = create_task(dbs, her, kind="event_dropout", severity=Severity.URGENT, now=now, detail="CANARY-DETAIL",
                       vault=vault)
    plan_ctx = context(dbs, vault, audit_key, now, Actor("partner", str(her.id)))
    opened = safety_plan.create(plan_ctx, her, "her passphrase", kdf=owasp_minimum(), content=safety_plan.PlanContent(
        (), {"people.contacts": "CANARY-PLAN"}))
    safety_plan.share(plan_ctx, her, opened)  # a copy under the service's keys too
    answers = QuestionnaireResponse(id=uuid.uuid4(), partner_id=her.id, programme_id=world.programme.id,
                                    stage="intake")
    vault.put(answers, "answers_ct", '{"q1": 3}')
    dbs.add(answers)
    issue_invite(dbs, her.id, now=now, ttl=timedelta(days=7))
    dbs.add(WebSession(id_hash="a" * 64, audience="her", data="{}", partner_id=her.id, created_at=now,
                       last_seen_at=now, expires_at=now + timedelta(minutes=15)))
    dbs.commit()
    return world, pending, task, answers

def test_erasure_destroys_her_data_and_keeps_a_tombstone(dbs, vault, audit_key, clock):
    world, pending, task, answers = seed_everything(dbs, vault, audit_key, clock)
    her = world.partner

    result = erase_partner(context(dbs, vault, audit_key, clock.now(), Actor("staff", str(world.worker.id))), her,
                           reason="request")
    dbs.commit()
    dbs.expire_all()

    assert result.cancelled_messages == 1
    tomb = dbs.get(PartnerContact, her.id)
    assert tomb is not None and tomb.status == PartnerStatus.ERASED and tomb.erased_at == clock.now()
    assert (tomb.name_ct, tomb.phone_ct, tomb.email_ct, tomb.phone_bidx, tomb.email_bidx) == (None,) * 5
    assert find_by_phone(dbs, vault, CANARY_PHONE) is None
    prefs = dbs.scalar(select(Preferences).where(Preferences.partner_id == her.id))
    assert prefs.code_word_ct is None
    assert dbs.scalar(select(func.count()).select_from(WarningWording)) == 0  # her wordings are gone
    assert dbs.get(Notification, pending.id).state == NotificationState.CANCELLED
    assert all(n.params_ct is None and n.provider_sid is None
               for n in dbs.scalars(select(Notification).where(Notification.partner_id == her.id)))
    assert dbs.scalar(select(func.count()).select_from(DeliveryReceipt)) == 0
    assert dbs.scalar(select(InboundMessage.body_ct).where(InboundMessage.partner_id == her.id)) is None
    log = dbs.scalar(select(ContactLogEntry).where(ContactLogEntry.partner_id == her.id))
    assert log.notes_ct is None and log.next_step_ct is None
    closed_task = dbs.get(Task, task.id)
    assert closed_task.detail_ct is None and closed_task.done_at is not None and not closed_task.contact_allowed
    for model in (SafeWindow, SafetyPlan, AccessToken, WebSession, PartnerLink):
        assert dbs.scalar(select(func.count()).select_from(model).where(model.partner_id == her.id)) == 0
    assert dbs.scalar(select(func.count()).select_from(SafetyPlanShare)) == 0  # her shared copy too
    # Her evaluation answers are deleted (DESIGN 8): a report recomputed now does not count her.
    assert dbs.get(QuestionnaireResponse, answers.id) is None
    # The audit chain is intact and records the erasure (a code, never her values).
    assert verify_database(dbs, audit_key).ok
    last = dbs.scalar(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1))
    assert (last.action, last.object_id, last.details) == ("partner.erase", str(her.id),
                                                          '{"cancelled":1,"reason":"request"}')

def test_no_canary_survives_anywhere_in_the_database(dbs, vault, audit_key, clock):
    world, *_ = seed_everything(dbs, vault, audit_key, clock)
    erase_partner(context(dbs, vault, audit_key, clock.now(), Actor("system")), world.partner, reason="retention")
    dbs.commit()
    # Decrypt every encrypted value that remains anywhere: none of them is hers.
    from portal.models import Base

    remaining: list[str] = []
    for table in Base.metadata.sorted_tables:
        enc = [c.name for c in table.columns if c.info.get("encrypted")]
        for row in dbs.execute(select(table)).mappings():
            for name in enc:
                if row[name] is not None:

                    remaining.append(vault.keyring.decrypt(row[name], associated_data(table.name, name, row["id"])))
    assert not [value for value in remaining if "CANARY" in value or CANARY_PHONE in value]
    dump = " ".join(str(v) for t in Base.metadata.sorted_tables for r in dbs.execute(select(t)) for v in r)
    assert "CANARY" not in dump and CANARY_PHONE not in dump

def test_erasing_twice_is_harmless(dbs, vault, audit_key, clock):
    world = make_world(dbs, vault, audit_key)
    dbs.commit()
    erase_partner(context(dbs, vault, audit_key, clock.now(), Actor("system")), world.partner, reason="request")
    again = erase_partner(context(dbs, vault, audit_key, clock.now(), Actor("system")), world.partner, reason="request")
    dbs.commit()
    assert again.already_erased
    assert dbs.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "partner.erase")) == 1

def test_erasure_reason_must_be_a_known_code(dbs, vault, audit_key, clock):
    world = make_world(dbs, vault, audit_key)
    with pytest.raises(ValueError):
        erase_partner(context(dbs, vault, audit_key, clock.now(), Actor("system")), world.partner,
                      reason="she asked on the phone")
    assert world.partner.status != PartnerStatus.ERASED and world.partner.name_ct is not None
