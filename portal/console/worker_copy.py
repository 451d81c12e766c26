"""Her worker's copy of her information, to print and hand over to her: the same body as her own copy page
(templates/public/_copy_body.html), in her language and on her clock. Never-disclose values only when her worker
ticks to include them (a POST); every showing is audited, with whether they were in it."""

from __future__ import annotations

from flask import render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import force_locale
from markupsafe import Markup

from portal.console import bp
from portal.console.access import require_role, staff_context
from portal.console.worker import WORKER, case_or_404
from portal.i18n import LOCALES, current_direction, default_locale
from portal.public.copy import body_context
from portal.runtime import db_session, evaluation_items, now, risk_checklist, vault
from portal.services.casework import casework
from portal.services.her import access_export


@bp.route("/cases/<partner_id>/copy", methods=["GET", "POST"])
@require_role(WORKER)
def worker_copy(partner_id: str) -> ResponseReturnValue:
    partner = case_or_404(partner_id)
    include_private = request.method == "POST" and request.form.get("private") == "1"
    locale = partner.locale if partner.locale in LOCALES else default_locale()
    with force_locale(locale):
        copy = access_export.gather(db_session(), vault(), partner, now=now(), locale=locale,
                                    include_private=include_private, checklist=risk_checklist(),
                                    items=evaluation_items())
        # Rendered by Jinja with autoescaping on: every value in it is already escaped.
        body = Markup(render_template("public/_copy_body.html", **body_context(copy)))  # noqa: S704  # nosec B704
        title = Markup(render_template("console/worker/_copy_title.html"))  # noqa: S704  # nosec B704
    access_export.view(staff_context(), partner, copy, purpose="handed_over")
    return render_template("console/worker/copy.html", partner=partner, body=body, title=title, her_locale=locale,
                           her_dir=current_direction(locale), private_shown=include_private,
                           label=casework.case_label(partner.id))
