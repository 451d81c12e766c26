"""Her language chooser in the top bar: a POST (CSRF, no JavaScript needed) that saves it on her record."""

from __future__ import annotations

from flask import current_app, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from werkzeug.exceptions import HTTPException

from portal.i18n import LOCALES
from portal.models import PartnerContact
from portal.public import bp, duress_view
from portal.public.context import NOT_RELOCALISABLE, her_context, her_required
from portal.public.messages import message
from portal.services.her import duress_requests, language


def _back(path: str) -> str:
    """The page of hers she chose from (rebuilt from our own URL map, so never another site), else her start."""
    if not path.startswith("/") or path.startswith("//"):
        return url_for("public.home")
    try:
        endpoint, args = current_app.url_map.bind("localhost").match(path, method="GET")
    except HTTPException:
        return url_for("public.home")
    if not str(endpoint).startswith("public.") or endpoint in NOT_RELOCALISABLE:
        return url_for("public.home")
    return url_for(str(endpoint), **args)


@bp.post("/language")
@her_required
def choose_language(partner: PartnerContact) -> ResponseReturnValue:
    """Save her language (her pages and her texts follow it from now on) and show the same page again.

    A duress session's choice changes its own pages only (her record and her texts keep hers)."""
    chosen = request.form.get("locale", "")[:16]
    if duress_view.active() and chosen in LOCALES:
        if chosen != str(get_locale()):
            duress_view.remember(locale=chosen)
            duress_view.tell_her_worker(partner, duress_requests.CHANGE_LANGUAGE)
        return redirect(_back(request.form.get("next", "")[:500]), code=303)
    try:
        language.choose_language(her_context(partner), partner,
                                 request.form.get("locale", "")[:16], LOCALES)
    except language.LanguageError as exc:
        return render_template("error.html", message=message(exc.code), code=400), 400
    return redirect(_back(request.form.get("next", "")[:500]), code=303)
