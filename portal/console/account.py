"""A staff member's own settings: the time zone the console shows their times in."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from portal.console import bp
from portal.console.access import require_signed_in
from portal.models import ActorKind
from portal.runtime import domain_context, settings
from portal.services.admin.staff_accounts import AccountError, set_own_timezone
from portal.services.audit import Actor
from portal.services.her.preferences import SUGGESTED_ZONES


def _page(error: str | None = None, status: int = 200) -> ResponseReturnValue:
    zones = SUGGESTED_ZONES if not g.staff.timezone or g.staff.timezone in SUGGESTED_ZONES else (
        g.staff.timezone, *SUGGESTED_ZONES)
    return render_template("console/auth/timezone.html", zones=zones, current=g.staff.timezone or "",
                           default=settings().default_timezone, error=error), status


@bp.route("/account/time-zone", methods=["GET", "POST"])
@require_signed_in()
def account_timezone() -> ResponseReturnValue:
    if request.method != "POST":
        return _page()
    ctx = domain_context(Actor(ActorKind.STAFF, str(g.staff.id)))
    try:
        set_own_timezone(ctx, g.staff, request.form.get("timezone", "")[:64])
    except AccountError:
        return _page(_("Choose a time zone from the list."), 400)
    flash(_("Saved. Times on these pages now show on your clock."), "info")
    return redirect(url_for("console.home"), code=303)
