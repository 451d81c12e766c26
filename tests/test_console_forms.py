"""The worker's forms: recording her asks for her safe times, language and zone (no default safe times,
DESIGN 8); several days at once; her language and zone on her behalf; times shown in two zones."""

from __future__ import annotations

from sqlalchemy import select

from portal.models import AuditEvent, Notification, PartnerContact, SafeWindow, StaffUser, Task
from tests.factories import login_as
from tests.staff_console import csrf_from

NEW = "/staff/cases/new"


def post(client, path, data, page=None):
    token = csrf_from(client.get(page or path).data)
    return client.post(path, data={"csrf_token": token, **data})


def signed_in_worker(client, world):
    login_as(client, world.worker)
    return client


def her(dbs, vault, number):
    dbs.expire_all()
    return dbs.scalar(select(PartnerContact).where(PartnerContact.phone_bidx == vault.index.phone(number)))


def windows_of(dbs, partner):
    dbs.expire_all()
    return {(w.weekday, w.start_minute, w.end_minute)
            for w in dbs.scalars(select(SafeWindow).where(SafeWindow.partner_id == partner.id))}


def open_tasks(dbs, partner, kind="safe_times_needed"):
    dbs.expire_all()
    return list(dbs.scalars(select(Task).where(Task.partner_id == partner.id, Task.kind == kind,
                                               Task.done_at.is_(None))))


BASE = {"name": "Jo Canary", "phone": "07400 123 777", "email": "", "locale": "ar", "timezone": "Europe/Berlin",
        "consent_given": "yes", "consent_date": "2026-03-01"}


def test_the_record_form_asks_for_safe_times_language_and_zone(client, world):
    html = signed_in_worker(client, world).get(NEW).data.decode()
    assert 'name="w0-day"' in html and 'type="time" id="w0-start"' in html and 'name="w1-end"' in html
    assert 'id="locale"' in html and 'id="timezone"' in html and 'type="date" id="consent_date"' in html
    assert "nothing is texted to her, not even her link, until you or she set her safe times" in html


def test_recorded_with_safe_times_her_first_link_goes_out_in_them(client, world, dbs, vault):
    worker = signed_in_worker(client, world)
    response = post(worker, NEW, {**BASE, "w0-day": ["0", "1", "2", "3", "4"], "w0-start": "10:00",
                                  "w0-end": "12:00", "w1-day": "5", "w1-start": "٠٩:٠٠", "w1-end": "09:30"})
    assert response.status_code == 303
    partner = her(dbs, vault, "+447400123777")
    assert (partner.locale, partner.timezone) == ("ar", "Europe/Berlin")
    assert windows_of(dbs, partner) == {(d, 600, 720) for d in range(5)} | {(5, 540, 570)}
    assert open_tasks(dbs, partner) == []
    sent = post(worker, f"/staff/cases/{partner.id}/invite", {}, page=f"/staff/cases/{partner.id}")
    assert sent.status_code == 303
    dbs.expire_all()
    [link] = dbs.scalars(select(Notification).where(Notification.partner_id == partner.id))
    assert link.state == "pending"  # queued for her next safe time, not handed over ("no_window")


def test_left_empty_nothing_is_texted_and_her_worker_is_told_why(client, world, dbs, vault):
    worker = signed_in_worker(client, world)
    response = post(worker, NEW, BASE)
    assert response.status_code == 303
    partner = her(dbs, vault, "+447400123777")
    assert windows_of(dbs, partner) == set()
    page = worker.get(response.headers["Location"]).data.decode()
    assert "without safe times: nothing will be texted to her, not even her link" in page
    [task] = open_tasks(dbs, partner)
    assert task.assignee_id == world.worker.id
    inbox = worker.get("/staff/tasks").data.decode()
    assert "Set her safe times: nothing is texted to her until they are set" in inbox
    refused = post(worker, f"/staff/cases/{partner.id}/invite", {}, page=f"/staff/cases/{partner.id}")
    assert refused.status_code == 303
    page = worker.get(refused.headers["Location"]).data.decode()
    assert "She has no safe times yet, so nothing can be texted to her, not even her link." in page
    dbs.expire_all()
    assert dbs.scalars(select(Notification).where(Notification.partner_id == partner.id)).all() == []
    # Her worker sets them with her (several days at once): the task is done, and the link can go.
    added = post(worker, f"/staff/cases/{partner.id}/windows", {"weekday": ["5", "6"], "start": "18:00",
                                                                "end": "00:00"},
                 page=f"/staff/cases/{partner.id}/preferences")
    assert added.status_code == 303
    assert windows_of(dbs, partner) == {(5, 1080, 1440), (6, 1080, 1440)}
    assert open_tasks(dbs, partner) == []
    post(worker, f"/staff/cases/{partner.id}/invite", {}, page=f"/staff/cases/{partner.id}")
    dbs.expire_all()
    [link] = dbs.scalars(select(Notification).where(Notification.partner_id == partner.id))
    assert link.state == "pending"


def test_bad_safe_times_on_the_record_form_are_a_clear_400(client, world, dbs, vault):
    worker = signed_in_worker(client, world)
    for row, message in ((({"w0-start": "10:00", "w0-end": "12:00"}), "Tick at least one day"),
                         ({"w0-day": "1", "w0-start": "1²:00", "w0-end": "13:00"}, "hours and minutes"),
                         ({"w0-day": "1", "w0-start": "13:00", "w0-end": "12:00"}, "The start must be before"),
                         ({"w0-day": "9", "w0-start": "10:00", "w0-end": "12:00"}, "Tick at least one day")):
        response = post(worker, NEW, {**BASE, **row})
        assert response.status_code == 400, row
        assert message in response.data.decode()
        assert 'id="window-0-error"' in response.data.decode()
    assert her(dbs, vault, "+447400123777") is None


def test_garbage_dates_and_zones_are_a_clear_400(client, world):
    worker = signed_in_worker(client, world)
    for field, value in (("consent_date", "yesterday"), ("consent_date", "2026-02-30"),
                         ("consent_date", "2026-0²-01"), ("timezone", "Mars/Olympus"),
                         ("timezone", "../../etc/passwd"), ("locale", "xx")):
        response = post(worker, NEW, {**BASE, field: value})
        assert response.status_code == 400, (field, value)
        assert f'id="{field}-error"' in response.data.decode()
    arabic_date = post(worker, NEW, {**BASE, "consent_date": "٢٠٢٦-٠٣-٠١"})
    assert arabic_date.status_code == 303


def test_her_worker_sets_her_language_and_zone(client, world, dbs):
    worker = signed_in_worker(client, world)
    page = f"/staff/cases/{world.partner.id}/preferences"
    html = worker.get(page).data.decode()
    assert 'id="locale"' in html and 'id="timezone"' in html
    response = post(worker, page, {"locale": "de", "timezone": "Asia/Amman", "tell_dropout": "call",
                                   "tell_suspended": "call", "tell_completed": "call", "tell_risk": "call",
                                   "channel_call": "yes"})
    assert response.status_code == 303
    dbs.expire_all()
    partner = dbs.get(PartnerContact, world.partner.id)
    assert (partner.locale, partner.timezone) == ("de", "Asia/Amman")
    audit = dbs.scalars(select(AuditEvent).where(AuditEvent.action == "preferences.update_on_behalf")).all()
    assert '"locale"' in audit[-1].details and '"timezone"' in audit[-1].details
    for data in ({"locale": "klingon"}, {"timezone": "Europe/Atlantis"}):
        refused = post(worker, page, {"tell_dropout": "call", "tell_suspended": "call", "tell_completed": "call",
                                      "tell_risk": "call", "channel_call": "yes", **data})
        assert refused.status_code == 400
        assert "Choose a" in refused.data.decode() and "from the list" in refused.data.decode()


def test_several_days_at_once_with_any_digits_and_refusals(client, world, dbs):
    worker = signed_in_worker(client, world)
    case = f"/staff/cases/{world.partner.id}"
    dbs.execute(SafeWindow.__table__.delete().where(SafeWindow.partner_id == world.partner.id))
    dbs.commit()
    ok = post(worker, f"{case}/windows", {"weekday": ["0", "2", "4"], "start": "١٠:٠٠", "end": "11:30"},
              page=f"{case}/preferences")
    assert ok.status_code == 303
    assert windows_of(dbs, world.partner) == {(0, 600, 690), (2, 600, 690), (4, 600, 690)}
    html = worker.get(f"{case}/preferences").data.decode()
    assert "Monday 10:00–11:30" in html and "Friday 10:00–11:30" in html
    for data in ({"start": "10:00", "end": "11:00"}, {"weekday": "²", "start": "10:00", "end": "11:00"},
                 {"weekday": "1", "start": "25:00", "end": "26:00"}, {"weekday": "1", "start": "x", "end": "y"}):
        refused = post(worker, f"{case}/windows", data, page=f"{case}/preferences")
        assert refused.status_code == 400, data
        assert 'id="window-new-error"' in refused.data.decode()
    assert len(windows_of(dbs, world.partner)) == 3


def test_the_preferences_page_shows_her_time_and_the_workers(client, world, dbs):
    worker = signed_in_worker(client, world)
    staff = dbs.get(StaffUser, world.worker.id)
    staff.timezone = "Europe/Berlin"
    dbs.commit()
    page = f"/staff/cases/{world.partner.id}/preferences"
    post(worker, page, {"timezone": "Asia/Amman", "tell_dropout": "call", "tell_suspended": "call",
                        "tell_completed": "call", "tell_risk": "call", "channel_call": "yes"})
    html = worker.get(page).data.decode()
    # The clock (tests/conftest) is 2026-03-02 10:00 UTC: 11:00 in Berlin, 13:00 in Amman.
    assert "11:00 CET" in html and "13:00 +03 her time, Asia/Amman" in html
    assert " UTC" not in html


def test_a_staff_member_sets_their_own_time_zone(client, world, dbs):
    worker = signed_in_worker(client, world)
    assert "Your time zone: Europe/London" in worker.get("/staff/").data.decode()
    assert post(worker, "/staff/account/time-zone", {"timezone": "Europe/Berlin"}).status_code == 303
    dbs.expire_all()
    assert dbs.get(StaffUser, world.worker.id).timezone == "Europe/Berlin"
    assert "Your time zone: Europe/Berlin" in worker.get("/staff/").data.decode()
    contact = worker.get(f"/staff/cases/{world.partner.id}/contacts/new").data.decode()
    # The clock is 2026-03-02 10:00 UTC: the datetime-local control starts at 11:00 on a Berlin clock.
    assert 'type="datetime-local" id="occurred_at" name="occurred_at" value="2026-03-02T11:00"' in contact
    for bad in ("Mars/Olympus", "../etc/passwd", "x" * 500):
        refused = post(worker, "/staff/account/time-zone", {"timezone": bad})
        assert refused.status_code == 400 and "Choose a time zone from the list." in refused.data.decode()
    assert post(worker, "/staff/account/time-zone", {"timezone": ""}).status_code == 303
    dbs.expire_all()
    assert dbs.get(StaffUser, world.worker.id).timezone is None


def test_a_contact_time_is_read_on_the_workers_clock_and_garbage_is_a_400(client, world, dbs):
    from portal.models import ContactLogEntry

    worker = signed_in_worker(client, world)
    staff = dbs.get(StaffUser, world.worker.id)
    staff.timezone = "Europe/Berlin"
    dbs.commit()
    path = f"/staff/cases/{world.partner.id}/contacts/new"
    for bad in ("soon", "2026-02-30T10:00", "2026-03-01T1²:00", "2026-03-29T02:30"):
        response = post(worker, path, {"occurred_at": bad, "method": "call", "safe_to_talk": "unknown",
                                       "outcome": "no_answer"})
        assert response.status_code == 400, bad
        assert 'id="occurred_at-error"' in response.data.decode()
    ok = post(worker, path, {"occurred_at": "٢٠٢٦-٠٣-٠٢T٠٩:٣٠", "method": "call", "safe_to_talk": "unknown",
                             "outcome": "no_answer"})
    assert ok.status_code == 303
    dbs.expire_all()
    entry = dbs.scalar(select(ContactLogEntry))
    assert entry.occurred_at.isoformat().startswith("2026-03-02T08:30")  # 09:30 in Berlin is 08:30 UTC


def test_a_facilitators_report_date_is_a_date_control_read_with_any_digits(client, world, dbs):
    import re as regex

    from portal.models import ProgrammeEvent

    login_as(client, world.facilitator)
    url = f"/staff/my-programmes/{world.programme.id}/participants/{world.participant.id}"
    page = client.get(url).data.decode()
    assert 'type="date" id="occurred_on"' in page

    def send(day):
        html = client.get(url).data.decode()
        key = regex.search(r'name="report_key" value="([0-9a-f]+)"', html).group(1)
        return client.post(url + "/events", data={"csrf_token": csrf_from(html), "report_key": key,
                                                  "kind": "dropout", "occurred_on": day})

    for bad in ("2026-0²-01", "01/03/2026", "2026-02-30"):
        refused = send(bad)
        assert refused.status_code == 400 and 'id="occurred_on-error"' in refused.data.decode()
    assert send("٢٠٢٦-٠٣-٠١").status_code == 303
    dbs.expire_all()
    [event] = dbs.scalars(select(ProgrammeEvent))
    assert event.occurred_at.date().isoformat() == "2026-03-01"
