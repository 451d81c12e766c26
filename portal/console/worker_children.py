"""Support workers' pages under her case: her children, and the child-protection referrals made about them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from portal.console import bp, labels
from portal.console.access import not_found, require_role, staff_context, uuid_or_404
from portal.console.refusals import child_problem
from portal.console.worker import WORKER, case_or_404, parse_day
from portal.domain_error import DomainError
from portal.models import ChildRecord, PartnerContact, Task
from portal.runtime import db_session, now, vault
from portal.services.casework import casework, children, inbox, never_disclose, sharing_consent
from portal.unit_of_work import refuse

CHILD_FIELDS = ("first_name", "age", "birth_year", "school", "details")
DEFAULT_SHARED = ("risk", "children")  # what a child-protection referral usually shares


def child_or_404(partner: PartnerContact, child_id: str) -> ChildRecord:
    child = children.find_child(db_session(), partner, uuid_or_404(child_id))
    if child is None:
        not_found()
    return child


def _child_values(form: Mapping[str, str]) -> dict[str, Any]:
    values: dict[str, Any] = {name: form.get(name, "")[:2200] for name in CHILD_FIELDS}
    values["clear_school"] = form.get("clear_school") == "yes"
    values["clear_details"] = form.get("clear_details") == "yes"
    return values


def _child_input(values: Mapping[str, Any]) -> children.ChildInput:
    return children.ChildInput(values["first_name"], values["age"], values["birth_year"], values["school"],
                               values["details"], values["clear_school"], values["clear_details"])


def _child_form(partner: PartnerContact, values: Mapping[str, Any], errors: Mapping[str, object],
                child: ChildRecord | None = None, status: int = 200) -> ResponseReturnValue:
    guarded = never_disclose.child_fields(child) if child is not None else {}
    return render_template("console/worker/child.html", partner=partner, child=child, values=values,
                           errors=errors, guarded=guarded, label=casework.case_label(partner.id), L=labels), status


REFERRAL_FIELDS = ("referred_on", "agency", "agency_name", "children", "information", "basis", "reason", "outcome",
                   "outcome_notes")


def _errors(exc: DomainError, fields: tuple[str, ...]) -> dict[str, object]:
    """The refusal under the field at fault, or at the top of the form when the form has no such field."""
    return {exc.field if exc.field in fields else "form": child_problem(exc.code)}


@bp.route("/cases/<partner_id>/children/new", methods=["GET", "POST"])
@require_role(WORKER)
def worker_child_new(partner_id: str) -> ResponseReturnValue:
    partner = case_or_404(partner_id)
    if request.method != "POST":
        return _child_form(partner, _child_values({}), {})
    values = _child_values(request.form)
    try:
        children.add_child(staff_context(), partner, _child_input(values))
    except children.ChildError as exc:
        return _child_form(partner, values, _errors(exc, CHILD_FIELDS), status=400)
    flash(_("Child recorded."))
    return redirect(url_for("console.worker_case", partner_id=partner.id) + "#children", code=303)


@bp.route("/cases/<partner_id>/children/<child_id>", methods=["GET", "POST"])
@require_role(WORKER)
def worker_child_edit(partner_id: str, child_id: str) -> ResponseReturnValue:
    partner = case_or_404(partner_id)
    child = child_or_404(partner, child_id)
    if request.method != "POST":
        view = children.child_view(vault(), child, now())
        values = _child_values({"first_name": view.first_name,
                                "birth_year": str(child.birth_year) if child.birth_year else ""})
        return _child_form(partner, values, {}, child)
    values = _child_values(request.form)
    try:
        changed = children.update_child(staff_context(), partner, child, _child_input(values))
    except children.ChildError as exc:
        return _child_form(partner, values, _errors(exc, CHILD_FIELDS), child, 400)
    flash(_("Child's record saved.") if changed else _("No change to save."))
    return redirect(url_for("console.worker_case", partner_id=partner.id) + "#children", code=303)


@bp.post("/cases/<partner_id>/children/<child_id>/remove")
@require_role(WORKER)
def worker_child_remove(partner_id: str, child_id: str) -> ResponseReturnValue:
    partner = case_or_404(partner_id)
    child = child_or_404(partner, child_id)
    back = url_for("console.worker_case", partner_id=partner.id) + "#children"
    try:
        children.remove_child(staff_context(), partner, child)
    except children.ChildError as exc:
        refuse()
        flash(str(child_problem(exc.code)), "error")
        return redirect(back, code=303)
    flash(_("The child's record is removed."))
    return redirect(back, code=303)


# -- child-protection referrals --------------------------------------------------------------------------------


def _source_task(partner: PartnerContact, task_ref: str | None) -> Task | None:
    if not task_ref:
        return None
    task = inbox.find_task(db_session(), g.staff, uuid_or_404(task_ref))
    if task is None or task.partner_id != partner.id:
        not_found()
    return task


def _referral_form(partner: PartnerContact, values: Mapping[str, Any], errors: Mapping[str, object],
                   task: Task | None, status: int = 200) -> ResponseReturnValue:
    db, keys = db_session(), vault()
    return render_template("console/worker/referral.html", partner=partner, values=values, errors=errors, task=task,
                           children=children.children_of(db, keys, partner.id, now()),
                           sharing=sharing_consent.current(db, keys, partner.id),
                           information_codes=sharing_consent.INFORMATION, legal_bases=sharing_consent.LEGAL_BASES,
                           outcomes=children.OUTCOMES, label=casework.case_label(partner.id), L=labels), status


@bp.route("/cases/<partner_id>/referrals/new", methods=["GET", "POST"])
@require_role(WORKER)
def worker_referral_new(partner_id: str) -> ResponseReturnValue:
    partner = case_or_404(partner_id)
    task = _source_task(partner, request.values.get("task"))
    if request.method != "POST":
        kids = children.children_of(db_session(), vault(), partner.id, now())
        values: dict[str, Any] = {
            "referred_on": now().date().isoformat(), "agency": "childrens_services", "agency_name": "",
            "children": [str(kid.id) for kid in kids] if task is not None or len(kids) == 1 else [],
            "information": list(DEFAULT_SHARED), "basis": "", "reason": "", "outcome": "awaiting",
            "outcome_notes": "", "required_by_law": False}
        return _referral_form(partner, values, {}, task)
    form = request.form
    values = {"referred_on": form.get("referred_on", "")[:40], "agency": form.get("agency", "")[:80],
              "agency_name": form.get("agency_name", "")[:300], "children": form.getlist("children")[:50],
              "information": form.getlist("information")[:10], "basis": form.get("basis", "")[:40],
              "reason": form.get("reason", "")[:4500], "outcome": form.get("outcome", "")[:40],
              "outcome_notes": form.get("outcome_notes", "")[:4500],
              "required_by_law": form.get("required_by_law") == "yes"}
    referred_at = parse_day(values["referred_on"], today=now())
    if referred_at is None:
        return _referral_form(partner, values, {"referred_on": labels.ERRORS["date_invalid"]}, task, 400)
    data = children.ReferralInput(referred_at, values["agency"], values["agency_name"], tuple(values["children"]),
                                  tuple(values["information"]), values["basis"], values["reason"],
                                  values["outcome"], values["outcome_notes"], values["required_by_law"],
                                  task.id if task is not None else None)
    try:
        children.record_referral(staff_context(), partner, data)
    except (children.ChildError, sharing_consent.SharingError) as exc:
        return _referral_form(partner, values, _errors(exc, REFERRAL_FIELDS), task, 400)
    flash(_("Child-protection referral recorded."))
    return redirect(url_for("console.worker_case", partner_id=partner.id) + "#referrals", code=303)


@bp.route("/cases/<partner_id>/referrals/<referral_id>", methods=["GET", "POST"])
@require_role(WORKER)
def worker_referral_edit(partner_id: str, referral_id: str) -> ResponseReturnValue:
    partner = case_or_404(partner_id)
    referral = children.find_referral(db_session(), partner, uuid_or_404(referral_id))
    if referral is None:
        not_found()
    view = next(item for item in children.referrals_of(db_session(), vault(), partner.id, now())
                if item.id == referral.id)
    errors: dict[str, object] = {}
    values: dict[str, Any]
    if request.method != "POST":
        values = {"outcome": view.outcome, "outcome_notes": view.outcome_notes or "",
                  "required_by_law": view.required_by_law}
    else:
        values = {"outcome": request.form.get("outcome", "")[:40],
                  "outcome_notes": request.form.get("outcome_notes", "")[:4500],
                  "required_by_law": request.form.get("required_by_law") == "yes"}
        try:
            changed = children.update_referral(staff_context(), partner, referral, outcome=values["outcome"],
                                               outcome_notes=values["outcome_notes"],
                                               required_by_law=values["required_by_law"])
        except children.ChildError as exc:
            errors = _errors(exc, ("outcome", "outcome_notes"))
        else:
            flash(_("Referral saved.") if changed else _("No change to save."))
            return redirect(url_for("console.worker_case", partner_id=partner.id) + "#referrals", code=303)
    return render_template("console/worker/referral_edit.html", partner=partner, referral=view, values=values,
                           errors=errors, outcomes=children.OUTCOMES, label=casework.case_label(partner.id),
                           L=labels), 400 if errors else 200

