"""Staff pages: support workers, facilitators and admins."""

from flask import Blueprint

bp = Blueprint("console", __name__)

# Route modules register themselves on `bp` when imported; feature modules (worker, facilitator, ...) go here too.
from portal.console import (  # noqa: E402,F401
    account,
    admin,
    admin_deployment,
    admin_escalations,
    admin_evaluation,
    admin_stage_timing,
    auth,
    duress_words,
    facilitator,
    routes,
    worker,
    worker_actions,
    worker_checkins,
    worker_children,
    worker_copy,
    worker_evaluation,
    worker_high_risk,
    worker_never_disclose,
    worker_plan,
    worker_risk,
    worker_risk_conference,
    worker_risk_note,
    worker_sharing,
    worker_tasks,
    worker_wording,
)
from portal.console.navigation import register_nav  # noqa: E402
from portal.console.times import register_time_filters  # noqa: E402

register_nav(bp)
register_time_filters(bp)
