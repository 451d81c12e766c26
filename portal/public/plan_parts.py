"""Her plan's priorities (what matters most to her now, which orders its parts) and each part's page."""

from __future__ import annotations

from flask import abort, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from werkzeug.datastructures import MultiDict

from portal.digits import parse_digits
from portal.models import PartnerContact
from portal.public import bp, duress_view
from portal.public.context import her_context
from portal.public.plan import FIELD_CUT, field_id, plan_message, plan_open
from portal.public.plan_words import FIELD_LABELS, PART_SLUGS, PART_TITLES, PRIORITY_LABELS, SECTION_OF_SLUG
from portal.public.preferences import NOTICE
from portal.services.her import duress_requests, safety_plan
from portal.services.her.safety_plan import FIELD_MAX, FIELDS, PRIORITIES, PlanContent, PlanError, Unlocked


def _rank_rows(ranks: dict[str, str]) -> list[dict[str, object]]:
    return [{"code": code, "label": PRIORITY_LABELS[code], "rank": ranks.get(code, "")} for code in PRIORITIES]


def _ranks_of(content: PlanContent) -> dict[str, str]:
    return {code: str(place) for place, code in enumerate(content.priorities, start=1)}


def parse_ranks(form: MultiDict[str, str]) -> tuple[dict[str, str], tuple[str, ...]] | None:
    """Her numbers (1 = matters most) as typed, and the priorities they give in order; None if one is not a
    number from the list. Two equal numbers keep the list's order."""
    typed = {code: form.get(f"rank-{code}", "")[:8] for code in PRIORITIES}
    ranked: list[tuple[int, int, str]] = []
    for index, code in enumerate(PRIORITIES):
        if not typed[code]:
            continue
        digits = parse_digits(typed[code])
        if digits is None or not 1 <= int(digits) <= len(PRIORITIES):
            return None
        typed[code] = str(int(digits))
        ranked.append((int(digits), index, code))
    return typed, tuple(code for _rank, _index, code in sorted(ranked))


@bp.route("/plan/priorities", methods=["GET", "POST"])
@plan_open
def priorities(partner: PartnerContact, opened: Unlocked, content: PlanContent) -> ResponseReturnValue:
    """What matters most to her now; her plan then offers its parts in that order."""
    if request.method != "POST":  # GET and HEAD only show the page
        return render_template("public/plan_priorities.html", rows=_rank_rows(_ranks_of(content)), error=None)
    parsed = parse_ranks(request.form)
    if parsed is None:
        typed = {code: request.form.get(f"rank-{code}", "")[:8] for code in PRIORITIES}
        return render_template("public/plan_priorities.html", rows=_rank_rows(typed),
                               error=plan_message("rank_choice")), 400
    _typed, order = parsed
    safety_plan.save(her_context(partner), partner, opened, PlanContent(order, content.fields, content.kind))
    duress_view.tell_if_duress(partner, duress_requests.EDIT_PLAN)  # a duress session's: the harmless plan
    session[NOTICE] = "plan_saved"
    return redirect(url_for("public.plan"), code=303)


def _fields(section: str, values: dict[str, str], errors: dict[str, str]) -> list[dict[str, str]]:
    return [{"code": code, "id": field_id(code), "name": name, "label": str(FIELD_LABELS[code]),
             "value": values.get(code, ""), "error": errors.get(code, "")}
            for name in FIELDS[section] for code in (f"{section}.{name}",)]


@bp.route("/plan/part/<slug>", methods=["GET", "POST"])
@plan_open
def part(partner: PartnerContact, opened: Unlocked, content: PlanContent, slug: str) -> ResponseReturnValue:
    """One part of her plan: a few words of guidance (one tap away) and her own notes, saved with one POST."""
    section = SECTION_OF_SLUG.get(slug)
    if section is None:
        abort(404)
    page = {"section": section, "slug": PART_SLUGS[section], "title": PART_TITLES[section]}
    if request.method != "POST":  # GET and HEAD only show the page
        return render_template("public/plan_part.html", part=page, fields=_fields(section, content.fields, {}),
                               field_max=FIELD_MAX, errors=[])
    typed = {f"{section}.{name}": request.form.get(name, "")[:FIELD_CUT] for name in FIELDS[section]}
    kept = {code: text for code, text in content.fields.items() if not code.startswith(f"{section}.")}
    try:
        safety_plan.save(her_context(partner), partner, opened,
                         PlanContent(content.priorities, {**kept, **typed}, content.kind))
    except PlanError as exc:
        problem = {exc.field or "": plan_message(exc.code)}
        fields = _fields(section, typed, problem)
        anchors = [(field["id"], field["error"]) for field in fields if field["error"]] \
            or [(fields[0]["id"], plan_message(exc.code))]
        return render_template("public/plan_part.html", part=page, fields=fields, field_max=FIELD_MAX,
                               errors=anchors), 400
    duress_view.tell_if_duress(partner, duress_requests.EDIT_PLAN)  # a duress session's: the harmless plan
    session[NOTICE] = "plan_saved"
    return redirect(url_for("public.plan") + f"#part-{PART_SLUGS[section]}", code=303)
