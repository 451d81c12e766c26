"""Staff never read a raw code: every console page, rendered with data holding every code of every vocabulary
staff see (task kinds, severities, statuses, channels, message states and reasons, event kinds, consent
actions, contact outcomes, closure reasons, roles ...), shows words only (issue 10, item 10).

A raw code is any underscore code (`no_window`, `event_risk`) anywhere in the visible text, or a text on its
own that is exactly a lower-case code (`pending`, `sms`). The audit log page is left to its own issue (it shows
actions by design, to be named by helper "consoleforms")."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from flask import url_for
from sqlalchemy import select

from portal.console import labels
from portal.models import (
    AgencyKind,
    ClosureReason,
    ConsentAction,
    ConsentChannel,
    ConsentEvent,
    ConsentScope,
    ContactLogEntry,
    ContactMethod,
    ContactOutcome,
    EventKind,
    Imminence,
    NotificationKind,
    NotificationState,
    Participant,
    ParticipantStatus,
    PartnerStatus,
    ProgrammeEvent,
    ProgrammeEventFactor,
    ReferralOutcome,
    RiskAssessment,
    RiskFactor,
    RiskLevel,
    Role,
    SafeToTalk,
    Severity,
    SharingBasis,
    SharingHow,
    StaffUser,
    Task,
    TaskKind,
    Tell,
)
from portal.services.casework.tasks import create_task
from portal.services.messaging.outbox import enqueue
from tests.children_support import add_child, agree, refer
from tests.factories import login_as, make_participant, make_partner, set_prefs

UNDERSCORE_CODE = re.compile(r"\b[a-z0-9]+(?:_[a-z0-9]+)+\b")
STAFF_VOCABULARIES = (TaskKind, Severity, PartnerStatus, EventKind, Imminence, Tell, NotificationState,
                      NotificationKind, ConsentAction, ConsentChannel, ConsentScope, ContactMethod, SafeToTalk,
                      ContactOutcome, ClosureReason, ParticipantStatus, Role, RiskFactor, RiskLevel,
                      AgencyKind, ReferralOutcome, SharingBasis, SharingHow)
WORD_CODES = {code.value for vocabulary in STAFF_VOCABULARIES for code in vocabulary if "_" not in code.value}
REASONS = [*labels.MESSAGE_REASON, "unsafe_giveaway", "gave_up_30003", "unusable_21211", "call_instead_30007",
           "rejected_21000", "30007", "21610"]
READABLE_ATTRIBUTES = ("aria-label", "title", "alt", "placeholder")


class VisibleText(HTMLParser):
    """The text a person sees or hears: text outside script and style, and the attributes read aloud."""

    def __init__(self) -> None:
        super().__init__()
        self.chunks: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._hidden += 1
        for name, value in attrs:
            if name in READABLE_ATTRIBUTES and value:
                self.chunks.append(value)
            if tag == "input" and name == "value" and value and ("type", "submit") in attrs:
                self.chunks.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden and data.strip():
            self.chunks.append(data.strip())


def raw_codes(html: str) -> list[str]:
    parser = VisibleText()
    parser.feed(html)
    found = [match for chunk in parser.chunks for match in UNDERSCORE_CODE.findall(chunk)]
    found += [chunk for chunk in parser.chunks if chunk in WORD_CODES]
    return found


def test_the_detector_finds_raw_codes_and_passes_words():
    assert raw_codes("<p>Passed to her worker to call (no_window)</p>") == ["no_window"]
    assert raw_codes("<td>pending</td><td>Waiting for her safe time</td>") == ["pending"]
    assert raw_codes('<a aria-label="event_risk" href="/x">Risk</a><script>var a_b=1</script>') == ["event_risk"]
    assert raw_codes("<p>Call her in her safe times.</p>") == []


@pytest.fixture
def every_code(dbs, vault, audit_key, world, clock):  # type: ignore[no-untyped-def]
    """Her case and her service holding every code staff can meet; returns what the pages need."""
    now = clock.now()
    for user, name in ((world.admin, "Ada Admin"), (world.worker, "Wren Worker"),
                       (world.facilitator, "Fay Facilitator")):
        user.display_name = name  # the factories name staff (and their emails) by their role code
        user.email = f"{name.split()[0].lower()}.{uuid.uuid4().hex[:4]}@example.org"
    her = world.partner
    prefs = set_prefs(dbs, her.id, channel_sms=True, channel_call=True, voicemail_ok=True, shared_phone=True,
              serious_risk_any_time=True, tell_dropout=Tell.NONE, tell_suspended=Tell.MESSAGE,
              tell_completed=Tell.CALL, tell_risk=Tell.BOTH)
    vault.put(prefs, "code_word_ct", "bluebell")
    cases = [her]
    for number, status in enumerate(PartnerStatus):  # a case in every status, and closed for every reason
        other = make_partner(dbs, vault, audit_key, world.service, world.worker, name=f"Case {number}",
                             phone=f"+4474009{number:05d}", email=None)
        other.status = status
        cases.append(other)
    for number, reason in enumerate(ClosureReason):
        closed = make_partner(dbs, vault, audit_key, world.service, world.worker, name=f"Closed {number}",
                              phone=f"+4474008{number:05d}", email=None)
        closed.status, closed.closure_reason, closed.closed_at = PartnerStatus.CLOSED, reason, now
        cases.append(closed)
    for action in ConsentAction:
        for channel in ConsentChannel:
            for scope in ConsentScope:
                dbs.add(ConsentEvent(id=uuid.uuid4(), partner_id=her.id, action=action, channel=channel, scope=scope,
                                     recorded_by_id=world.worker.id if channel == "worker" else None,
                                     occurred_at=now))
    for kind in NotificationKind:
        for state in NotificationState:
            note = enqueue(dbs, vault, her, kind=NotificationKind.HELP, template="help", now=now)
            note.kind, note.state = kind, state
    for reason in REASONS:
        note = enqueue(dbs, vault, her, kind=NotificationKind.HELP, template="help", now=now)
        note.state, note.error_code = NotificationState.HANDED_OVER, reason
    for method in ContactMethod:
        for safe in SafeToTalk:
            for outcome in ContactOutcome:
                entry = ContactLogEntry(id=uuid.uuid4(), partner_id=her.id, worker_id=world.worker.id,
                                        occurred_at=now - timedelta(hours=1), method=method, reached=True,
                                        safe_to_talk=safe, outcome=outcome,
                                        information_given=",".join(labels.INFORMATION))
                vault.put(entry, "notes_ct", "She is well.")
                dbs.add(entry)
    for status in ParticipantStatus:
        participant = make_participant(dbs, world.programme)
        participant.status = status
    tasks: list[Task] = []
    for kind in EventKind:
        for imminence in (Imminence if kind == EventKind.RISK else [None]):
            event = ProgrammeEvent(id=uuid.uuid4(), programme_id=world.programme.id,
                                   participant_id=world.participant.id, kind=kind, imminence=imminence,
                                   risk_to_partner=kind == EventKind.RISK, risk_to_children=kind == EventKind.RISK,
                                   reported_by_id=world.facilitator.id, occurred_at=now, created_at=now)
            vault.put(event, "description_ct", "Observed in the group.")
            dbs.add(event)
            dbs.flush()
            if kind == EventKind.RISK:  # every risk factor, on every risk report
                dbs.add_all(ProgrammeEventFactor(event_id=event.id, factor=factor) for factor in RiskFactor)
            tasks.append(create_task(dbs, her, kind=TaskKind.for_event(kind), severity=Severity.URGENT, now=now,
                                     source_event_id=event.id, child_risk=kind == EventKind.RISK))
    for number, kind in enumerate(TaskKind):
        severity = list(Severity)[number % len(Severity)]
        detail = REASONS[number % len(REASONS)] if kind.startswith("message_") else (
            "Can you call me" if kind.startswith("sms_") else None)
        task = create_task(dbs, her, kind=kind, severity=severity, now=now - timedelta(days=number % 3),
                           detail=detail, vault=vault)
        task.call_requested = number % 2 == 0
        task.contact_allowed = number % 3 != 0
        tasks.append(task)
    for reason in REASONS:  # a message task for every reason a message may not go
        tasks.append(create_task(dbs, her, kind=TaskKind.MESSAGE_NOT_DELIVERED, severity=Severity.URGENT, now=now,
                                 detail=reason, vault=vault))
    assessments = []
    for number, (scored, judged) in enumerate([("standard", "medium"), ("medium", "high"), ("high", None)]):
        row = RiskAssessment(id=uuid.uuid4(), partner_id=her.id, assessed_by_id=world.worker.id,
                             assessed_at=now - timedelta(days=100 - number), checklist_id="starter",
                             checklist_version="1" if number else "0", item_count=24, yes_count=5 + 5 * number,
                             not_known_count=number, scored_level=scored, judgement_level=judged,
                             level=judged or scored, incidents_12m=number * 2, escalation=number == 2)
        vault.put(row, "answers_ct", '{"answers": {"injury": "yes", "fear": "not_known", "isolation": "no"}, '
                                     '"incident_dates": ["2025-01-02", "2026-01-02"], "undated": 1, '
                                     '"window_from": "2025-03-01"}')
        vault.put(row, "fears_ct", "She fears the nights.")
        vault.put(row, "judgement_ct", "A knife in the car." if judged else None)
        dbs.add(row)
        assessments.append(row)
    assert {row.scored_level for row in assessments} == set(RiskLevel)
    # Her children, a referral to every kind of agency with every outcome and basis, an agreement given every way.
    kid = add_child(dbs, vault, audit_key, now, world.worker, her, "Mia", age="7", school="Rosehill")
    add_child(dbs, vault, audit_key, now, world.worker, her, "Leo")
    referrals = []
    for number, agency in enumerate(AgencyKind):
        how = list(SharingHow)[number % len(SharingHow)]
        if agency == AgencyKind.PROGRAMME:  # his programme: no name, risk and children only, never a referral
            from portal.services.casework import sharing_consent as ledger
            from tests.children_support import worker_ctx as ctx_of

            ledger.record_agreement(ctx_of(dbs, vault, audit_key, now, world.worker), her,
                                    agency=ledger.Agency(agency, ""), information=("risk", "children"),
                                    how_given=how, occurred_at=now, told_note_shows_contact=True)
            continue
        agree(dbs, vault, audit_key, now, world.worker, her, agency, f"Team {number}",
              ("risk", "children", "contact", "case"), how=how)
        basis = list(SharingBasis)[number % len(SharingBasis)]
        referrals.append(refer(dbs, vault, audit_key, now, world.worker, her, [kid], agency=agency,
                               agency_name=f"Team {number}", information=("risk", "children", "contact", "case"),
                               basis="" if basis == SharingBasis.CONSENT else basis,
                               outcome=list(ReferralOutcome)[number % len(ReferralOutcome)],
                               required_by_law=number % 2 == 0))
    for number, outcome in enumerate(ReferralOutcome):
        referrals[number].outcome = outcome
    from portal.services.casework import sharing_consent
    from tests.children_support import worker_ctx

    sharing_consent.record_withdrawal(worker_ctx(dbs, vault, audit_key, now, world.worker), her,
                                      agency=sharing_consent.Agency("police", "Team 1"), how_given="phone",
                                      occurred_at=now)
    dbs.commit()
    _her_plan_with_every_code(dbs, vault, audit_key, her, tasks)
    return {"her": her, "cases": cases, "tasks": tasks, "child": kid, "referrals": referrals, "assessments": assessments}


def _her_plan_with_every_code(dbs, vault, audit_key, her, tasks) -> None:  # type: ignore[no-untyped-def]
    """Her plan shared (every priority, every field), the harmless one shared too, a duress opening with every
    request and every part of one asked in that session, and its texts released (the page's other state)."""
    from portal.services.her import duress_requests, safety_plan
    from tests.factories import context
    from tests.plan_support import DURESS, KDF, PASSPHRASE

    ctx = context(dbs, vault, audit_key)
    every = safety_plan.PlanContent(safety_plan.PRIORITIES, {code: "Written." for code in safety_plan.field_codes()})
    mine = safety_plan.create(ctx, her, PASSPHRASE, duress_passphrase=DURESS, decoy=every, kdf=KDF, content=every)
    safety_plan.share(ctx, her, mine)
    dbs.commit()
    decoy = safety_plan.open_plan(ctx, her, DURESS).unlocked
    assert decoy is not None
    safety_plan.share(ctx, her, decoy)
    for what in duress_requests.ASKED:
        duress_requests.record(ctx, her, what, parts=duress_requests.PARTS)
    task = duress_requests.open_task(dbs, her.id)
    assert task is not None
    tasks.append(task)
    released = create_task(dbs, her, kind=TaskKind.PLAN_DURESS, severity=Severity.IMMEDIATE, now=ctx.now)
    released.released_at, released.done_at = ctx.now, ctx.now
    tasks.append(released)
    dbs.commit()


def worker_pages(every_code) -> list[tuple[str, dict]]:  # type: ignore[no-untyped-def]
    her = every_code["her"].id
    pages = [("console.home", {}), ("console.worker_inbox", {}), ("console.worker_inbox", {"scope": "service"}),
             ("console.worker_cases", {}), ("console.worker_cases", {"scope": "service"}),
             ("console.worker_new_case", {}), ("console.worker_preferences", {"partner_id": her}),
             ("console.worker_log_contact", {"partner_id": her}), ("console.worker_erase", {"partner_id": her}),
             ("console.worker_child_new", {"partner_id": her}), ("console.worker_sharing", {"partner_id": her}),
             ("console.worker_child_edit", {"partner_id": her, "child_id": every_code["child"].id}),
             ("console.worker_referral_new", {"partner_id": her}), ("console.worker_private", {"partner_id": her})]
    pages += [("console.worker_referral_edit", {"partner_id": her, "referral_id": referral.id})
              for referral in every_code["referrals"]]
    pages += [("console.worker_case", {"partner_id": case.id}) for case in every_code["cases"]]
    pages += [("console.worker_shared_plan", {"partner_id": case.id}) for case in every_code["cases"][:3]]
    pages += [("console.worker_task", {"task_id": task.id}) for task in every_code["tasks"]]
    pages += [("console.worker_risk_new", {"partner_id": her})]
    pages += [("console.worker_risk_result", {"partner_id": her, "assessment_id": row.id})
              for row in every_code["assessments"]]  # one of an earlier checklist version, two of this one
    return pages


def test_no_worker_page_shows_a_raw_code(app, dbs, every_code, world):
    client = app.test_client()
    login_as(client, world.worker)
    found: dict[str, list[str]] = {}
    with app.test_request_context():
        paths = [url_for(endpoint, **values) for endpoint, values in worker_pages(every_code)]
    for path in paths:
        response = client.get(path)
        if response.status_code == 404:  # an erased case has no page
            continue
        assert response.status_code == 200, path
        codes = raw_codes(response.get_data(as_text=True))
        if codes:
            found[path] = sorted(set(codes))
    assert found == {}


def test_no_admin_or_facilitator_page_shows_a_raw_code(app, dbs, every_code, world):
    found: dict[str, list[str]] = {}
    participant = dbs.scalar(select(Participant).where(Participant.programme_id == world.programme.id))
    with app.test_request_context():
        admin_paths = [url_for(e) for e in ("console.home", "console.admin_users", "console.admin_programmes",
                                            "console.admin_settings", "console.admin_helplines",
                                            "console.admin_tokens", "console.admin_escalations")]
        facilitator_paths = [url_for("console.home"), url_for("console.facilitator_programmes"),
                             url_for("console.facilitator_programme", programme_id=world.programme.id),
                             url_for("console.facilitator_participant", programme_id=world.programme.id,
                                     participant_id=participant.id)]
    for user, paths in ((world.admin, admin_paths), (world.facilitator, facilitator_paths)):
        client = app.test_client()
        login_as(client, dbs.get(StaffUser, user.id))
        for path in paths:
            response = client.get(path)
            assert response.status_code == 200, path
            codes = raw_codes(response.get_data(as_text=True))
            if codes:
                found[path] = sorted(set(codes))
    assert found == {}
