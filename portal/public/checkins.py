"""Her check-in page ("How are things?"): how safe she feels and what has changed, and her agreed check-in days.

The first screen stays neutral; the scale and its words are one tap further (inside <details>). One POST sends
her check-in (no undo delay), and the next page says honestly what happens (services/her/her_checkins.py owns
the rules). Her earlier check-ins are shown in one place only (`her_history` here, `_checkin_history.html`), so
that a session which must look like a fresh record can leave them out.
"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date
from babel.lists import format_list
from flask import redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from portal.digits import parse_digits
from portal.models import Feeling, PartnerContact, PartnerStatus
from portal.public import bp, duress_view
from portal.public.context import her_context, her_required
from portal.public.messages import message
from portal.public.preferences import DAY_NAMES, ticked_days
from portal.runtime import db_session, now, vault
from portal.services.casework import high_risk
from portal.services.her import duress_requests, her_checkins

DONE = "checked_in"  # session key: what her check-in led to, shown once on the next page
DAYS_NOTICE = "checkin_days"  # session key: her days were saved or stopped, shown once
CONCERN_REACH, CONCERN, NOTED = "concern_reach", "concern", "noted"
FEELING_LABELS = {
    Feeling.SAFE: _l("Safe"),
    Feeling.MOSTLY: _l("Mostly safe"),
    Feeling.IN_BETWEEN: _l("Somewhere in between"),
    Feeling.NOT_VERY: _l("Not very safe"),
    Feeling.NOT_AT_ALL: _l("Not safe at all"),
}
CHANGED_INPUT_MAX = her_checkins.MAX_CHANGED * 4  # read this much back, so a text that is too long is not lost


def _her_date(value: datetime | date, partner: PartnerContact, fmt: str = "long") -> Markup:
    """A date on her clock, in her language (isolated for right-to-left pages)."""
    day = value.astimezone(ZoneInfo(partner.timezone)).date() if isinstance(value, datetime) else value
    return Markup("<bdi>{}</bdi>").format(format_date(day, format=fmt, locale=str(get_locale())))


def her_history(partner: PartnerContact) -> list[dict[str, object]]:
    """Her earlier check-ins as her page shows them: the date and her answer (never what she wrote)."""
    return [{"date": _her_date(entry.at, partner), "feeling": FEELING_LABELS[Feeling(entry.feeling)],
             "worse": entry.worse}
            for entry in her_checkins.history(db_session(), vault(), partner.id)]


def _step(raw: str) -> int | None:
    """The step she chose, any script's digit read as ASCII; anything else is None (refused by the service)."""
    digits = parse_digits(raw[:8])
    return int(digits) if digits is not None and len(digits) == 1 else None


def _render(partner: PartnerContact, *, status: int = 200, errors: dict[str, str] | None = None,
            values: dict[str, object] | None = None, days_error: str | None = None,
            ticked: tuple[int, ...] | None = None) -> ResponseReturnValue:
    agreed = her_checkins.agreed_view(db_session(), partner, now())
    if duress_view.active():  # a duress session looks like a fresh record: no days agreed, no earlier answers
        agreed = dataclasses.replace(agreed, days=(), ends_with_period=False, period_ends=None, changed_at=None,
                                     changed_by=None, changed_by_id=None, next_day=None, she_may_set=False,
                                     in_period=False)
    locale = str(get_locale())
    days_text = format_list([str(DAY_NAMES[day]) for day in agreed.days], locale=locale) if agreed.days else ""
    errors = errors or {}
    errors_list = [(name, text) for name, text in errors.items()]
    if days_error:
        errors_list.append(("days", days_error))
    return render_template(
        "public/how_are_you.html", agreed=agreed, days_text=days_text, day_names=DAY_NAMES,
        next_day=_her_date(agreed.next_day, partner, "full") if agreed.next_day else None,
        ends_on=_her_date(agreed.period_ends, partner) if agreed.ends_with_period and agreed.period_ends else None,
        ticked=agreed.days if ticked is None else ticked, feelings=FEELING_LABELS,
        steps={feeling: her_checkins.step_of(feeling) for feeling in FEELING_LABELS},
        reach=high_risk.contactable(db_session(), partner), errors=errors, errors_list=errors_list,
        days_error=days_error, values=values or {}, changed_max=her_checkins.MAX_CHANGED,
        history=[] if duress_view.active() else her_history(partner), notice=session.pop(DAYS_NOTICE, None) if status == 200 else None,
    ), status


@bp.get("/how-are-you")
@her_required
def how_are_you(partner: PartnerContact) -> ResponseReturnValue:
    if partner.status == PartnerStatus.INVITED:  # she has not said yes to contact yet: that page first
        return redirect(url_for("public.contact"), code=303)
    return _render(partner)


@bp.post("/how-are-you")
@her_required
def check_in(partner: PartnerContact) -> ResponseReturnValue:
    form = request.form
    step = _step(form.get("step", ""))
    values: dict[str, object] = {"step": step, "worse": form.get("worse") == "1", "changed": form.get("changed", "")[:CHANGED_INPUT_MAX]}
    try:
        result = her_checkins.check_in(her_context(partner), partner, step=step, worse=bool(values["worse"]),
                                       changed=str(values["changed"]))
    except her_checkins.CheckinError as exc:
        return _render(partner, status=400, errors={exc.field or "main": message(exc.code)}, values=values)
    if duress_view.active():  # her own answer goes as usual (like a note); her worker reads it beside the task
        duress_view.tell_her_worker(partner, duress_requests.CHECK_IN)
        session[DONE] = NOTED  # a plain thank-you: nothing on the screen says whether her worker was told
        return redirect(url_for("public.checked_in"), code=303)
    session[DONE] = (CONCERN_REACH if result.worker_reaches_out else CONCERN) if result.concern else NOTED
    return redirect(url_for("public.checked_in"), code=303)


@bp.get("/how-are-you/thanks")
@her_required
def checked_in(partner: PartnerContact) -> ResponseReturnValue:
    outcome = session.pop(DONE, None)
    if outcome not in (CONCERN_REACH, CONCERN, NOTED):
        return redirect(url_for("public.how_are_you"), code=303)
    return render_template("public/checked_in.html", outcome=outcome)


@bp.post("/how-are-you/days")
@her_required
def checkin_days(partner: PartnerContact) -> ResponseReturnValue:
    ticked = ticked_days(request.form.getlist("day"))
    if duress_view.active():  # not applied to her record (someone with her may be choosing); her worker is told
        duress_view.tell_her_worker(partner, duress_requests.CHANGE_CHOICES, parts=("checkin_days",))
        session[DAYS_NOTICE] = "days_stopped" if request.form.get("action") == "stop" else "days_saved"
        return redirect(url_for("public.how_are_you") + "#days", code=303)
    ctx = her_context(partner)
    try:
        if request.form.get("action") == "stop":
            her_checkins.stop_days(ctx, partner)
            session[DAYS_NOTICE] = "days_stopped"
        else:
            her_checkins.set_days(ctx, partner, ticked)
            session[DAYS_NOTICE] = "days_saved"
    except her_checkins.CheckinError as exc:
        return _render(partner, status=400, days_error=message(exc.code),
                       ticked=tuple(day for day in ticked if day in her_checkins.WEEKDAYS))
    return redirect(url_for("public.how_are_you") + "#days", code=303)
