"""Her children, child-protection referrals and her information-sharing ledger (issue 12 items 3 and 4): recorded by
her worker, validated (a clear 400, nothing typed lost), encrypted at rest, audited; the sharing rule (her
agreement covering what is shared, or a legal basis with a written reason); withdrawal as a new entry; erasure
keeps only the referrals marked as required by law; nobody outside her service reaches any of it."""

from __future__ import annotations

import html as html_text
import uuid
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url

from portal.crypto import associated_data
from portal.models import (
    AuditEvent,
    Base,
    ChildProtectionReferral,
    ChildRecord,
    PartnerContact,
    ReferralChild,
    Severity,
    SharingConsentEvent,
    StaffUser,
)
from portal.services.casework import children, sharing_consent
from portal.services.casework.erasure import erase_partner
from portal.services.casework.sharing_consent import Agency
from portal.services.casework.tasks import create_task
from tests.children_support import add_child, agree, post_page, refer, referral_form, worker_ctx
from tests.factories import make_world, signed_in
from tests.staff_console import csrf_from
from tests.support import BACKEND


@pytest.fixture
def worker(app, world):  # type: ignore[no-untyped-def]
    """Her worker's signed-in console."""
    return signed_in(app, world.worker)


def case_path(world) -> str:  # type: ignore[no-untyped-def]
    return f"/staff/cases/{world.partner.id}"


def page(response) -> str:  # type: ignore[no-untyped-def]
    """The page's text with HTML entities read as the characters they stand for."""
    return html_text.unescape(response.get_data(as_text=True))


def audit_actions(dbs) -> list[str]:  # type: ignore[no-untyped-def]
    dbs.expire_all()
    return list(dbs.scalars(select(AuditEvent.action).order_by(AuditEvent.seq)))


# -- children --------------------------------------------------------------------------------------------------


def test_her_worker_records_a_child_with_any_scripts_digits_and_the_school_stays_hidden(worker, dbs, vault, world):
    response = post_page(worker, case_path(world) + "/children/new",
                         {"first_name": "  Mia  ", "age": "٧", "school": "Qz Rosehill Primary",
                          "details": "Only her mother may collect her."})
    assert response.status_code == 303 and response.headers["Location"].endswith("#children")
    child = dbs.scalar(select(ChildRecord).where(ChildRecord.partner_id == world.partner.id))
    assert child.birth_year == 2019  # 7 in 2026: the Arabic-Indic digit counted as 7
    assert (vault.get(child, "first_name_ct"), vault.get(child, "school_ct")) == ("Mia", "Qz Rosehill Primary")
    assert "child.add" in audit_actions(dbs)
    html = page(worker.get(case_path(world)))
    assert "Mia" in html and "2019 (age 6 or 7)" in html
    assert "hidden — press Show" in html and "Qz Rosehill" not in html and "Only her mother" not in html
    # Full-width digits in a year of birth are digits too.
    response = post_page(worker, case_path(world) + "/children/new", {"first_name": "J.K.", "birth_year": "２０２１"})
    assert response.status_code == 303
    assert dbs.scalar(select(func.count()).select_from(ChildRecord).where(ChildRecord.birth_year == 2021)) == 1


@pytest.mark.parametrize(("typed", "message"), [
    ({"first_name": ""}, "Enter the child's first name or initials."),
    ({"first_name": "x" * 61}, "A first name or initials can be up to 60 characters."),
    ({"first_name": "Mia\u0007"}, "The first name contains characters that cannot be used."),
    ({"age": "²"}, "Enter the age as a whole number of years, from 0 to 30."),
    ({"age": "31"}, "Enter the age as a whole number of years, from 0 to 30."),
    ({"age": "-3"}, "Enter the age as a whole number of years, from 0 to 30."),
    ({"birth_year": "19"}, "Enter the year of birth as four digits, such as 2019."),
    ({"birth_year": "2031"}, "Enter the year of birth as four digits, such as 2019."),
    ({"age": "7", "birth_year": "2010"}, "The age and the year of birth do not match."),
    ({"school": "s" * 201}, "The school can be up to 200 characters."),
    ({"details": "d" * 2001}, "Other details can be up to 2000 characters."),
], ids=["no-name", "long-name", "control-char", "superscript", "too-old", "negative", "short-year",
        "future-year", "mismatch", "long-school", "long-details"])
def test_garbage_is_a_clear_400_and_nothing_typed_is_lost(worker, dbs, world, typed, message):
    form = {"first_name": "Mia", "age": "", "birth_year": "", "school": "Qz Typed School",
            "details": "Qz typed details"} | typed
    response = post_page(worker, case_path(world) + "/children/new", form)
    assert response.status_code == 400
    html = page(response)
    assert message in html
    assert 'aria-invalid="true"' in html
    for value in form.values():
        if value and len(value) < 100 and "\u0007" not in value:
            assert value in html, value  # what she typed is still in the form
    assert dbs.scalar(select(func.count()).select_from(ChildRecord)) == 0


def test_a_change_keeps_the_hidden_school_unless_replaced_or_removed(worker, dbs, vault, audit_key, clock, world):
    child = add_child(dbs, vault, audit_key, clock.now(), world.worker, world.partner, "Mia", age="7",
                      school="Qz Old School", details="Qz old details")
    dbs.commit()
    path = f"{case_path(world)}/children/{child.id}"
    form_page = page(worker.get(path))
    assert "Qz Old" not in form_page and "Recorded (hidden). Leave empty to keep it." in form_page
    assert post_page(worker, path, {"first_name": "Mia R.", "age": "8"}).status_code == 303
    dbs.expire_all()
    child = dbs.get(ChildRecord, child.id)
    assert (vault.get(child, "first_name_ct"), child.birth_year, vault.get(child, "school_ct")) == \
        ("Mia R.", 2018, "Qz Old School")
    assert post_page(worker, path, {"first_name": "Mia R.", "birth_year": "2018", "school": "Qz New School",
                                    "clear_details": "yes"}).status_code == 303
    dbs.expire_all()
    child = dbs.get(ChildRecord, child.id)
    assert (vault.get(child, "school_ct"), child.details_ct) == ("Qz New School", None)
    update = dbs.scalar(select(AuditEvent).where(AuditEvent.action == "child.update").order_by(AuditEvent.seq.desc()))
    assert '"fields":["school","details"]' in update.details and "Qz" not in update.details


def test_a_child_named_in_a_referral_cannot_be_removed_but_another_can(worker, dbs, vault, audit_key, clock, world):
    named = add_child(dbs, vault, audit_key, clock.now(), world.worker, world.partner, "Mia", age="7")
    other = add_child(dbs, vault, audit_key, clock.now(), world.worker, world.partner, "Leo", age="3")
    refer(dbs, vault, audit_key, clock.now(), world.worker, world.partner, [named])
    dbs.commit()
    refused = post_page(worker, f"{case_path(world)}/children/{named.id}/remove", {},
                        page=f"{case_path(world)}/children/{named.id}")
    assert refused.status_code == 303
    assert "names this child" in page(worker.get(refused.headers["Location"]))
    assert post_page(worker, f"{case_path(world)}/children/{other.id}/remove", {},
                     page=case_path(world)).status_code == 303
    dbs.expunge_all()
    assert dbs.get(ChildRecord, named.id) is not None and dbs.get(ChildRecord, other.id) is None


# -- referrals and the sharing rule -----------------------------------------------------------------------------


def test_without_her_agreement_a_referral_needs_a_legal_basis_and_a_written_reason(worker, dbs, vault, audit_key,
                                                                                     clock, world):
    child = add_child(dbs, vault, audit_key, clock.now(), world.worker, world.partner, "Mia", age="7")
    dbs.commit()
    path = case_path(world) + "/referrals/new"
    form_page = page(worker.get(path))
    assert "No sharing recorded: she has not agreed to sharing with any agency" in form_page
    typed = referral_form(children=[str(child.id)], agency_name="Qz North Team", outcome_notes="Qz typed notes")
    asked = post_page(worker, path, typed)
    assert asked.status_code == 400
    assert "She has not agreed to share this with this agency. Choose the legal basis" in page(asked)
    assert "Qz North Team" in page(asked) and "Qz typed notes" in page(asked)  # nothing typed is lost
    short = post_page(worker, path, typed | {"basis": "child_protection", "reason": "risk"})
    assert short.status_code == 400 and "Write why you share without her agreement" in page(short)
    unknown = post_page(worker, path, typed | {"basis": "because", "reason": "A good reason, written."})
    assert unknown.status_code == 400 and "Choose a legal basis from the list." in page(unknown)
    claimed = post_page(worker, path, typed | {"basis": "consent"})
    assert claimed.status_code == 400 and "Her agreement to share this with this agency is not recorded" in page(claimed)
    assert dbs.scalar(select(func.count()).select_from(ChildProtectionReferral)) == 0
    done = post_page(worker, path, typed | {"basis": "child_protection",
                                            "reason": "He threatened the children; duty to refer."})
    assert done.status_code == 303
    dbs.expire_all()
    referral = dbs.scalar(select(ChildProtectionReferral))
    assert (referral.basis, referral.consent_entry_id, referral.agency) == ("child_protection", None,
                                                                           "childrens_services")
    assert vault.get(referral, "basis_reason_ct") == "He threatened the children; duty to refer."
    assert vault.get(referral, "agency_name_ct") == "Qz North Team"
    assert [link.child_id for link in dbs.scalars(select(ReferralChild))] == [child.id]
    entry = dbs.scalar(select(SharingConsentEvent))  # the ledger records the sharing without her agreement
    assert (entry.action, entry.basis, entry.information) == ("without_consent", "child_protection", "risk,children")
    assert vault.get(entry, "reason_ct") == "He threatened the children; duty to refer."
    assert {"child_referral.record", "sharing.without_consent"} <= set(audit_actions(dbs))
    record = dbs.scalar(select(AuditEvent).where(AuditEvent.action == "child_referral.record"))
    assert "threatened" not in record.details and "Qz" not in record.details
    html = page(worker.get(case_path(world)))
    assert "Without her agreement: to protect a child from significant harm" in html
    assert "Shared without her agreement on" in html


def test_with_her_agreement_the_referral_relies_on_it_and_the_form_shows_it(worker, dbs, vault, audit_key, clock,
                                                                              world):
    child = add_child(dbs, vault, audit_key, clock.now(), world.worker, world.partner, "Mia", age="7")
    dbs.commit()
    recorded = post_page(worker, case_path(world) + "/sharing",
                         {"form": "agree", "a_agency": "childrens_services", "a_agency_name": "Qz  North   team",
                          "a_information": ["risk", "children"], "a_how": "phone", "a_date": "2026-03-01"})
    assert recorded.status_code == 303
    agreed = dbs.scalar(select(SharingConsentEvent))
    assert (agreed.action, agreed.how_given, agreed.basis) == ("agreed", "phone", "consent")
    form_page = page(worker.get(case_path(world) + "/referrals/new"))
    assert "she agreed on" in form_page and "(On the phone) to sharing:" in form_page
    assert f'value="known:{agreed.id}"' in form_page
    # Her agreement is found again by its name, whatever the spacing or capitals.
    done = post_page(worker, case_path(world) + "/referrals/new",
                     referral_form(children=[str(child.id)], agency_name="qz north TEAM"))
    assert done.status_code == 303
    dbs.expire_all()
    referral = dbs.scalar(select(ChildProtectionReferral))
    assert (referral.basis, referral.consent_entry_id, referral.basis_reason_ct) == ("consent", agreed.id, None)
    assert dbs.scalar(select(func.count()).select_from(SharingConsentEvent)) == 1  # no legal-basis entry added
    # Choosing her agency from the list works the same.
    assert post_page(worker, case_path(world) + "/referrals/new",
                     referral_form(children=[str(child.id)], agency=f"known:{agreed.id}")).status_code == 303


def test_her_agreement_must_cover_what_is_shared_and_that_agency(dbs, vault, audit_key, clock, world):
    now = clock.now()
    child = add_child(dbs, vault, audit_key, now, world.worker, world.partner, "Mia", age="7")
    agree(dbs, vault, audit_key, now, world.worker, world.partner, "childrens_services", "", ("contact",))
    agree(dbs, vault, audit_key, now, world.worker, world.partner, "police", "", ("risk", "children"))
    for agency, information in (("childrens_services", ("children",)), ("health", ("children",))):
        with pytest.raises(sharing_consent.SharingError) as refused:
            refer(dbs, vault, audit_key, now, world.worker, world.partner, [child], agency=agency,
                  information=information, basis="")
        assert (refused.value.code, refused.value.field) == ("basis_needed", "basis")
    covered = refer(dbs, vault, audit_key, now, world.worker, world.partner, [child], agency="police",
                    information=("children",), basis="")
    assert covered.basis == "consent"


def test_withdrawal_is_a_new_entry_and_afterwards_sharing_needs_a_legal_basis(worker, dbs, vault, audit_key, clock,
                                                                               world):
    now = clock.now()
    child = add_child(dbs, vault, audit_key, now, world.worker, world.partner, "Mia", age="7")
    first = agree(dbs, vault, audit_key, now, world.worker, world.partner, "childrens_services", "Qz Team",
                  ("risk", "children"))
    dbs.commit()
    before = dict(dbs.execute(select(SharingConsentEvent.__table__).where(
        SharingConsentEvent.id == first.id)).mappings().one())
    sharing_page = page(worker.get(case_path(world) + "/sharing"))
    assert "She withdraws her agreement" in sharing_page
    clock.advance(minutes=1)  # recorded later than the agreement (a frozen clock would tie them)
    withdrawn = post_page(worker, case_path(world) + "/sharing",
                          {"form": "withdraw", "w_entry": str(first.id), "w_how": "in_writing", "w_date": "2026-03-02"})
    assert withdrawn.status_code == 303
    dbs.expire_all()
    entries = list(dbs.scalars(select(SharingConsentEvent).order_by(SharingConsentEvent.created_at,
                                                                    SharingConsentEvent.action)))
    assert [e.action for e in entries] == ["agreed", "withdrawn"]
    after = dict(dbs.execute(select(SharingConsentEvent.__table__).where(
        SharingConsentEvent.id == first.id)).mappings().one())
    assert after == before  # the earlier entry is exactly as it was: append-only
    states = sharing_consent.current(dbs, vault, world.partner.id)
    assert [(s.agreed, s.withdrawn) for s in states] == [(False, True)]
    assert "she withdrew her agreement on" in page(worker.get(case_path(world)))
    again = post_page(worker, case_path(world) + "/sharing",
                      {"form": "withdraw", "w_entry": str(first.id), "w_how": "in_writing", "w_date": "2026-03-02"})
    assert again.status_code == 400 and "no agreement to sharing with that agency to withdraw" in page(again)
    with pytest.raises(sharing_consent.SharingError) as refused:
        refer(dbs, vault, audit_key, now, world.worker, world.partner, [child], agency_name="Qz Team", basis="")
    assert refused.value.code == "basis_needed"
    assert "sharing.withdrawn" in audit_actions(dbs)


@pytest.mark.parametrize(("form", "field", "message"), [
    ({"form": "legal", "l_agency": "police", "l_information": ["risk"], "l_basis": "risk_to_life", "l_reason": ""},
     "l_reason", "Write why you share without her agreement"),
    ({"form": "legal", "l_agency": "police", "l_information": ["risk"], "l_basis": "",
      "l_reason": "A serious and imminent risk."}, "l_basis", "Choose a legal basis from the list."),
    ({"form": "agree", "a_agency": "other", "a_agency_name": "", "a_information": ["risk"], "a_how": "phone"},
     "a_agency_name", "Enter the agency's name."),
    ({"form": "agree", "a_agency": "aliens", "a_information": ["risk"], "a_how": "phone"}, "a_agency",
     "Choose an agency from the list."),
    ({"form": "agree", "a_agency": "police", "a_information": [], "a_how": "phone"}, "a_information",
     "Tick what is shared."),
    ({"form": "agree", "a_agency": "police", "a_information": ["gossip"], "a_how": "phone"}, "a_information",
     "Tick only the listed kinds of information."),
    ({"form": "agree", "a_agency": "police", "a_information": ["risk"], "a_how": "telepathy"}, "a_how",
     "Say how she told you."),
    ({"form": "agree", "a_agency": "police", "a_information": ["risk"], "a_how": "phone", "a_date": "2026-04-01"},
     "a_date", "The date cannot be in the future."),
    ({"form": "agree", "a_agency": "police", "a_information": ["risk"], "a_how": "phone", "a_date": "yesterday"},
     "a_date", "Enter the date as YYYY-MM-DD."),
    ({"form": "withdraw", "w_entry": str(uuid.uuid4()), "w_how": "phone"}, "form", "Choose an agency"),
    ({"form": "sideways"}, "form", "That field cannot be shown here."),
], ids=["no-reason", "no-basis", "other-needs-name", "unknown-agency", "nothing-ticked", "unknown-information",
        "unknown-how", "future", "not-a-date", "not-her-agency", "unknown-form"])
def test_the_sharing_page_refuses_garbage_clearly(worker, dbs, world, form, field, message):
    data = {"a_date": "2026-03-01", "l_date": "2026-03-01", "w_date": "2026-03-01"} | form
    response = post_page(worker, case_path(world) + "/sharing", data)
    assert response.status_code == 400
    html = page(response)
    assert message in html and f'id="{field}-error"' in html
    if data.get("l_reason"):
        assert data["l_reason"] in html  # what was typed stays
    assert dbs.scalar(select(func.count()).select_from(SharingConsentEvent)) == 0


def test_referral_form_garbage_is_refused_and_kept(worker, dbs, vault, audit_key, clock, world):
    child = add_child(dbs, vault, audit_key, clock.now(), world.worker, world.partner, "Mia", age="7")
    dbs.commit()
    path = case_path(world) + "/referrals/new"
    base = referral_form(children=[str(child.id)], basis="risk_to_life", reason="A clear and written reason.")
    cases = [({"children": []}, "Tick the children the referral is about."),
             ({"children": [str(uuid.uuid4())]}, "Tick only children recorded on her case."),
             ({"children": ["garbage"]}, "Tick only children recorded on her case."),
             ({"information": []}, "Tick what is shared."),
             ({"outcome": "solved"}, "Choose an outcome."),
             ({"referred_on": "2026-13-45"}, "Enter the date as YYYY-MM-DD."),
             ({"referred_on": "٢٠٢٧-٠١-٠١"}, "The referral date cannot be in the future."),
             ({"agency": "known:" + str(uuid.uuid4())}, "Choose an agency from the list."),
             ({"agency": "other", "agency_name": ""}, "Enter the agency's name.")]
    for change, message in cases:
        response = post_page(worker, path, base | change)
        assert response.status_code == 400, change
        assert message in page(response), change
        assert "A clear and written reason." in page(response)
    assert dbs.scalar(select(func.count()).select_from(ChildProtectionReferral)) == 0


def test_the_outcome_and_required_by_law_can_be_changed_later(worker, dbs, vault, audit_key, clock, world):
    child = add_child(dbs, vault, audit_key, clock.now(), world.worker, world.partner, "Mia", age="7")
    referral = refer(dbs, vault, audit_key, clock.now(), world.worker, world.partner, [child])
    dbs.commit()
    path = f"{case_path(world)}/referrals/{referral.id}"
    assert "A child is at risk of significant harm." in page(worker.get(path))
    assert post_page(worker, path, {"outcome": "nowhere", "outcome_notes": "Qz kept"}).status_code == 400
    done = post_page(worker, path, {"outcome": "assessment", "outcome_notes": "Qz social worker assigned",
                                    "required_by_law": "yes"})
    assert done.status_code == 303
    dbs.expire_all()
    referral = dbs.get(ChildProtectionReferral, referral.id)
    assert (referral.outcome, referral.required_by_law) == ("assessment", True)
    assert vault.get(referral, "outcome_notes_ct") == "Qz social worker assigned"
    assert "Kept if her data is erased (required by law)" in page(worker.get(case_path(world)))


# -- a facilitator's report of a risk to children --------------------------------------------------------------


def test_a_child_risk_task_links_her_worker_to_the_children_and_a_referral(worker, app, dbs, vault, audit_key, clock,
                                                                            world):
    child = add_child(dbs, vault, audit_key, clock.now(), world.worker, world.partner, "Mia", age="7")
    task = create_task(dbs, world.partner, kind="event_risk", severity=Severity.URGENT, now=clock.now(),
                       child_risk=True)
    plain = create_task(dbs, world.partner, kind="event_dropout", severity=Severity.SOON, now=clock.now())
    dbs.commit()
    html = page(worker.get(f"/staff/tasks/{task.id}"))
    assert f'href="/staff/cases/{world.partner.id}#children"' in html
    assert f'href="/staff/cases/{world.partner.id}/referrals/new?task={task.id}"' in html
    assert "child-protection-links" not in page(worker.get(f"/staff/tasks/{plain.id}"))
    form_page = page(worker.get(f"/staff/cases/{world.partner.id}/referrals/new?task={task.id}"))
    assert f'name="task" value="{task.id}"' in form_page and f'value="{child.id}" checked' in form_page
    done = post_page(worker, f"/staff/cases/{world.partner.id}/referrals/new",
                     referral_form(children=[str(child.id)], task=str(task.id), basis="child_protection",
                                   reason="The facilitators reported a threat to the children."),
                     page=f"/staff/cases/{world.partner.id}/referrals/new?task={task.id}")
    assert done.status_code == 303
    assert dbs.scalar(select(ChildProtectionReferral.source_task_id)) == task.id
    # The facilitator who reported it sees nothing of this (their pages 404 her case, her task and the form).
    facilitator = signed_in(app, world.facilitator)
    for path in (f"/staff/tasks/{task.id}", f"/staff/cases/{world.partner.id}/referrals/new?task={task.id}",
                 f"/staff/cases/{world.partner.id}"):
        assert facilitator.get(path).status_code == 404


# -- access ----------------------------------------------------------------------------------------------------


def test_nobody_outside_her_service_reaches_any_of_it(app, dbs, vault, audit_key, clock, world):
    now = clock.now()
    child = add_child(dbs, vault, audit_key, now, world.worker, world.partner, "Mia", age="7", school="Qz School")
    entry = agree(dbs, vault, audit_key, now, world.worker, world.partner, "police", "", ("risk",))
    referral = refer(dbs, vault, audit_key, now, world.worker, world.partner, [child])
    theirs = make_world(dbs, vault, audit_key, partner_phone="+447400123499")
    dbs.commit()
    snapshot = {model: dbs.scalar(select(func.count()).select_from(model))
                for model in (ChildRecord, ChildProtectionReferral, SharingConsentEvent, ReferralChild)}
    ours, mine = f"/staff/cases/{world.partner.id}", f"/staff/cases/{theirs.partner.id}"
    gets = [f"{ours}/children/new", f"{ours}/children/{child.id}", f"{ours}/referrals/new",
            f"{ours}/referrals/{referral.id}", f"{ours}/sharing", f"{ours}/private",
            # their own case, our ids: still not found
            f"{mine}/children/{child.id}", f"{mine}/referrals/{referral.id}"]
    posts = {f"{ours}/children/new": {"first_name": "X"}, f"{ours}/children/{child.id}": {"first_name": "X"},
             f"{ours}/children/{child.id}/remove": {}, f"{ours}/referrals/new": referral_form(),
             f"{ours}/referrals/{referral.id}": {"outcome": "plan"}, f"{ours}/private": {"safe_address": "X"},
             f"{ours}/sharing": {"form": "agree", "a_agency": "police", "a_information": ["risk"], "a_how": "phone"},
             f"{ours}/show/safe_address": {}, f"{ours}/children/{child.id}/show/school": {},
             f"{mine}/children/{child.id}": {"first_name": "X"}, f"{mine}/children/{child.id}/remove": {},
             f"{mine}/children/{child.id}/show/school": {}, f"{mine}/referrals/{referral.id}": {"outcome": "plan"},
             f"{mine}/sharing": {"form": "withdraw", "w_entry": str(entry.id), "w_how": "phone",
                                 "w_date": "2026-03-01"}}
    for who in (theirs.worker, world.facilitator, world.admin, theirs.facilitator):
        client = signed_in(app, who)
        for path in gets:
            assert client.get(path).status_code == 404, (who.role, path)
        token = csrf_from(client.get("/staff/").data)
        for path, data in posts.items():
            response = client.post(path, data={"csrf_token": token, **data})
            if path.startswith(mine) and who is theirs.worker and path.endswith("/sharing"):
                assert response.status_code == 400, path  # their own case: our entry is not an agency of hers
                continue
            assert response.status_code == 404, (who.role, path, response.status_code)
    dbs.expire_all()
    assert snapshot == {model: dbs.scalar(select(func.count()).select_from(model)) for model in snapshot}
    assert dbs.get(ChildProtectionReferral, referral.id).outcome == "awaiting"
    assert vault.get(dbs.get(ChildRecord, child.id), "first_name_ct") == "Mia"
    assert dbs.get(PartnerContact, world.partner.id).safe_address_ct is None
    shows = dbs.scalars(select(AuditEvent).where(AuditEvent.action.in_(("never_disclose.show", "partner.read")),
                                                 AuditEvent.object_id == str(world.partner.id)))
    assert list(shows) == []  # nothing of hers was even decrypted for them


def test_the_services_refuse_a_child_or_referral_of_another_case(dbs, vault, audit_key, clock, world):
    now = clock.now()
    theirs = make_world(dbs, vault, audit_key, partner_phone="+447400123498")
    child = add_child(dbs, vault, audit_key, now, world.worker, world.partner, "Mia", age="7")
    referral = refer(dbs, vault, audit_key, now, world.worker, world.partner, [child])
    ctx = worker_ctx(dbs, vault, audit_key, now, theirs.worker)
    assert children.find_child(dbs, theirs.partner, child.id) is None
    assert children.find_referral(dbs, theirs.partner, referral.id) is None
    with pytest.raises(children.ChildError):
        children.update_child(ctx, theirs.partner, child, children.ChildInput("X"))
    with pytest.raises(children.ChildError):
        children.remove_child(ctx, theirs.partner, child)
    with pytest.raises(children.ChildError):
        children.update_referral(ctx, theirs.partner, referral, outcome="plan", outcome_notes="",
                                 required_by_law=True)
    with pytest.raises(children.ChildError) as refused:  # our child named in their referral
        refer(dbs, vault, audit_key, now, theirs.worker, theirs.partner, [child])
    assert refused.value.code == "referral_child_unknown"


# -- erasure ---------------------------------------------------------------------------------------------------


def test_erasure_keeps_the_referrals_marked_required_by_law_and_deletes_the_rest(worker, dbs, vault, audit_key,
                                                                                 clock, world):
    now = clock.now()
    kept_child = add_child(dbs, vault, audit_key, now, world.worker, world.partner, "Qz Mia", age="7",
                           school="Qz Kept School", details="Qz kept details")
    other_child = add_child(dbs, vault, audit_key, now, world.worker, world.partner, "Qz Leo", age="3",
                            school="Qz Other School")
    agree(dbs, vault, audit_key, now, world.worker, world.partner, "health", "Qz Clinic", ("children",))
    kept = refer(dbs, vault, audit_key, now, world.worker, world.partner, [kept_child], agency_name="Qz Kept Team",
                 reason="Qz kept reason: significant harm.", notes="Qz kept notes", required_by_law=True)
    gone = refer(dbs, vault, audit_key, now, world.worker, world.partner, [other_child, kept_child],
                 agency="police", reason="Qz gone reason, written down.", notes="Qz gone notes")
    vault.put(dbs.get(PartnerContact, world.partner.id), "safe_address_ct", "Qz 1 Safe Street")
    dbs.commit()
    erase_page = page(worker.get(case_path(world) + "/erase"))
    assert "Kept, because you marked them as required by law" in erase_page
    assert "Qz Kept Team" in erase_page and "Qz Mia (2019)" in erase_page and "Qz Leo" not in erase_page
    assert "Qz Kept School" not in erase_page
    response = post_page(worker, case_path(world) + "/erase", {"confirm": "ERASE"})
    assert response.status_code == 303
    assert "1 child-protection referrals were kept, as required by law." in page(worker.get(response.headers["Location"]))
    dbs.expunge_all()
    assert dbs.get(ChildProtectionReferral, gone.id) is None
    kept_row = dbs.get(ChildProtectionReferral, kept.id)
    assert (vault.get(kept_row, "agency_name_ct"), vault.get(kept_row, "basis_reason_ct"),
            vault.get(kept_row, "outcome_notes_ct"), kept_row.basis) == \
        ("Qz Kept Team", "Qz kept reason: significant harm.", "Qz kept notes", "child_protection")
    assert [link.child_id for link in dbs.scalars(select(ReferralChild))] == [kept_child.id]
    child = dbs.get(ChildRecord, kept_child.id)
    assert (vault.get(child, "first_name_ct"), child.birth_year, child.school_ct, child.details_ct) == \
        ("Qz Mia", 2019, None, None)
    assert dbs.get(ChildRecord, other_child.id) is None
    assert dbs.scalar(select(func.count()).select_from(SharingConsentEvent)) == 0
    assert dbs.get(PartnerContact, world.partner.id).safe_address_ct is None
    # Every encrypted value left anywhere: only the kept referral's and its child's first name.
    remaining = []
    for table in Base.metadata.sorted_tables:
        columns = [c.name for c in table.columns if c.info.get("encrypted")]
        for row in dbs.execute(select(table)).mappings():
            for name in columns:
                if row[name] is not None:
                    value = vault.keyring.decrypt(row[name], associated_data(table.name, name, row["id"]))
                    if "Qz" in value:
                        remaining.append(value)
    assert sorted(remaining) == sorted(["Qz Kept Team", "Qz kept reason: significant harm.", "Qz kept notes",
                                        "Qz Mia"])
    erase = dbs.scalar(select(AuditEvent).where(AuditEvent.action == "partner.erase"))
    assert '"kept_by_law":1' in erase.details


def test_erasure_without_referrals_kept_by_law_leaves_nothing_of_her_children(dbs, vault, audit_key, clock, world):
    now = clock.now()
    child = add_child(dbs, vault, audit_key, now, world.worker, world.partner, "Qz Mia", school="Qz School")
    refer(dbs, vault, audit_key, now, world.worker, world.partner, [child])
    agree(dbs, vault, audit_key, now, world.worker, world.partner, "police", "", ("risk",))
    result = erase_partner(worker_ctx(dbs, vault, audit_key, now, world.worker), world.partner, reason="request")
    dbs.commit()
    assert result.kept_by_law == 0
    for model in (ChildRecord, ChildProtectionReferral, ReferralChild, SharingConsentEvent):
        assert dbs.scalar(select(func.count()).select_from(model)) == 0


# -- encryption at rest ----------------------------------------------------------------------------------------

CANARIES = ("Zorbelline", "Quillfeather Academy", "Marrowgate Lane 7", "Thistlewood Team", "Vexmoor notes",
            "Brambleshade reason", "Larkspur details", "7400 246810")


def _seed_canaries(dbs, vault, audit_key, now, world) -> None:  # type: ignore[no-untyped-def]
    child = add_child(dbs, vault, audit_key, now, world.worker, world.partner, CANARIES[0], age="5",
                      school=CANARIES[1], details=CANARIES[6])
    agree(dbs, vault, audit_key, now, world.worker, world.partner, "other", CANARIES[3], ("risk",))
    refer(dbs, vault, audit_key, now, world.worker, world.partner, [child], agency="other", agency_name=CANARIES[3],
          reason=CANARIES[5] + ", written down.", notes=CANARIES[4])
    partner = dbs.get(PartnerContact, world.partner.id)
    vault.put(partner, "safe_address_ct", CANARIES[2])
    vault.put(partner, "new_number_ct", "+44" + CANARIES[7].replace(" ", ""))
    dbs.commit()


def test_every_value_is_encrypted_at_rest_in_every_table(dbs, vault, audit_key, clock, world):
    """Both databases: no canary in any column of any table, read as the database returns it."""
    _seed_canaries(dbs, vault, audit_key, clock.now(), world)
    needles = [c.encode() for c in CANARIES] + [c.replace(" ", "").encode() for c in CANARIES]
    found = []
    for table in Base.metadata.sorted_tables:
        for row in dbs.execute(text(f'SELECT * FROM "{table.name}"')):  # noqa: S608 (our own table names)
            for value in row:
                raw = value if isinstance(value, bytes | memoryview) else str(value).encode()
                if any(needle in bytes(raw) for needle in needles):
                    found.append(table.name)
    assert found == []
    child = dbs.scalar(select(ChildRecord))
    assert vault.get(child, "school_ct") == CANARIES[1]  # and they open with the keys


@pytest.mark.skipif(BACKEND != "sqlite", reason="reads the SQLite database file itself")
def test_the_database_file_holds_none_of_it_in_clear(app, dbs, vault, audit_key, clock, world, database_url):
    _seed_canaries(dbs, vault, audit_key, clock.now(), world)
    dbs.close()
    from portal.extensions import db

    with app.app_context():
        db.engine.dispose()  # close connections so the WAL is checkpointed into the file on disk
    path = Path(make_url(database_url).database)
    raw = b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
    for needle in CANARIES:
        assert needle.encode() not in raw, needle
        assert needle.encode("utf-16-le") not in raw, needle


def test_values_are_bound_to_their_row(dbs, vault, audit_key, clock, world):
    """A ciphertext copied to another child does not open there (row-bound associated data)."""
    now = clock.now()
    first = add_child(dbs, vault, audit_key, now, world.worker, world.partner, "Mia", school="Qz School")
    second = add_child(dbs, vault, audit_key, now, world.worker, world.partner, "Leo")
    second.school_ct = first.school_ct
    from portal.crypto import DecryptionError

    with pytest.raises(DecryptionError):
        vault.get(second, "school_ct")
    assert associated_data("child_record", "school_ct", first.id) != associated_data("child_record", "school_ct",
                                                                                      second.id)


def test_an_agency_is_one_agency_whatever_the_spacing_or_capitals():
    assert Agency("police", "  North   Yorkshire ").key == Agency("police", "north yorkshire").key
    assert Agency("police", "North").key != Agency("health", "North").key


def test_the_staff_user_of_an_entry_is_named_in_the_ledger(worker, dbs, vault, audit_key, clock, world):
    agree(dbs, vault, audit_key, clock.now(), world.worker, world.partner, "police", "", ("risk",))
    dbs.get(StaffUser, world.worker.id).display_name = "Wren Worker"
    dbs.commit()
    html = page(worker.get(case_path(world) + "/sharing"))
    assert "Wren Worker" in html and "She agreed" in html and "Information about the risk" in html

