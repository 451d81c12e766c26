"""A duress session looks like a fresh record (DESIGN §8): her pages show nothing she saved or told, what is
changed there is answered as if saved but applied to nothing and told to her worker, and her note to her
worker still goes. The session stays so until it ends, even once her plan is locked again."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from portal.models import (
    ConsentEvent,
    Notification,
    NotificationKind,
    NotificationState,
    PartnerStatus,
    Task,
    Tell,
)
from portal.public import plan_session
from portal.services.her import duress_requests
from portal.services.messaging.outbox import enqueue
from tests.factories import make_partner, reloaded, set_prefs, set_wording
from tests.plan_console_support import (
    CANARY_DECOY,
    CANARY_PLAN,
    REAL,
    SECOND,
    hold_in_session,
    make_plan,
    open_with,
)
from tests.public_helpers import choose_language, her_client, post

OWN_WORDS = "Qx8 lunch with Dana at noon"
CODE_WORD = "qx8bluebell"


@pytest.fixture
def her_record(dbs, vault, world):  # type: ignore[no-untyped-def]
    """Her record full of what she saved: channels, safe times, own words, a code word, a PIN, a hint."""
    prefs = set_prefs(dbs, world.partner.id, channel_sms=True, channel_call=True, voicemail_ok=True,
                      shared_phone=False, serious_risk_any_time=True, check_after_stop=True,
                      tell_dropout=Tell.BOTH, tell_suspended=Tell.MESSAGE, tell_completed=Tell.NONE,
                      tell_risk=Tell.BOTH)
    vault.put(prefs, "code_word_ct", CODE_WORD)
    set_wording(dbs, vault, world.partner.id, "dropout", own_words=OWN_WORDS)
    dbs.commit()
    return world.partner


def duress_client(app, dbs, ctx_for, partner):  # type: ignore[no-untyped-def]
    """Her phone after her plan was opened with the second passphrase (the task made, texts held)."""
    make_plan(ctx_for, dbs, partner)
    client = her_client(app, partner, check_home=True)
    hold_in_session(app, client, open_with(ctx_for, dbs, partner, SECOND))
    return client


def own_client(app, dbs, ctx_for, partner):  # type: ignore[no-untyped-def]
    make_plan(ctx_for, dbs, partner)
    client = her_client(app, partner, check_home=True)
    hold_in_session(app, client, open_with(ctx_for, dbs, partner, REAL))
    return client


def asked(dbs, vault, partner) -> list[tuple[str, tuple[str, ...]]]:  # type: ignore[no-untyped-def]
    dbs.expire_all()
    task = duress_requests.open_task(dbs, partner.id)
    assert task is not None
    return [(item.what, item.parts) for item in duress_requests.asked(vault, task)]


def normalised(html: str) -> str:
    return re.sub(r'name="csrf_token" value="[^"]+"', "CSRF", html)


def test_her_choices_in_a_duress_session_are_exactly_a_fresh_records(app, dbs, vault, audit_key, world, ctx_for,
                                                                     her_record):
    client = duress_client(app, dbs, ctx_for, her_record)
    fresh = make_partner(dbs, vault, audit_key, world.service, world.worker, name="New Person",
                         phone="+447400999000", timezone=her_record.timezone, windows=())
    fresh.status = PartnerStatus.ACTIVE
    dbs.commit()
    shown = client.get("/choices").get_data(as_text=True)
    assert OWN_WORDS not in shown and "You have a code word" not in shown and CODE_WORD not in shown
    assert normalised(shown) == normalised(her_client(app, fresh).get("/choices").get_data(as_text=True))
    # Her own session shows hers.
    mine = her_client(app, her_record).get("/choices").get_data(as_text=True)
    assert OWN_WORDS in mine and "You have a code word" in mine


def test_choices_saved_in_a_duress_session_change_nothing_and_her_worker_is_told(app, dbs, vault, ctx_for,
                                                                                 her_record):
    client = duress_client(app, dbs, ctx_for, her_record)
    form = {"channel": ["worker_only"], "timezone": "Europe/Berlin", "locale": "en", "code_word": "hisword",
            **{f"tell-{t}": "none" for t in ("dropout", "suspended", "completed", "risk")}}
    response = post(client, "/choices", form)
    assert response.status_code == 303 and response.headers["Location"].endswith("/home")
    assert "Your choices are saved." in client.get("/home").get_data(as_text=True)
    her = reloaded(dbs, her_record)
    assert her.timezone != "Europe/Berlin"
    prefs = set_prefs(dbs, her.id)
    assert prefs.channel_sms and prefs.channel_call and not prefs.channel_worker_only
    assert vault.get(prefs, "code_word_ct") == CODE_WORD
    assert ("change_choices", ("channels", "time_zone", "told", "code_word")) in asked(dbs, vault, her)
    # The next page agrees with what the session "saved" (nothing looks different) ...
    again = client.get("/choices").get_data(as_text=True)
    assert 'value="worker_only" checked' in again and "You have a code word" in again
    assert 'value="Europe/Berlin" selected' in again
    # ... and the same form again changes nothing more, so nothing more is told.
    assert post(client, "/choices", form).status_code == 303
    assert "Nothing was changed." in client.get("/home").get_data(as_text=True)
    assert len(asked(dbs, vault, her)) == 1


def test_a_wrong_form_in_a_duress_session_gets_the_same_answer_as_hers(app, dbs, ctx_for, her_record):
    client = duress_client(app, dbs, ctx_for, her_record)
    form = {"channel": ["sms", "none"], "timezone": "Mars/Olympus", "locale": "xx"}
    duress = post(client, "/choices", form)
    assert duress.status_code == 400
    assert "Choose" in duress.get_data(as_text=True)


def test_stop_contact_in_a_duress_session_is_not_applied_but_looks_done(app, dbs, vault, ctx_for, her_record, clock):
    note = enqueue(dbs, vault, her_record, kind=NotificationKind.WARNING, template="warning", now=clock.now())
    dbs.commit()
    client = duress_client(app, dbs, ctx_for, her_record)
    events = dbs.scalar(select(func.count()).select_from(ConsentEvent))
    response = post(client, "/unsubscribe", {"confirm": "yes"})
    assert response.status_code == 303 and response.headers["Location"].endswith("/home")
    home = client.get("/home").get_data(as_text=True)
    assert "Contact has stopped" in home
    her = reloaded(dbs, her_record)
    assert her.status == PartnerStatus.ACTIVE
    assert dbs.scalar(select(func.count()).select_from(ConsentEvent)) == events
    assert reloaded(dbs, note).state == NotificationState.PENDING  # her warning still waits (held, not lost)
    assert ("stop_contact", ()) in asked(dbs, vault, her)
    assert "Contact has stopped" not in her_client(app, her).get("/home").get_data(as_text=True)


def test_saying_no_and_yes_in_a_duress_session(app, dbs, vault, ctx_for, her_record):
    client = duress_client(app, dbs, ctx_for, her_record)
    assert post(client, "/contact", {"answer": "no"}, token_from="/contact").status_code == 303
    assert "You said no to contact" in client.get("/home").get_data(as_text=True)
    answer = post(client, "/contact", {"answer": "yes"}, token_from="/contact")
    assert answer.status_code == 303 and "/pin" in answer.headers["Location"]  # no PIN: offered one, as hers is
    assert reloaded(dbs, her_record).status == PartnerStatus.ACTIVE
    assert [what for what, _ in asked(dbs, vault, her_record)] == ["say_no", "say_yes"]


def test_a_pin_set_in_a_duress_session_is_not_set(app, dbs, vault, ctx_for, her_record):
    client = duress_client(app, dbs, ctx_for, her_record)
    bad = post(client, "/pin", {"action": "set", "pin": "12", "confirm": "12"}, token_from="/pin")
    assert bad.status_code == 400
    good = post(client, "/pin", {"action": "set", "pin": "٤٤٤٤", "confirm": "4444"}, token_from="/pin")
    assert good.status_code == 303
    assert "Your PIN is saved." in client.get("/home").get_data(as_text=True)
    assert reloaded(dbs, her_record).pin_hash is None
    assert "Remove my PIN" in client.get("/pin").get_data(as_text=True)  # as if she had one now
    assert "Remove my PIN" not in her_client(app, her_record).get("/pin").get_data(as_text=True)
    assert ("set_pin", ()) in asked(dbs, vault, her_record)


def test_a_language_chosen_in_a_duress_session_changes_its_pages_only(app, dbs, vault, ctx_for, her_record):
    client = duress_client(app, dbs, ctx_for, her_record)
    response = choose_language(app, client, "de")
    assert response.status_code == 303
    assert 'lang="de"' in client.get("/home").get_data(as_text=True)
    her = reloaded(dbs, her_record)
    assert her.locale == "en" and not her.locale_chosen
    assert ("change_language", ()) in asked(dbs, vault, her)


def test_her_note_in_a_duress_session_goes_as_usual_and_the_answer_is_quiet(app, dbs, vault, ctx_for, her_record):
    client = duress_client(app, dbs, ctx_for, her_record)
    response = post(client, "/message", {"kind": "less_safe"}, token_from="/message")
    assert response.status_code == 303
    told = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Thank you for telling us." in told
    assert "Your worker has been told" not in told and "Your note has been sent" not in told
    dbs.expire_all()
    assert dbs.scalar(select(Task).where(Task.partner_id == her_record.id, Task.kind == "her_less_safe")) is not None
    assert ("sent_note", ("less_safe",)) in asked(dbs, vault, her_record)


def test_separating_in_a_duress_session_makes_no_promise_from_her_record(app, dbs, vault, ctx_for, her_record):
    client = duress_client(app, dbs, ctx_for, her_record)
    response = post(client, "/message", {"kind": "separating"}, token_from="/message")
    told = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'id="high-risk-period"' not in told and "check in with you" not in told
    assert reloaded(dbs, her_record).high_risk_from is not None  # applied as usual: her period began


def test_locking_her_plan_keeps_the_session_a_duress_one(app, dbs, ctx_for, her_record):
    client = duress_client(app, dbs, ctx_for, her_record)
    assert OWN_WORDS not in client.get("/choices").get_data(as_text=True)  # the session learns it is duress
    with client.session_transaction() as sess:
        sess.pop(plan_session.PLAN)  # she (or he) locks the plan again
    assert OWN_WORDS not in client.get("/choices").get_data(as_text=True)
    assert client.get("/exit").status_code in (200, 302, 303)
    assert client.get("/choices").status_code == 303  # the session is over


def test_her_own_session_with_her_plan_open_is_unchanged(app, dbs, vault, ctx_for, her_record):
    client = own_client(app, dbs, ctx_for, her_record)
    assert OWN_WORDS in client.get("/choices").get_data(as_text=True)
    assert post(client, "/unsubscribe", {"confirm": "yes"}).status_code == 303
    assert reloaded(dbs, her_record).status == PartnerStatus.WITHDRAWN
    dbs.expire_all()
    assert dbs.scalar(select(Task).where(Task.kind == "plan_duress")) is None


def test_what_a_duress_session_saved_is_sealed_in_her_session(app, dbs, ctx_for, her_record, database_url):
    from portal.models import WebSession

    client = duress_client(app, dbs, ctx_for, her_record)
    post(client, "/choices", {"channel": ["call"], "timezone": "Europe/Berlin", "locale": "en",
                              "w0-day": ["0"], "w0-start": "09:00", "w0-end": "10:00",
                              **{f"tell-{t}": "call" for t in ("dropout", "suspended", "completed", "risk")}})
    dbs.expire_all()
    stored = " ".join(str(row.data) for row in dbs.scalars(select(WebSession)))
    assert "Europe/Berlin" not in stored and "09:00" not in stored and "duress" not in stored


def test_a_request_after_her_worker_closed_the_task_opens_a_new_one_and_holds_texts(app, dbs, vault, ctx_for,
                                                                                     her_record, clock):
    client = duress_client(app, dbs, ctx_for, her_record)
    her = reloaded(dbs, her_record)
    task = duress_requests.open_task(dbs, her.id)
    task.done_at, task.released_at, her.texts_held_since = clock.now(), clock.now(), None
    dbs.commit()
    assert post(client, "/unsubscribe", {"confirm": "yes"}).status_code == 303
    dbs.expire_all()
    assert dbs.scalar(select(func.count()).select_from(Task).where(Task.kind == "plan_duress")) == 2
    assert reloaded(dbs, her_record).texts_held_since is not None
    assert asked(dbs, vault, her_record) == [("stop_contact", ())]
    assert dbs.scalar(select(func.count()).select_from(Notification)) == 0


def test_opened_on_her_plan_page_with_the_second_passphrase_her_pages_show_a_fresh_record(app, dbs, vault, ctx_for,
                                                                                         her_record):
    """The whole way, through her plan page: the second passphrase, then her choices and the decoy plan."""
    app.config["PLAN_OPEN_FLOOR_SECONDS"] = 0
    make_plan(ctx_for, dbs, her_record)
    client = her_client(app, her_record, check_home=True)
    opened = post(client, "/plan/open", {"passphrase": SECOND}, token_from="/plan")
    assert opened.status_code == 303 and opened.headers["Location"].endswith("/plan")
    assert client.get("/plan").status_code == 200
    notes = client.get("/plan/part/numbers").get_data(as_text=True)  # the decoy's one written part
    assert CANARY_DECOY in notes and CANARY_PLAN not in client.get("/plan/part/people").get_data(as_text=True)
    choices = client.get("/choices").get_data(as_text=True)
    assert OWN_WORDS not in choices and "You have a code word" not in choices
    # Locking the plan on her page keeps the session a duress one.
    assert post(client, "/plan/close", {}, token_from="/plan").status_code == 303
    assert OWN_WORDS not in client.get("/choices").get_data(as_text=True)
    # Sharing there makes only the harmless plan's copy, and her worker reads that it happened there.
    post(client, "/plan/open", {"passphrase": SECOND}, token_from="/plan")
    assert post(client, "/plan/share", {}, token_from="/plan").status_code == 303
    assert ("share_plan", ()) in asked(dbs, vault, her_record)
    # Her own passphrase, in this session: the latest opening decides, her own pages are back.
    post(client, "/plan/open", {"passphrase": REAL}, token_from="/plan")
    assert OWN_WORDS in client.get("/choices").get_data(as_text=True)
    # Her own passphrase in a new session: her own data again, nothing asked there reaches the task.
    mine = her_client(app, her_record, check_home=True)
    post(mine, "/plan/open", {"passphrase": REAL}, token_from="/plan")
    assert CANARY_PLAN in mine.get("/plan/part/people").get_data(as_text=True)
    assert OWN_WORDS in mine.get("/choices").get_data(as_text=True)


def test_deleting_her_plan_in_a_duress_session_deletes_it_as_the_page_says(app, dbs, vault, ctx_for, her_record):
    from portal.models import SafetyPlan

    client = duress_client(app, dbs, ctx_for, her_record)
    assert post(client, "/plan/delete", {}, token_from="/plan/delete").status_code == 303
    dbs.expire_all()
    assert dbs.scalar(select(SafetyPlan).where(SafetyPlan.partner_id == her_record.id)) is None
    assert ("delete_plan", ()) in asked(dbs, vault, her_record)
    assert OWN_WORDS not in client.get("/choices").get_data(as_text=True)  # still a duress session
    # A new plan made there (his passphrase, perhaps) does not bring her own pages back either.
    made = post(client, "/plan/new", {"passphrase": "another long one", "passphrase_again": "another long one"},
                token_from="/plan")
    assert made.status_code == 303
    assert OWN_WORDS not in client.get("/choices").get_data(as_text=True)
    assert ("new_plan", ()) in asked(dbs, vault, her_record)


def test_her_check_in_page_in_a_duress_session_shows_no_history_and_applies_no_days(app, dbs, vault, ctx_for,
                                                                                    her_record):
    from portal.models import AgreedCheckin, HerCheckin
    from portal.services.her import her_checkins

    her_checkins.check_in(ctx_for(), reloaded(dbs, her_record), step=2, worse=True, changed="")
    her_checkins.set_days(ctx_for(), reloaded(dbs, her_record), (0, 3))
    dbs.commit()
    make_plan(ctx_for, dbs, her_record)
    own = her_client(app, her_record, check_home=True)
    hold_in_session(app, own, open_with(ctx_for, dbs, her_record, REAL))
    assert "things had got worse" in own.get("/how-are-you").get_data(as_text=True)  # her own session: her answer
    client = her_client(app, her_record, check_home=True)
    hold_in_session(app, client, open_with(ctx_for, dbs, her_record, SECOND))
    page = client.get("/how-are-you").get_data(as_text=True)
    assert "things had got worse" not in page and "Not very safe" not in page.split('id="check-in"')[0]
    days = dbs.scalar(select(AgreedCheckin.weekdays).where(AgreedCheckin.partner_id == her_record.id))
    response = post(client, "/how-are-you/days", {"action": "stop"}, token_from="/how-are-you")
    assert response.status_code == 303
    dbs.expire_all()
    assert dbs.scalar(select(AgreedCheckin.weekdays).where(AgreedCheckin.partner_id == her_record.id)) == days
    assert ("change_choices", ("checkin_days",)) in asked(dbs, vault, her_record)
    # Her own answer goes as usual (like a note), and the answer on the screen is the same plain thank-you.
    before = dbs.scalar(select(func.count()).select_from(HerCheckin))
    response = post(client, "/how-are-you", {"step": "1"}, token_from="/how-are-you")
    thanks = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "try to reach you" not in thanks
    dbs.expire_all()
    assert dbs.scalar(select(func.count()).select_from(HerCheckin)) == before + 1
    assert ("check_in", ()) in asked(dbs, vault, her_record)
