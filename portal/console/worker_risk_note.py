"""Her risk note to his programme, from her case: the form (with her agreement's state), the notes sent, withdraw."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from portal.console import bp, labels
from portal.console.access import require_role, staff_context, uuid_or_404
from portal.console.refusals import risk_note_problem
from portal.console.worker import WORKER, case_or_404
from portal.models import PartnerContact
from portal.runtime import db_session, vault
from portal.services.casework import casework, risk_note


def _page(partner: PartnerContact, values: Mapping[str, Any], errors: Mapping[str, object],
          status: int = 200) -> ResponseReturnValue:
    db, keys = db_session(), vault()
    notes = risk_note.notes_of(db, keys, partner.id)
    if notes:
        staff_context().audit("risk_note.list", "partner_contact", partner.id, {"notes": len(notes)})
    return render_template("console/worker/risk_note.html", partner=partner, values=values, errors=errors,
                           agreement=risk_note.agreement(db, keys, partner.id),
                           targets=risk_note.targets(db, partner.id), notes=notes, text_max=risk_note.TEXT_MAX,
                           label=casework.case_label(partner.id), L=labels), status


def _participant(text: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(text)
    except ValueError:
        return None


@bp.route("/cases/<partner_id>/risk-note", methods=["GET", "POST"])
@require_role(WORKER)
def worker_risk_note(partner_id: str) -> ResponseReturnValue:
    partner = case_or_404(partner_id)
    if request.method != "POST":
        return _page(partner, {"text": "", "participant": "", "told": False}, {})
    form = request.form
    values = {"text": str(form.get("text", ""))[:risk_note.TEXT_MAX * 2], "participant": form.get("participant", "")[:80],
              "told": form.get("told") == "yes"}
    try:
        risk_note.send(staff_context(), partner, participant_id=_participant(str(values["participant"])),
                       text=str(values["text"]), told=bool(values["told"]))
    except risk_note.RiskNoteError as exc:
        # Her agreement and an erased case are said at the top; what the note check found, at the note.
        field = "form" if exc.code in ("agreement_needed", "case_erased") else \
            exc.field if exc.field in ("participant", "told") else "text"
        return _page(partner, values, {field: risk_note_problem(exc.code, exc.field)}, 400)
    flash(_("The note is sent. His programme's facilitators see it on his page, from the partner support "
            "service."))
    return redirect(url_for("console.worker_risk_note", partner_id=partner.id) + "#sent", code=303)


@bp.post("/cases/<partner_id>/risk-notes/<note_id>/withdraw")
@require_role(WORKER)
def worker_risk_note_withdraw(partner_id: str, note_id: str) -> ResponseReturnValue:
    partner = case_or_404(partner_id)
    wanted = uuid_or_404(note_id)
    try:
        risk_note.withdraw(staff_context(), partner, wanted)
    except risk_note.RiskNoteError as exc:
        return _page(partner, {"text": "", "participant": "", "told": False},
                     {"form": risk_note_problem(exc.code, exc.field)}, 404 if exc.code == "note_unknown" else 409)
    flash(_("The note is withdrawn: his programme's facilitators no longer see it."))
    return redirect(url_for("console.worker_risk_note", partner_id=partner.id) + "#sent", code=303)
