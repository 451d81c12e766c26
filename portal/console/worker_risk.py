"""Her worker's risk assessment: the checklist form, the result, and the case page's trend and prompts."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from flask import g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale

from portal.console import bp, labels
from portal.console.access import not_found, require_role, staff_context, uuid_or_404
from portal.console.refusals import RISK_ERRORS
from portal.console.times import parse_date, staff_zone_name
from portal.console.worker import WORKER, case_or_404
from portal.models import PartnerContact, RiskAnswer, RiskLevel
from portal.runtime import db_session, now, risk_checklist
from portal.services.casework import casework, risk_assessment
from portal.services.casework.risk_assessment import answer_field

INCIDENT_ROWS = 5  # date controls on the form (more dates: count them as incidents she cannot date)
FIELD_MAX = 4200   # a little over the service's limit, so that "too long" is said rather than cut silently


def staff_today() -> date:
    return now().astimezone(ZoneInfo(staff_zone_name())).date()


def _blank() -> dict[str, Any]:
    return {"answers": {}, "fears": "", "judgement": "", "judgement_reason": "", "dates": [""] * INCIDENT_ROWS,
            "undated": "", "stamp": risk_checklist().stamp}


def _form(partner: PartnerContact, values: Mapping[str, Any], errors: Mapping[str, object],
          status: int = 200) -> ResponseReturnValue:
    checklist = risk_checklist()
    return render_template("console/worker/risk_form.html", partner=partner, label=casework.case_label(partner.id),
                           checklist=checklist, locale=str(get_locale() or "en"), values=values, errors=errors,
                           answers=tuple(RiskAnswer), judgements=risk_assessment.JUDGEMENTS,
                           answer_field=answer_field, L=labels), status


@bp.get("/cases/<partner_id>/risk/new")
@require_role(WORKER)
def worker_risk_new(partner_id: str) -> ResponseReturnValue:
    return _form(case_or_404(partner_id), _blank(), {})


@bp.post("/cases/<partner_id>/risk")
@require_role(WORKER)
def worker_risk_record(partner_id: str) -> ResponseReturnValue:
    partner = case_or_404(partner_id)
    form = request.form
    checklist = risk_checklist()
    dates = [form.get(f"incident_date_{row}", "")[:40] for row in range(INCIDENT_ROWS)]
    errors: dict[str, object] = {}
    parsed: list[date] = []
    for row, text in enumerate(dates):
        if text.strip():
            day = parse_date(text)
            if day is None:
                errors[f"incident_date_{row}"] = RISK_ERRORS["incident_date_invalid"]
            else:
                parsed.append(day)
    entry = risk_assessment.AssessmentInput(
        answers={code: form.get(answer_field(code), "")[:20] for code in checklist.codes},
        fears=form.get("fears", "")[:FIELD_MAX], judgement=form.get("judgement", "")[:20],
        judgement_reason=form.get("judgement_reason", "")[:FIELD_MAX], incident_dates=tuple(parsed),
        undated_incidents=form.get("undated_incidents", "")[:20], checklist_stamp=form.get("checklist", "")[:100])
    today = staff_today()
    _checked, problems = risk_assessment.check(checklist, entry, today=today)
    errors.update({field: RISK_ERRORS[code] for field, code in problems.items()})
    if errors:  # everything typed comes back; sent again, the answers are checked against this checklist
        values = {"answers": entry.answers, "fears": entry.fears, "judgement": entry.judgement,
                  "judgement_reason": entry.judgement_reason, "dates": dates, "undated": entry.undated_incidents,
                  "stamp": checklist.stamp}
        return _form(partner, values, errors, 400)
    assessment = risk_assessment.record_assessment(staff_context(), partner, g.staff, checklist, entry, today=today)
    return redirect(url_for("console.worker_risk_result", partner_id=partner.id, assessment_id=assessment.id),
                    code=303)


@bp.get("/cases/<partner_id>/risk/<assessment_id>")
@require_role(WORKER)
def worker_risk_result(partner_id: str, assessment_id: str) -> ResponseReturnValue:
    partner = case_or_404(partner_id)
    assessment = risk_assessment.find(db_session(), partner.id, uuid_or_404(assessment_id))
    if assessment is None:
        not_found()
    detail = risk_assessment.read(staff_context(), assessment)  # decrypted: an audited read
    checklist = risk_checklist()
    same = detail.row.checklist == checklist.stamp
    return render_template("console/worker/risk_result.html", partner=partner,
                           label=casework.case_label(partner.id), detail=detail, checklist=checklist,
                           same_checklist=same, locale=str(get_locale() or "en"), levels=RiskLevel.ALL, L=labels)
