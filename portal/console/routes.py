"""The console's start page: what this person can do, by role (a support worker's urgent tasks first)."""

from __future__ import annotations

from flask import g, render_template
from flask.typing import ResponseReturnValue

from portal.console import bp, labels
from portal.console.access import require_role
from portal.models import Role
from portal.runtime import db_session, now
from portal.services.casework import casework, inbox, risk_conference


@bp.get("/")
@require_role()
def home() -> ResponseReturnValue:
    urgent = []
    if g.staff.role == Role.SUPPORT_WORKER:
        urgent = inbox.needing_action_now(db_session(), g.staff, now())
    moment = now()
    # Risk-conference referrals waiting for this admin's or manager's second approval (none for others).
    approvals = [item for item in risk_conference.awaiting_approval(db_session(), g.staff) if not item.mine]
    return render_template("console/home.html", urgent=urgent, L=labels, label=casework.case_label,
                           approvals=approvals,
                           urgency=lambda task: inbox.urgency(task, moment), now=moment)
