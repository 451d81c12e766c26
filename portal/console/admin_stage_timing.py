"""Admin: when each of a programme's evaluation stages falls due (what it counts from, how many days after, on
or off). The timing itself is services/evaluation/stages.py's; the form is saved all or nothing."""

from __future__ import annotations

from collections.abc import Mapping

from flask import flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from portal.console import bp, labels
from portal.console.access import require_role, staff_context
from portal.console.admin import ADMIN, programme_or_404
from portal.console.admin_messages import problem
from portal.digits import parse_digits
from portal.models import EvaluationStage, Programme, StageAnchor
from portal.runtime import db_session
from portal.services.admin import admin_programmes
from portal.services.admin.admin_users import AdminError
from portal.services.evaluation import stages

MINUS = ("-", "\u2212")  # a typed minus: the hyphen or the minus sign


def offset(text: str) -> int | None:
    """A typed number of days (any script's digits, an optional minus), or None when it is not a whole number."""
    text = (text or "").strip()[:8]
    negative = text[:1] in MINUS
    digits = parse_digits(text[1:] if negative else text)
    return None if digits is None else (-int(digits) if negative else int(digits))


def _page(programme: Programme, values: Mapping[str, Mapping[str, object]], errors: Mapping[str, object],
          status: int = 200) -> ResponseReturnValue:
    return render_template("console/admin/stage_timing.html", programme=programme, values=values, errors=errors,
                           stages=EvaluationStage.ALL, anchors=tuple(StageAnchor), max_days=stages.MAX_OFFSET_DAYS,
                           L=labels), status


@bp.route("/admin/programmes/<programme_id>/stage-timing", methods=["GET", "POST"])
@require_role(ADMIN)
def admin_stage_timing(programme_id: str) -> ResponseReturnValue:
    programme = programme_or_404(programme_id)
    if request.method != "POST":
        plan = stages.programme_plan(db_session(), programme.id)
        return _page(programme, {t.stage: {"anchor": t.anchor, "offset": str(t.offset_days), "enabled": t.enabled}
                                 for t in plan}, {})
    form = request.form
    values: dict[str, dict[str, object]] = {
        stage: {"anchor": form.get(f"{stage}-anchor", "")[:20], "offset": form.get(f"{stage}-offset", "")[:8],
                "enabled": form.get(f"{stage}-enabled") == "yes"} for stage in EvaluationStage.ALL}
    rows = [admin_programmes.StageRow(stage, str(v["anchor"]), offset(str(v["offset"])), bool(v["enabled"]))
            for stage, v in values.items()]
    problems = admin_programmes.stage_plan_problems(rows)
    if problems:
        return _page(programme, values, {stage: problem(code) for stage, code in problems.items()}, 400)
    try:
        changed = admin_programmes.set_stage_plan(staff_context(), programme, rows, g.staff.id)
    except AdminError as error:
        return _page(programme, values, {error.field or "form": problem(error.code)}, 400)
    flash(_("Stage timing saved. Stages changed: %(count)d.", count=changed) if changed else _("No change to save."),
          "info")
    return redirect(url_for("console.admin_stage_timing", programme_id=programme.id), code=303)
