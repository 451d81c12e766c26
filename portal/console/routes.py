"""The console's start page: what this person can do, by role (a support worker's urgent tasks first)."""

from __future__ import annotations

from flask import g, render_template
from flask.typing import ResponseReturnValue

from portal.console import bp, labels
from portal.console.access import require_role
from portal.models import Role
from portal.runtime import db_session, now
from portal.services.casework import casework, inbox


@bp.get("/")
@require_role()
def home() -> ResponseReturnValue:
    urgent = []
    if g.staff.role == Role.SUPPORT_WORKER:
        urgent = inbox.needing_action_now(db_session(), g.staff, now())
    moment = now()
    return render_template("console/home.html", urgent=urgent, L=labels, label=casework.case_label,
                           urgency=lambda task: inbox.urgency(task, moment), now=moment)
