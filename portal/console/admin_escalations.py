"""Admin page: tasks that nobody acknowledged in time, to hand to another worker or mark handled."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from portal.console import bp, labels
from portal.console.access import not_found, require_role, staff_context, uuid_or_404
from portal.console.admin import ADMIN, uuid_or_none
from portal.extensions import db
from portal.models import StaffUser, Task
from portal.runtime import db_session, now
from portal.services.casework import escalation
from portal.unit_of_work import refuse


def escalation_or_404(task_id: str) -> Task:
    task = db.session.get(Task, uuid_or_404(task_id))
    if task is None or task.kind != escalation.ESCALATION_KIND or (
            g.staff.service_id is not None and task.service_id != g.staff.service_id):
        not_found()
    return task


@bp.get("/admin/escalations", endpoint="admin_escalations")
@require_role(ADMIN)
def admin_escalations_list() -> ResponseReturnValue:
    items = escalation.open_escalations(db_session(), g.staff.service_id)
    workers = {item.escalation.service_id: escalation.service_workers(db_session(), item.escalation.service_id)
               for item in items}
    return render_template("console/admin/escalations.html", items=items, workers=workers, now=now(), L=labels)


@bp.post("/admin/escalations/<task_id>/resolve")
@require_role(ADMIN)
def admin_escalations_resolve(task_id: str) -> ResponseReturnValue:
    task = escalation_or_404(task_id)
    if task.done_at is None:
        target_id = uuid_or_none(request.form.get("reassign_to", ""))
        target = db.session.get(StaffUser, target_id) if target_id else None
        try:
            escalation.resolve(staff_context(), task, admin=g.staff, reassign_to=target)
        except ValueError:
            refuse()
            flash(_("That person cannot take this task. Choose a support worker of the same service."), "error")
            return redirect(url_for("console.admin_escalations"), code=303)
        flash(_("Task handed over.") if target else _("Escalation marked as handled."), "info")
    return redirect(url_for("console.admin_escalations"), code=303)
