"""Support workers' inbox (overdue first), a task with child-protection steps, and logging a contact."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from flask import flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from portal.console import bp, labels, task_guidance
from portal.console.access import not_found, require_role, staff_context, uuid_or_404
from portal.console.times import local_input, parse_local
from portal.console.worker import WORKER, case_or_404, deployment_view, urgency_now
from portal.models import PartnerContact, Task, TaskKind
from portal.runtime import db_session, now, vault
from portal.services.casework import case_record, casework, contact_log, held_texts, inbox, risk_assessment
from portal.services.evaluation import by_phone
from portal.services.her import consent

# Tasks whose detail is the code of why a message did not go (shown in words, never as the code).
MESSAGE_TASKS = (TaskKind.MESSAGE_NOT_DELIVERED, TaskKind.MESSAGE_NOT_SENT)


def task_or_404(task_id: object) -> Task:
    task = inbox.find_task(db_session(), g.staff, uuid_or_404(task_id))
    if task is None:
        not_found()
    return task


@bp.get("/tasks")
@require_role(WORKER)
def worker_inbox() -> ResponseReturnValue:
    mine_only = request.args.get("scope") != "service"
    tasks = inbox.open_tasks(db_session(), g.staff, now(), mine_only=mine_only)
    return render_template("console/worker/inbox.html", tasks=tasks, mine_only=mine_only, now=now(),
                           label=casework.case_label, L=labels, urgency=urgency_now())


@bp.get("/tasks/<task_id>")
@require_role(WORKER)
def worker_task(task_id: str) -> ResponseReturnValue:
    task = task_or_404(task_id)
    info = inbox.read_detail(staff_context(), task)  # decrypted text: an audited read
    steps = deployment_view().child_protection_steps if task.child_risk else ""
    partner = db_session().get(PartnerContact, task.partner_id) if task.partner_id else None
    prefs = case_record.preferences_view(db_session(), vault(), partner.id) if partner else None
    guidance = task_guidance.guidance_for(task, any_time=bool(prefs and prefs.flags["serious_risk_any_time"]))
    reason = labels.message_reason(info.detail) if task.kind in MESSAGE_TASKS else ""
    # A report of a risk to children links to her children's records and to recording a referral (her case is
    # reachable: it is in this worker's service and not erased).
    child_links = task.child_risk and partner is not None and \
        casework.find_case(db_session(), g.staff, partner.id) is not None
    held = held_texts.view(db_session(), vault(), task) if task.kind == TaskKind.PLAN_DURESS else None
    offer = by_phone.offer_for_task(db_session(), task) if task.kind == TaskKind.EVALUATION_BY_PHONE else None
    return render_template("console/worker/task.html", task=task, info=info, now=now(), steps=steps,
                           child_links=child_links,
                           label=casework.case_label, L=labels, partner=partner, prefs=prefs, guidance=guidance,
                           reason=reason, urgency=urgency_now(), held=held, evaluation_offer=offer,
                           reassess=risk_assessment.task_asks_for_reassessment(db_session(), task),
                           closed_itself=task.kind in consent.STOPPED_TASKS and task.done_at is not None
                           and task.acknowledged_by_id is None)


@bp.post("/tasks/<task_id>/acknowledge")
@require_role(WORKER)
def worker_task_acknowledge(task_id: str) -> ResponseReturnValue:
    task = task_or_404(task_id)
    if inbox.acknowledge(staff_context(), task, g.staff):
        flash(_("Acknowledged: the task is yours and will not be escalated."))
    return redirect(url_for("console.worker_task", task_id=task.id), code=303)


@bp.post("/tasks/<task_id>/done")
@require_role(WORKER)
def worker_task_done(task_id: str) -> ResponseReturnValue:
    task = task_or_404(task_id)
    if inbox.complete(staff_context(), task, g.staff):
        flash(_("Task done."))
    return redirect(url_for("console.worker_inbox"), code=303)


def _local_input(moment: datetime) -> str:
    return local_input(moment)  # a datetime-local control on the staff member's clock


def _parse_local(text: str) -> datetime | None:
    return parse_local(text)  # any script's digits; garbage or a time a clock change skipped: None (a 400)


def _contact_form(partner: PartnerContact, task: Task | None, values: Mapping[str, object],
                  errors: Mapping[str, object], status: int = 200) -> ResponseReturnValue:
    return render_template("console/worker/contact.html", partner=partner, task=task, values=values, errors=errors,
                           label=casework.case_label(partner.id), L=labels), status


@bp.route("/cases/<partner_id>/contacts/new", methods=["GET", "POST"])
@require_role(WORKER)
def worker_log_contact(partner_id: str) -> ResponseReturnValue:
    partner = case_or_404(partner_id)
    task = None
    task_ref = request.values.get("task")
    if task_ref:
        task = task_or_404(task_ref)
        if task.partner_id != partner.id:
            not_found()
    if request.method != "POST":
        values: dict[str, Any] = {"occurred_at": _local_input(now()), "method": "call", "safe_to_talk": "unknown",
                  "outcome": "", "information": [], "notes": "", "next_step": "", "reached": False}
        return _contact_form(partner, task, values, {})
    form = request.form
    values = {"occurred_at": form.get("occurred_at", ""), "method": form.get("method", ""),
              "safe_to_talk": form.get("safe_to_talk", ""), "outcome": form.get("outcome", ""),
              "information": form.getlist("information"), "notes": form.get("notes", ""),
              "next_step": form.get("next_step", ""), "reached": form.get("reached") == "yes"}
    occurred = _parse_local(values["occurred_at"])
    if occurred is None:
        return _contact_form(partner, task, values, {"occurred_at": labels.ERRORS["date_invalid"]}, 400)
    entry = contact_log.ContactInput(occurred, values["method"], values["reached"], values["safe_to_talk"],
                                     values["outcome"], tuple(values["information"]), values["notes"],
                                     values["next_step"])
    try:
        contact_log.log_contact(staff_context(), partner, g.staff, entry, task=task)
    except contact_log.ContactLogError as exc:
        return _contact_form(partner, task, values, {exc.field or "form": labels.ERRORS[exc.code]}, 400)
    flash(_("Contact logged.") + (" " + _("The task is done.") if task else ""))
    return redirect(url_for("console.worker_case", partner_id=partner.id) + "#contacts", code=303)
