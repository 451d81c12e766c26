"""Her plan, sealed by her passphrase: set it up, open and lock it, print, share a copy, delete it at once.

The service (portal/services/her/safety_plan.py) does the sealing; her session keeps the open plan's key only
sealed under her session id (portal/public/plan_session.py). Opening with her second passphrase answers
exactly as opening with her main one (the same redirect, headers and page, after the same minimum time), and
shows the harmless plan in the same templates. Her plan's parts and priorities: portal/public/plan_parts.py.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from flask import redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import format_number, format_timedelta, get_locale
from flask_babel import gettext as _

from portal.extensions import limiter
from portal.i18n import default_locale
from portal.models import PartnerContact
from portal.public import bp, duress_view, plan_session
from portal.public.context import deployment, her_context, her_required
from portal.public.messages import message
from portal.public.plan_words import DECOY_FIELDS, FIELD_LABELS, ordered_parts
from portal.public.preferences import NOTICE
from portal.response_floor import PLAN_OPEN_DEFAULT_SECONDS, PLAN_OPEN_KEY, floor_after_commit
from portal.runtime import db_session, settings
from portal.services.casework.erasure_storage import StorageCleanup, clean_storage
from portal.services.her import duress_requests, safety_plan
from portal.services.her.safety_plan import FIELD_MAX, PASSPHRASE_MAX, PlanContent, PlanError, Unlocked
from portal.unit_of_work import after_commit

OPEN_LIMIT = "10 per minute;60 per hour"
# What she types is cut here before anything else reads it: a passphrase just past the longest allowed (so
# that "too long" is still noticed), a field just past FIELD_MAX (the service counts exactly, after NFC).
PASSPHRASE_CUT = PASSPHRASE_MAX + 1
FIELD_CUT = FIELD_MAX * 2
# Where each refusal of the set-up form is shown (the field's id on the page).
# The form's field ids (bandit takes the word "passphrase" for a hard-coded secret).
SETUP_ANCHORS = {"passphrase": "passphrase", "duress_passphrase": "second"}  # nosec B105


def plan_message(code: str) -> str:
    """Her words for a refusal of her plan's pages (the count in "too long" written her way)."""
    return message(code, count=format_number(FIELD_MAX)) if code == "too_long" else message(code)


def field_id(code: str, prefix: str = "") -> str:
    """The id of a field's box on her page ("people.contacts" -> "people-contacts")."""
    return prefix + code.replace(".", "-")


def plan_open(view: Callable[..., Any]) -> Callable[..., Any]:
    """Her pages of an open plan: without her session, the neutral start; without an open plan, her plan's page
    (which asks for her passphrase). The view gets her record, the open plan and what it holds."""

    @her_required
    @functools.wraps(view)
    def wrapper(partner: PartnerContact, *args: Any, **kwargs: Any) -> Any:
        opened = plan_session.unlocked()
        content = _read(opened) if opened is not None else None
        if opened is None or content is None:
            return redirect(url_for("public.plan"), code=303)
        return view(partner, opened, content, *args, **kwargs)

    return wrapper


def _read(opened: Unlocked) -> PlanContent | None:
    """What the open plan holds; None if it is gone (deleted in another session) or the key no longer opens it."""
    try:
        return safety_plan.read(db_session(), opened)
    except PlanError:
        return None


def _helplines_text() -> str:
    """The deployment's numbers in her language, one a line, to start her "useful numbers" with."""
    view = deployment()
    lines = [f"{_('Emergency')}: {view.emergency_number}"]
    for line in view.helplines_for(str(get_locale()), default_locale()):
        lines.append(f"{line.name}: {line.phone}" + (f" ({line.hours})" if line.hours else ""))
    return "\n".join(lines)[:FIELD_MAX]  # a part holds at most FIELD_MAX characters


# -- her plan's page: set it up, open it, or see it -------------------------------------------------------------

@bp.get("/plan")
@her_required
def plan(partner: PartnerContact) -> ResponseReturnValue:
    """Before she starts: what the plan is and the set-up form; with a plan: her passphrase, or her plan."""
    status = safety_plan.status(db_session(), partner.id)
    notice = session.pop(NOTICE, None)
    if not status.exists:
        return _start_page(notice=notice)
    opened = plan_session.unlocked()
    content = _read(opened) if opened is not None else None
    if opened is None or content is None:
        return _open_page(notice=notice)
    shared = safety_plan.status(db_session(), partner.id, unlocked=opened).shared
    return render_template("public/plan.html", parts=ordered_parts(safety_plan.section_order(content.priorities)),
                           content=content, shared=shared, notice=notice)


def _start_page(status: int = 200, errors: list[tuple[str, str]] | None = None,
                decoy: dict[str, str] | None = None, second_open: bool = False,
                notice: str | None = None) -> ResponseReturnValue:
    decoy_fields = [{"code": code, "id": field_id(code, "decoy-"), "label": FIELD_LABELS[code]}
                    for code in DECOY_FIELDS]
    return render_template("public/plan_start.html", errors=errors or [], decoy=decoy or {},
                           decoy_fields=decoy_fields, second_open=second_open, field_max=FIELD_MAX,
                           notice=notice), status


def _open_page(status: int = 200, error: str | None = None, waiting: str | None = None,
               notice: str | None = None) -> ResponseReturnValue:
    return render_template("public/plan_open.html", error=error, waiting=waiting, notice=notice), status


@bp.post("/plan/new")
@her_required
def new_plan(partner: PartnerContact) -> ResponseReturnValue:
    """Seal her new plan (and, if she wants, the harmless one her second passphrase opens); then her priorities.

    A passphrase is never written back into the page; everything else she typed is kept when we ask again."""
    form = request.form
    passphrase, again = form.get("passphrase", "")[:PASSPHRASE_CUT], form.get("passphrase_again", "")[:PASSPHRASE_CUT]
    second = form.get("second", "")[:PASSPHRASE_CUT]
    second_again = form.get("second_again", "")[:PASSPHRASE_CUT]
    decoy = {code: form.get(field_id(code, "decoy-"), "")[:FIELD_CUT] for code in DECOY_FIELDS}
    wants_second = bool(second or second_again)
    errors: list[tuple[str, str]] = []
    if passphrase != again:
        errors.append(("passphrase_again", plan_message("passphrase_mismatch")))
    if wants_second and second != second_again:
        errors.append(("second_again", plan_message("passphrase_mismatch")))
    if not wants_second and any(decoy.values()):
        errors.append(("second", plan_message("second_needed")))
    if not errors:
        try:
            opened = safety_plan.create(
                her_context(partner), partner, passphrase, duress_passphrase=second or None,
                decoy=PlanContent((), {code: text for code, text in decoy.items() if text}) if wants_second else None,
                content=PlanContent((), {"support.services": _helplines_text()}), kdf=settings().plan_kdf)
        except PlanError as exc:
            if exc.code == "plan_exists":
                return redirect(url_for("public.plan"), code=303)
            anchor = SETUP_ANCHORS.get(exc.field or "passphrase") or field_id(exc.field or "", "decoy-")
            errors.append((anchor, plan_message(exc.code)))
        else:
            plan_session.remember(opened)
            duress_view.tell_if_duress(partner, duress_requests.NEW_PLAN)  # only after a deletion there
            return redirect(url_for("public.priorities"), code=303)
    return _start_page(400, errors, decoy, second_open=wants_second or any(decoy.values()))


@bp.post("/plan/open")
@limiter.limit(OPEN_LIMIT)
@her_required
def open_plan(partner: PartnerContact) -> ResponseReturnValue:
    """Open her plan with either passphrase: the same answer, in the same time, for both (see the module)."""
    floor_after_commit(time.perf_counter(), PLAN_OPEN_KEY, PLAN_OPEN_DEFAULT_SECONDS)
    typed = request.form.get("passphrase", "")[:PASSPHRASE_CUT]
    if not typed:
        return _open_page(400, error=plan_message("passphrase_empty"))
    try:
        outcome = safety_plan.open_plan(her_context(partner), partner, typed, kdf=settings().plan_kdf)
    except PlanError:  # no plan (deleted meanwhile): her plan's page says what there is
        return redirect(url_for("public.plan"), code=303)
    if outcome.unlocked is not None:
        plan_session.remember(outcome.unlocked)
        duress_view.opened(outcome.unlocked)  # the same write for both passphrases
        return redirect(url_for("public.plan"), code=303)
    if outcome.wait_seconds:  # this wrong try starts a wait, or one is running (then nothing was tried)
        return _open_page(400, waiting=wait_words(outcome.wait_seconds))
    return _open_page(400, error=_("That passphrase did not open your plan. Please check it and try again."))


def wait_words(seconds: int) -> str:
    """"You can try again in 5 minutes", in her language; rounded up to whole minutes, so it is never early."""
    minutes = max(1, -(-seconds // 60))
    wait = format_timedelta(timedelta(minutes=minutes), granularity="minute", threshold=2)
    return _("You have tried several times. You can try again in %(wait)s.", wait=wait)


@bp.post("/plan/close")
@her_required
def close_plan(partner: PartnerContact) -> ResponseReturnValue:
    """Lock her plan again: this session forgets its key; her passphrase opens it next time."""
    plan_session.forget()
    return redirect(url_for("public.plan"), code=303)


# -- print, share, delete ---------------------------------------------------------------------------------------

@bp.get("/plan/print")
@plan_open
def print_plan(partner: PartnerContact, opened: Unlocked, content: PlanContent) -> ResponseReturnValue:
    """Her plan in her order, on paper: nothing at its top names the service; the numbers work offline."""
    view = deployment()
    return render_template("public/plan_print.html", content=content,
                           parts=ordered_parts(safety_plan.section_order(content.priorities)),
                           labels=FIELD_LABELS, helplines=view.helplines_for(str(get_locale()), default_locale()))


@bp.post("/plan/share")
@plan_open
def share_plan(partner: PartnerContact, opened: Unlocked, content: PlanContent) -> ResponseReturnValue:
    """Her choice: a copy for her worker, under the service's keys (she can withdraw it)."""
    safety_plan.share(her_context(partner), partner, opened)  # a duress session's: the harmless plan's, marked
    duress_view.tell_if_duress(partner, duress_requests.SHARE_PLAN)
    session[NOTICE] = "plan_shared"
    return redirect(url_for("public.plan"), code=303)


@bp.post("/plan/unshare")
@plan_open
def unshare_plan(partner: PartnerContact, opened: Unlocked, content: PlanContent) -> ResponseReturnValue:
    """The copy her worker could read is destroyed."""
    safety_plan.withdraw_share(her_context(partner), partner, opened)  # this slot's copy only
    duress_view.tell_if_duress(partner, duress_requests.WITHDRAW_SHARE)
    session[NOTICE] = "plan_unshared"
    return redirect(url_for("public.plan"), code=303)


@bp.route("/plan/delete", methods=["GET", "POST"])
@her_required
def delete_plan(partner: PartnerContact) -> ResponseReturnValue:
    """Ask once, then destroy her plan at once (both slots and any shared copy), open or not."""
    status = safety_plan.status(db_session(), partner.id)
    if not status.exists:
        return redirect(url_for("public.plan"), code=303)
    if request.method != "POST":  # GET and HEAD only show the page
        return render_template("public/plan_delete.html")
    safety_plan.delete(her_context(partner), partner)  # in a duress session too: "deleted" must be true
    duress_view.tell_if_duress(partner, duress_requests.DELETE_PLAN)
    plan_session.forget()
    engine = db_session().get_bind()
    after_commit(lambda: clean_storage(engine, StorageCleanup(safety_plan.PLAN_TABLES)))  # type: ignore[arg-type]
    session[NOTICE] = "plan_deleted"
    return redirect(url_for("public.plan"), code=303)
