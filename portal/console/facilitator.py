"""Facilitators' pages: their programmes, participants by pseudonymous reference, and event reports.

Nothing here reads anything about her: every query is about programmes, participants and events, so no page,
redirect or error can differ with whether a partner is linked. The one exception (DESIGN 8): a risk note her
worker sent with her agreement is shown on his page, its text and day only (services/programme/partner_notes.py). A report writes the event and one fan-out entry
(her side is made later by the dispatcher process), so its work and timing do not depend on her either; reports
also take at least a fixed time (portal/response_floor.py).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from datetime import time as day_time
from zoneinfo import ZoneInfo

from flask import flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from portal.console import bp, labels
from portal.console.access import not_found, require_role, staff_context, uuid_or_404
from portal.console.refusals import DATES_ERRORS, EVENT_ERRORS
from portal.console.times import parse_date, staff_zone_name
from portal.extensions import db
from portal.models import EventKind, Participant, Programme, ProgrammeMembership, RiskFactor, Role
from portal.response_floor import pad_to_floor
from portal.runtime import db_session, now
from portal.services.programme import events, participant_dates, partner_notes
from portal.unit_of_work import refuse

FACILITATOR = Role.FACILITATOR


def my_programmes() -> list[Programme]:
    return list(db.session.scalars(
        select(Programme).join(ProgrammeMembership, ProgrammeMembership.programme_id == Programme.id)
        .where(ProgrammeMembership.staff_id == g.staff.id, ProgrammeMembership.role == FACILITATOR,
               Programme.is_active.is_(True)).order_by(Programme.name)))


def programme_or_404(programme_id: object) -> Programme:
    wanted = uuid_or_404(programme_id)
    for programme in my_programmes():
        if programme.id == wanted:
            return programme
    not_found()


def participant_or_404(programme: Programme, participant_id: object) -> Participant:
    participant = db.session.get(Participant, uuid_or_404(participant_id))
    if participant is None or participant.programme_id != programme.id:
        not_found()
    return participant


@bp.get("/my-programmes")
@require_role(FACILITATOR)
def facilitator_programmes() -> ResponseReturnValue:
    return render_template("console/facilitator/programmes.html", programmes=my_programmes())


def _programme_page(programme: Programme, errors: dict[str, object], reference: str = "", status: int = 200) -> ResponseReturnValue:
    participants = list(db.session.scalars(select(Participant).where(Participant.programme_id == programme.id)
                                           .order_by(Participant.reference)))
    return render_template("console/facilitator/programme.html", programme=programme, participants=participants,
                           errors=errors, reference=reference, L=labels), status


@bp.get("/my-programmes/<programme_id>")
@require_role(FACILITATOR)
def facilitator_programme(programme_id: str) -> ResponseReturnValue:
    return _programme_page(programme_or_404(programme_id), {})


@bp.post("/my-programmes/<programme_id>/participants")
@require_role(FACILITATOR)
def facilitator_register(programme_id: str) -> ResponseReturnValue:
    programme = programme_or_404(programme_id)
    reference = request.form.get("reference", "")
    try:
        participant = events.register_participant(staff_context(), programme=programme, reference=reference,
                                                  created_by=g.staff.id)
        db.session.flush()  # a twin registered at the same moment fails here, not at the commit
    except events.EventError as exc:
        return _programme_page(programme, {"reference": EVENT_ERRORS[exc.code]}, reference[:64], 400)
    except IntegrityError:
        # The race's explicit rollback (portal/unit_of_work.py): the page below reads through this session.
        db.session.rollback()
        return _programme_page(programme, {"reference": EVENT_ERRORS["duplicate_reference"]}, reference[:64], 400)
    flash(_("Participant %(reference)s registered.", reference=participant.reference))
    return redirect(url_for("console.facilitator_participant", programme_id=programme.id,
                            participant_id=participant.id), code=303)


def _participant_page(programme: Programme, participant: Participant, errors: Mapping[str, object],
                      values: Mapping[str, object], status: int = 200,
                      dates: Mapping[str, str] | None = None) -> ResponseReturnValue:
    reported = events.events_for_participant(db_session(), participant.id)
    factors = events.factors_of(db_session(), [event.id for event in reported])
    # The one thing here that depends on her (DESIGN 8): notes her worker sent with her agreement, text and day only.
    notes = partner_notes.for_participant(staff_context(), programme.id, participant.id)
    return render_template("console/facilitator/participant.html", programme=programme, participant=participant,
                           reported=reported, factors=factors, errors=errors, values=values, kinds=EventKind.ALL,
                           partner_notes=notes, dates=dates or _his_dates(participant),
                           imminence=events.IMMINENCE, risk_factors=RiskFactor.ALL, L=labels), status


def _his_dates(participant: Participant) -> dict[str, str]:
    return {"started_on": participant.started_on.isoformat() if participant.started_on else "",
            "expected_end_on": participant.expected_end_on.isoformat() if participant.expected_end_on else ""}


def _blank_report() -> dict[str, object]:
    return {"kind": "", "risk_to": [], "imminence": "", "factors": [], "description": "", "occurred_on": "",
            "report_key": uuid.uuid4().hex}


@bp.get("/my-programmes/<programme_id>/participants/<participant_id>")
@require_role(FACILITATOR)
def facilitator_participant(programme_id: str, participant_id: str) -> ResponseReturnValue:
    programme = programme_or_404(programme_id)
    return _participant_page(programme, participant_or_404(programme, participant_id), {}, _blank_report())


def _occurred(text: str) -> datetime | None:
    """The day it happened (a date control: noon on the facilitator's clock); today or blank means now.

    ValueError for anything that is not a date (any script's digits are digits: portal/digits.py)."""
    if not text.strip():
        return now()
    day = parse_date(text)
    if day is None:
        raise ValueError("not a date")
    zone = ZoneInfo(staff_zone_name())
    if day == now().astimezone(zone).date():
        return now()
    return datetime.combine(day, day_time(12, 0), zone).astimezone(UTC)


@bp.post("/my-programmes/<programme_id>/participants/<participant_id>/events")
@require_role(FACILITATOR)
def facilitator_report(programme_id: str, participant_id: str) -> ResponseReturnValue:
    started = time.perf_counter()
    programme = programme_or_404(programme_id)
    participant = participant_or_404(programme, participant_id)
    try:
        return _report(programme, participant)
    finally:
        pad_to_floor(started)


def _report(programme: Programme, participant: Participant) -> ResponseReturnValue:
    form = request.form
    risk_to = form.getlist("risk_to")
    factors = [factor[:40] for factor in form.getlist("factors")[:10]]
    values = {"kind": form.get("kind", ""), "risk_to": risk_to, "imminence": form.get("imminence", ""),
              "factors": factors,
              "description": form.get("description", ""), "occurred_on": form.get("occurred_on", ""),
              "report_key": form.get("report_key", "")}
    try:
        occurred = _occurred(str(values["occurred_on"]))
    except ValueError:
        return _participant_page(programme, participant, {"occurred_on": EVENT_ERRORS["invalid_occurred_at"]},
                                 values, 400)
    key = f"form:{values['report_key']}" if values["report_key"] else None
    try:
        events.report_event(staff_context(), programme=programme,
                            participant_ref=participant.reference, kind=str(values["kind"]),
                            risk_to_partner="partner" in risk_to, risk_to_children="children" in risk_to,
                            imminence=str(values["imminence"]) or None, description=str(values["description"]),
                            occurred_at=occurred, reporter=events.Reporter(staff_id=g.staff.id),
                            idempotency_key=key, factors=factors)
        db.session.flush()  # the same form sent twice at once fails here, not at the commit
    except events.EventError as exc:
        return _participant_page(programme, participant, {exc.field or "form": EVENT_ERRORS[exc.code]}, values, 400)
    except IntegrityError:
        refuse()  # the same form sent twice at once: the first one counts, this one's writes are dropped
    flash(_("Thank you. The report is recorded."))
    return redirect(url_for("console.facilitator_participant", programme_id=programme.id,
                            participant_id=participant.id), code=303)


@bp.post("/my-programmes/<programme_id>/participants/<participant_id>/dates")
@require_role(FACILITATOR)
def facilitator_dates(programme_id: str, participant_id: str) -> ResponseReturnValue:
    """His start date and expected end date (either may be left empty while not known)."""
    programme = programme_or_404(programme_id)
    participant = participant_or_404(programme, participant_id)
    typed = {name: request.form.get(name, "")[:20] for name in ("started_on", "expected_end_on")}
    parsed = {name: parse_date(text) if text.strip() else None for name, text in typed.items()}
    bad = {name: DATES_ERRORS["date_invalid"] for name, text in typed.items() if text.strip() and parsed[name] is None}
    if not bad:
        try:
            participant_dates.set_dates(staff_context(), participant,
                                        participant_dates.ProgrammeDates(parsed["started_on"],
                                                                         parsed["expected_end_on"]))
        except participant_dates.DatesError as exc:
            bad = {exc.field or "dates": DATES_ERRORS[exc.code]}
    if bad:
        return _participant_page(programme, participant, bad, _blank_report(), 400, dates=typed)
    flash(_("His programme dates are saved."))
    return redirect(url_for("console.facilitator_participant", programme_id=programme.id,
                            participant_id=participant.id) + "#dates", code=303)
