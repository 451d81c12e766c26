"""Her referral to a multi-agency risk conference (Marac): built from an assessment; with her consent referred at
once and in her sharing ledger; without it a legal basis, a written reason and a second approver (an admin or a
designated manager, never the person who made it, approving once however many press at once); revocation with a
reason, kept in her history; kept through erasure when the law requires it; a printable summary holding only
what the form needs; every step audited with words; bad input a clear 4xx."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker

from portal.models import (
    AuditEvent,
    PartnerContact,
    RiskAssessment,
    RiskConferenceReferral,
    Role,
    SharingConsentEvent,
    StaffUser,
)
from portal.services.casework import risk_conference
from portal.services.casework.erasure import erase_partner
from portal.services.casework.risk_conference import ConferenceError, ReferralInput
from tests.factories import context, login_as, make_service, make_staff, make_world
from tests.served import fire
from tests.staff_console import csrf_from

JUDGEMENT = "Qz8judgement he bought a knife last week"
REASON = "Qz8reason he threatened to kill her on Monday"
CONFERENCE = "Qz8North Marac"
SAFE_ADDRESS = "Qz8 12 Hidden Lane"
CODE_WORD = "qz8codeword"


@pytest.fixture
def case(dbs, vault, audit_key, clock):  # type: ignore[no-untyped-def]
    """Her case with a high-risk assessment (her worker's reason for the level recorded), her safe address, and a
    manager and a plain second worker in her service."""
    world = make_world(dbs, vault, audit_key, clock.now(), name="Qz8Sam Canary")
    her = dbs.get(PartnerContact, world.partner.id)
    vault.put(her, "safe_address_ct", SAFE_ADDRESS)
    assessment = RiskAssessment(id=uuid.uuid4(), partner_id=her.id, assessed_by_id=world.worker.id,
                                assessed_at=clock.now() - timedelta(hours=1), checklist_id="starter",
                                checklist_version="1", item_count=24, yes_count=12, not_known_count=1,
                                scored_level="medium", judgement_level="high", level="high", incidents_12m=3,
                                escalation=True)
    vault.put(assessment, "judgement_ct", JUDGEMENT)
    vault.put(assessment, "fears_ct", "Qz8fears she said")
    dbs.add(assessment)
    manager, _totp = make_staff(dbs, vault, audit_key, Role.SUPPORT_WORKER, world.service.id)
    manager.is_manager = True
    colleague, _totp = make_staff(dbs, vault, audit_key, Role.SUPPORT_WORKER, world.service.id)
    dbs.commit()
    return world, assessment, manager, colleague


def form_url(world, assessment) -> str:  # type: ignore[no-untyped-def]
    return f"/staff/cases/{world.partner.id}/conference/new/{assessment.id}"


def send(client, world, assessment, **data: str):  # type: ignore[no-untyped-def]
    login_as(client, world.worker)
    page = client.get(form_url(world, assessment)).get_data(as_text=True)
    today = re.search(r'name="referred_on" value="([0-9-]+)"', page).group(1)  # the form's own default: today
    return client.post(form_url(world, assessment), data={"csrf_token": csrf_from(page), "referred_on": today,
                                                          **data})


WITH_CONSENT = {"conference_name": CONFERENCE, "knows": "yes", "consents": "yes", "how_given": "phone"}
WITHOUT_CONSENT = {"conference_name": CONFERENCE, "knows": "yes", "consents": "no", "basis": "risk_to_life",
                   "reason": REASON}


def referrals(dbs) -> list[RiskConferenceReferral]:  # type: ignore[no-untyped-def]
    dbs.expire_all()
    return list(dbs.scalars(select(RiskConferenceReferral).order_by(RiskConferenceReferral.created_at)))


def ledger(dbs, partner_id) -> list[SharingConsentEvent]:  # type: ignore[no-untyped-def]
    dbs.expire_all()
    return list(dbs.scalars(select(SharingConsentEvent).where(SharingConsentEvent.partner_id == partner_id)))


def actions(dbs) -> list[str]:  # type: ignore[no-untyped-def]
    dbs.expire_all()
    return list(dbs.scalars(select(AuditEvent.action).order_by(AuditEvent.seq)))


def post(client, page_url: str, url: str, user: StaffUser, **data: str):  # type: ignore[no-untyped-def]
    login_as(client, user)
    page = client.get(page_url)
    token = csrf_from(page.get_data(as_text=True)) if page.status_code == 200 else csrf_from(
        client.get("/staff/").get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **data})


def referral_url(world, referral) -> str:  # type: ignore[no-untyped-def]
    return f"/staff/cases/{world.partner.id}/conference/{referral.id}"


def test_from_the_assessment_result_with_her_consent_referred_at_once_and_in_her_sharing_record(client, dbs, case):
    world, assessment, _manager, _colleague = case
    login_as(client, world.worker)
    result = client.get(f"/staff/cases/{world.partner.id}/risk/{assessment.id}").get_data(as_text=True)
    assert f'href="{form_url(world, assessment)}"' in result
    case_page = client.get(f"/staff/cases/{world.partner.id}").get_data(as_text=True)
    assert 'id="conference"' in case_page and "No referral to a risk conference." in case_page
    response = send(client, world, assessment, **WITH_CONSENT)
    assert response.status_code == 303
    [referral] = referrals(dbs)
    assert referral.status == "referred" and referral.she_consents and referral.approved_by_id is None
    assert (referral.level, referral.yes_count, referral.item_count, referral.escalation) == ("high", 12, 24, True)
    [entry] = ledger(dbs, world.partner.id)
    assert (entry.action, entry.agency, entry.basis, entry.how_given, entry.information) == (
        "agreed", "risk_conference", "consent", "phone", "risk")
    assert referral.sharing_entry_id == entry.id
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Referral made, with her agreement." in page and JUDGEMENT in page
    sharing = client.get(f"/staff/cases/{world.partner.id}/sharing").get_data(as_text=True)
    assert f"Multi-agency risk conference (Marac): {CONFERENCE}" in sharing
    assert "risk_conference.refer" in actions(dbs)
    case_page = client.get(f"/staff/cases/{world.partner.id}").get_data(as_text=True)
    assert CONFERENCE in case_page and "Referred" in case_page


def test_without_her_consent_a_basis_and_a_reason_are_required_and_nothing_typed_is_lost(client, dbs, case):
    world, assessment, _manager, _colleague = case
    response = send(client, world, assessment, **{**WITHOUT_CONSENT, "basis": ""})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Without her agreement, choose the legal basis for the referral." in page
    assert REASON in page and CONFERENCE in page and 'id="error-summary"' in page and 'href="#basis"' in page
    response = send(client, world, assessment, **{**WITHOUT_CONSENT, "reason": "too short"})
    assert response.status_code == 400
    assert "Write why you refer without her agreement" in response.get_data(as_text=True)
    assert "autofocus" in response.get_data(as_text=True)
    response = send(client, world, assessment, **{**WITH_CONSENT, "knows": "no"})
    assert response.status_code == 400
    assert "She cannot agree to a referral she does not know of." in response.get_data(as_text=True)
    assert referrals(dbs) == []
    response = send(client, world, assessment, **WITHOUT_CONSENT)
    assert response.status_code == 303
    [referral] = referrals(dbs)
    assert referral.status == "awaiting_approval" and referral.basis == "risk_to_life"
    assert ledger(dbs, world.partner.id) == []  # nothing shared before the second approval
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "It waits for an admin or a designated manager" in page and 'id="approve"' not in page
    assert "risk_conference.submit" in actions(dbs)


def test_an_admin_gives_the_second_approval_and_the_ledger_records_the_basis_and_reason(app, client, dbs, case):
    world, assessment, _manager, _colleague = case
    send(client, world, assessment, **WITHOUT_CONSENT)
    [referral] = referrals(dbs)
    admin = app.test_client()
    login_as(admin, world.admin)
    home = admin.get("/staff/").get_data(as_text=True)
    assert 'id="approvals-link"' in home
    queue = admin.get("/staff/conference-approvals").get_data(as_text=True)
    assert referral_url(world, referral) in queue and REASON not in queue  # the queue decrypts nothing
    response = post(admin, referral_url(world, referral), referral_url(world, referral) + "/approve", world.admin)
    assert response.status_code == 303
    [referral] = referrals(dbs)
    assert referral.status == "referred" and referral.approved_by_id == world.admin.id
    [entry] = ledger(dbs, world.partner.id)
    assert (entry.action, entry.agency, entry.basis) == ("without_consent", "risk_conference", "risk_to_life")
    assert risk_conference.conference(CONFERENCE).key == ("risk_conference", CONFERENCE.casefold())
    login_as(client, world.worker)
    sharing = client.get(f"/staff/cases/{world.partner.id}/sharing").get_data(as_text=True)
    assert CONFERENCE in sharing and "Shared without her agreement on" in sharing
    assert "risk_conference.approve" in actions(dbs)
    assert "None waiting." in admin.get("/staff/conference-approvals").get_data(as_text=True)
    again = post(admin, referral_url(world, referral), referral_url(world, referral) + "/approve", world.admin)
    assert again.status_code == 409 and len(ledger(dbs, world.partner.id)) == 1


def test_a_designated_manager_approves_but_never_their_own_referral_by_any_route(app, client, dbs, case, ctx_for):
    world, assessment, manager, _colleague = case
    # An admin designates the manager on the users page (and can end it): audited.
    admin = app.test_client()
    response = post(admin, "/staff/admin/users", f"/staff/admin/users/{world.worker.id}/manager/on", world.admin)
    assert response.status_code == 303
    dbs.expire_all()
    assert dbs.get(StaffUser, world.worker.id).is_manager is True and "staff.manager" in actions(dbs)
    assert "Designated manager" in admin.get("/staff/admin/users").get_data(as_text=True)
    refused = post(admin, "/staff/admin/users", f"/staff/admin/users/{world.facilitator.id}/manager/on",
                   world.admin)
    assert refused.status_code == 400
    # Her worker, now a manager, makes a referral without her consent and tries to approve it.
    send(client, world, assessment, **WITHOUT_CONSENT)
    [referral] = referrals(dbs)
    page = client.get(referral_url(world, referral)).get_data(as_text=True)
    assert 'id="approve"' not in page and 'id="not-yours"' in page
    queue = client.get("/staff/conference-approvals").get_data(as_text=True)
    assert "(you: another person must approve)" in queue
    response = post(client, referral_url(world, referral), referral_url(world, referral) + "/approve", world.worker)
    assert response.status_code == 403
    assert "You made this referral" in response.get_data(as_text=True)
    assert referrals(dbs)[0].status == "awaiting_approval" and ledger(dbs, world.partner.id) == []
    assert "risk_conference.approve_refused" in actions(dbs)  # the refusal's audit stands
    # The service refuses it too, whatever page calls it.
    worker = dbs.get(StaffUser, world.worker.id)
    with pytest.raises(ConferenceError, match="own_referral"):
        risk_conference.approve(ctx_for(), dbs.get(PartnerContact, world.partner.id), referral, worker)
    dbs.rollback()
    # The other manager of her service approves.
    other = app.test_client()
    response = post(other, referral_url(world, referral), referral_url(world, referral) + "/approve", manager)
    assert response.status_code == 303 and referrals(dbs)[0].approved_by_id == manager.id


def test_who_is_not_an_approver_cannot_approve(app, dbs, vault, audit_key, case):
    world, assessment, _manager, colleague = case
    client = app.test_client()
    send(client, world, assessment, **WITHOUT_CONSENT)
    [referral] = referrals(dbs)
    url = referral_url(world, referral)
    plain = app.test_client()
    response = post(plain, url, url + "/approve", colleague)
    assert response.status_code == 403
    assert "Only an admin or a designated manager" in response.get_data(as_text=True)
    elsewhere = make_service(dbs)
    their_admin, _totp = make_staff(dbs, vault, audit_key, Role.ADMIN, elsewhere.id)
    dbs.commit()
    for who, status in ((world.facilitator, 404), (their_admin, 404)):
        other = app.test_client()
        login_as(other, who)
        assert other.get(url).status_code == 404
        assert post(other, "/staff/", url + "/approve", who).status_code == status
        assert post(other, "/staff/", url + "/revoke", who, revoke_reason=REASON).status_code == 404
    assert referrals(dbs)[0].status == "awaiting_approval" and ledger(dbs, world.partner.id) == []


def test_revocation_needs_a_reason_and_stays_in_her_history(client, dbs, case):
    world, assessment, _manager, _colleague = case
    send(client, world, assessment, **WITH_CONSENT)
    [referral] = referrals(dbs)
    url = referral_url(world, referral)
    short = post(client, url, url + "/revoke", world.worker, revoke_reason="no")
    assert short.status_code == 400 and 'aria-invalid="true"' in short.get_data(as_text=True)
    assert referrals(dbs)[0].status == "referred"
    typed = "She and the conference agreed it is not needed now."
    response = post(client, url, url + "/revoke", world.worker, revoke_reason=typed)
    assert response.status_code == 303
    [referral] = referrals(dbs)
    assert referral.status == "revoked" and referral.revoked_by_id == world.worker.id
    page = client.get(url).get_data(as_text=True)
    assert typed in page and "Risk-conference referral: Revoked" in page and 'id="revoke"' not in page
    case_page = client.get(f"/staff/cases/{world.partner.id}").get_data(as_text=True)
    assert CONFERENCE in case_page and "conference-revoked" in case_page
    assert len(ledger(dbs, world.partner.id)) == 1  # what was shared stays recorded: the ledger is append-only
    again = post(client, url, url + "/revoke", world.worker, revoke_reason=typed)
    assert again.status_code == 409
    assert "risk_conference.revoke" in actions(dbs)


def test_erasure_keeps_a_referral_marked_required_by_law_and_lists_it(client, dbs, vault, audit_key, clock, case):
    world, assessment, _manager, _colleague = case
    assessment_id = assessment.id
    send(client, world, assessment, **{**WITH_CONSENT, "conference_name": "Qz8Kept Marac", "required_by_law": "yes"})
    send(client, world, assessment, **{**WITHOUT_CONSENT, "conference_name": "Qz8Gone Marac"})
    kept, gone = referrals(dbs)
    assert kept.required_by_law and not gone.required_by_law
    page = client.get(f"/staff/cases/{world.partner.id}/erase").get_data(as_text=True)
    assert 'id="kept-conference"' in page and "Qz8Kept Marac" in page and "Qz8Gone Marac" not in page
    # Marking on the referral page, and unmarking, are audited.
    url = referral_url(world, gone)
    assert post(client, url, url + "/kept", world.worker, required_by_law="yes").status_code == 303
    assert post(client, url, url + "/kept", world.worker).status_code == 303
    assert actions(dbs).count("risk_conference.required_by_law") == 2
    login_as(client, world.worker)
    token = csrf_from(client.get(f"/staff/cases/{world.partner.id}/erase").get_data(as_text=True))
    response = client.post(f"/staff/cases/{world.partner.id}/erase", data={"csrf_token": token, "confirm": "ERASE"})
    assert response.status_code == 303
    assert "1 risk-conference referrals were kept" in client.get(response.headers["Location"]).get_data(as_text=True)
    [left] = referrals(dbs)
    assert left.id == kept.id and left.assessment_id is None and left.sharing_entry_id is None
    assert vault.get(left, "conference_name_ct") == "Qz8Kept Marac" and vault.get(left, "judgement_ct") == JUDGEMENT
    assert ledger(dbs, world.partner.id) == [] and dbs.get(RiskAssessment, assessment_id) is None
    assert '"kept_conference_referrals":1' in dbs.scalar(select(AuditEvent.details).where(
        AuditEvent.action == "partner.erase"))


def test_erasure_without_a_kept_referral_leaves_none(dbs, vault, audit_key, clock, case, ctx_for):
    world, assessment, _manager, _colleague = case
    her = dbs.get(PartnerContact, world.partner.id)
    risk_conference.make_referral(ctx_for(), her, ReferralInput(assessment.id, CONFERENCE, clock.now(), "yes", "no",
                                                                "", "risk_to_life", REASON, False))
    result = erase_partner(ctx_for(), her, reason="request")
    assert result.kept_conference_referrals == 0 and referrals(dbs) == []


def test_the_printable_summary_holds_only_what_the_form_needs_and_its_reading_is_audited(app, client, dbs, case):
    world, assessment, _manager, _colleague = case
    send(client, world, assessment, **WITHOUT_CONSENT)
    [referral] = referrals(dbs)
    response = client.get(referral_url(world, referral) + "/summary")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    for shown in (CONFERENCE, JUDGEMENT, REASON, "High", "12 of 24 yes answers", "Without her agreement: to prevent"):
        assert shown in page
    for never in ("Qz8Sam Canary", SAFE_ADDRESS, "+447400123456", "sam@example.org", "Qz8fears she said",
                  'class="bar"', "Staff menu", "<nav"):
        assert never not in page
    stylesheet = re.search(r'<link rel="stylesheet" href="([^"]+)"', page).group(1)
    assert "@media print" in app.test_client().get(stylesheet).get_data(as_text=True)
    assert "risk_conference.summary_read" in actions(dbs)
    admin = app.test_client()
    login_as(admin, world.admin)
    assert admin.get(referral_url(world, referral) + "/summary").status_code == 200  # the approver reads it too


def test_two_approvers_at_once_approve_once(dbs, vault, audit_key, clock, case, ctx_for):
    world, assessment, manager, _colleague = case
    her = dbs.get(PartnerContact, world.partner.id)
    made = risk_conference.make_referral(ctx_for(context_actor(world.worker)), her, ReferralInput(
        assessment.id, CONFERENCE, clock.now(), "no", "no", "", "risk_to_life", REASON, False))
    dbs.commit()
    sessions = sessionmaker(dbs.get_bind(), expire_on_commit=False)
    approvers = [world.admin.id, manager.id, world.admin.id, manager.id]

    def approve(index: int) -> str:
        with sessions() as db:
            try:
                staff = db.get(StaffUser, approvers[index])
                partner = db.get(PartnerContact, world.partner.id)
                referral = db.get(RiskConferenceReferral, made.id)
                risk_conference.approve(context(db, vault, audit_key, clock.now(), context_actor(staff)), partner,
                                        referral, staff)
                db.commit()
                return "approved"
            except ConferenceError as exc:
                db.rollback()
                return exc.code

    results = fire(len(approvers), approve)
    assert sorted(results) == ["already_decided"] * 3 + ["approved"]
    assert len(ledger(dbs, world.partner.id)) == 1
    assert dbs.scalar(select(func.count()).select_from(AuditEvent)
                      .where(AuditEvent.action == "risk_conference.approve")) == 1


def context_actor(user: StaffUser):  # type: ignore[no-untyped-def]
    from portal.console.access import staff_actor

    return staff_actor(user)


@pytest.mark.parametrize("data", [
    {"knows": "maybe", "consents": "yes"}, {"consents": "\x00"}, {"conference_name": "x" * 5000},
    {"conference_name": "bad\x07name"}, {"referred_on": "2026-13-45"}, {"referred_on": "٢٠٣٠-٠١-٠١"},
    {"referred_on": "1999-01-01"}, {"basis": "consent", "consents": "no"}, {"basis": "nonsense", "consents": "no"},
    {"how_given": "telepathy"}, {"reason": "\x01" * 50, "consents": "no"}, {"reason": "y" * 9000, "consents": "no"},
])
def test_bad_input_is_a_clear_4xx_and_keeps_what_was_typed(client, dbs, case, data):
    world, assessment, _manager, _colleague = case
    response = send(client, world, assessment, **{**WITH_CONSENT, **data})
    assert response.status_code == 400, data
    page = response.get_data(as_text=True)
    assert 'class="errors"' in page and "That did not work" not in page
    assert referrals(dbs) == []


def test_unknown_ids_are_not_found(client, dbs, case):
    world, assessment, _manager, _colleague = case
    login_as(client, world.worker)
    for url in (f"/staff/cases/{world.partner.id}/conference/new/{uuid.uuid4()}",
                f"/staff/cases/{world.partner.id}/conference/new/nope",
                f"/staff/cases/{world.partner.id}/conference/{uuid.uuid4()}",
                f"/staff/cases/{world.partner.id}/conference/nope/summary"):
        assert client.get(url).status_code == 404
    assert client.head(form_url(world, assessment)).status_code == 200
    assert referrals(dbs) == []


def test_every_step_has_words_on_the_audit_page(app):
    from portal.console.audit_labels import ACTION

    with app.test_request_context():
        for action in ("risk_conference.refer", "risk_conference.submit", "risk_conference.approve",
                       "risk_conference.approve_refused", "risk_conference.revoke", "risk_conference.read",
                       "risk_conference.summary_read", "risk_conference.required_by_law", "staff.manager"):
            assert str(ACTION[action]).strip()
