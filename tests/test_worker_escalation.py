"""The worker loop escalates tasks nobody acknowledged, so an alert cannot sit unseen."""

from sqlalchemy import select

from portal.models import Severity, Task
from portal.services.casework.escalation import ESCALATION_KIND
from portal.services.casework.tasks import create_task
from tests.factories import make_world


def test_worker_pass_escalates_an_unacknowledged_task_to_the_admin(app, dbs, vault, audit_key, clock):
    world = make_world(dbs, vault, audit_key)
    task = create_task(dbs, world.partner, kind="event_dropout", severity=Severity.URGENT, now=clock.now())
    acknowledged = create_task(dbs, world.partner, kind="event_dropout", severity=Severity.URGENT,
                               now=clock.now())
    acknowledged.acknowledged_at = clock.now()
    dbs.commit()

    first = app.test_cli_runner().invoke(args=["worker", "--once"])
    assert first.exit_code == 0, first.output
    assert "escalated" not in first.output  # not overdue yet

    clock.advance(hours=6)  # urgent is due in 4 h; the default escalation delay is 60 min
    second = app.test_cli_runner().invoke(args=["worker", "--once"])
    assert second.exit_code == 0, second.output
    assert "escalated 1 overdue task(s)" in second.output
    dbs.expire_all()
    follow_ups = dbs.scalars(select(Task).where(Task.kind == ESCALATION_KIND)).all()
    assert [(f.escalated_from_id, f.assignee_id) for f in follow_ups] == [(task.id, world.admin.id)]
    third = app.test_cli_runner().invoke(args=["worker", "--once"])
    assert "escalated" not in third.output  # once only
