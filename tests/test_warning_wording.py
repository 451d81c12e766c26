"""Her warnings say something useful, safely: per kind of news, a neutral text she picked or her own words, her
worker's number if she asked, one SMS segment each; "someone else checks my phone" changes what is sent.

The sending tests go through the dispatcher and the real twilio library, offline (a recording HttpClient).
"""

from __future__ import annotations

from collections import deque
from datetime import timedelta

import pytest
from flask import url_for
from sqlalchemy import select

from portal.models import (
    Notification,
    NotificationState,
    PartnerContact,
    StaffUser,
    Task,
    Tell,
    WarningWording,
)
from portal.services.her import preferences
from portal.services.her.fresh_link import send_fresh_link
from portal.services.programme.events import Reporter, report_event
from portal.sms.factory import catalogs
from portal.sms.segments import measure
from portal.sms.templates import LONGEST_NUMBER, NEUTRAL_WORDINGS, with_number
from tests.factories import (
    context,
    login_as,
    make_world,
    reloaded,
    set_prefs,
    set_wording,
    told_of_everything,
)
from tests.fanout_support import fan_out_now
from tests.public_helpers import choose_language, open_link, post
from tests.sms_support import RecordingHttpClient, dispatcher, message_json, twilio_gateway
from tests.staff_console import csrf_from

WORKER_NUMBER = "+447700900123"
GERMAN_RISK_2 = "Hallo, es wäre gut, bald zu sprechen. Bitte rufen Sie heute zurück."


@pytest.fixture
def world(dbs, vault, audit_key):
    w = make_world(dbs, vault, audit_key, prefs=told_of_everything(Tell.MESSAGE))
    dbs.get(StaffUser, w.worker.id).callback_phone = WORKER_NUMBER
    dbs.commit()
    return w


def report(dbs, vault, audit_key, world, clock, kind="dropout", **kwargs):  # type: ignore[no-untyped-def]
    report_event(context(dbs, vault, audit_key, clock.now()), programme=world.programme,
                 reporter=Reporter(staff_id=world.facilitator.id), participant_ref=world.participant.reference,
                 kind=kind, **kwargs)
    dbs.commit()
    fan_out_now(dbs, vault, audit_key, clock)


def send_all(app) -> list[str]:  # type: ignore[no-untyped-def]
    """Run the dispatcher once on the real Twilio backend; the bodies Twilio was asked to send."""
    http = RecordingHttpClient(deque([message_json() for _ in range(10)]))
    dispatcher(app, twilio_gateway(http)).run_once()
    return [req.data["Body"] for req in http.requests if req.method == "POST"]


# -- the one owner of the rule: services/her/preferences.check_own_words ---------------------------------------

@pytest.mark.parametrize("text, number, problem", [
    ("a" * 160, False, None),  # GSM-7: 160 in one segment
    ("a" * 161, False, "own_words_too_long"),
    ("a" * 143, True, None),  # room for " +" and 15 digits
    ("a" * 144, True, "own_words_too_long"),
    ("€" * 80, False, None),  # extension characters count twice
    ("€" * 80 + "a", False, "own_words_too_long"),
    ("ا" * 70, False, None),  # UCS-2: 70
    ("ا" * 71, False, "own_words_too_long"),
    ("ا" * 51, True, None),  # right-to-left: the number is isolated (two more units)
    ("ا" * 52, True, "own_words_too_long"),
    ("Hi 🙂" + "a" * 65, False, None),  # outside the BMP: two units, and the whole text is UCS-2
    ("Hi 🙂" + "a" * 66, False, "own_words_too_long"),
    ("   ", False, "own_words_empty"),
    ("Call me\x07 back", False, "own_words_characters"),
    ("See www.example.org today", False, "own_words_link"),
    ("Hello Sam, ring me", False, "own_words_name"),
    ("Your course group meets later", False, "own_words_telling"),
    ("Die Gruppe trifft sich", False, "own_words_telling"),
    ("تحذير: اتصلي", False, "own_words_telling"),
    ("Please help him today", False, "own_words_telling"),  # the no-blame check too
    ("Hi love, the dentist moved your appointment. Ring me x", True, None),
])
def test_her_own_words_must_be_one_discreet_segment(text, number, problem):
    assert preferences.check_own_words(text, number=number, locale="en", names=["Sam Example"]) == problem


def test_the_longest_accepted_own_words_go_out_as_one_segment_with_the_longest_number():
    for own in ("a" * 143, "ا" * 51, "€" * 71 + "a"):
        assert preferences.check_own_words(own, number=True, locale="en") is None
        sent = with_number(own, LONGEST_NUMBER)
        assert measure(sent).segments == 1, (own[:3], measure(sent))


# -- her choices page ---------------------------------------------------------------------------------------

def choices_form(**wordings: tuple[str, str, bool]) -> dict[str, object]:
    form: dict[str, object] = {
        "channel": ["sms"], "w0-day": ["0", "1", "2", "3", "4", "5", "6"], "w0-start": "00:00", "w0-end": "00:00",
        "timezone": "Europe/London", "locale": "en",
        **{f"tell-{topic}": "message" for topic in preferences.TOPICS},
    }
    for topic in preferences.TOPICS:
        wording, own, number = wordings.get(topic, ("neutral_1", "", False))
        form[f"wording-{topic}"] = wording
        form[f"own-{topic}"] = own
        if number:
            form[f"number-{topic}"] = "1"
    return form


def test_she_chooses_a_wording_per_kind_and_it_is_kept(client, dbs, vault, world, clock):
    open_link(client, dbs, world.partner, clock)
    response = post(client, "/choices", choices_form(
        risk=("neutral_2", "", True), dropout=("own", "Hi love, the dentist moved your appointment.", False)))
    assert response.status_code == 303
    chosen = preferences.wordings(dbs, vault, dbs.get(PartnerContact, world.partner.id))
    assert chosen["risk"] == preferences.WordingInput("neutral_2", "", True)
    assert chosen["dropout"] == preferences.WordingInput("own", "Hi love, the dentist moved your appointment.")
    assert chosen["completed"] == preferences.DEFAULT_WORDING
    page = client.get("/choices").get_data(as_text=True)
    assert 'id="wording-risk-neutral_2" name="wording-risk" value="neutral_2" checked' in page
    assert 'value="Hi love, the dentist moved your appointment."' in page
    stored = dbs.scalars(select(WarningWording.own_words_ct)).all()
    assert all(b"dentist" not in (ct or b"") for ct in stored)  # encrypted at rest


def test_her_own_words_that_give_her_away_are_refused_in_her_language(app, client, dbs, vault, world, clock):
    open_link(client, dbs, world.partner, clock)
    form = choices_form(risk=("own", "Sein Kurs ist vorbei, ruf an", False), completed=("own", "x" * 150, True))
    form["locale"] = "de"
    choose_language(app, client, "de")  # her top bar: German, saved on her record
    response = post(client, "/choices", form)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "passen nicht in eine SMS. Bitte kürzen Sie sie." in page  # in her language, to her
    assert "könnte Sie verraten" in page
    assert 'href="#own-risk"' in page and 'href="#own-completed"' in page
    assert 'id="own-risk" name="own-risk" value="Sein Kurs ist vorbei, ruf an"' in page  # nothing typed is lost
    assert dbs.scalar(select(WarningWording)) is None


@pytest.mark.parametrize("locale, words", [
    ("en", "never hold a link or a phone number"),
    ("de", "nie einen Link oder eine Telefonnummer"),
    ("ar", "لن تحمل رسائلنا إليكِ أي رابط أو رقم هاتف"),
])
def test_her_page_says_what_the_shared_phone_flag_changes(client, dbs, world, clock, locale, words):
    open_link(client, dbs, world.partner, clock)
    page = client.get(f"/choices?lang={locale}").get_data(as_text=True)
    assert words in page
    assert 'aria-describedby="shared_phone-hint"' in page


# -- what is sent, through the dispatcher and the real twilio library ---------------------------------------

def test_a_warning_uses_the_neutral_text_she_picked_for_that_kind(app, dbs, vault, audit_key, world, clock):
    set_wording(dbs, vault, world.partner.id, "risk", "neutral_2")
    dbs.get(PartnerContact, world.partner.id).locale = "de"
    dbs.commit()
    report(dbs, vault, audit_key, world, clock, kind="risk", risk_to_partner=True, imminence="high")
    report(dbs, vault, audit_key, world, clock, kind="completed")
    completed = catalogs().gettext("de", NEUTRAL_WORDINGS["completed"][0])
    assert completed.startswith("Hallo")  # in her language
    assert sorted(send_all(app)) == sorted([GERMAN_RISK_2, completed])


def test_her_own_words_and_her_workers_number_go_out_in_one_segment(app, dbs, vault, audit_key, world, clock):
    set_wording(dbs, vault, world.partner.id, "dropout", own_words="Hi love, ring me back when you can x",
                with_number=True)
    dbs.commit()
    report(dbs, vault, audit_key, world, clock)
    [body] = send_all(app)
    assert body == f"Hi love, ring me back when you can x {WORKER_NUMBER}"
    assert measure(body).segments == 1 and "http" not in body  # a number or a link, never both


def test_in_arabic_the_number_is_isolated_and_the_text_stays_one_segment(app, dbs, vault, audit_key, world, clock):
    dbs.get(PartnerContact, world.partner.id).locale = "ar"
    set_wording(dbs, vault, world.partner.id, "dropout", "neutral_3", with_number=True)
    dbs.commit()
    report(dbs, vault, audit_key, world, clock)
    [body] = send_all(app)
    assert body.endswith(f" \u2066{WORKER_NUMBER}\u2069")
    info = measure(body)
    assert (info.encoding, info.segments) == ("UCS-2", 1)


def test_without_a_number_from_her_worker_the_warning_still_goes(app, dbs, vault, audit_key, world, clock):
    dbs.get(StaffUser, world.worker.id).callback_phone = None
    set_wording(dbs, vault, world.partner.id, "dropout", "neutral_1", with_number=True)
    dbs.commit()
    report(dbs, vault, audit_key, world, clock)
    assert send_all(app) == ["Hello, could you call back when you have a moment? Thank you."]


def test_a_shared_phone_gets_only_her_neutral_text_and_no_number(app, dbs, vault, audit_key, world, clock):
    set_prefs(dbs, world.partner.id, shared_phone=True)
    set_wording(dbs, vault, world.partner.id, "dropout", own_words="Hi love, ring me back x", with_number=True)
    set_wording(dbs, vault, world.partner.id, "risk", "neutral_3", with_number=True)
    dbs.commit()
    report(dbs, vault, audit_key, world, clock)
    report(dbs, vault, audit_key, world, clock, kind="risk", risk_to_partner=True, imminence="medium")
    bodies = send_all(app)
    assert sorted(bodies) == sorted(["Hello, could you call back when you have a moment? Thank you.",
                                     "Hello, please call back as soon as it suits you today."])
    assert not any("7700" in body or "love" in body for body in bodies)


def test_a_shared_phone_gets_no_link_and_her_worker_is_told(app, client, dbs, vault, audit_key, world, clock):
    invite = send_fresh_link(context(dbs, vault, audit_key, clock.now()), dbs.get(PartnerContact, world.partner.id),
                             public_url="https://portal.test", ttl=timedelta(hours=72))
    assert invite is not None
    set_prefs(dbs, world.partner.id, shared_phone=True)  # ticked before the link went out
    dbs.commit()
    assert send_all(app) == []
    note = dbs.scalar(select(Notification).where(Notification.kind == "invite"))
    assert (note.state, note.error_code) == (NotificationState.HANDED_OVER, "shared_phone")
    assert dbs.scalar(select(Task).where(Task.notification_id == note.id)) is not None
    # Her worker cannot text a new one, and is told why in words.
    login_as(client, world.worker)
    with app.test_request_context():
        case = url_for("console.worker_case", partner_id=world.partner.id)
        invite_url = url_for("console.worker_send_link", partner_id=world.partner.id)
    token = csrf_from(client.get(case).data)
    response = client.post(invite_url, data={"csrf_token": token}, follow_redirects=True)
    assert "someone else checks her phone, so no link is texted to her" in response.get_data(as_text=True)
    assert dbs.scalar(select(Notification).where(Notification.kind == "invite",
                                                 Notification.state == NotificationState.PENDING)) is None


# -- her worker sets them with her ---------------------------------------------------------------------------

def test_her_worker_sets_her_wording_and_his_own_number(app, client, dbs, vault, world):
    login_as(client, world.worker)
    with app.test_request_context():
        page_url = url_for("console.worker_preferences", partner_id=world.partner.id)
        wording_url = url_for("console.worker_wording", partner_id=world.partner.id)
        number_url = url_for("console.worker_callback_number", partner_id=world.partner.id)
    page = client.get(page_url).get_data(as_text=True)
    assert "How her warnings read" in page and NEUTRAL_WORDINGS["risk"][1] in page
    token = csrf_from(page)
    form = {"csrf_token": token, **{f"wording-{t}": "neutral_1" for t in preferences.TOPICS},
            "wording-risk": "own", "own-risk": "Could you ring me today? x", "number-risk": "1"}
    assert client.post(wording_url, data=form).status_code == 303
    chosen = preferences.wordings(dbs, vault, dbs.get(PartnerContact, world.partner.id))
    assert chosen["risk"] == preferences.WordingInput("own", "Could you ring me today? x", True)
    refused = client.post(wording_url, data={**form, "own-risk": "Your partner's risk is high"})
    assert refused.status_code == 400
    assert "could give her away" in refused.get_data(as_text=True)
    assert client.post(number_url, data={"csrf_token": token, "callback_phone": "07400 123789"}).status_code == 303
    assert reloaded(dbs, dbs.get(StaffUser, world.worker.id)).callback_phone == "+447400123789"
    bad = client.post(number_url, data={"csrf_token": token, "callback_phone": "call me"})
    assert bad.status_code == 400 and "country code" in bad.get_data(as_text=True)


@pytest.mark.parametrize("own", ["a" * 143, "ا" * 51, "€" * 71 + "a"])
def test_her_longest_own_words_with_her_workers_longest_number_are_sent_as_one_segment(app, dbs, vault, audit_key,
                                                                                     world, clock, own):
    dbs.get(StaffUser, world.worker.id).callback_phone = LONGEST_NUMBER
    her = dbs.get(PartnerContact, world.partner.id)
    data = preferences.PreferencesInput(
        channels=frozenset({"sms"}), windows=(preferences.WindowInput(tuple(range(7)), "00:00", "00:00"),),
        timezone="Europe/London", voicemail_ok=False, shared_phone=False,
        tell={topic: "message" for topic in preferences.TOPICS}, serious_risk_any_time=False, locale="ar",
        wordings={topic: preferences.WordingInput("own", own, True) for topic in preferences.TOPICS})
    result = preferences.update(context(dbs, vault, audit_key, clock.now()), her, data, locales=("en", "ar"))
    assert result.ok, result.errors  # the service accepts it: the longest she may write
    dbs.commit()
    report(dbs, vault, audit_key, world, clock)
    [body] = send_all(app)
    assert body.startswith(own) and LONGEST_NUMBER in body
    assert measure(body).segments == 1
