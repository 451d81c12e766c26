"""Her safety plan on her worker's side: the copy she chose to share (an audited read), and releasing texts to
her after her plan was opened with her second passphrase. Nothing else of her plan is ever shown here: it is
sealed with her passphrase."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from portal.console import bp, labels
from portal.console.access import not_found, require_role, staff_context
from portal.console.worker import WORKER, case_or_404
from portal.console.worker_tasks import task_or_404
from portal.models import TaskKind
from portal.services.casework import casework
from portal.services.her import safety_plan
from portal.services.messaging.texts_hold import HoldError
from portal.unit_of_work import refuse


@bp.get("/cases/<partner_id>/plan")
@require_role(WORKER)
def worker_shared_plan(partner_id: str) -> ResponseReturnValue:
    """The copy she shared, sections in her order (what matters most to her first); reading it is audited."""
    partner = case_or_404(partner_id)
    copies = safety_plan.shared_copies(staff_context(), partner)
    shown = [(copy, sections_of(copy.content)) for copy in copies]
    return render_template("console/worker/plan.html", partner=partner, copies=shown, L=labels,
                           label=casework.case_label(partner.id))


def sections_of(content: safety_plan.PlanContent) -> list[tuple[str, list[tuple[str, str]]]]:
    """Her sections in her order, each with the fields she wrote in (code, text)."""
    return [(section, [(f"{section}.{name}", content.fields[f"{section}.{name}"])
                       for name in safety_plan.FIELDS[section] if content.fields.get(f"{section}.{name}")])
            for section in safety_plan.section_order(content.priorities)]


@bp.post("/tasks/<task_id>/release-texts")
@require_role(WORKER)
def worker_release_texts(task_id: str) -> ResponseReturnValue:
    """Her worker releases texts to her (ticked and pressed: one step); audited by the service."""
    task = task_or_404(task_id)
    if task.kind != TaskKind.PLAN_DURESS:
        not_found()
    back = redirect(url_for("console.worker_task", task_id=task.id) + "#held-texts", code=303)
    if request.form.get("confirm") != "yes":
        refuse()
        flash(_("Nothing was released: tick the box to confirm that texts are safe for her again."), "error")
        return back
    try:
        safety_plan.release_texts(staff_context(), task.id)
    except HoldError:
        not_found()
    flash(_("Texts to her are released. Messages that were waiting go in her next safe time; one that is too "
            "old by then becomes a task for you instead."))
    return back
