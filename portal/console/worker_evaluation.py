"""Her worker's side of her evaluation questions: her yes or no as she told it, and a stage asked by phone.

Her answers are never shown back (services/evaluation/by_phone.py): once sent, they are the reports' only.
"""

from __future__ import annotations

from collections.abc import Mapping

from flask import flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _

from portal.console import bp, labels
from portal.console.access import not_found, require_role, staff_context, uuid_or_404
from portal.console.refusals import EVALUATION_ERRORS
from portal.console.worker import WORKER, case_or_404
from portal.domain_error import DomainError
from portal.models import EvaluationOffer, PartnerContact
from portal.runtime import db_session, evaluation_items
from portal.services.casework import casework
from portal.services.evaluation import by_phone
from portal.services.evaluation.items import NOT_APPLICABLE

FIELD = "q-"  # each question's radio group is named q-<item code>
CHOICES = {"yes": True, "no": False}


def _offer_or_404(partner: PartnerContact, offer_id: str) -> EvaluationOffer:
    offer = by_phone.her_offer(db_session(), partner, uuid_or_404(offer_id))
    return offer if offer is not None else not_found()


def _words(code: str) -> object:
    return EVALUATION_ERRORS.get(code) or _("That did not work. Please check and try again.")


def _section_page(partner: PartnerContact, error: object, status: int) -> ResponseReturnValue:
    """Her evaluation section alone, with why the form was refused."""
    return render_template("console/worker/evaluation.html", partner=partner, label=casework.case_label(partner.id),
                           evaluation=by_phone.case_view(db_session(), partner), error=error, L=labels), status


@bp.post("/cases/<partner_id>/evaluation/consent")
@require_role(WORKER)
def worker_evaluation_consent(partner_id: str) -> ResponseReturnValue:
    partner = case_or_404(partner_id)
    choice = request.form.get("choice", "")
    if choice not in CHOICES:
        return _section_page(partner, EVALUATION_ERRORS["choice"], 400)
    try:
        changed = by_phone.told_worker(staff_context(), partner, g.staff, agreed=CHOICES[choice])
    except DomainError as exc:
        return _section_page(partner, _words(exc.code), 409)
    if not changed:
        flash(_("Nothing changed: that is what is recorded already."))
    elif CHOICES[choice]:
        flash(_("Recorded: she agreed to evaluation questions, as she told you."))
    else:
        flash(_("Recorded: she said no to evaluation questions. Any stage not yet answered is cancelled, and "
                "she will not be asked again."))
    return redirect(url_for("console.worker_case", partner_id=partner.id) + "#evaluation", code=303)


def _phone_form(partner: PartnerContact, offer: EvaluationOffer, *, chosen: Mapping[str, str], error: object = None,
                status: int = 200, error_field: str | None = None) -> ResponseReturnValue:
    items = evaluation_items()
    askable: object = None
    try:
        by_phone.check_askable(db_session(), partner, offer)
    except DomainError as exc:
        askable, status = _words(exc.code), (status if status >= 400 else 409)
    return render_template("console/worker/evaluation_phone.html", partner=partner, offer=offer, items=items,
                           lang=items.language(str(get_locale())), chosen=chosen, error=error, closed=askable,
                           not_applicable=NOT_APPLICABLE, field=FIELD, error_field=error_field,
                           label=casework.case_label(partner.id),
                           L=labels), status


@bp.route("/cases/<partner_id>/evaluation/<offer_id>/phone", methods=["GET", "POST"])
@require_role(WORKER)
def worker_evaluation_phone(partner_id: str, offer_id: str) -> ResponseReturnValue:
    """The stage's questions, to read to her over the phone; what she answered is recorded, then not shown again."""
    partner = case_or_404(partner_id)
    offer = _offer_or_404(partner, offer_id)
    if request.method != "POST":
        return _phone_form(partner, offer, chosen={})
    items = evaluation_items()
    raw = {code: request.form.get(FIELD + code, "")[:40] for code in items.codes}
    try:
        answered = by_phone.record_by_phone(staff_context(), items, partner, offer, raw, g.staff)
    except DomainError as exc:
        error = _words(exc.code)
        garbage = exc.code == "evaluation.answer_unknown"
        return _phone_form(partner, offer, chosen=raw, error=error, status=400 if garbage else 409,
                           error_field=exc.field if garbage else None)
    flash(_("Her answers to this stage are recorded (%(count)d of %(total)d questions answered). They are not "
            "shown here again.", count=answered.answered, total=len(items.codes)))
    return redirect(url_for("console.worker_case", partner_id=partner.id) + "#evaluation", code=303)


@bp.post("/cases/<partner_id>/evaluation/<offer_id>/skip")
@require_role(WORKER)
def worker_evaluation_skip(partner_id: str, offer_id: str) -> ResponseReturnValue:
    partner = case_or_404(partner_id)
    offer = _offer_or_404(partner, offer_id)
    try:
        by_phone.skip_by_phone(staff_context(), partner, offer, g.staff)
    except DomainError as exc:
        return _phone_form(partner, offer, chosen={}, error=_words(exc.code), status=409)
    flash(_("Recorded: she does not want to answer this stage. It will not be offered to her again."))
    return redirect(url_for("console.worker_case", partner_id=partner.id) + "#evaluation", code=303)
