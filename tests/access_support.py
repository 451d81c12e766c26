"""Her record with a canary in every area her copy covers (issue 12 item 8): what her copy shows (SHOWN), what it
shows only when she ticks (PRIVATE), and what it never shows (NEVER: other people's data, her worker's notes, her
plan's text, her link). Used by tests/test_access_export.py and the programme-side walk in tests/test_blindness.py."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from portal.models import (
    ConsentEvent,
    ContactLogEntry,
    InboundMessage,
    Participant,
    PartnerContact,
    Preferences,
    Programme,
    QuestionnaireResponse,
    RiskAssessment,
    RiskConferenceReferral,
    RiskNote,
    StaffUser,
    Task,
)
from portal.services.her import her_checkins, her_reports
from portal.services.her.her_access import partner_actor
from portal.services.her.invites import issue_invite
from portal.services.messaging.outbox import enqueue
from tests.children_support import add_child, agree, refer
from tests.factories import World, context, make_world, set_prefs, set_wording
from tests.plan_console_support import CANARIES as PLAN_CANARIES
from tests.plan_console_support import make_plan, share

PHONE = "+447400246813"
SHOWN = {
    "name": "Zq4Name Canary", "phone": "+447400246813", "email": "zq4canary@example.org",
    "own_words": "zq4 own wording", "safe_time": "07:15", "inbound": "zq4 inbound text",
    "changed": "zq4 what changed", "fears": "zq4 what she fears", "incident": "2026-01-05", "child": "Zq4Mia",
    "questionnaire": "zq4 questionnaire answer", "risk_note": "zq4 risk note words",
}
PRIVATE = {"safe_address": "Zq4 Hidden Lane", "new_number": "+447400357924", "code_word": "zq4codeword",
           "school": "Zq4 Secret School", "details": "Zq4 aunt only"}
NEVER = {"worker_name": "Zq4Worker Display", "worker_email": "zq4worker@example.org",
         "his_reference": "ZQ4-HIS-REF", "programme": "Zq4 Programme Name", "agency_person": "Zq4 Agency Person",
         "referral_agency": "Zq4 Referral Agency", "note": "zq4 contact note", "next_step": "zq4 next step",
         "task_detail": "zq4 task detail", "judgement": "zq4 judgement reason", "link_param": "zq4LinkParam",
         "outcome_notes": "zq4 outcome notes", "conference_name": "Zq4 Conference Name",
         "conference_reason": "zq4 conference reason", **{f"plan_{i}": text for i, text in enumerate(PLAN_CANARIES)}}


def seed_everything(dbs: Any, vault: Any, audit_key: bytes, clock: Any, ctx_for: Any) -> tuple[World, dict[str, Any]]:
    """Her record with a canary in every area, committed; returns the world and what else was made (her link)."""
    now = clock.now()
    world = make_world(dbs, vault, audit_key, partner_phone=PHONE, name=SHOWN["name"], email=SHOWN["email"],
                       windows=[(2, 7 * 60 + 15, 8 * 60 + 45)])
    her = dbs.get(PartnerContact, world.partner.id)
    worker = dbs.get(StaffUser, world.worker.id)
    worker.display_name, worker.email = NEVER["worker_name"], NEVER["worker_email"]
    dbs.get(Participant, world.participant.id).reference = NEVER["his_reference"]
    dbs.get(Programme, world.programme.id).name = NEVER["programme"]
    vault.put(her, "safe_address_ct", PRIVATE["safe_address"])
    vault.put(her, "new_number_ct", PRIVATE["new_number"])
    prefs = set_prefs(dbs, her.id, channel_sms=True, channel_call=True, voicemail_ok=True, tell_dropout="both")
    vault.put(prefs, "code_word_ct", PRIVATE["code_word"])
    set_wording(dbs, vault, her.id, "dropout", own_words=SHOWN["own_words"])
    dbs.add(ConsentEvent(id=uuid.uuid4(), partner_id=her.id, action="given", channel="web", scope="sms",
                         occurred_at=now))
    agree(dbs, vault, audit_key, now, worker, her, "police", NEVER["agency_person"], ("risk",))
    enqueue(dbs, vault, her, kind="invite", template="invite", now=now,
            params={"url": "https://x.example/v/" + NEVER["link_param"]})
    inbound = InboundMessage(id=uuid.uuid4(), message_sid="SM" + "4" * 32, partner_id=her.id, received_at=now)
    vault.put(inbound, "body_ct", SHOWN["inbound"])
    dbs.add(inbound)
    invite = issue_invite(dbs, her.id, now=now, ttl=timedelta(hours=72))
    her_ctx = context(dbs, vault, audit_key, now, partner_actor(her.id))
    her_checkins.check_in(her_ctx, her, step=2, worse=True, changed=SHOWN["changed"])
    her_reports.report(her_ctx, her, her_reports.LESS_SAFE)
    entry = ContactLogEntry(id=uuid.uuid4(), partner_id=her.id, worker_id=worker.id, method="call", reached=True,
                            safe_to_talk="yes", outcome="talked", occurred_at=now,
                            information_given="programme_limits,safety_planning")
    vault.put(entry, "notes_ct", NEVER["note"])
    vault.put(entry, "next_step_ct", NEVER["next_step"])
    dbs.add(entry)
    task = Task(id=uuid.uuid4(), service_id=world.service.id, partner_id=her.id, assignee_id=worker.id,
                kind="event_dropout", severity="urgent", due_at=now, created_at=now)
    vault.put(task, "detail_ct", NEVER["task_detail"])
    dbs.add(task)
    assessment = RiskAssessment(id=uuid.uuid4(), partner_id=her.id, assessed_by_id=worker.id, assessed_at=now,
                                checklist_id="starter", checklist_version="1", item_count=24, yes_count=1,
                                not_known_count=0, scored_level="standard", judgement_level="high", level="high",
                                incidents_12m=2, escalation=False)
    vault.put(assessment, "answers_ct", json.dumps({"answers": {"injury": "yes"},
                                                    "incident_dates": [SHOWN["incident"]], "undated": 1}))
    vault.put(assessment, "fears_ct", SHOWN["fears"])
    vault.put(assessment, "judgement_ct", NEVER["judgement"])
    dbs.add(assessment)
    child = add_child(dbs, vault, audit_key, now, worker, her, SHOWN["child"], age="7", school=PRIVATE["school"],
                      details=PRIVATE["details"])
    refer(dbs, vault, audit_key, now, worker, her, [child], agency_name=NEVER["referral_agency"],
          notes=NEVER["outcome_notes"])
    referral = RiskConferenceReferral(
        id=uuid.uuid4(), partner_id=her.id, assessment_id=assessment.id, assessed_at=now, yes_count=1,
        item_count=24, level="high", escalation=False, referred_at=now, she_knows=True, she_consents=False,
        basis="risk_to_life", status="referred", created_by_id=worker.id)
    vault.put(referral, "conference_name_ct", NEVER["conference_name"])
    vault.put(referral, "reason_ct", NEVER["conference_reason"])
    dbs.add(referral)
    # A note to his programme, withdrawn since (so no facilitator page shows it: DESIGN 8's one exception).
    note = RiskNote(id=uuid.uuid4(), participant_id=world.participant.id, programme_id=world.programme.id,
                    sent_at=now, partner_id=her.id, sent_by_id=worker.id, withdrawn_at=now,
                    withdrawn_by_id=worker.id)
    vault.put(note, "text_ct", SHOWN["risk_note"])
    dbs.add(note)
    answers = QuestionnaireResponse(id=uuid.uuid4(), partner_id=her.id, stage="intake", submitted_at=now)
    vault.put(answers, "answers_ct", json.dumps({"q1": SHOWN["questionnaire"]}))
    dbs.add(answers)
    dbs.commit()
    share(ctx_for, dbs, her, make_plan(ctx_for, dbs, her, duress=False))
    dbs.commit()
    assert dbs.scalar(select(Preferences.code_word_ct).where(Preferences.partner_id == her.id)) is not None
    return world, {"invite": invite, "child": child}


def every_canary() -> list[str]:
    """Every value of hers and of the people around her, in the forms a page could show it."""
    return [*SHOWN.values(), *PRIVATE.values(), *NEVER.values(), "07400 246813", "7400246813", "7400357924"]
