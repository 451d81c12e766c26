"""Her plan on her worker's side: sealed (nothing of it shown), the copy she shared (her order, audited, marked
when it came from her second passphrase), the duress task's held texts and their release, closing the task."""

from __future__ import annotations

from sqlalchemy import func, select

from portal.models import AuditEvent, Notification, NotificationKind, NotificationState, PartnerContact, Task
from portal.services.casework.tasks import create_task
from portal.services.her import duress_requests, safety_plan
from portal.services.her.her_access import partner_actor
from portal.services.messaging.outbox import enqueue
from tests.factories import login_as, make_world, reloaded
from tests.plan_console_support import (
    CANARIES,
    CANARY_CODE,
    CANARY_DECOY,
    CANARY_PLAN,
    REAL,
    SECOND,
    make_plan,
    open_with,
    share,
)
from tests.staff_console import csrf_from

SEALED = "She has a safety plan. It is sealed with her passphrase: nobody here can open it."


def page(client, path: str) -> str:  # type: ignore[no-untyped-def]
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return response.get_data(as_text=True)


def named(dbs, world):  # type: ignore[no-untyped-def]
    """Her worker with a name (the factories name staff by their role code)."""
    world.worker.display_name = "Wren Worker"
    dbs.commit()


def duress_task(dbs, partner) -> Task:  # type: ignore[no-untyped-def]
    dbs.expire_all()
    task = dbs.scalar(select(Task).where(Task.partner_id == partner.id, Task.kind == "plan_duress"))
    assert task is not None
    return task


def test_her_case_page_says_her_plan_is_sealed_and_shows_none_of_it(client, dbs, world, ctx_for):
    login_as(client, world.worker)
    case = f"/staff/cases/{world.partner.id}"
    assert "She has not made a safety plan on her pages." in page(client, case)
    make_plan(ctx_for, dbs, world.partner)
    html = page(client, case)
    assert SEALED in html
    assert "Read the copy she shared" not in html
    assert [canary for canary in CANARIES if canary in html] == []
    assert client.get(f"{case}/plan").get_data(as_text=True).count(CANARY_PLAN) == 0  # nothing shared


def test_the_shared_copy_shows_her_sections_in_her_order_and_the_read_is_audited(client, dbs, world, ctx_for, clock):
    unlocked = make_plan(ctx_for, dbs, world.partner)
    share(ctx_for, dbs, world.partner, unlocked)
    login_as(client, world.worker)
    case = f"/staff/cases/{world.partner.id}"
    assert f'href="/staff/cases/{world.partner.id}/plan"' in page(client, case)
    reads_before = dbs.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "plan.share_read"))
    html = page(client, f"{case}/plan")
    assert CANARY_PLAN in html and CANARY_CODE in html and CANARY_DECOY not in html
    assert "Shared by her on " in html and "She can withdraw it at any time." in html
    # Her priorities (children, then safety) bring their sections forward: Children before Getting out ...
    order = [html.index(heading) for heading in ("<h3>Children</h3>", "<h3>Getting out in an emergency</h3>",
                                                 "<h3>People she can contact</h3>", "<h3>Safe places</h3>",
                                                 "<h3>Support services</h3>")]
    assert order == sorted(order)
    assert html.index("The children") < html.index("Her safety")  # her priorities, in her order
    dbs.expire_all()
    read = dbs.scalars(select(AuditEvent).where(AuditEvent.action == "plan.share_read")
                       .order_by(AuditEvent.seq.desc())).first()
    assert read is not None and read.actor_id == str(world.worker.id) and read.object_id == str(world.partner.id)
    assert dbs.scalar(select(func.count()).select_from(AuditEvent)
                      .where(AuditEvent.action == "plan.share_read")) == reads_before + 1
    assert CANARY_PLAN not in read.details


def test_a_withdrawn_copy_is_gone_from_her_workers_pages(client, dbs, world, ctx_for):
    unlocked = make_plan(ctx_for, dbs, world.partner)
    share(ctx_for, dbs, world.partner, unlocked)
    safety_plan.withdraw_share(ctx_for(partner_actor(world.partner.id)), world.partner)
    dbs.commit()
    login_as(client, world.worker)
    case = f"/staff/cases/{world.partner.id}"
    assert "Read the copy she shared" not in page(client, case)
    html = page(client, f"{case}/plan")
    assert "There is no shared copy" in html and CANARY_PLAN not in html


def test_a_copy_shared_from_the_second_passphrase_is_marked_as_the_harmless_plan(client, dbs, world, ctx_for):
    make_plan(ctx_for, dbs, world.partner)
    decoy = open_with(ctx_for, dbs, world.partner, SECOND)
    share(ctx_for, dbs, world.partner, decoy)
    login_as(client, world.worker)
    html = page(client, f"/staff/cases/{world.partner.id}/plan")
    assert CANARY_DECOY in html and CANARY_PLAN not in html
    assert "This is the harmless plan she prepared" in html


def test_nobody_else_reads_the_shared_copy(app, dbs, vault, audit_key, world, ctx_for):
    unlocked = make_plan(ctx_for, dbs, world.partner)
    share(ctx_for, dbs, world.partner, unlocked)
    other = make_world(dbs, vault, audit_key, partner_phone="+447400555777")
    dbs.commit()
    path = f"/staff/cases/{world.partner.id}/plan"
    for user in (world.admin, world.facilitator, other.worker, other.admin):
        client = app.test_client()
        login_as(client, user)
        response = client.get(path)
        assert response.status_code == 404, user.role
        assert CANARY_PLAN not in response.get_data(as_text=True)
    reads = dbs.scalars(select(AuditEvent).where(AuditEvent.action == "plan.share_read"))
    assert list(reads) == []


def _waiting_warning(dbs, vault, partner, clock):  # type: ignore[no-untyped-def]
    return enqueue(dbs, vault, partner, kind=NotificationKind.WARNING, template="warning", now=clock.now())


def test_the_duress_task_shows_texts_held_and_her_worker_releases_them(client, dbs, vault, world, ctx_for, clock):
    named(dbs, world)
    make_plan(ctx_for, dbs, world.partner)
    for _ in range(2):
        _waiting_warning(dbs, vault, world.partner, clock)
    dbs.commit()
    open_with(ctx_for, dbs, world.partner, SECOND)
    task = duress_task(dbs, world.partner)
    login_as(client, world.worker)
    path = f"/staff/tasks/{task.id}"
    html = page(client, path)
    assert "Texts to her are held since" in html and "Messages to her waiting: 2." in html
    assert "Release texts to her" in html
    assert "Do not call or text her unless she contacts you" in html
    assert "She has stopped contact, declined it" not in html  # the banner speaks of pressure, not a stop
    case = page(client, f"/staff/cases/{world.partner.id}")
    assert "Texts to her are held since" in case

    token = csrf_from(html)
    unticked = client.post(f"{path}/release-texts", data={"csrf_token": token})
    assert unticked.status_code == 303
    assert "tick the box" in page(client, path)
    assert reloaded(dbs, world.partner).texts_held_since is not None

    released = client.post(f"{path}/release-texts", data={"csrf_token": token, "confirm": "yes"})
    assert released.status_code == 303 and released.headers["Location"].endswith(f"{path}#held-texts")
    her = reloaded(dbs, world.partner)
    assert her.texts_held_since is None
    assert reloaded(dbs, task).released_at is not None and reloaded(dbs, task).done_at is None
    html = page(client, path)
    assert "Texts to her are released." in html  # the flash
    assert "Texts to her were released on " in html and " by Wren Worker." in html
    assert "Release texts to her" not in html
    states = dbs.scalars(select(Notification.state).where(Notification.partner_id == her.id))
    assert sorted(states) == [NotificationState.PENDING] * 2  # nothing she asked for was lost
    release = dbs.scalar(select(AuditEvent).where(AuditEvent.action == "texts.released"))
    assert release is not None and release.actor_id == str(world.worker.id)


def test_closing_the_duress_task_lifts_the_hold(client, dbs, world, ctx_for):
    named(dbs, world)
    make_plan(ctx_for, dbs, world.partner)
    open_with(ctx_for, dbs, world.partner, SECOND)
    task = duress_task(dbs, world.partner)
    login_as(client, world.worker)
    path = f"/staff/tasks/{task.id}"
    response = client.post(f"{path}/done", data={"csrf_token": csrf_from(page(client, path))})
    assert response.status_code == 303
    assert reloaded(dbs, world.partner).texts_held_since is None
    html = page(client, path)
    assert "Texts to her were released when this task was closed, on " in html and " by Wren Worker." in html


def test_release_is_only_for_a_duress_task_of_her_service(app, client, dbs, vault, audit_key, world, ctx_for, clock):
    make_plan(ctx_for, dbs, world.partner)
    open_with(ctx_for, dbs, world.partner, SECOND)
    task = duress_task(dbs, world.partner)
    other_task = create_task(dbs, world.partner, kind="event_dropout", severity="urgent", now=clock.now())
    other = make_world(dbs, vault, audit_key, partner_phone="+447400555888")
    dbs.commit()
    login_as(client, world.worker)
    token = csrf_from(page(client, "/staff/tasks"))
    assert client.post(f"/staff/tasks/{other_task.id}/release-texts",
                       data={"csrf_token": token, "confirm": "yes"}).status_code == 404
    stranger = app.test_client()
    login_as(stranger, other.worker)
    token = csrf_from(page(stranger, "/staff/tasks"))
    assert stranger.post(f"/staff/tasks/{task.id}/release-texts",
                         data={"csrf_token": token, "confirm": "yes"}).status_code == 404
    assert reloaded(dbs, world.partner).texts_held_since is not None


def test_what_was_asked_in_the_duress_session_is_on_the_task_in_words(client, dbs, world, ctx_for):
    make_plan(ctx_for, dbs, world.partner)
    open_with(ctx_for, dbs, world.partner, SECOND)
    her = dbs.get(PartnerContact, world.partner.id)
    ctx = ctx_for(partner_actor(her.id))
    duress_requests.record(ctx, her, duress_requests.STOP_CONTACT)
    duress_requests.record(ctx, her, duress_requests.CHANGE_CHOICES, parts=("safe_times", "channels"))
    dbs.commit()
    task = duress_task(dbs, world.partner)
    login_as(client, world.worker)
    html = page(client, f"/staff/tasks/{task.id}")
    assert "she (or someone with her) asked to:" in html
    assert "stop all contact" in html
    assert "change her choices (how she may be contacted, her safe times)" in html  # in the codes' own order
    assert html.index("stop all contact") < html.index("change her choices")
    assert "none of this was done to her record" in html
    assert "stop_contact" not in html and "change_choices" not in html and "format" not in html
    assert dbs.scalar(select(func.count()).select_from(Task).where(Task.kind == "plan_duress")) == 1
    assert REAL not in html and SECOND not in html


def test_every_code_of_her_plan_and_of_a_duress_session_has_words_for_her_worker():
    from portal.console import labels

    assert set(labels.PLAN_PRIORITY) == set(safety_plan.PRIORITIES)
    assert set(labels.PLAN_SECTION) == set(safety_plan.SECTIONS)
    assert set(labels.PLAN_FIELD) == set(safety_plan.field_codes())
    assert set(labels.DURESS_ASKED) == set(duress_requests.ASKED)
    assert set(labels.DURESS_PARTS) == set(duress_requests.PARTS)
