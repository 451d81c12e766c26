"""Support workers' case pages: her cases, a new case, her record, and her preferences on her behalf."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

from flask import flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from portal.console import bp, labels, risk_trend
from portal.console.access import not_found, require_role, staff_context, uuid_or_404
from portal.console.case_children_view import case_children_view
from portal.console.case_conference_view import case_conference_view
from portal.console.case_risk_notes_view import case_risk_notes
from portal.console.forms import window_row
from portal.console.refusals import preference_error
from portal.console.times import parse_date, staff_zone_name
from portal.i18n import LOCALES
from portal.models import PartnerContact, Role, StaffUser, Task, Tell
from portal.runtime import db_session, now, risk_checklist, settings, vault
from portal.services.admin import deployment
from portal.services.casework import (
    case_record,
    casework,
    contact_log,
    high_risk,
    inbox,
    never_disclose,
    risk_assessment,
)
from portal.services.evaluation import by_phone
from portal.services.her import her_checkins, preferences, safety_plan
from portal.services.her.partners import read_details
from portal.services.her.preferences import SUGGESTED_ZONES

WORKER = Role.SUPPORT_WORKER
NEW_CASE_WINDOWS = 2  # time ranges offered on the new-case form (more on her preferences page)


def zones_with(current: str | None) -> tuple[str, ...]:
    """The zones offered (the preferences service's one list), her current one always among them."""
    return SUGGESTED_ZONES if not current or current in SUGGESTED_ZONES else (current, *SUGGESTED_ZONES)


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
    """A date control's value as a moment: now if today, else noon on the staff member's clock."""
    day = parse_date(text)
    if day is None:
        return None
    zone = ZoneInfo(staff_zone_name())
    if day == today.astimezone(zone).date():
        return today
    return datetime.combine(day, time(12, 0), zone).astimezone(UTC)


@bp.get("/cases")
@require_role(WORKER)
def worker_cases() -> ResponseReturnValue:
    mine_only = request.args.get("scope") != "service"
    cases = casework.service_cases(db_session(), g.staff, mine_only=mine_only)
    names: dict[uuid.UUID, str | None] = {}
    name_hidden = never_disclose.is_hidden(db_session(), "name")
    if mine_only and not name_hidden:  # her own caseload by name; every name shown is an audited read
        ctx = staff_context()
        for partner in cases:
            names[partner.id] = read_details(ctx, partner, "case_list").name
    return render_template("console/worker/cases.html", cases=cases, names=names, mine_only=mine_only,
                           name_hidden=name_hidden, label=casework.case_label, L=labels)


@bp.post("/cases/find")
@require_role(WORKER)
def worker_find_case() -> ResponseReturnValue:
    partner = casework.find_by_number(db_session(), vault(), g.staff, request.form.get("phone", "")[:40],
                                      settings().default_region)
    if partner is None:
        flash(_("No case in your service has that number."), "error")
        return redirect(url_for("console.worker_cases", scope="service"), code=303)
    return redirect(url_for("console.worker_case", partner_id=partner.id), code=303)


def _new_case_form(errors: dict[str, object], values: dict[str, str], status: int = 200,
                  rows: tuple[object, ...] = ()) -> ResponseReturnValue:
    blank = preferences.WindowInput((), "", "")
    rows = tuple(rows) + (blank,) * (NEW_CASE_WINDOWS - len(rows))
    return render_template("console/worker/new_case.html", errors=errors, values=values, locales=LOCALES,
                           timezones=zones_with(values.get("timezone")), rows=rows, L=labels), status


@bp.route("/cases/new", methods=["GET", "POST"])
@require_role(WORKER)
def worker_new_case() -> ResponseReturnValue:
    cfg = settings()
    if request.method != "POST":
        return _new_case_form({}, {"locale": cfg.default_locale, "timezone": cfg.default_timezone,
                                   "consent_date": now().date().isoformat()})
    form = request.form
    values = {key: form.get(key, "")[:254] for key in ("name", "phone", "email", "locale", "timezone",
                                                        "consent_date", "consent_given")}
    rows = tuple(window_row(form, f"w{index}") for index in range(NEW_CASE_WINDOWS))
    consent_at = parse_day(values["consent_date"], today=now())
    if consent_at is None:
        return _new_case_form({"consent_date": labels.ERRORS["date_invalid"]}, values, 400, rows)
    try:
        case = casework.check_new_case(values["name"], values["phone"], values["email"], values["locale"],
                                       values["timezone"], values["consent_given"] == "yes", consent_at,
                                       cfg.default_region, now(), windows=rows)
        partner = casework.open_case(staff_context(), g.staff, case)
    except casework.CaseError as exc:
        return _new_case_form({exc.field or "form": preference_error(exc.code)}, values, 400, rows)
    if case.windows:
        flash(_("Her case is open. You can now link her to a participant and send her the link."))
    else:
        flash(_("Her case is open, without safe times: nothing will be texted to her, not even her link, until "
                "you or she set them. A task in your inbox reminds you."), "error")
    return redirect(url_for("console.worker_case", partner_id=partner.id), code=303)


@bp.get("/cases/<partner_id>")
@require_role(WORKER)
def worker_case(partner_id: str) -> ResponseReturnValue:
    return case_page(case_or_404(partner_id))


def case_page(partner: PartnerContact, revealed: never_disclose.Revealed | None = None) -> ResponseReturnValue:
    """Her case page; `revealed`: the one never-disclose value this response shows (her worker pressed Show)."""
    details = read_details(staff_context(), partner, "case_view")
    session_db = db_session()
    agreed = her_checkins.agreed_view(session_db, partner, now())
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
        "high_risk": high_risk.view(session_db, partner, now=now(), rules=high_risk.Rules.from_settings(settings())),
        "default_months": high_risk.Rules.from_settings(settings()).months,
        "checkins": her_checkins.worker_trend(staff_context(), partner),
        "agreed": agreed,
        "agreed_by": session_db.get(StaffUser, agreed.changed_by_id) if agreed.changed_by_id else None,
        "ticked": agreed.days,
        "risk": case_risk_view(partner),
        "conference": case_conference_view(partner),
        "private": case_children_view(partner, revealed),
        "risk_notes": case_risk_notes(partner),
        "plan": safety_plan.status(session_db, partner.id),  # whether she has one and shared a copy: never its text
        "evaluation": by_phone.case_view(session_db, partner),  # her word and her stages: never her answers
    }
    return render_template("console/worker/case.html", L=labels, **view)




def _preferences_form(partner: PartnerContact, errors: dict[str, object], status: int = 200,
                      row: preferences.WindowInput | None = None) -> ResponseReturnValue:
    prefs = case_record.preferences_view(db_session(), vault(), partner.id)
    row = row or preferences.WindowInput((), "", "")
    return render_template("console/worker/preferences.html", partner=partner, prefs=prefs, errors=errors,
                           code_word_hidden=never_disclose.is_hidden(db_session(), "code_word"),
                           label=casework.case_label(partner.id), tell_options=Tell.ALL, L=labels,
                           locales=LOCALES, timezones=zones_with(partner.timezone), row=row), status


@bp.route("/cases/<partner_id>/preferences", methods=["GET", "POST"])
@require_role(WORKER)
def worker_preferences(partner_id: str) -> ResponseReturnValue:
    partner = case_or_404(partner_id)
    if request.method != "POST":
        response = _preferences_form(partner, {})
        read_details(staff_context(), partner, "preferences_view")
        return response
    form = request.form
    change = casework.PreferenceChange(
        flags={name: form.get(name) == "yes" for name in casework.FLAGS},
        tell={name: form.get(name, "") for name in casework.TELL_FIELDS},
        code_word=(form.get("code_word") or "")[:200] or None, clear_code_word=form.get("clear_code_word") == "yes",
        locale=form.get("locale", "")[:16] if "locale" in form else None,
        timezone=form.get("timezone", "")[:64] if "timezone" in form else None)
    try:
        casework.update_preferences(staff_context(), partner, change)
    except casework.CaseError as exc:
        return _preferences_form(partner, {exc.field or "form": preference_error(exc.code)}, 400)
    flash(_("Her preferences are saved, recorded as changed by you on her behalf."))
    return redirect(url_for("console.worker_case", partner_id=partner.id), code=303)


def case_risk_view(partner: PartnerContact) -> dict[str, object]:
    """For her case page: her risk assessments (newest first) and whether, and why, to re-assess her."""
    every = risk_assessment.interval_days(deployment_view().risk_reassess_days)
    history = risk_assessment.history(db_session(), partner.id)
    return {"history": history, "trend": risk_trend.trend(history, risk_checklist()),
            "prompt": risk_assessment.prompt(db_session(), partner.id, now=now(), every_days=every)}


def deployment_view() -> deployment.DeploymentView:
    cfg = settings()
    return deployment.load(db_session(), cfg.site_name, cfg.exit_url)
