"""Support workers' actions on her case: send her link, link/unlink him, safe times, close, stop, erase."""

from __future__ import annotations

import uuid
from datetime import timedelta

from flask import flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from portal.console import bp, labels
from portal.console.access import require_role, staff_context, uuid_or_404
from portal.console.worker import WORKER, _preferences_form, case_or_404
from portal.digits import parse_digits
from portal.extensions import db
from portal.runtime import settings
from portal.services.casework import casework
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


def _minutes(text: str) -> int | None:
    """HH:MM with any script's decimal digits; superscripts and the like are not times (DESIGN 8)."""
    hours_text, _sep, minutes_text = text.strip()[:8].partition(":")
    hours, minutes = parse_digits(hours_text), parse_digits(minutes_text)
    if hours is None or minutes is None or len(hours) > 2 or len(minutes) != 2:
        return None
    value = int(hours) * 60 + int(minutes)
    return value if 0 <= int(minutes) < 60 and 0 <= value <= 1440 else None


def _weekday(text: str) -> int | None:
    digits = parse_digits(text[:8])
    return int(digits) if digits is not None and len(digits) == 1 else None


@bp.post("/cases/<partner_id>/windows")
@require_role(WORKER)
def worker_add_window(partner_id: str) -> ResponseReturnValue:
    partner = case_or_404(partner_id)
    weekday = _weekday(request.form.get("weekday", ""))
    start, end = _minutes(request.form.get("start", "")), _minutes(request.form.get("end", ""))
    try:
        if start is None or end is None:
            raise casework.CaseError("window_invalid", "start")
        if weekday is None:
            raise casework.CaseError("weekday_invalid", "weekday")
        casework.add_window(staff_context(), partner, weekday=weekday, start_minute=start, end_minute=end)
    except casework.CaseError as exc:
        return _preferences_form(partner, {"form": labels.ERRORS[exc.code]}, 400)
    flash(_("Safe time added on her behalf."))
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
    if request.method == "GET":
        return render_template("console/worker/erase.html", partner=partner, label=label, error=None)
    if request.form.get("confirm", "").strip().upper() != "ERASE":
        return render_template("console/worker/erase.html", partner=partner, label=label,
                               error=labels.ERRORS["confirm_required"]), 400
    erased = casework.erase_on_request(staff_context(), partner)
    # Once the erasure is committed: SQLite's WAL truncated, PostgreSQL's tables vacuumed.
    after_commit(lambda: clean_storage(db.engine, erased.storage))
    flash(_("Her personal data is erased. Case %(label)s remains only as an empty record.", label=label))
    return redirect(url_for("console.worker_cases"), code=303)
