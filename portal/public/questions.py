"""Her evaluation questions (issue 13; WWP EN B.6): her yes or no to them, the questions of a stage offered to
her, and the thanks. Every page works without JavaScript.

- Her yes or no (`/questions/choice`): off until she says yes; she can change it at any time (her no cancels
  what is waiting: services/her/consent.evaluation_chosen). The honest explanation is one tap away, so the
  first screen names nothing.
- The questions (`/questions`): the stage offered to her now (services/evaluation/offers.waiting), its items in
  her language, grouped by domain, one radio group each, every question optional; "Send my answers" records
  what she chose (services/evaluation/answers.record_answers, recorded by her), "Skip these questions" closes
  the stage in one tap (skip_stage). A closed, stale or someone else's offer gets one kind page (409); an
  answer the question does not take gets the form back with what she chose (400).
- A duress session (portal/public/duress_view.py) looks like a fresh record: nothing is waiting and the
  questions are off; its yes or no is remembered for that session only, never applied.
"""

from __future__ import annotations

from collections.abc import Mapping

from flask import redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale

from portal.domain_error import DomainError
from portal.i18n import LOCALES
from portal.models import ConsentChannel, EvaluationOffer, PartnerContact, PartnerStatus, RecordedBy
from portal.public import bp, duress_view
from portal.public.context import her_context, her_required
from portal.public.messages import message
from portal.runtime import db_session, evaluation_items
from portal.services.evaluation import answers, offers
from portal.services.evaluation.items import NOT_APPLICABLE, ItemSet
from portal.services.her import consent

DONE = "questions_done"  # session key: what her last send was ("answered" or "skipped"), shown once
CHOICE_NOTICE = "questions_choice"  # session key: her yes or no was saved ("on" or "off"), shown once
ANSWERED, SKIPPED = "answered", "skipped"
FIELD = "q-"  # each question's field is its code after this prefix
ANSWER_MAX = 40  # characters of a posted answer read (answer codes are shorter)


def waiting_offer(partner: PartnerContact) -> EvaluationOffer | None:
    """The stage waiting for her, as her pages show it (none in a duress session, none while contact is off)."""
    if duress_view.active() or partner.status != PartnerStatus.ACTIVE:
        return None
    return offers.waiting(db_session(), partner.id)


@bp.app_template_global("questions_waiting")
def questions_waiting() -> bool:
    """For her start page: a stage is waiting for her (the template asks only inside her session)."""
    from portal.public.context import current_partner

    partner = current_partner()
    return partner is not None and waiting_offer(partner) is not None


def _agreed(partner: PartnerContact) -> bool:
    if duress_view.active():
        return duress_view.questions_on()
    return consent.evaluation_agreed(db_session(), partner.id)


def _direction(items: ItemSet, locale: str) -> tuple[str, str]:
    language = items.language(locale)
    return language, LOCALES[language].direction if language in LOCALES else "ltr"


def _render(partner: PartnerContact, offer: EvaluationOffer | None, *, status: int = 200,
            chosen: Mapping[str, str] | None = None, errors: Mapping[str, str] | None = None) -> ResponseReturnValue:
    items = evaluation_items()
    locale = str(get_locale())
    language, direction = _direction(items, locale)
    errors = dict(errors or {})
    return render_template(
        "public/questions.html", offer=offer, items=items, locale=locale, items_lang=language,
        items_dir=direction, chosen=dict(chosen or {}), errors=errors,
        errors_list=[(f"item-{code}" if code != "main" else "questions-form", text) for code, text in errors.items()],
        field=FIELD,
        not_applicable=NOT_APPLICABLE, agreed=_agreed(partner)), status


def _closed_page() -> ResponseReturnValue:
    """One kind page for a stage that is closed, stale, unknown or not hers (the same words and status)."""
    return render_template("public/questions_closed.html"), 409


@bp.get("/questions")
@her_required
def questions(partner: PartnerContact) -> ResponseReturnValue:
    if partner.status == PartnerStatus.INVITED:  # she has not said yes to contact yet: that page first
        return redirect(url_for("public.contact"), code=303)
    return _render(partner, waiting_offer(partner))


def _raw_answers(form: Mapping[str, str]) -> dict[str, str]:
    return {name[len(FIELD):][:ANSWER_MAX]: str(form.get(name, ""))[:ANSWER_MAX] for name in form
            if name.startswith(FIELD)}


@bp.post("/questions")
@her_required
def send_questions(partner: PartnerContact) -> ResponseReturnValue:
    action = request.form.get("action", "")
    if action not in ("send", "skip"):
        return _render(partner, waiting_offer(partner), status=400,
                       errors={"main": message("unknown_field")})
    if duress_view.active():  # nothing is waiting in a duress session: a form from before it leads nowhere
        return _closed_page()
    db = db_session()
    offer = offers.her_open_offer(db, partner.id, request.form.get("offer", ""), lock=True)
    if offer is None or partner.status != PartnerStatus.ACTIVE:
        return _closed_page()
    ctx = her_context(partner)
    if action == "skip":
        answers.skip_stage(ctx, partner, offer, recorded_by=RecordedBy.HER)
        session[DONE] = SKIPPED
        return redirect(url_for("public.questions_thanks"), code=303)
    raw = _raw_answers(request.form)
    try:
        answers.record_answers(ctx, evaluation_items(), partner, offer, raw, recorded_by=RecordedBy.HER)
    except DomainError as exc:
        if exc.code != "evaluation.answer_unknown":  # her yes withdrawn, or sent twice at once
            return _closed_page()  # a 4xx: this request's writes are rolled back (portal/unit_of_work.py)
        items = evaluation_items()
        kept = {code: value for code, value in raw.items()
                if (item := items.item(code)) is not None and value in items.answers_for(item)}
        field = exc.field if exc.field and items.item(exc.field) is not None else "main"
        return _render(partner, offer, status=400, chosen=kept, errors={field: message(exc.code)})
    session[DONE] = ANSWERED
    return redirect(url_for("public.questions_thanks"), code=303)


@bp.get("/questions/thanks")
@her_required
def questions_thanks(partner: PartnerContact) -> ResponseReturnValue:
    return render_template("public/questions_thanks.html", outcome=session.pop(DONE, None))


@bp.route("/questions/choice", methods=["GET", "POST"])
@her_required
def questions_choice(partner: PartnerContact) -> ResponseReturnValue:
    """Her yes or no to a few questions now and then (off until she says yes), with what they are for."""
    if request.method != "POST":
        return render_template("public/questions_choice.html", agreed=_agreed(partner),
                               contact_on=duress_view.status(partner) == PartnerStatus.ACTIVE,
                               notice=session.pop(CHOICE_NOTICE, None), error=False)
    answer = request.form.get("answer", "")
    if answer not in ("yes", "no"):
        return render_template("public/questions_choice.html", agreed=_agreed(partner),
                               contact_on=duress_view.status(partner) == PartnerStatus.ACTIVE, notice=None,
                               error=True), 400
    if duress_view.active():  # remembered for this session only, never applied to her record
        duress_view.remember(evaluation=answer == "yes")
    else:
        consent.evaluation_chosen(her_context(partner), partner, on=answer == "yes", channel=ConsentChannel.WEB)
    session[CHOICE_NOTICE] = "on" if answer == "yes" else "off"
    return redirect(url_for("public.questions_choice"), code=303)
