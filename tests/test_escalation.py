"""Unacknowledged tasks escalate to the service's administrator once, after due time plus the delay."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from portal.models import AuditEvent, Role, Severity, Task
from portal.services.admin import deployment
from portal.services.casework.escalation import ESCALATION_KIND, escalate_overdue
from portal.services.casework.tasks import create_task
from tests.factories import context, make_staff, make_world


def test_overdue_unacknowledged_task_goes_to_the_service_admin(dbs, vault, audit_key, clock):
    world = make_world(dbs, vault, audit_key)
    task = create_task(dbs, world.partner, kind="event_dropout", severity=Severity.URGENT, now=clock.now(),
                       child_risk=True)
    dbs.commit()
    due = task.due_at
    assert escalate_overdue(context(dbs, vault, audit_key, due + timedelta(minutes=59)), after=timedelta(hours=1)) == []
    done = escalate_overdue(context(dbs, vault, audit_key, due + timedelta(hours=1)), after=timedelta(hours=1))
    dbs.commit()
    assert [d.task_id for d in done] == [task.id] and done[0].admin_id == world.admin.id
    dbs.expire_all()
    assert dbs.get(Task, task.id).escalated_at == due + timedelta(hours=1)
    follow = dbs.get(Task, done[0].escalation_task_id)
    assert (follow.kind, follow.assignee_id, follow.partner_id, follow.escalated_from_id, follow.child_risk) == (
        ESCALATION_KIND, world.admin.id, world.partner.id, task.id, True)
    entry = dbs.scalar(select(AuditEvent).where(AuditEvent.action == "task.escalate"))
    assert entry.object_id == str(task.id)
    # Only once, and escalation tasks themselves do not escalate again.
    assert escalate_overdue(context(dbs, vault, audit_key, due + timedelta(days=3)), after=timedelta(hours=1)) == []


def test_acknowledged_or_done_tasks_do_not_escalate(dbs, vault, audit_key, clock):
    world = make_world(dbs, vault, audit_key)
    seen = create_task(dbs, world.partner, kind="event_dropout", severity=Severity.SOON, now=clock.now())
    seen.acknowledged_at = clock.now()
    closed = create_task(dbs, world.partner, kind="event_risk", severity=Severity.SOON, now=clock.now())
    closed.done_at = clock.now()
    dbs.commit()
    assert escalate_overdue(context(dbs, vault, audit_key, clock.now() + timedelta(days=10)), after=timedelta(0)) == []


def test_default_delay_comes_from_the_deployment_setting(dbs, vault, audit_key, clock):
    world = make_world(dbs, vault, audit_key)
    task = create_task(dbs, world.partner, kind="event_dropout", severity=Severity.IMMEDIATE, now=clock.now())
    deployment.save(dbs, "escalate_after_minutes", 15)
    dbs.commit()
    assert escalate_overdue(context(dbs, vault, audit_key, task.due_at + timedelta(minutes=14))) == []
    done = escalate_overdue(context(dbs, vault, audit_key, task.due_at + timedelta(minutes=15)))
    assert len(done) == 1
    assert dbs.get(Task, done[0].escalation_task_id).severity == Severity.IMMEDIATE


def test_admin_of_the_task_s_own_service_only(dbs, vault, audit_key, clock):
    north = make_world(dbs, vault, audit_key)
    south = make_world(dbs, vault, audit_key, partner_phone="+447400123999")
    disabled_admin, _ = make_staff(dbs, vault, audit_key, Role.ADMIN, south.service.id)
    disabled_admin.is_active = False
    task = create_task(dbs, south.partner, kind="event_dropout", severity=Severity.URGENT, now=clock.now())
    dbs.commit()
    (done,) = escalate_overdue(context(dbs, vault, audit_key, task.due_at), after=timedelta(0))
    assert done.admin_id == south.admin.id != north.admin.id


def test_a_service_without_an_admin_keeps_the_escalation_in_its_queue(dbs, vault, audit_key, clock):
    world = make_world(dbs, vault, audit_key)
    world.admin.is_active = False
    task = create_task(dbs, world.partner, kind="event_dropout", severity=Severity.URGENT, now=clock.now())
    dbs.commit()
    (done,) = escalate_overdue(context(dbs, vault, audit_key, task.due_at), after=timedelta(0))
    follow = dbs.get(Task, done.escalation_task_id)
    assert follow.assignee_id is None and follow.service_id == world.service.id


def test_admin_hands_an_escalated_task_to_another_worker(app, client, dbs, vault, audit_key, clock):
    from tests.factories import login_as
    from tests.staff_console import post_form

    world = make_world(dbs, vault, audit_key)
    backup, _ = make_staff(dbs, vault, audit_key, Role.SUPPORT_WORKER, world.service.id)
    other = make_world(dbs, vault, audit_key, partner_phone="+447400777888")
    task = create_task(dbs, world.partner, kind="event_dropout", severity=Severity.URGENT, now=clock.now())
    dbs.commit()
    (done,) = escalate_overdue(context(dbs, vault, audit_key, task.due_at), after=timedelta(0))
    dbs.commit()
    login_as(client, world.admin)
    page = client.get("/staff/admin/escalations").data.decode()
    assert "Overdue task: Dropped out" in page and backup.display_name in page
    assert str(world.partner.id) not in page  # no need to see her record to hand the task on
    # Another service's admin does not see it and cannot act on it.
    outsider = app.test_client()
    login_as(outsider, other.admin)
    assert "Overdue task" not in outsider.get("/staff/admin/escalations").data.decode()
    assert post_form(outsider, f"/staff/admin/escalations/{done.escalation_task_id}/resolve", {},
                     page="/staff/admin/escalations").status_code == 404
    # A worker of another service cannot be given the task.
    path = f"/staff/admin/escalations/{done.escalation_task_id}/resolve"
    post_form(client, path, {"reassign_to": str(other.worker.id)}, page="/staff/admin/escalations")
    dbs.expire_all()
    assert dbs.get(Task, task.id).assignee_id == world.worker.id
    post_form(client, path, {"reassign_to": str(backup.id)}, page="/staff/admin/escalations")
    dbs.expire_all()
    assert dbs.get(Task, task.id).assignee_id == backup.id
    assert dbs.get(Task, done.escalation_task_id).done_at == clock.now()
    assert "Nothing is overdue" in client.get("/staff/admin/escalations").data.decode()
