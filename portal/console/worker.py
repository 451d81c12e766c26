"""Support workers' case pages: her cases, a new case, her record, and her preferences on her behalf."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from flask import flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from portal.console import bp, labels
from portal.console.access import not_found, require_role, staff_context, uuid_or_404
from portal.console.refusals import preference_error
from portal.i18n import LOCALES
from portal.models import PartnerContact, Role, Task, Tell
from portal.runtime import db_session, now, settings, vault
from portal.services.admin import deployment
from portal.services.casework import case_record, casework, contact_log, inbox
from portal.services.her.partners import read_details

WORKER = Role.SUPPORT_WORKER
COMMON_TIMEZONES = ("Europe/London", "Europe/Berlin", "Europe/Vienna", "Europe/Zurich", "Europe/Dublin",
                    "Europe/Paris", "Europe/Madrid", "Europe/Rome", "Europe/Amsterdam", "Europe/Brussels",
                    "Europe/Athens", "Europe/Istanbul", "Asia/Beirut", "Asia/Amman", "Africa/Cairo", "Etc/UTC")


def urgency_now() -> Callable[[Task], str]:
    """For templates: how urgent a task is now (inbox.urgency: immediate, overdue or on time)."""
    moment = now()
    return lambda task: inbox.urgency(task, moment)


def case_or_404(partner_id: object) -> PartnerContact:
    partner = casework.find_case(db_session(), g.staff, uuid_or_404(partner_id))
    if partner is None:
        not_found()
    return partner


def parse_day(text: str, *, today: datetime) -> datetime | None:
    """A date from a form as a moment: now if today, else noon in the deployment's time zone."""
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        return None
    zone = ZoneInfo(settings().default_timezone)
    if day == today.astimezone(zone).date():
        return today
    return datetime.combine(day, time(12, 0), zone).astimezone(UTC)


@bp.get("/cases")
@require_role(WORKER)
def worker_cases() -> ResponseReturnValue:
    mine_only = request.args.get("scope") != "service"
    cases = casework.service_cases(db_session(), g.staff, mine_only=mine_only)
    names: dict[uuid.UUID, str | None] = {}
    if mine_only:  # her own caseload by name; every name shown is an audited read
        ctx = staff_context()
        for partner in cases:
            names[partner.id] = read_details(ctx, partner, "case_list").name
    return render_template("console/worker/cases.html", cases=cases, names=names, mine_only=mine_only,
                           label=casework.case_label, L=labels)


@bp.post("/cases/find")
@require_role(WORKER)
def worker_find_case() -> ResponseReturnValue:
    partner = casework.find_by_number(db_session(), vault(), g.staff, request.form.get("phone", "")[:40],
                                      settings().default_region)
    if partner is None:
        flash(_("No case in your service has that number."), "error")
        return redirect(url_for("console.worker_cases", scope="service"), code=303)
    return redirect(url_for("console.worker_case", partner_id=partner.id), code=303)


def _new_case_form(errors: dict[str, object], values: dict[str, str], status: int = 200) -> ResponseReturnValue:
    return render_template("console/worker/new_case.html", errors=errors, values=values, locales=LOCALES,
                           timezones=COMMON_TIMEZONES, L=labels), status


@bp.route("/cases/new", methods=["GET", "POST"])
@require_role(WORKER)
def worker_new_case() -> ResponseReturnValue:
    cfg = settings()
    if request.method == "GET":
        return _new_case_form({}, {"locale": cfg.default_locale, "timezone": cfg.default_timezone,
                                   "consent_date": now().date().isoformat()})
    form = request.form
    values = {key: form.get(key, "") for key in ("name", "phone", "email", "locale", "timezone", "consent_date")}
    consent_at = parse_day(values["consent_date"], today=now())
    if consent_at is None:
        return _new_case_form({"consent_date": labels.ERRORS["date_invalid"]}, values, 400)
    try:
        case = casework.check_new_case(values["name"], values["phone"], values["email"], values["locale"],
                                       values["timezone"], form.get("consent_given") == "yes", consent_at,
                                       cfg.default_region, now())
        partner = casework.open_case(staff_context(), g.staff, case)
    except casework.CaseError as exc:
        return _new_case_form({exc.field or "form": labels.ERRORS[exc.code]}, values, 400)
    flash(_("Her case is open. You can now link her to a participant and send her the link."))
    return redirect(url_for("console.worker_case", partner_id=partner.id), code=303)


@bp.get("/cases/<partner_id>")
@require_role(WORKER)
def worker_case(partner_id: str) -> ResponseReturnValue:
    partner = case_or_404(partner_id)
    details = read_details(staff_context(), partner, "case_view")
    session_db = db_session()
    view = {
        "partner": partner, "details": details, "label": casework.case_label(partner.id),
        "prefs": case_record.preferences_view(session_db, vault(), partner.id),
        "consents": case_record.consent_history(session_db, partner.id),
        "messages": case_record.messages(session_db, partner.id),
        "links": case_record.links(session_db, partner.id),
        "tasks": inbox.by_urgency(case_record.open_tasks(session_db, partner.id), now()),
        "urgency": urgency_now(),
        "contacts": contact_log.entries(session_db, vault(), partner.id),
        "information": contact_log.information_status(session_db, partner.id),
        "programmes": casework.linkable_programmes(session_db, g.staff),
        "closure_reasons": casework.CLOSURE_REASONS, "open": partner.status in casework.OPEN_STATUSES,
    }
    return render_template("console/worker/case.html", L=labels, **view)




def _preferences_form(partner: PartnerContact, errors: dict[str, object], status: int = 200) -> ResponseReturnValue:
    prefs = case_record.preferences_view(db_session(), vault(), partner.id)
    return render_template("console/worker/preferences.html", partner=partner, prefs=prefs, errors=errors,
                           label=casework.case_label(partner.id), tell_options=Tell.ALL, L=labels), status


@bp.route("/cases/<partner_id>/preferences", methods=["GET", "POST"])
@require_role(WORKER)
def worker_preferences(partner_id: str) -> ResponseReturnValue:
    partner = case_or_404(partner_id)
    if request.method == "GET":
        response = _preferences_form(partner, {})
        read_details(staff_context(), partner, "preferences_view")
        return response
    form = request.form
    change = casework.PreferenceChange(
        flags={name: form.get(name) == "yes" for name in casework.FLAGS},
        tell={name: form.get(name, "") for name in casework.TELL_FIELDS},
        code_word=form.get("code_word") or None, clear_code_word=form.get("clear_code_word") == "yes")
    try:
        casework.update_preferences(staff_context(), partner, change)
    except casework.CaseError as exc:
        return _preferences_form(partner, {exc.field or "form": preference_error(exc.code)}, 400)
    flash(_("Her preferences are saved, recorded as changed by you on her behalf."))
    return redirect(url_for("console.worker_case", partner_id=partner.id), code=303)


def deployment_view() -> deployment.DeploymentView:
    cfg = settings()
    return deployment.load(db_session(), cfg.site_name, cfg.exit_url)
