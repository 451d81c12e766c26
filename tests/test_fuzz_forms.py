"""Fuzz every form of hers and of the console (but sign-in and TOTP) with hostile input, through the app:
no answer is a 5xx, and a refused request (4xx) changes nothing of hers or of anyone's setup.

Forms whose valid answer ends the case for good (stop all contact, withdraw, erase) are fuzzed with every
answer but the one that ends it, so one world serves all the cases of a target.
"""

from __future__ import annotations

import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select, update

from portal.models import PartnerContact, RiskAssessment, SafeWindow, Severity, Task
from portal.services.casework.tasks import create_task
from tests.factories import login_as
from tests.fuzz_support import (
    SQLITE_ONLY_IN_SUITE,
    assert_refusal_changed_nothing,
    encode_form,
    form_pairs,
    fuzz_settings,
    path_segment,
)
from tests.fuzz_support import snapshot as take_snapshot
from tests.public_helpers import new_link
from tests.staff_console import csrf_from

FORM = "application/x-www-form-urlencoded"
pytestmark = SQLITE_ONLY_IN_SUITE
DAYS = ["0", "1", "6", "7", "１"]
TIMES = ["09:30", "00:00", "23:59", "１０:００", "25:00"]
TELL = ["message", "call", "both", "none"]


@pytest.fixture
def world(dbs, world, clock, no_event_floor):  # type: ignore[no-untyped-def]
    """The common cast (the facilitator's floor off: it would only slow the cases down), her task, a window."""
    made = world
    create_task(dbs, made.partner, kind="event_dropout", severity=Severity.URGENT, now=clock.now())
    dbs.add(SafeWindow(id=uuid.uuid4(), partner_id=made.partner.id, weekday=1, start_minute=600, end_minute=660))
    dbs.add(RiskAssessment(id=uuid.uuid4(), partner_id=made.partner.id, assessed_by_id=made.worker.id,
                           assessed_at=clock.now(), checklist_id="starter", checklist_version="1", item_count=24,
                           yes_count=14, not_known_count=0, scored_level="high", level="high", incidents_12m=0))
    dbs.commit()
    return made


def _post(client, engine, path: str, pairs: list[tuple[str, str]], token: str | None, what: str):  # type: ignore[no-untyped-def]
    if token is not None:
        pairs = [("csrf_token", token), *pairs]
    before = take_snapshot(engine)
    response = client.post(path, data=encode_form(pairs), content_type=FORM)
    assert_refusal_changed_nothing(response.status_code, before, take_snapshot(engine), f"POST {path} {pairs!r:.300}")
    return response


csrf_choice = st.sampled_from(["valid", "valid", "valid", "valid", "missing", "garbage"])


def _token(choice: str, real: str) -> str | None:
    return {"valid": real, "missing": None, "garbage": real[::-1]}[choice]


HER_FORMS = {
    "/contact": {"answer": ["yes", "no", "maybe"]},
    "/unsubscribe": {"confirm": ["no", "", "YES "]},
    "/message": {"kind": ["less_safe", "separating", "other"]},
    "/pin": {"action": ["set", "remove", "skip", "other"], "pin": ["1234", "١٢٣٤", "12²4", "12345678"],
             "confirm": ["1234", "١٢٣٤"], "next": ["home", "choices", "//evil.example"]},
    "/check": {"pin": ["1234", "１２３４"], "next": ["home"]},
    "/choices": {"channel": ["sms", "call", "worker_only", "none", "pigeon"], "w0-day": DAYS, "w0-start": TIMES,
                 "w0-end": TIMES, "w1-day": DAYS, "w1-start": TIMES, "w1-end": TIMES, "w9-day": DAYS,
                 "timezone": ["Europe/London", "Europe/Berlin", "Mars/Olympus", "../etc"], "voicemail_ok": ["1"],
                 "shared_phone": ["1", "0"], "tell-dropout": TELL, "tell-suspended": TELL, "tell-completed": TELL,
                 "tell-risk": TELL, "serious_risk_any_time": ["1"], "code_word": ["lighthouse", "x" * 41],
                 "clear_code_word": ["1"], "locale": ["en", "de", "ar", "xx", "EN"]},
}


class Her:
    """Her browser: a session opened through a real link, and the CSRF token her pages carry."""

    def __init__(self, client, dbs, partner, clock) -> None:  # type: ignore[no-untyped-def]
        self.client, self.dbs, self.partner, self.clock = client, dbs, partner, clock
        self.token = ""
        self.open()

    def open(self) -> None:
        # A PIN she set in an earlier case would make the next link ask for it: start each case without one.
        self.dbs.execute(update(PartnerContact).where(PartnerContact.id == self.partner.id).values(pin_hash=None))
        self.dbs.commit()
        self.client.get(new_link(self.dbs, self.partner, self.clock))
        self.client.post(new_link(self.dbs, self.partner, self.clock))  # her link continues with a POST
        page = self.client.get("/choices", follow_redirects=True)
        self.token = csrf_from(page.data)


@pytest.mark.parametrize("path", sorted(HER_FORMS))
def test_her_forms_never_fail_and_refusals_change_nothing(app, client, dbs, world, clock, engine, path):
    her = Her(client, dbs, world.partner, clock)

    @fuzz_settings(40)
    @given(pairs=form_pairs(HER_FORMS[path]), csrf=csrf_choice, lang=st.sampled_from(["", "?lang=ar", "?lang=de"]))
    def run(pairs, csrf, lang):  # type: ignore[no-untyped-def]
        response = _post(client, engine, path + lang, pairs, _token(csrf, her.token), "her form")
        if response.status_code < 400:
            her.open()  # whatever she changed, the next case starts from a live session

    run()


def test_her_language_choice_and_pages_never_fail(client, dbs, world, clock):
    Her(client, dbs, world.partner, clock)

    @fuzz_settings(100)
    @given(page=st.sampled_from(["/", "/home", "/choices", "/about", "/help", "/pin", "/unsubscribe", "/contact"]),
           lang=st.one_of(st.text(max_size=20), st.sampled_from(["de", "ar", "ＡＲ", "en-GB", "x" * 5000])))
    def run(page, lang):  # type: ignore[no-untyped-def]
        response = client.get(page, query_string={"lang": lang})
        assert response.status_code < 500, (page, lang)

    run()


def _worker_forms(world) -> dict[str, dict[str, list[str]]]:  # type: ignore[no-untyped-def]
    case = f"/staff/cases/{world.partner.id}"
    return {
        "/staff/cases/find": {"phone": ["07400 123456", "+447400123456", "０７４００１２３４５６"]},
        "/staff/cases/new": {"name": ["Jo"], "phone": ["07400 123 999", "٠٧٤٠٠١٢٣٩٩٩"], "email": ["a@b.example"],
                             "locale": ["en", "de", "zz"], "timezone": ["Europe/Berlin", "Nowhere/Else"],
                             "consent_given": ["yes", "no"], "consent_date": ["2026-02-27", "2026-13-01"]},
        f"{case}/preferences": {"channel_sms": ["yes"], "channel_call": ["yes"], "tell_dropout": TELL,
                                "tell_suspended": TELL, "tell_completed": TELL, "tell_risk": TELL,
                                "code_word": ["owl"], "clear_code_word": ["yes"]},
        f"{case}/windows": {"weekday": DAYS, "start": TIMES, "end": TIMES},
        f"{case}/links": {"programme": [str(world.programme.id), "x"], "reference": [world.participant.reference]},
        f"{case}/close": {"reason": ["", "because", "HER_REQUEST"]},
        f"{case}/erase": {"confirm": ["erase please", "", "ERAS"]},
        f"{case}/contacts/new": {"occurred_at": ["2026-03-02T09:30", "0001-01-01T00:00", "2026-03-02T25:00"],
                                 "method": ["call", "sms", "fax"], "reached": ["yes", "no"],
                                 "safe_to_talk": ["yes", "no", "unsure"], "outcome": ["x"],
                                 "information": ["programme", "limits", "nonsense"], "notes": ["n"],
                                 "next_step": ["call again"]},
        f"{case}/invite": {},
        f"{case}/reopen": {},
        f"{case}/children/new": {"first_name": ["Mia", "", "x" * 70], "age": ["7", "٧", "²", "31", "-1"],
                                 "birth_year": ["2019", "２０１９", "19", "3000"], "school": ["Rosehill", "\x07"],
                                 "details": ["d"], "clear_school": ["yes"]},
        f"{case}/referrals/new": {"referred_on": ["2026-03-01", "2026-13-01", "٢٠٢٧-٠١-٠١"],
                                  "agency": ["childrens_services", "other", "known:x", "aliens"],
                                  "agency_name": ["North", ""], "children": [str(uuid.uuid4()), "x"],
                                  "information": ["risk", "children", "gossip"],
                                  "basis": ["", "consent", "child_protection", "whim"],
                                  "reason": ["A written reason, here.", ""], "outcome": ["awaiting", "solved"],
                                  "required_by_law": ["yes"]},
        f"{case}/sharing": {"form": ["agree", "legal", "withdraw", "x"],
                            "a_agency": ["police", "other", "moon", "programme"], "a_told": ["yes", "no"],
                            "a_agency_name": ["", "Team"], "a_information": ["risk", "nope"],
                            "a_how": ["phone", "dream"], "a_date": ["2026-03-01", "2099-01-01", "x"],
                            "l_agency": ["police", "programme"], "l_information": ["risk"], "l_basis": ["risk_to_life", ""],
                            "l_reason": ["Serious and imminent.", ""], "l_date": ["2026-03-01"],
                            "w_entry": [str(uuid.uuid4()), "x"], "w_how": ["phone"], "w_date": ["2026-03-01"]},
        f"{case}/risk-note": {"participant": [str(world.participant.id), str(uuid.uuid4()), "x"],
                              "text": ["He said he would wait at the gates.", "", "call 07400 123456", "x" * 1200,
                                       "\x00", "⁰⁷⁴", "٠٧٤٠٠١٢٣٤٥٦"], "told": ["yes", "no"]},
        f"{case}/private": {"safe_address": ["1 Lane", "\x00", "a" * 600], "new_number": ["07400 111222", "abc"],
                            "clear_safe_address": ["yes"], "clear_new_number": ["yes"]},
    }


def test_worker_casework_forms_never_fail_and_refusals_change_nothing(client, dbs, world, engine):
    login_as(client, world.worker)
    forms = _worker_forms(world)
    assessment = dbs.scalar(select(RiskAssessment.id))
    forms[f"/staff/cases/{world.partner.id}/conference/new/{assessment}"] = {
        "conference_name": ["North Marac", "", "\x07", "x" * 300], "referred_on": ["2026-03-01", "2026-13-01", "٢٠٢٧-٠١-٠١"],
        "knows": ["yes", "no", "perhaps"], "consents": ["yes", "no", ""], "how_given": ["phone", "dream", ""],
        "basis": ["", "consent", "risk_to_life", "whim"], "reason": ["A written reason, here.", "", "\x00"],
        "required_by_law": ["yes"]}
    token = csrf_from(client.get(f"/staff/cases/{world.partner.id}").data)
    window = dbs.scalar(select(SafeWindow.id).where(SafeWindow.partner_id == world.partner.id))
    task = dbs.scalar(select(Task.id))
    ids = [str(window), str(task), str(world.partner.id)]
    dynamic = ["/staff/cases/{}/windows/{}/remove", "/staff/cases/{}/links/{}/end", "/staff/tasks/{}/done",
               "/staff/tasks/{}/acknowledge", "/staff/cases/{}/preferences", "/staff/cases/{}/children/{}",
               "/staff/cases/{}/children/{}/remove", "/staff/cases/{}/referrals/{}",
               "/staff/cases/{}/children/{}/show/school", "/staff/cases/{}/show/safe_address",
               "/staff/cases/{}/conference/{}/approve", "/staff/cases/{}/conference/{}/revoke",
               "/staff/cases/{}/conference/{}/kept", "/staff/cases/{}/conference/new/{}",
               "/staff/cases/{}/risk-notes/{}/withdraw"]

    @fuzz_settings(300)
    @given(path=st.sampled_from(sorted(forms)), data=st.data(), csrf=csrf_choice)
    def run(path, data, csrf):  # type: ignore[no-untyped-def]
        pairs = data.draw(form_pairs(forms[path]))
        _post(client, engine, path, pairs, _token(csrf, token), "worker form")

    @fuzz_settings(100)
    @given(template=st.sampled_from(dynamic), first=path_segment(ids), second=path_segment(ids), csrf=csrf_choice)
    def ids_run(template, first, second, csrf):  # type: ignore[no-untyped-def]
        path = template.format(_quote(first), _quote(second))
        _post(client, engine, path, [], _token(csrf, token), "worker action")

    run()
    ids_run()


def _quote(segment: str) -> str:
    from urllib.parse import quote

    return quote(segment.encode("utf-8", "surrogatepass"), safe="")


def test_facilitator_forms_never_fail_and_refusals_change_nothing(client, dbs, world, engine):
    login_as(client, world.facilitator)
    programme = f"/staff/my-programmes/{world.programme.id}"
    token = csrf_from(client.get(programme).data)
    forms = {
        f"{programme}/participants": {"reference": ["P-123", "p 1", "٠١٢"]},
        f"{programme}/participants/{world.participant.id}/events": {
            "kind": ["dropout", "risk", "suspended", "completed", "party"], "risk_to": ["partner", "children", "dog"],
            "imminence": ["low", "medium", "high", "imminent", "soon"], "description": ["Missed three"],
            "occurred_on": ["2026-03-01", "0001-01-01", "2026-02-30", "9999-12-31"], "report_key": ["k1"]},
    }

    @fuzz_settings(200)
    @given(path=st.sampled_from(sorted(forms)), data=st.data(), csrf=csrf_choice)
    def run(path, data, csrf):  # type: ignore[no-untyped-def]
        _post(client, engine, path, data.draw(form_pairs(forms[path])), _token(csrf, token), "facilitator form")

    run()


def test_admin_forms_never_fail_and_refusals_change_nothing(client, dbs, world, engine):
    login_as(client, world.admin)
    token = csrf_from(client.get("/staff/admin/programmes").data)
    service, programme = str(world.service.id), str(world.programme.id)
    severities = ["15", "60", "1440", "0", "-5", "١٥"]
    forms = {
        "/staff/admin/users": {"email": ["new@example.org", "not-an-email"], "display_name": ["New"],
                               "role": ["admin", "support_worker", "facilitator", "root"], "service_id": [service]},
        "/staff/admin/services": {"name": ["Service B"]},
        "/staff/admin/programmes": {"name": ["Programme B"], "service_id": [service, "x"]},
        f"/staff/admin/programmes/{programme}/members": {"staff_id": [str(world.worker.id), str(world.admin.id)]},
        "/staff/admin/settings": {"site_name": ["Appointments"], "exit_url": ["https://example.org/", "javascript:x"],
                                  "child_protection_steps": ["s"],
                                  "retention_days": ["365", "0", "٣٦٥"], "escalate_after_minutes": ["60", "²"],
                                  "emergency_number": ["999", "112", "abc"], "due_urgent": severities,
                                  "due_high": severities, "due_routine": severities,
                                  "never_disclose_fields": ["email", "code_word", "safe_address", "x"]},
        "/staff/admin/sharing": {"policy_en": ["# Heading\n- item", "<b>x</b>", "Help him to change.", "\x00"],
                                 "policy_de": ["", "Ihm helfen"], "policy_ar": ["نص", "ساعديه"]},
        "/staff/admin/helplines": {"locale": ["en", "de", "qq"], "name": ["Line"], "phone": ["0800 123 456"],
                                   "hours": ["24/7"], "is_emergency": ["1"], "position": ["0", "1", "²", "9" * 6]},
        "/staff/admin/tokens": {"programme_id": [programme, "x"], "label": ["feed"],
                                "valid_days": ["30", "0", "１", "²", "999999", "-1"]},
        f"/staff/admin/users/{world.facilitator.id}/reset-password": {},
        f"/staff/admin/users/{world.facilitator.id}/reset-authenticator": {},
        f"/staff/admin/programmes/{programme}/deactivate": {},
        "/staff/admin/audit/verify": {},
    }
    ids = [str(world.facilitator.id), programme, service]
    dynamic = ["/staff/admin/users/{}/disable", "/staff/admin/users/{}/enable", "/staff/admin/helplines/{}/delete",
               "/staff/admin/tokens/{}/revoke", "/staff/admin/escalations/{}/resolve",
               "/staff/admin/programmes/{}/members/{}/remove", "/staff/admin/programmes/{}/activate"]

    @fuzz_settings(300)
    @given(path=st.sampled_from(sorted(forms)), data=st.data(), csrf=csrf_choice)
    def run(path, data, csrf):  # type: ignore[no-untyped-def]
        _post(client, engine, path, data.draw(form_pairs(forms[path])), _token(csrf, token), "admin form")

    @fuzz_settings(100)
    @given(template=st.sampled_from(dynamic), first=path_segment(ids), second=path_segment(ids), csrf=csrf_choice)
    def ids_run(template, first, second, csrf):  # type: ignore[no-untyped-def]
        path = template.format(_quote(first), _quote(second))
        _post(client, engine, path, [("reassign_to", first)], _token(csrf, token), "admin action")

    run()
    ids_run()
