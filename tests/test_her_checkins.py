"""Her own check-ins (issue 11 item 4): how safe she feels and what has changed; an answer that signals more
danger gives her worker an urgent task (raised in her high-risk period), other answers none; what she wrote is
encrypted; her worker sees the trend on her case page, and that read is audited (WWP EN B.4)."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from portal.models import AuditEvent, HerCheckin, PartnerContact, PartnerStatus, Severity, Task, TaskKind
from portal.public.messages import message
from portal.services.casework import high_risk
from portal.services.her import her_checkins
from tests.factories import reloaded, set_prefs, signed_in
from tests.public_helpers import her_client, post
from tests.staff_console import csrf_from
from tests.support import BACKEND

PAGE = "/how-are-you"
CONCERN = TaskKind.HER_CHECKIN_CONCERN


def check_in(her, step: str, *, worse: bool = False, changed: str = ""):  # type: ignore[no-untyped-def]
    """She opens her check-in page and sends it (one POST), as without JavaScript."""
    data = {"step": step, "changed": changed}
    if worse:
        data["worse"] = "1"
    return post(her, PAGE, data, token_from=PAGE)


def concern_tasks(dbs, partner_id) -> list[Task]:  # type: ignore[no-untyped-def]
    dbs.expire_all()
    return list(dbs.scalars(select(Task).where(Task.partner_id == partner_id, Task.kind == CONCERN)))


def visible(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


@pytest.fixture
def her(app, world):  # type: ignore[no-untyped-def]
    return her_client(app, world.partner)


def test_a_calm_answer_is_kept_makes_no_task_and_her_page_says_only_that(app, dbs, world, her, clock):
    response = check_in(her, "4")
    assert response.status_code == 303 and response.headers["Location"].endswith("/how-are-you/thanks")
    [row] = dbs.scalars(select(HerCheckin).where(HerCheckin.partner_id == world.partner.id))
    assert (row.feeling, row.worse, row.task_id, row.created_at) == ("mostly", False, None, clock.now())
    assert concern_tasks(dbs, world.partner.id) == []
    page = visible(her.get("/how-are-you/thanks").get_data(as_text=True))
    assert "Your worker will see your check-in on your record." in page
    assert "reach you" not in page and "has been told" not in page
    assert her.get("/how-are-you/thanks").headers["Location"].endswith(PAGE)  # shown once


@pytest.mark.parametrize(("before", "answer", "worse"), [
    (None, "1", False),   # the lowest step
    (None, "2", False),   # the second lowest
    ("5", "3", False),    # a drop of two steps
    ("4", "2", False),    # a drop of two, and low
    ("5", "5", True),     # "things have got worse", whatever the step
], ids=["lowest", "second_lowest", "drop_of_two", "drop_to_low", "worse"])
def test_every_answer_that_signals_more_danger_gives_her_worker_an_urgent_task(app, dbs, world, her, clock, before,
                                                                             answer, worse):
    set_prefs(dbs, world.partner.id, channel_call=True)
    dbs.commit()
    if before:
        check_in(her, before)
        clock.advance(days=2)
        her = her_client(app, world.partner)  # days later: her link opened again
    assert concern_tasks(dbs, world.partner.id) == []
    assert check_in(her, answer, worse=worse).status_code == 303
    [task] = concern_tasks(dbs, world.partner.id)
    assert (task.severity, task.raised_high_risk, task.assignee_id) == (Severity.URGENT, False, world.worker.id)
    assert task.contact_allowed and task.done_at is None
    newest = dbs.scalar(select(HerCheckin).order_by(HerCheckin.created_at.desc()).limit(1))
    assert newest.task_id == task.id
    page = visible(her.get("/how-are-you/thanks").get_data(as_text=True))
    assert "Your worker has been told, and will try to reach you soon, in the ways you chose." in page


@pytest.mark.parametrize(("before", "answer"), [
    (None, "3"), (None, "5"), ("5", "4"), ("3", "2x"), ("2", "3"), ("1", "5"),
], ids=["first_middle", "first_safe", "drop_of_one", "garbage_is_not_an_answer", "rising", "rising_far"])
def test_other_answers_make_no_task(app, dbs, world, her, clock, before, answer):
    if before:
        check_in(her, before)
        clock.advance(hours=2)
        her = her_client(app, world.partner)
    tasks_before = len(concern_tasks(dbs, world.partner.id))
    check_in(her, answer)
    assert len(concern_tasks(dbs, world.partner.id)) == tasks_before


def test_during_her_high_risk_period_the_task_is_raised_one_severity(app, dbs, world, her, clock):
    partner = dbs.get(PartnerContact, world.partner.id)
    high_risk.start_period(partner, now=clock.now(), rules=high_risk.Rules())
    dbs.commit()
    check_in(her, "2")
    [task] = concern_tasks(dbs, world.partner.id)
    assert (task.severity, task.raised_high_risk) == (Severity.IMMEDIATE, True)
    page = signed_in(app, world.worker).get(f"/staff/tasks/{task.id}").get_data(as_text=True)
    assert "Raised one severity" in page


def test_a_second_worrying_check_in_within_the_hour_adds_no_duplicate_a_later_one_does(app, dbs, world, her, clock):
    check_in(her, "1")
    clock.advance(minutes=20)
    check_in(her_client(app, world.partner), "1", changed="still the same")
    [task] = concern_tasks(dbs, world.partner.id)
    rows = list(dbs.scalars(select(HerCheckin).where(HerCheckin.partner_id == world.partner.id)))
    assert len(rows) == 2 and {row.task_id for row in rows} == {task.id}  # both kept, one task
    clock.advance(hours=1)
    check_in(her_client(app, world.partner), "2")
    assert len(concern_tasks(dbs, world.partner.id)) == 2


def test_the_page_says_honestly_when_her_worker_cannot_reach_her_first(app, dbs, world, her, clock):
    set_prefs(dbs, world.partner.id, channel_worker_only=True)
    dbs.commit()
    form = visible(her.get(PAGE).get_data(as_text=True))
    assert "your worker is told at once." in form and "will try to reach you soon" not in form
    check_in(her, "1")
    page = visible(her.get("/how-are-you/thanks").get_data(as_text=True))
    assert "Your worker has been told." in page
    assert "may not be able to reach you first" in page and "will try to reach you" not in page
    assert len(concern_tasks(dbs, world.partner.id)) == 1  # her worker is told all the same


def test_the_check_in_form_is_one_tap_away_and_says_what_happens(app, dbs, world, her):
    set_prefs(dbs, world.partner.id, channel_call=True)
    dbs.commit()
    html = her.get(PAGE).get_data(as_text=True)
    assert '<details class="more" id="check-in">' in html  # closed: the scale is one tap further
    first = html.split('<details class="more" id="check-in">')[0]
    assert "safe" not in visible(first.split("<main")[1]).lower()
    inside = html.split('<details class="more" id="check-in">')[1].split("</details>")[0]
    assert inside.count('type="radio"') == 5 and "How safe do you feel at the moment?" in inside
    assert "will try to reach you soon, in the ways you chose." in html
    assert "Otherwise, your worker will see your check-in on your record." in html
    for path in ("/home", "/choices", "/help"):
        assert 'href="/how-are-you"' in her.get(path).get_data(as_text=True), path


def test_her_note_is_encrypted_and_bound_to_its_row(app, dbs, vault, world, her):
    canary = "Zanzibar-quokka moved back in"
    check_in(her, "3", changed=f"  {canary}\r\nsecond line  ")
    row = dbs.scalar(select(HerCheckin).where(HerCheckin.partner_id == world.partner.id))
    assert canary.encode() not in row.changed_ct
    assert vault.get(row, "changed_ct") == f"{canary}\nsecond line"
    other = HerCheckin(id=uuid.uuid4(), partner_id=row.partner_id, feeling="safe",
                       changed_ct=row.changed_ct)
    with pytest.raises(ValueError):  # the ciphertext opens only for its own row
        vault.get(other, "changed_ct")


@pytest.mark.skipif(BACKEND != "sqlite", reason="reads the SQLite database file itself")
def test_her_note_is_not_in_the_raw_database_file(app, dbs, world, her, database_url):
    canary = "Zanzibar-quokka moved back in"
    check_in(her, "2", changed=canary)
    dbs.close()
    from portal.extensions import db

    with app.app_context():
        db.engine.dispose()
    path = Path(make_url(database_url).database)
    raw = b"".join(part.read_bytes() for part in path.parent.glob(path.name + "*"))
    assert b"Zanzibar" not in raw and "Zanzibar".encode("utf-16-le") not in raw


@pytest.mark.parametrize("step", ["", "x", "0", "6", "9", "²", "12", "-1", "3.0"])
def test_garbage_gets_a_clear_400_in_her_language_and_keeps_what_she_typed(app, dbs, world, her, step):
    response = check_in(her, step, worse=True, changed="Something I wrote & kept <b>")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Please choose one answer." in html and "Error:" in html.split("</title>")[0]
    assert "Something I wrote &amp; kept &lt;b&gt;</textarea>" in html  # nothing she typed is lost
    assert 'id="worse" name="worse" value="1" checked' in html
    assert dbs.scalar(select(func.count()).select_from(HerCheckin)) == 0
    assert concern_tasks(dbs, world.partner.id) == []


def test_refusals_are_in_her_saved_language(app, dbs, world):
    partner = dbs.get(PartnerContact, world.partner.id)
    partner.locale, partner.locale_chosen = "de", True
    dbs.commit()
    her = her_client(app, partner)
    response = check_in(her, "x", changed="Mein Text")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Bitte wählen Sie eine Antwort." in html and "Mein Text</textarea>" in html


def test_any_scripts_digits_are_read_as_her_answer(app, dbs, world, her):
    assert check_in(her, "٣").status_code == 303  # Arabic-Indic three
    assert check_in(her, "５").status_code == 303  # full-width five
    rows = dbs.scalars(select(HerCheckin.feeling).order_by(HerCheckin.created_at, HerCheckin.feeling)).all()
    assert sorted(rows) == ["in_between", "safe"]


def test_too_long_a_note_is_refused_and_kept(app, dbs, world, her):
    text = "ä" * (her_checkins.MAX_CHANGED + 1)
    response = check_in(her, "3", changed=text)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert str(her_checkins.MAX_CHANGED) in message("checkin_too_long") and message("checkin_too_long") in html
    assert text + "</textarea>" in html
    assert check_in(her, "3", changed="ä" * her_checkins.MAX_CHANGED).status_code == 303


def test_get_and_head_change_nothing(app, dbs, world, her):
    before = dbs.scalar(select(func.count()).select_from(AuditEvent))
    for method in ("get", "head"):
        for path in (PAGE, "/how-are-you/thanks"):
            assert getattr(her, method)(path).status_code in (200, 303)
    dbs.expire_all()
    assert dbs.scalar(select(func.count()).select_from(HerCheckin)) == 0
    assert dbs.scalar(select(func.count()).select_from(Task).where(Task.kind == CONCERN)) == 0
    assert dbs.scalar(select(func.count()).select_from(AuditEvent)) == before


def test_without_her_session_or_with_contact_stopped_nothing_is_recorded(app, client, dbs, world, her):
    assert client.get(PAGE).status_code == 303  # no session: the neutral start page
    partner = dbs.get(PartnerContact, world.partner.id)
    partner.status = PartnerStatus.WITHDRAWN
    dbs.commit()
    page = visible(her.get(PAGE).get_data(as_text=True))
    assert "While contact is stopped, check-ins do not go to your worker." in page
    assert 'name="step"' not in page
    response = check_in(her, "1", changed="kept")
    assert response.status_code == 400
    assert "While contact is stopped, check-ins do not go to your worker." in response.get_data(as_text=True)
    assert dbs.scalar(select(func.count()).select_from(HerCheckin)) == 0
    assert concern_tasks(dbs, world.partner.id) == []


def test_her_worker_sees_the_trend_and_reading_it_is_audited(app, dbs, world, her, clock):
    for step, note in (("5", ""), ("4", "Moved flat"), ("2", "He found my new address")):
        check_in(her_client(app, world.partner), step, changed=note)
        clock.advance(days=3)
    worker = signed_in(app, world.worker)
    before = dbs.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "her_checkin.read"))
    html = worker.get(f"/staff/cases/{world.partner.id}").get_data(as_text=True)
    section = html.split('id="check-ins"')[1].split('id="agreed"')[0]
    rows = section.split("<tr>")[2:]
    assert len(rows) == 3  # newest first
    assert "level-2" in rows[0] and "2/5 · Not very safe" in rows[0] and "He found my new address" in rows[0]
    assert "Urgent task for you" in rows[0] and "Urgent task for you" not in rows[1]
    assert "level-4" in rows[1] and "Mostly safe" in rows[1] and "level-5" in rows[2]
    assert "Mar 8, 2026" in visible(rows[0])  # on the worker's clock
    dbs.expire_all()
    reads = list(dbs.scalars(select(AuditEvent).where(AuditEvent.action == "her_checkin.read")))
    assert len(reads) == before + 1
    assert reads[-1].actor_id == str(world.worker.id) and reads[-1].object_id == str(world.partner.id)
    assert '"entries":3' in reads[-1].details and "address" not in reads[-1].details


def test_her_own_page_shows_her_earlier_answers_but_never_what_she_wrote(app, dbs, world, her, clock):
    check_in(her, "2", changed="Nobody should read this here")
    html = her.get(PAGE).get_data(as_text=True)
    earlier = html.split('id="earlier"')[1].split("</details>")[0]
    assert "Not very safe" in earlier and "Nobody should read this here" not in html
    assert "<bdi>March 2, 2026</bdi>" in earlier


def test_erasure_deletes_her_check_ins(app, dbs, world, her, clock):
    check_in(her, "1", changed="canary")
    worker = signed_in(app, world.worker)
    from tests.staff_console import post_form

    path = f"/staff/cases/{world.partner.id}/erase"
    assert post_form(worker, path, {"confirm": "ERASE"}).status_code in (200, 303)
    dbs.expire_all()
    assert dbs.scalar(select(func.count()).select_from(HerCheckin)) == 0
    assert reloaded(dbs, world.partner).status == PartnerStatus.ERASED


def test_only_her_services_workers_read_what_she_wrote(app, dbs, vault, audit_key, world, her):
    from tests.factories import make_world

    canary = "Quetzal-marmalade under the stairs"
    check_in(her, "2", changed=canary)
    other = make_world(dbs, vault, audit_key, partner_phone="+447400555111")
    dbs.commit()
    case = f"/staff/cases/{world.partner.id}"
    assert canary in signed_in(app, world.worker).get(case).get_data(as_text=True)
    stranger = signed_in(app, other.worker)
    assert stranger.get(case).status_code == 404
    token = csrf_from(stranger.get("/staff/cases").data)
    assert stranger.post(case + "/agreed-check-ins", data={"csrf_token": token, "day": "1"}).status_code == 404
    facilitator = signed_in(app, world.facilitator)
    programme = f"/staff/my-programmes/{world.programme.id}"
    for path in (case, "/staff/", programme, f"{programme}/participants/{world.participant.id}"):
        response = facilitator.get(path)
        assert response.status_code == (404 if path == case else 200), path
        assert canary not in response.get_data(as_text=True), path
    for path in ("/home", PAGE, "/choices"):
        assert canary not in her.get(path).get_data(as_text=True), path
