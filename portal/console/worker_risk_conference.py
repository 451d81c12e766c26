"""Her referral to a multi-agency risk conference: the form from an assessment, the referral page (approve,
revoke, kept by law), the printable summary, and the approvers' queue."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from portal.console import bp, labels
from portal.console.access import not_found, require_role, staff_context, uuid_or_404
from portal.console.refusals import conference_problem
from portal.console.worker import WORKER, case_or_404, parse_day
from portal.models import PartnerContact, PartnerStatus, RiskAssessment, RiskConferenceReferral, Role
from portal.runtime import db_session, now
from portal.services.casework import casework, risk_assessment, risk_conference
from portal.services.casework.risk_conference import ConferenceError
from portal.unit_of_work import commit_now

APPROVERS = (WORKER, Role.ADMIN)
FORM_FIELDS = ("conference_name", "referred_on", "knows", "consents", "how_given", "basis", "reason")
REFUSED_STATUS = {"not_an_approver": 403, "own_referral": 403, "not_allowed": 403, "already_decided": 409,
                  "already_revoked": 409}


def _assessment_or_404(partner: PartnerContact, assessment_id: str) -> RiskAssessment:
    assessment = risk_assessment.find(db_session(), partner.id, uuid_or_404(assessment_id))
    if assessment is None:
        not_found()
    return assessment


def _case_for_staff(partner_id: str) -> PartnerContact:
    """Her case for a worker of her service; for an admin, a case of a service they approve for."""
    if g.staff.role == WORKER:
        return case_or_404(partner_id)
    partner = db_session().get(PartnerContact, uuid_or_404(partner_id))
    if partner is None or partner.erased_at is not None or partner.status == PartnerStatus.ERASED \
            or not risk_conference.is_approver(g.staff, partner):
        not_found()
    return partner


def _referral_or_404(partner: PartnerContact, referral_id: str) -> RiskConferenceReferral:
    referral = risk_conference.find(db_session(), partner, uuid_or_404(referral_id))
    if referral is None:
        not_found()
    return referral


def _values(form: Mapping[str, str]) -> dict[str, Any]:
    return {"conference_name": form.get("conference_name", "")[:300], "referred_on": form.get("referred_on", "")[:40],
            "knows": form.get("knows", "")[:10], "consents": form.get("consents", "")[:10],
            "how_given": form.get("how_given", "")[:40], "basis": form.get("basis", "")[:40],
            "reason": form.get("reason", "")[:4500], "required_by_law": form.get("required_by_law") == "yes"}


def _form(partner: PartnerContact, assessment: RiskAssessment, values: Mapping[str, Any],
          errors: Mapping[str, object], status: int = 200) -> ResponseReturnValue:
    return render_template("console/worker/conference_form.html", partner=partner, assessment=assessment,
                           label=casework.case_label(partner.id), values=values, errors=errors,
                           fields=[name for name in FORM_FIELDS if name in errors],
                           legal_bases=risk_conference.LEGAL_BASES, how=risk_conference.HOW, L=labels), status


@bp.route("/cases/<partner_id>/conference/new/<assessment_id>", methods=["GET", "POST"])
@require_role(WORKER)
def worker_conference_new(partner_id: str, assessment_id: str) -> ResponseReturnValue:
    partner = case_or_404(partner_id)
    assessment = _assessment_or_404(partner, assessment_id)
    if request.method != "POST":
        blank = _values({})
        blank["referred_on"] = now().date().isoformat()
        return _form(partner, assessment, blank, {})
    values = _values(request.form)
    referred_at = parse_day(values["referred_on"], today=now())
    if referred_at is None:
        return _form(partner, assessment, values, {"referred_on": labels.ERRORS["date_invalid"]}, 400)
    data = risk_conference.ReferralInput(assessment.id, values["conference_name"], referred_at, values["knows"],
                                         values["consents"], values["how_given"], values["basis"], values["reason"],
                                         values["required_by_law"])
    try:
        referral = risk_conference.make_referral(staff_context(), partner, data)
    except ConferenceError as exc:
        field = exc.field if exc.field in FORM_FIELDS else "form"
        return _form(partner, assessment, values, {field: conference_problem(exc.code)}, 400)
    if referral.status == "referred":
        flash(_("Referral made, with her agreement. Her sharing record shows it."))
    else:
        flash(_("Referral recorded. It waits for a second approver: an admin or a designated manager."))
    return redirect(url_for("console.worker_conference", partner_id=partner.id, referral_id=referral.id), code=303)


def _page(partner: PartnerContact, referral: RiskConferenceReferral, errors: Mapping[str, object] | None = None,
          revoke_reason: str = "", status: int = 200) -> ResponseReturnValue:
    view = risk_conference.read(staff_context(), referral)  # decrypted: an audited read
    staff = g.staff
    return render_template("console/worker/conference.html", partner=partner, referral=view,
                           label=casework.case_label(partner.id), errors=errors or {}, revoke_reason=revoke_reason,
                           may_approve=risk_conference.may_approve(staff, partner, referral),
                           is_approver=risk_conference.is_approver(staff, partner),
                           may_revoke=risk_conference.may_revoke(staff, partner, referral),
                           is_worker=staff.role == WORKER, L=labels), status


@bp.get("/cases/<partner_id>/conference/<referral_id>")
@require_role(*APPROVERS)
def worker_conference(partner_id: str, referral_id: str) -> ResponseReturnValue:
    partner = _case_for_staff(partner_id)
    return _page(partner, _referral_or_404(partner, referral_id))


@bp.post("/cases/<partner_id>/conference/<referral_id>/approve")
@require_role(*APPROVERS)
def worker_conference_approve(partner_id: str, referral_id: str) -> ResponseReturnValue:
    partner = _case_for_staff(partner_id)
    referral = _referral_or_404(partner, referral_id)
    try:
        risk_conference.approve(staff_context(), partner, referral, g.staff)
    except ConferenceError as exc:
        if exc.code == "own_referral":
            commit_now()  # the audit of a refused approval stands (DESIGN 8)
        db_session().refresh(referral)
        return _page(partner, referral, {"approve": conference_problem(exc.code)},
                     status=REFUSED_STATUS.get(exc.code, 400))
    flash(_("Approved. The referral is made and her sharing record shows it."))
    return redirect(url_for("console.worker_conference", partner_id=partner.id, referral_id=referral.id), code=303)


@bp.post("/cases/<partner_id>/conference/<referral_id>/revoke")
@require_role(*APPROVERS)
def worker_conference_revoke(partner_id: str, referral_id: str) -> ResponseReturnValue:
    partner = _case_for_staff(partner_id)
    referral = _referral_or_404(partner, referral_id)
    reason = request.form.get("revoke_reason", "")[:4500]
    try:
        risk_conference.revoke(staff_context(), partner, referral, g.staff, reason)
    except ConferenceError as exc:
        db_session().refresh(referral)
        return _page(partner, referral, {"revoke_reason": conference_problem(exc.code)}, reason,
                     REFUSED_STATUS.get(exc.code, 400))
    flash(_("The referral is revoked. It stays in her history as revoked."))
    return redirect(url_for("console.worker_conference", partner_id=partner.id, referral_id=referral.id), code=303)


@bp.post("/cases/<partner_id>/conference/<referral_id>/kept")
@require_role(WORKER)
def worker_conference_kept(partner_id: str, referral_id: str) -> ResponseReturnValue:
    partner = case_or_404(partner_id)
    referral = _referral_or_404(partner, referral_id)
    changed = risk_conference.set_required_by_law(staff_context(), partner, referral,
                                                  request.form.get("required_by_law") == "yes")
    flash((_("Marked: kept if her data is erased (required by law).") if referral.required_by_law
           else _("No longer marked as required by law.")) if changed else _("No change to save."))
    return redirect(url_for("console.worker_conference", partner_id=partner.id, referral_id=referral.id), code=303)


@bp.get("/cases/<partner_id>/conference/<referral_id>/summary")
@require_role(*APPROVERS)
def worker_conference_summary(partner_id: str, referral_id: str) -> ResponseReturnValue:
    partner = _case_for_staff(partner_id)
    referral = _referral_or_404(partner, referral_id)
    view = risk_conference.read(staff_context(), referral, printable=True)  # an audited read
    return render_template("console/worker/conference_summary.html", referral=view,
                           label=casework.case_label(partner.id), L=labels)


@bp.get("/conference-approvals")
@require_role(*APPROVERS)
def conference_approvals() -> ResponseReturnValue:
    waiting = risk_conference.awaiting_approval(db_session(), g.staff)
    return render_template("console/conference_approvals.html", waiting=waiting, label=casework.case_label,
                           approver=g.staff.role == Role.ADMIN or g.staff.is_manager, L=labels)

