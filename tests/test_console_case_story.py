"""Her worker's console on her first day: the staff address and staff error pages, the case page's whole story,
task pages that say what to do by kind, a "she stopped contact" task that closes itself when she says yes again,
and urgency that cannot be missed (issue 10, items 9, 10, 11 and 13)."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from html import unescape

import pytest
from flask import abort, url_for
from sqlalchemy import select

from portal.console import labels, task_guidance
from portal.models import (
    AuditEvent,
    ConsentChannel,
    Notification,
    NotificationKind,
    NotificationState,
    PartnerStatus,
    Role,
    Severity,
    StaffUser,
    Task,
    TaskKind,
)
from portal.services.admin import demo, deployment
from portal.services.audit import SYSTEM, Actor
from portal.services.casework import inbox
from portal.services.casework.tasks import create_task
from portal.services.her import consent
from portal.services.messaging.outbox import enqueue
from tests.factories import login_as, set_prefs, set_windows
from tests.public_helpers import open_link, post

STAFF_LAYOUT = "css/console.css"
HER_LAYOUT_MARKS = ("exit-bar", "Leave this site now", "If you are in danger now", "js/exit.js")


def path_for(app, endpoint: str, **values: object) -> str:
    with app.test_request_context():
        return url_for(endpoint, **values)


def assert_staff_layout(html: str) -> None:
    assert STAFF_LAYOUT in html, "not the staff layout"
    for mark in HER_LAYOUT_MARKS:
        assert mark not in html, f"her layout's {mark!r} on a staff page"


@pytest.fixture
def worker(client, world):  # type: ignore[no-untyped-def]
    login_as(client, world.worker)
    return client


# -- item 9: where the console is, and staff errors in the staff layout -------------------------------------

def test_console_address_leads_to_the_staff_sign_in(client):
    for guess in ("/console", "/console/"):
        first = client.get(guess)
        assert first.status_code == 303 and first.headers["Location"].endswith("/staff/")
    landing = client.get("/console", follow_redirects=True)
    assert landing.status_code == 200 and landing.request.path == "/staff/sign-in"
    assert_staff_layout(landing.get_data(as_text=True))


def test_a_console_path_goes_to_the_staff_page_of_that_name(worker, app):
    response = worker.get("/console/tasks")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(path_for(app, "console.worker_inbox"))


@pytest.mark.parametrize("path", ["/console/no-such-page", "/staff/no-such-page", "/staff/cases/not-a-uuid"])
def test_a_missing_staff_page_is_a_404_in_the_staff_layout(worker, path):
    response = worker.get(path)
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert_staff_layout(html)
    assert "Go to the staff console" in html


def test_a_missing_staff_page_signed_out_is_a_404_in_the_staff_layout(client):
    response = client.get("/staff/no-such-page")
    assert response.status_code == 404
    assert_staff_layout(response.get_data(as_text=True))


def test_a_wrong_method_and_a_missing_csrf_token_answer_in_the_staff_layout(client, app):
    wrong_method = client.get(path_for(app, "console.sign_out"))
    assert wrong_method.status_code == 405
    assert_staff_layout(wrong_method.get_data(as_text=True))
    no_token = client.post(path_for(app, "console.sign_in"), data={"email": "a@example.org", "password": "x"})
    assert no_token.status_code == 400
    assert_staff_layout(no_token.get_data(as_text=True))


@pytest.mark.parametrize("code", [403, 429, 500])
def test_forbidden_too_many_and_server_errors_answer_in_the_staff_layout(app, code):
    def fail() -> str:
        if code == 500:
            raise RuntimeError("boom")
        abort(code)

    app.add_url_rule(f"/staff/test-error-{code}", f"test_error_{code}", fail)
    response = app.test_client().get(f"/staff/test-error-{code}")
    assert response.status_code == code
    html = response.get_data(as_text=True)
    assert_staff_layout(html)
    assert "boom" not in html


def test_her_pages_still_answer_errors_in_her_layout(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert STAFF_LAYOUT not in response.get_data(as_text=True)


def test_demo_json_carries_the_staff_url_and_the_plain_demo_prints_it(app):
    out = json.loads(app.test_cli_runner().invoke(args=["demo", "--json"]).output)
    assert out["staff_url"] == "https://portal.test" + path_for(app, "console.sign_in")
    plain = app.test_cli_runner().invoke(args=["demo"]).output
    assert f"Staff console: {out['staff_url']}" in plain


def test_make_run_and_the_readme_say_where_the_console_is():
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    assert "/staff/" in next(line for line in (root / "Makefile").read_text().splitlines()
                             if "@echo" in line and "Staff console" in line)
    assert "**The staff console** is at http://127.0.0.1:5000/staff/" in (root / "README.md").read_text()


# -- item 11: the case page tells the whole story -------------------------------------------------------------

def test_the_case_page_shows_all_her_choices_in_words(worker, dbs, world, app):
    world.partner.locale, world.partner.timezone = "de", "America/New_York"
    set_prefs(dbs, world.partner.id, channel_sms=True, channel_call=True, voicemail_ok=False, shared_phone=True,
              serious_risk_any_time=True, tell_dropout="message", tell_risk="both", tell_completed="none")
    set_windows(dbs, world.partner.id, [(0, 9 * 60, 12 * 60), (4, 18 * 60 + 30, 20 * 60)])
    dbs.commit()
    html = worker.get(path_for(app, "console.worker_case", partner_id=world.partner.id)).get_data(as_text=True)
    for words in ("Her choices", "Text messages are safe", "Phone calls are safe", "Do not leave a voicemail",
                  "Someone else may use her phone", "At any time, even outside her safe times",
                  "Safe times, in her time zone (America/New York)", "Monday 09:00–12:00", "Friday 18:30–20:00",
                  "Deutsch", "How she wants to hear about each kind of news", "If he drops out",
                  "Text message and phone call", "Do not tell her"):
        assert words in html, words
    assert "New_York" not in html and ">de<" not in html


def test_the_case_page_says_when_she_has_no_safe_times(worker, dbs, world, app):
    set_windows(dbs, world.partner.id, [])
    dbs.commit()
    html = worker.get(path_for(app, "console.worker_case", partner_id=world.partner.id)).get_data(as_text=True)
    assert "None yet: nothing is texted to her until she or you set a safe time." in html


def test_the_case_page_leaves_a_slot_for_her_high_risk_period():
    from pathlib import Path

    template = (Path(__file__).resolve().parent.parent / "templates/console/worker/case.html").read_text()
    assert re.search(r'{% include "console/worker/_high_risk\.html"( ignore missing)? %}', template)


def test_a_message_that_did_not_go_says_why_in_words_never_the_code(worker, dbs, world, vault, clock, app):
    note = enqueue(dbs, vault, world.partner, kind=NotificationKind.INVITE, template="invite", now=clock.now(),
                   params={"url": "https://portal.test/v/x"})
    note.state, note.error_code = NotificationState.HANDED_OVER, "no_window"
    task = create_task(dbs, world.partner, kind=TaskKind.MESSAGE_NOT_SENT, severity=Severity.ROUTINE,
                       now=clock.now(), notification_id=note.id, detail="no_window", vault=vault)
    dbs.commit()
    case = worker.get(path_for(app, "console.worker_case", partner_id=world.partner.id)).get_data(as_text=True)
    page = worker.get(path_for(app, "console.worker_task", task_id=task.id)).get_data(as_text=True)
    for html in (case, page):
        assert "She has no safe times yet, so nothing is texted to her." in html
        assert "no_window" not in html


@pytest.mark.parametrize(("code", "words"), [
    ("unsafe_giveaway", "discretion check"), ("gave_up_30003", "too many times"), ("30007", "error 30007"),
    ("call_instead_30007", "not delivered to her phone"), ("something_new", "Another reason"), (None, ""),
])
def test_every_reason_a_message_did_not_go_has_words(app, code, words):
    with app.test_request_context():
        text = labels.message_reason(code)
    assert words in text and (code is None or "_" not in text)


# -- item 11: task pages say what to do for their kind ---------------------------------------------------------

def test_every_task_kind_has_guidance_in_words(app):
    assert set(TaskKind) <= set(task_guidance.GUIDANCE), set(TaskKind) - set(task_guidance.GUIDANCE)
    with app.test_request_context():
        for kind in TaskKind:
            assert len(str(task_guidance.GUIDANCE[kind])) > 40, kind
        assert all(str(words) for words in task_guidance.REACH.values())


@pytest.mark.parametrize("kind", list(TaskKind))
def test_every_task_page_shows_its_kinds_guidance(worker, dbs, world, clock, app, kind):
    task = create_task(dbs, world.partner, kind=kind, severity=Severity.SOON, now=clock.now())
    dbs.commit()
    html = worker.get(path_for(app, "console.worker_task", task_id=task.id)).get_data(as_text=True)
    with app.test_request_context():
        expected = str(task_guidance.GUIDANCE[kind])
    assert "What to do" in html and expected in unescape(html)


def test_a_stopped_contact_task_warns_do_not_contact_her_first(worker, dbs, world, ctx_for, app):
    consent.stop_contact(ctx_for(), world.partner, channel=ConsentChannel.WEB)
    dbs.commit()
    task = dbs.scalar(select(Task).where(Task.kind == TaskKind.CONSENT_WITHDRAWN_CONTACT))
    html = worker.get(path_for(app, "console.worker_task", task_id=task.id)).get_data(as_text=True)
    warning = html.index('id="do-not-contact"')
    assert 'role="alert"' in html[warning - 80:warning + 40]
    assert warning < html.index("What to do") < html.index("Severity")
    assert "<h2><span class=\"shape\" aria-hidden=\"true\">■</span> Do not contact her</h2>" in html
    assert "Log a contact for this task" not in html
    assert "Call her" not in html and "call her in her safe times" not in html.lower()


def test_an_immediate_risk_she_may_hear_about_any_time_says_call_now(worker, dbs, world, clock, app):
    set_prefs(dbs, world.partner.id, serious_risk_any_time=True)
    task = create_task(dbs, world.partner, kind=TaskKind.EVENT_RISK, severity=Severity.IMMEDIATE, now=clock.now())
    task.call_requested = True
    dbs.commit()
    html = worker.get(path_for(app, "console.worker_task", task_id=task.id)).get_data(as_text=True)
    assert "Call her now: she agreed to be reached about a serious risk at any time" in html
    assert "Call her in her safe times" not in html


def test_without_any_time_a_call_task_says_call_her_in_her_safe_times(worker, dbs, world, clock, app):
    set_prefs(dbs, world.partner.id, serious_risk_any_time=False)
    task = create_task(dbs, world.partner, kind=TaskKind.EVENT_RISK, severity=Severity.IMMEDIATE, now=clock.now())
    task.call_requested = True
    dbs.commit()
    html = worker.get(path_for(app, "console.worker_task", task_id=task.id)).get_data(as_text=True)
    assert "Call her in her safe times and use her code word." in html
    assert "Call her now" not in html


# -- the "she stopped contact" task closes itself when she says yes again (services/her/consent.py) -----------

def _open_stop_tasks(dbs, partner):  # type: ignore[no-untyped-def]
    dbs.expire_all()
    return list(dbs.scalars(select(Task).where(Task.partner_id == partner.id, Task.done_at.is_(None),
                                               Task.kind.in_(consent.STOPPED_TASKS))))


@pytest.mark.parametrize("channel", [ConsentChannel.WEB, ConsentChannel.WORKER])
def test_her_yes_again_closes_the_stopped_contact_task_audited(dbs, world, ctx_for, clock, channel):
    consent.stop_contact(ctx_for(), world.partner, channel=ConsentChannel.SMS)
    other = create_task(dbs, world.partner, kind=TaskKind.EVENT_DROPOUT, severity=Severity.URGENT, now=clock.now())
    dbs.commit()
    [stop_task] = _open_stop_tasks(dbs, world.partner)
    later = clock.now() + timedelta(days=2)
    actor = Actor("partner", str(world.partner.id)) if channel == "web" else SYSTEM
    consent.give(ctx_for(actor, now=later), world.partner, channel=channel, text_version="en-1",
                 recorded_by=world.worker.id if channel == "worker" else None)
    dbs.commit()
    assert _open_stop_tasks(dbs, world.partner) == []
    closed = dbs.get(Task, stop_task.id)
    assert closed.done_at == later and closed.acknowledged_by_id is None
    assert dbs.get(Task, other.id).done_at is None  # only the stop task closes
    entry = dbs.scalar(select(AuditEvent).where(AuditEvent.action == "task.done.consent_given"))
    assert entry.object_id == str(stop_task.id) and channel in entry.details


def test_her_yes_after_her_no_closes_the_declined_task(dbs, world, ctx_for):
    world.partner.status = PartnerStatus.INVITED
    consent.decline(ctx_for(), world.partner, channel=ConsentChannel.WEB, text_version="en-1")
    dbs.commit()
    assert len(_open_stop_tasks(dbs, world.partner)) == 1
    consent.give(ctx_for(), world.partner, channel=ConsentChannel.WEB, text_version="en-1")
    dbs.commit()
    assert _open_stop_tasks(dbs, world.partner) == []


def test_on_her_pages_stop_then_yes_closes_the_task_and_its_page_says_so(client, app, dbs, world, clock):
    open_link(client, dbs, world.partner, clock)
    stop, contact, home = (path_for(app, e) for e in ("public.stop", "public.contact", "public.home"))
    assert post(client, stop, {"confirm": "yes"}, token_from=home).status_code == 303
    [task] = _open_stop_tasks(dbs, world.partner)
    post(client, contact, {"answer": "yes"})
    assert _open_stop_tasks(dbs, world.partner) == []
    staff = app.test_client()
    login_as(staff, world.worker)
    html = staff.get(path_for(app, "console.worker_task", task_id=task.id)).get_data(as_text=True)
    assert "She agreed to contact again, so this task closed itself." in html
    inbox_html = staff.get(path_for(app, "console.worker_inbox")).get_data(as_text=True)
    assert str(task.id) not in inbox_html


# -- item 13: urgency you cannot miss ------------------------------------------------------------------------

def test_inbox_puts_immediate_then_overdue_then_due_time_with_words_and_shapes(worker, dbs, world, clock, app):
    now = clock.now()
    later = create_task(dbs, world.partner, kind=TaskKind.EVENT_COMPLETED, severity=Severity.ROUTINE, now=now)
    soon = create_task(dbs, world.partner, kind=TaskKind.SMS_FREE_TEXT, severity=Severity.URGENT, now=now)
    overdue = create_task(dbs, world.partner, kind=TaskKind.EVENT_DROPOUT, severity=Severity.URGENT,
                          now=now - timedelta(hours=5))
    immediate = create_task(dbs, world.partner, kind=TaskKind.EVENT_RISK, severity=Severity.IMMEDIATE, now=now)
    dbs.commit()
    html = worker.get(path_for(app, "console.worker_inbox")).get_data(as_text=True)
    order = [html.index(path_for(app, "console.worker_task", task_id=t.id)) for t in (immediate, overdue, soon, later)]
    assert order == sorted(order)
    rows = re.findall(r'<tr class="task-(\w+)">\s*<td>(.*?)</td>', html, re.S)
    assert [level for level, _cell in rows] == ["immediate", "overdue", "on_time", "on_time"]
    assert "▲</span> Immediate" in rows[0][1] and "●</span> Overdue" in rows[1][1]  # words and a shape
    assert rows[2][1].strip() == "" and rows[3][1].strip() == ""


def test_by_urgency_orders_immediate_even_when_another_is_more_overdue(dbs, world, clock):
    now = clock.now()
    overdue = create_task(dbs, world.partner, kind=TaskKind.EVENT_DROPOUT, severity=Severity.URGENT,
                          now=now - timedelta(days=3))
    immediate = create_task(dbs, world.partner, kind=TaskKind.HER_LESS_SAFE, severity=Severity.IMMEDIATE, now=now)
    due = create_task(dbs, world.partner, kind=TaskKind.SMS_HELP, severity=Severity.SOON, now=now)
    dbs.commit()
    ordered = inbox.open_tasks(dbs, world.worker, now, mine_only=True)
    assert [t.id for t in ordered] == [immediate.id, overdue.id, due.id]
    assert [inbox.urgency(t, now) for t in ordered] == ["immediate", "overdue", "on_time"]
    assert [t.id for t in inbox.needing_action_now(dbs, world.worker, now)] == [immediate.id, overdue.id]


def test_the_home_page_shows_what_needs_action_now(worker, dbs, world, clock, app):
    home = path_for(app, "console.home")
    assert "No immediate or overdue tasks." in worker.get(home).get_data(as_text=True)
    immediate = create_task(dbs, world.partner, kind=TaskKind.EVENT_RISK, severity=Severity.IMMEDIATE,
                            now=clock.now(), child_risk=True)
    calm = create_task(dbs, world.partner, kind=TaskKind.EVENT_COMPLETED, severity=Severity.ROUTINE, now=clock.now())
    dbs.commit()
    html = worker.get(home).get_data(as_text=True)
    assert "Needs action now" in html and "Immediate or overdue tasks: 1." in html
    assert path_for(app, "console.worker_task", task_id=immediate.id) in html
    assert path_for(app, "console.worker_task", task_id=calm.id) not in html
    assert "▲</span> Immediate" in html and "Risk to children" in html


def test_the_demo_deployment_has_child_protection_steps_shown_on_a_child_risk_task(client, app, dbs, vault,
                                                                                  ctx_for, clock):
    demo.seed(ctx_for())
    dbs.commit()
    steps = deployment.load(dbs, "", "").child_protection_steps
    assert steps == demo.DEMO_CHILD_PROTECTION_STEPS and "social care" in steps
    partner = demo.demo_partner(dbs, vault)
    task = create_task(dbs, partner, kind=TaskKind.EVENT_RISK, severity=Severity.IMMEDIATE, now=clock.now(),
                       child_risk=True)
    dbs.commit()
    login_as(client, dbs.scalar(select(StaffUser).where(StaffUser.email == demo.STAFF_EMAILS[Role.SUPPORT_WORKER])))
    html = client.get(path_for(app, "console.worker_task", task_id=task.id)).get_data(as_text=True)
    assert "No child-protection steps are configured" not in html
    assert "Tell your designated safeguarding lead today" in html


def test_a_handed_over_warning_never_shows_its_code_in_the_messages_table(worker, dbs, world, vault, clock, app):
    note = enqueue(dbs, vault, world.partner, kind=NotificationKind.WARNING, template="warning", now=clock.now())
    note.state, note.error_code = NotificationState.FAILED, "unusable_21211"
    dbs.commit()
    html = worker.get(path_for(app, "console.worker_case", partner_id=world.partner.id)).get_data(as_text=True)
    assert "Her number cannot receive texts." in html and "unusable_21211" not in html
    assert dbs.scalar(select(Notification).where(Notification.id == note.id)) is not None


def test_a_stop_she_agreed_may_be_checked_once_is_not_do_not_contact():
    task = Task(kind=TaskKind.CONSENT_WITHDRAWN_SMS, severity=Severity.SOON, contact_allowed=False,
                call_requested=False)
    assert task_guidance.reach_for(task, any_time=True) == task_guidance.DO_NOT_CONTACT
    task.check_once_allowed = True  # kept on the task where her advance choice exists (helper "promises")
    assert task_guidance.reach_for(task, any_time=True) == task_guidance.CHECK_ONCE
