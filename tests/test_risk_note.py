"""Her risk note to his programme (issue 12 item 7, DESIGN 8 "The facilitator's one exception"): only with her
agreement, recorded after her worker told her that a note shows the programme she is in contact; the note check
refuses her contact details, never-disclose values and any phone number or email address, storing nothing and
auditing the kind only; a clean note reaches his programme's facilitators only, as "from the partner support
service", and nothing else of her; withdrawn, it is gone."""

from __future__ import annotations

import html as html_text
import json
import re

import pytest
from sqlalchemy import func, select

from portal.models import AuditEvent, Preferences, RiskNote, Role, SharingConsentEvent, StaffUser
from portal.services.casework import never_disclose, risk_note
from portal.services.casework.erasure import erase_partner
from tests.children_support import add_child, post_page, worker_ctx
from tests.factories import make_participant, make_programme, make_staff, signed_in

NOTE = "He said last night that he will wait outside the children's school on Friday. He has been drinking."


@pytest.fixture
def worker(app, world):  # type: ignore[no-untyped-def]
    return signed_in(app, world.worker)


def page(response) -> str:  # type: ignore[no-untyped-def]
    return html_text.unescape(response.get_data(as_text=True))


def note_path(world) -> str:  # type: ignore[no-untyped-def]
    return f"/staff/cases/{world.partner.id}/risk-note"


def his_page(world) -> str:  # type: ignore[no-untyped-def]
    return f"/staff/my-programmes/{world.programme.id}/participants/{world.participant.id}"


def agree_on_sharing_page(worker, world, **extra):  # type: ignore[no-untyped-def]
    form = {"form": "agree", "a_agency": "programme", "a_agency_name": "", "a_information": ["risk"],
            "a_how": "phone", "a_date": "2026-03-02", "a_told": "yes", **extra}
    return post_page(worker, f"/staff/cases/{world.partner.id}/sharing", form)


def send(worker, world, text: str = NOTE, **extra):  # type: ignore[no-untyped-def]
    return post_page(worker, note_path(world), {"participant": str(world.participant.id), "text": text,
                                                "told": "yes", **extra})


def stored(dbs) -> int:  # type: ignore[no-untyped-def]
    dbs.expire_all()
    return dbs.scalar(select(func.count()).select_from(RiskNote))


def audited(dbs, action: str) -> list[dict]:  # type: ignore[no-untyped-def]
    dbs.expire_all()
    return [json.loads(details) for details in dbs.scalars(
        select(AuditEvent.details).where(AuditEvent.action == action).order_by(AuditEvent.seq))]


def test_without_her_agreement_nothing_is_sent_and_the_refusal_is_audited(worker, dbs, world):
    html = page(worker.get(note_path(world)))
    assert "Her agreement is not recorded: nothing can be sent." in html
    assert f"/staff/cases/{world.partner.id}/sharing#agree" in html
    response = send(worker, world)
    assert response.status_code == 400
    text = page(response)
    assert "Her agreement to a risk note going to his programme is not recorded" in text
    assert NOTE in text  # nothing typed is lost
    assert stored(dbs) == 0
    assert audited(dbs, "risk_note.refused") == [{"kind": "agreement_needed"}]  # stands although the request failed
    # Her agreement with another agency, or to other information for his programme, does not cover a note.
    assert post_page(worker, f"/staff/cases/{world.partner.id}/sharing",
                     {"form": "agree", "a_agency": "probation", "a_agency_name": "", "a_information": ["risk"],
                      "a_how": "phone", "a_date": "2026-03-02"}).status_code == 303
    assert agree_on_sharing_page(worker, world, a_information=["children"]).status_code == 303
    assert send(worker, world).status_code == 400
    assert stored(dbs) == 0


def test_her_agreement_for_his_programme_needs_the_tick_and_never_covers_her_contact_details(worker, dbs, world):
    sharing = f"/staff/cases/{world.partner.id}/sharing"
    html = page(worker.get(sharing))
    assert "I told her the note shows his programme that she is in contact with us" in html
    assert "His programme (the staff of his course)" in html
    untold = agree_on_sharing_page(worker, world, a_told="")
    assert untold.status_code == 400
    assert "Tell her first that a note shows his programme that she is in contact with us" in page(untold)
    contact = agree_on_sharing_page(worker, world, a_information=["risk", "contact"])
    assert contact.status_code == 400 and "never her contact details" in page(contact)
    named = agree_on_sharing_page(worker, world, a_agency_name="Leeds men's group")
    assert named.status_code == 400 and "Leave the name empty for his programme" in page(named)
    legal = post_page(worker, sharing, {"form": "legal", "l_agency": "programme", "l_agency_name": "",
                                        "l_information": ["risk"], "l_basis": "risk_to_life",
                                        "l_reason": "He threatened her life yesterday.", "l_date": "2026-03-02"})
    assert legal.status_code == 400 and "Nothing goes to his programme without her agreement" in page(legal)
    dbs.expire_all()
    assert dbs.scalar(select(func.count()).select_from(SharingConsentEvent)) == 0
    assert agree_on_sharing_page(worker, world).status_code == 303
    assert audited(dbs, "sharing.agreed")[-1]["told_note_shows_contact"] is True
    assert "She agreed on" in page(worker.get(note_path(world)))
    # A child-protection referral never goes to his programme.
    referral = post_page(worker, f"/staff/cases/{world.partner.id}/referrals/new",
                         {"referred_on": "2026-03-01", "agency": "programme", "agency_name": "", "children": [],
                          "information": ["risk"], "basis": "", "reason": "", "outcome": "awaiting",
                          "outcome_notes": ""})
    assert referral.status_code == 400


def test_a_clean_note_reaches_his_programmes_facilitators_only_and_nothing_else_of_her(app, worker, dbs, vault,
                                                                                       audit_key, world):
    agree_on_sharing_page(worker, world)
    assert "Notes his programme sees now: 0." in page(worker.get(f"/staff/cases/{world.partner.id}"))
    response = send(worker, world)
    assert response.status_code == 303
    assert stored(dbs) == 1
    sent = audited(dbs, "risk_note.send")
    assert len(sent) == 1 and sent[0]["participant"] == str(world.participant.id)
    assert "Notes his programme sees now: 1." in page(worker.get(f"/staff/cases/{world.partner.id}"))
    mine = page(worker.get(note_path(world)))
    assert NOTE in mine and "Withdraw this note" in mine
    facilitator = signed_in(app, dbs.get(StaffUser, world.facilitator.id))
    his = page(facilitator.get(his_page(world)))
    assert "From the partner support service" in his and NOTE in his
    for hers in ("Sam", "Example", "7400", "sam@example.org", str(world.partner.id), world.worker.display_name,
                 world.worker.email, "sharing"):
        assert hers not in his.replace(NOTE, ""), hers
    assert audited(dbs, "risk_note.read") == [{"notes": 1}]
    # Another programme's facilitator, and another participant's page, never show it.
    other_fac, _ = make_staff(dbs, vault, audit_key, Role.FACILITATOR, world.service.id)
    other_programme = make_programme(dbs, world.service, name="Other", members=(other_fac,))
    other_man = make_participant(dbs, world.programme)
    dbs.commit()
    stranger = signed_in(app, other_fac)
    assert stranger.get(his_page(world)).status_code == 404
    assert stranger.get(f"/staff/my-programmes/{other_programme.id}/participants/{world.participant.id}"
                        ).status_code == 404
    other = page(facilitator.get(f"/staff/my-programmes/{world.programme.id}/participants/{other_man.id}"))
    assert NOTE not in other and "From the partner support service" not in other
    # The programme API says nothing of it.
    assert NOTE not in app.test_client().get("/api/v1/openapi.json").get_data(as_text=True)


def test_a_withdrawn_note_is_gone_from_his_page(app, worker, dbs, world):
    agree_on_sharing_page(worker, world)
    send(worker, world)
    note = dbs.scalar(select(RiskNote))
    facilitator = signed_in(app, dbs.get(StaffUser, world.facilitator.id))
    assert NOTE in page(facilitator.get(his_page(world)))
    response = post_page(worker, f"/staff/cases/{world.partner.id}/risk-notes/{note.id}/withdraw", {},
                         page=note_path(world))
    assert response.status_code == 303
    his = page(facilitator.get(his_page(world)))
    assert NOTE not in his and "From the partner support service" not in his
    mine = page(worker.get(note_path(world)))
    assert NOTE in mine and "withdrawn" in mine and "Withdraw this note" not in mine
    again = post_page(worker, f"/staff/cases/{world.partner.id}/risk-notes/{note.id}/withdraw", {},
                      page=note_path(world))
    assert again.status_code == 409
    assert post_page(worker, f"/staff/cases/{world.partner.id}/risk-notes/nope/withdraw", {},
                     page=note_path(world)).status_code == 404
    assert audited(dbs, "risk_note.withdraw") == [{"note": str(note.id), "cause": "worker"}]


def test_when_she_withdraws_her_agreement_her_notes_go_and_no_new_one_is_sent(app, worker, dbs, world, clock):
    agree_on_sharing_page(worker, world)
    assert send(worker, world).status_code == 303
    clock.advance(minutes=1)  # her withdrawal comes after her agreement
    entry = dbs.scalar(select(SharingConsentEvent.id).where(SharingConsentEvent.agency == "programme"))
    withdrawn = post_page(worker, f"/staff/cases/{world.partner.id}/sharing",
                          {"form": "withdraw", "w_entry": str(entry), "w_how": "phone", "w_date": "2026-03-02"})
    assert withdrawn.status_code == 303
    facilitator = signed_in(app, dbs.get(StaffUser, world.facilitator.id))
    assert NOTE not in page(facilitator.get(his_page(world)))
    assert [d["cause"] for d in audited(dbs, "risk_note.withdraw")] == ["agreement_withdrawn"]
    assert "She withdrew her agreement on" in page(worker.get(note_path(world)))
    refused = send(worker, world)
    assert refused.status_code == 400 and "or she withdrew it" in page(refused)
    assert stored(dbs) == 1  # the first, withdrawn


def _her_never_disclose(dbs, vault, audit_key, clock, world) -> None:  # type: ignore[no-untyped-def]
    ctx = worker_ctx(dbs, vault, audit_key, clock.now(), world.worker)
    never_disclose.update_private(ctx, world.partner, never_disclose.PrivateChange(
        safe_address="Flat 2, 14 Larkspur Road\nHarrowgate HG9 7QZ", new_number="07400 765 432"), region="GB")
    add_child(dbs, vault, audit_key, clock.now(), world.worker, world.partner, "Mia", age="7",
              school="Hollybrook Primary", details="Collected by her aunt on Tuesdays")
    prefs = dbs.scalar(select(Preferences).where(Preferences.partner_id == world.partner.id))
    vault.put(prefs, "code_word_ct", "Marigold")
    dbs.commit()


REFUSED = [
    ("He has her number 07400 123456 and calls it.", "her_phone", "her phone number"),
    ("Call +44 7400-123-456.", "her_phone", "her phone number"),
    ("Reach her on (0044) 7400.123.456", "her_phone", "her phone number"),
    ("Her number ٠٧٤٠٠١٢٣٤٥٦ is known to him.", "her_phone", "her phone number"),
    ("Her number ۰۷۴۰۰۱۲۳۴۵۶ is known to him.", "her_phone", "her phone number"),
    ("He knows the last digits 123456.", "her_phone", "her phone number"),
    ("Her mail is SAM@Example.ORG now.", "her_email", "her email address"),
    ("He shouted at Sam in the car park.", "her_name", "her name"),
    ("He found out she lives at 14 Larkspur Road.", "never_disclose", "Her safe address"),
    ("He went to harrowgate hg9 7qz twice.", "never_disclose", "Her safe address"),
    ("He got her new number 07400 765432.", "never_disclose", "Her new number"),
    ("He waited at hollybrook  primary.", "never_disclose", "A child's school or nursery"),
    ("He knows she is collected by her aunt on tuesdays.", "never_disclose", "A child's other details"),
    ("He knows the word marigold.", "her_code_word", "her code word"),
    ("His brother is on 0113 496 0000.", "phone_number", "a phone number"),
    ("Contact the officer at pc.jones@police.org.uk.", "email_address", "an email address"),
    ("Her number ⁰⁷⁴⁰⁰ ¹²³⁴⁵⁶.", "digit_like", "look like digits"),
]


@pytest.mark.parametrize(("text", "kind", "words"), REFUSED, ids=[kind + str(i) for i, (_t, kind, _w)
                                                                 in enumerate(REFUSED)])
def test_the_note_check_refuses_what_would_say_who_she_is_or_how_to_reach_her(worker, dbs, vault, audit_key,
                                                                              clock, world, text, kind, words):
    _her_never_disclose(dbs, vault, audit_key, clock, world)
    agree_on_sharing_page(worker, world)
    response = send(worker, world, text)
    assert response.status_code == 400
    html = page(response)
    assert words.lower() in html.lower() and "nothing was sent" in html.lower()
    assert text in html  # given back to her worker to correct, nothing lost
    assert stored(dbs) == 0
    refused = audited(dbs, "risk_note.refused")
    assert [entry["kind"] for entry in refused] == [kind]
    dbs.expire_all()
    everything = re.sub(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "ID",
                        " ".join(dbs.scalars(select(AuditEvent.details))))  # ids may hold any digits
    for value in ("7400", "123456", "Larkspur", "Hollybrook", "marigold", "Sam@", "0113"):
        assert value.lower() not in everything.lower()  # the kind only, never the value


def test_dates_times_and_plain_facts_pass_the_check(worker, dbs, vault, audit_key, clock, world):
    _her_never_disclose(dbs, vault, audit_key, clock, world)
    agree_on_sharing_page(worker, world)
    text = "On 2026-03-01 at 21:30, and again on 02.03.2026, he said he would take the children. Twice in 3 days."
    assert send(worker, world, text).status_code == 303
    assert stored(dbs) == 1


@pytest.mark.parametrize(("form", "status", "words"), [
    ({"text": ""}, 400, "Write the note."),
    ({"text": "x" * 1001}, 400, "limited to 1000 characters"),
    ({"text": "He said\u200b that"}, 400, "characters that cannot be used"),
    ({"participant": "not-an-id"}, 400, "Choose a man linked to her case"),
    ({"participant": "00000000-0000-0000-0000-000000000000"}, 400, "Choose a man linked to her case"),
    ({"told": ""}, 400, "Tick the box once she has agreed"),
])
def test_bad_input_is_a_clear_4xx_and_nothing_is_stored(worker, dbs, world, form, status, words):
    agree_on_sharing_page(worker, world)
    response = send(worker, world, **form)
    assert response.status_code == status and words in page(response)
    assert stored(dbs) == 0


def test_the_page_answers_head_and_other_services_get_404(app, worker, dbs, vault, audit_key, world):
    assert worker.head(note_path(world)).status_code == 200
    from tests.factories import make_world

    other = make_world(dbs, vault, audit_key, partner_phone="+447400555666")
    dbs.commit()
    stranger = signed_in(app, other.worker)
    assert stranger.get(note_path(world)).status_code == 404
    assert post_page(stranger, note_path(world), {"participant": str(world.participant.id), "text": NOTE,
                                                  "told": "yes"}, page="/staff/cases").status_code == 404
    facilitator = signed_in(app, dbs.get(StaffUser, world.facilitator.id))
    assert facilitator.get(note_path(world)).status_code in (403, 404)


def test_her_erasure_deletes_her_notes(worker, dbs, world, ctx_for):
    agree_on_sharing_page(worker, world)
    send(worker, world)
    dbs.expire_all()
    erase_partner(ctx_for(), dbs.get(type(world.partner), world.partner.id), reason="request")
    dbs.commit()
    assert stored(dbs) == 0


def test_the_service_refuses_a_man_not_linked_to_her(dbs, vault, audit_key, clock, world):
    stranger = make_participant(dbs, world.programme)
    dbs.commit()
    with pytest.raises(risk_note.RiskNoteError) as refused:
        risk_note.send(worker_ctx(dbs, vault, audit_key, clock.now(), world.worker), world.partner,
                       participant_id=stranger.id, text=NOTE, told=True)
    assert refused.value.code == "participant_invalid"
