"""Her worker, with her: how each kind of warning reads on her phone, and the worker's own number for it.

A small form on her preferences page (templates/console/worker/_wording.html); the rules are the ones her own
choices page follows (services/her/preferences.py), applied through casework.update_preferences.
"""

from __future__ import annotations

from typing import Any

from flask import flash, g, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from portal.console import bp
from portal.console.access import require_role, staff_context
from portal.console.refusals import preference_error
from portal.console.worker import WORKER, _preferences_form, case_or_404
from portal.models import PartnerContact
from portal.runtime import db_session, settings, vault
from portal.services.casework import casework
from portal.services.her import preferences
from portal.sms.factory import catalogs
from portal.sms.templates import NEUTRAL_WORDINGS, WORDING_CHOICES


def parse_wordings(form: MultiDict[str, str]) -> dict[str, preferences.WordingInput]:
    """The posted wording for each kind of news, untrusted: the preferences service decides what is valid."""
    return {topic: preferences.WordingInput(form.get(f"wording-{topic}", "")[:20],
                                            form.get(f"own-{topic}", "")[:preferences.OWN_WORDS_INPUT_MAX],
                                            form.get(f"number-{topic}") == "1")
            for topic in preferences.TOPICS}


def wording_view(partner: PartnerContact) -> dict[str, Any]:
    """What the wording form shows: her choice per kind (or what was just posted), the texts in her language."""
    posted = request.method == "POST" and request.endpoint == "console.worker_wording"
    chosen = parse_wordings(request.form) if posted else preferences.wordings(db_session(), vault(), partner)
    texts = catalogs()
    return {
        "chosen": chosen,
        "texts": {topic: {choice: texts.gettext(partner.locale, text)
                          for choice, text in zip(WORDING_CHOICES, NEUTRAL_WORDINGS[topic], strict=True)}
                  for topic in preferences.TOPICS},
        "her_locale": partner.locale,
        "callback_phone": g.staff.callback_phone or "",
        "own_max": preferences.OWN_WORDS_INPUT_MAX,
    }


@bp.app_context_processor
def _wording_helpers() -> dict[str, object]:
    return {"wording_view": wording_view}


@bp.post("/cases/<partner_id>/wording")
@require_role(WORKER)
def worker_wording(partner_id: str) -> ResponseReturnValue:
    partner = case_or_404(partner_id)
    change = casework.PreferenceChange(flags={}, tell={}, code_word=None, wordings=parse_wordings(request.form))
    try:
        casework.update_preferences(staff_context(), partner, change)
    except casework.CaseError as exc:
        return _preferences_form(partner, {exc.field or "form": preference_error(exc.code)}, 400)
    flash(_("How her warnings read is saved, recorded as changed by you on her behalf."))
    return redirect(url_for("console.worker_preferences", partner_id=partner.id) + "#wording", code=303)


@bp.post("/cases/<partner_id>/callback-number")
@require_role(WORKER)
def worker_callback_number(partner_id: str) -> ResponseReturnValue:
    partner = case_or_404(partner_id)
    try:
        casework.set_callback_phone(staff_context(), g.staff, request.form.get("callback_phone", ""),
                                    region=settings().default_region)
    except casework.CaseError as exc:
        return _preferences_form(partner, {exc.field or "form": preference_error(exc.code)}, 400)
    flash(_("Your number for her texts is saved."))
    return redirect(url_for("console.worker_preferences", partner_id=partner.id) + "#wording", code=303)
