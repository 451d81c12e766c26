"""Never-disclose details on her case page: "Show" one value (a POST, audited), and her safe address and new number."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from portal.console import bp, labels
from portal.console.access import require_role, staff_context
from portal.console.refusals import child_problem
from portal.console.worker import WORKER, case_or_404, case_page
from portal.console.worker_children import child_or_404
from portal.models import PartnerContact
from portal.runtime import settings
from portal.services.casework import casework, never_disclose

CASE_FIELDS = ",".join(never_disclose.CASE_FIELDS)
CHILD_FIELDS = ",".join(never_disclose.CHILD_FIELDS)


@bp.post(f"/cases/<partner_id>/show/<any({CASE_FIELDS}):field>")
@require_role(WORKER)
def worker_show(partner_id: str, field: str) -> ResponseReturnValue:
    """Her case page with this one value shown, on this one response (a reload shows it hidden again)."""
    partner = case_or_404(partner_id)
    return case_page(partner, never_disclose.reveal(staff_context(), partner, field))


@bp.post(f"/cases/<partner_id>/children/<child_id>/show/<any({CHILD_FIELDS}):field>")
@require_role(WORKER)
def worker_show_child(partner_id: str, child_id: str, field: str) -> ResponseReturnValue:
    partner = case_or_404(partner_id)
    child = child_or_404(partner, child_id)
    return case_page(partner, never_disclose.reveal_child(staff_context(), partner, child, field))


def _private_form(partner: PartnerContact, values: dict[str, object], errors: dict[str, object],
                  status: int = 200) -> ResponseReturnValue:
    return render_template("console/worker/private.html", partner=partner, values=values, errors=errors,
                           recorded=never_disclose.recorded(partner), label=casework.case_label(partner.id),
                           L=labels), status


@bp.route("/cases/<partner_id>/private", methods=["GET", "POST"])
@require_role(WORKER)
def worker_private(partner_id: str) -> ResponseReturnValue:
    """Record, replace or remove her safe address and new number (the form never shows what is recorded)."""
    partner = case_or_404(partner_id)
    if request.method != "POST":
        return _private_form(partner, {"safe_address": "", "new_number": ""}, {})
    form = request.form
    values: dict[str, object] = {"safe_address": form.get("safe_address", "")[:600],
                                 "new_number": form.get("new_number", "")[:60],
                                 "clear_safe_address": form.get("clear_safe_address") == "yes",
                                 "clear_new_number": form.get("clear_new_number") == "yes"}
    change = never_disclose.PrivateChange(str(values["safe_address"]), str(values["new_number"]),
                                          bool(values["clear_safe_address"]), bool(values["clear_new_number"]))
    try:
        changed = never_disclose.update_private(staff_context(), partner, change, region=settings().default_region)
    except never_disclose.NeverDiscloseError as exc:
        return _private_form(partner, values, {exc.field or "form": child_problem(exc.code)}, 400)
    flash(_("Saved. It is shown only on her case page, when you press Show.") if changed else _("No change to save."))
    return redirect(url_for("console.worker_case", partner_id=partner.id) + "#details", code=303)
