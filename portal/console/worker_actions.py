"""Support workers' actions on her case: send her link, link/unlink him, safe times, close, stop, erase."""

from __future__ import annotations

import uuid
from datetime import timedelta

from flask import flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from portal.console import bp, labels
from portal.console.access import require_role, staff_context, uuid_or_404
from portal.console.forms import window_row
from portal.console.refusals import preference_error
from portal.console.worker import WORKER, _preferences_form, case_or_404
from portal.extensions import db
from portal.runtime import db_session, now, settings, vault
from portal.services.casework import casework, children, risk_conference
from portal.services.casework.erasure_storage import clean_storage
from portal.unit_of_work import after_commit, refuse


def back(partner_id: object, anchor: str = "") -> ResponseReturnValue:
    return redirect(url_for("console.worker_case", partner_id=partner_id) + anchor, code=303)


def refused(partner_id: object, error: casework.CaseError, anchor: str = "") -> ResponseReturnValue:
    refuse()  # back to her case with a message: nothing this request wrote stands
    flash(str(labels.ERRORS[error.code]), "error")
    return back(partner_id, anchor)


@bp.post("/cases/<partner_id>/invite")
@require_role(WORKER)
def worker_send_link(partner_id: str) -> ResponseReturnValue:
    partner = case_or_404(partner_id)
    cfg = settings()
    try:
        casework.send_link(staff_context(), partner, g.staff, public_url=cfg.public_url,
                           ttl=timedelta(hours=cfg.invite_ttl_hours))
    except casework.CaseError as exc:
        return refused(partner.id, exc)
    flash(_("A discreet link will be texted to her in her next safe time. Older links no longer work."))
    return back(partner.id, "#messages")


@bp.post("/cases/<partner_id>/links")
@require_role(WORKER)
def worker_link(partner_id: str) -> ResponseReturnValue:
    partner = case_or_404(partner_id)
    try:
        programme_id = uuid.UUID(request.form.get("programme", ""))
    except ValueError:
        return refused(partner.id, casework.CaseError("programme_unknown"), "#links")
    try:
        casework.link_participant(staff_context(), partner, g.staff, programme_id=programme_id,
                                  reference=request.form.get("reference", ""))
    except casework.CaseError as exc:
        return refused(partner.id, exc, "#links")
    flash(_("She is linked: events reported for him now reach you."))
    return back(partner.id, "#links")


@bp.post("/cases/<partner_id>/links/<link_id>/end")
@require_role(WORKER)
def worker_unlink(partner_id: str, link_id: str) -> ResponseReturnValue:
    partner = case_or_404(partner_id)
    if casework.end_link(staff_context(), partner, uuid_or_404(link_id)):
        flash(_("The link to that participant has ended."))
    return back(partner.id, "#links")


@bp.post("/cases/<partner_id>/windows")
@require_role(WORKER)
def worker_add_window(partner_id: str) -> ResponseReturnValue:
    """One time range for several days at once (weekday checkboxes, from, to), in her time zone."""
    partner = case_or_404(partner_id)
    row = window_row(request.form)
    try:
        casework.add_safe_times(staff_context(), partner, row)
    except casework.CaseError as exc:
        return _preferences_form(partner, {"window-new": preference_error(exc.code)}, 400, row=row)
    flash(_("Safe times added on her behalf."))
    return redirect(url_for("console.worker_preferences", partner_id=partner.id), code=303)


@bp.post("/cases/<partner_id>/windows/<window_id>/remove")
@require_role(WORKER)
def worker_remove_window(partner_id: str, window_id: str) -> ResponseReturnValue:
    partner = case_or_404(partner_id)
    if casework.remove_window(staff_context(), partner, uuid_or_404(window_id)):
        flash(_("Safe time removed on her behalf."))
    return redirect(url_for("console.worker_preferences", partner_id=partner.id), code=303)


@bp.post("/cases/<partner_id>/close")
@require_role(WORKER)
def worker_close(partner_id: str) -> ResponseReturnValue:
    partner = case_or_404(partner_id)
    try:
        casework.close_case(staff_context(), partner, reason=request.form.get("reason", ""))
    except casework.CaseError as exc:
        return refused(partner.id, exc, "#close")
    flash(_("The case is closed. Nothing more will be sent to her."))
    return back(partner.id)


@bp.post("/cases/<partner_id>/reopen")
@require_role(WORKER)
def worker_reopen(partner_id: str) -> ResponseReturnValue:
    partner = case_or_404(partner_id)
    try:
        casework.reopen_case(staff_context(), partner)
    except casework.CaseError as exc:
        return refused(partner.id, exc)
    flash(_("The case is open again."))
    return back(partner.id)


@bp.post("/cases/<partner_id>/withdraw")
@require_role(WORKER)
def worker_withdraw(partner_id: str) -> ResponseReturnValue:
    partner = case_or_404(partner_id)
    try:
        cancelled = casework.withdraw_for_her(staff_context(), partner)
    except casework.CaseError as exc:
        return refused(partner.id, exc)
    flash(_("Contact has stopped as she asked. %(count)d pending messages were cancelled.", count=cancelled))
    return back(partner.id)


@bp.route("/cases/<partner_id>/erase", methods=["GET", "POST"])
@require_role(WORKER)
def worker_erase(partner_id: str) -> ResponseReturnValue:
    partner = case_or_404(partner_id)
    label = casework.case_label(partner.id)
    # What the erasure keeps because her worker marked it as required by law (DESIGN 8 "Erasure").
    kept = children.kept_by_law(db_session(), vault(), partner.id, now())
    kept_conference = risk_conference.kept_by_law(db_session(), vault(), partner.id)
    if request.method != "POST":
        return render_template("console/worker/erase.html", partner=partner, label=label, error=None, kept=kept,
                               kept_conference=kept_conference, L=labels)
    if request.form.get("confirm", "").strip().upper() != "ERASE":
        return render_template("console/worker/erase.html", partner=partner, label=label, kept=kept, L=labels,
                               kept_conference=kept_conference, error=labels.ERRORS["confirm_required"]), 400
    erased = casework.erase_on_request(staff_context(), partner)
    # Once the erasure is committed: SQLite's WAL truncated, PostgreSQL's tables vacuumed.
    after_commit(lambda: clean_storage(db.engine, erased.storage))
    flash(_("Her personal data is erased. Case %(label)s remains only as an empty record.", label=label))
    if erased.kept_by_law:
        flash(_("%(count)d child-protection referrals were kept, as required by law.", count=erased.kept_by_law))
    if erased.kept_conference_referrals:
        flash(_("%(count)d risk-conference referrals were kept, as required by law.",
                count=erased.kept_conference_referrals))
    return redirect(url_for("console.worker_cases"), code=303)
