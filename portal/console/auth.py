"""Staff sign-in (password, then a TOTP code; authenticator set-up at first sign-in), password change, sign-out."""

from __future__ import annotations

import uuid
from datetime import datetime

from flask import flash, g, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_limiter.errors import RateLimitExceeded

from portal.console import bp
from portal.console.access import require_signed_in, staff_context
from portal.extensions import db, limiter
from portal.models import ActorKind, StaffUser
from portal.runtime import audit_key, domain_context, now, settings, vault
from portal.services.admin import signin
from portal.services.admin.passwords import PASSWORD_MAX, PASSWORD_MIN
from portal.services.audit import SYSTEM, Actor
from portal.sessions import STAFF, server_session
from portal.unit_of_work import commit_now

MAX_FIELD = 254 + PASSWORD_MAX  # nothing longer is read from a sign-in form
# Per client address, shared by the password, code and set-up steps (Redis-backed when PORTAL_REDIS_URL is
# set, so every web process counts together). Generous enough for an office behind one address; the
# per-(account, address) lock in services/admin/signin.py does the fine-grained work.
SIGN_IN_LIMIT = "20 per minute;200 per hour"
SIGN_IN_STEPS = frozenset({"console.sign_in", "console.sign_in_code", "console.totp_setup"})
sign_in_limit = limiter.shared_limit(SIGN_IN_LIMIT, scope="staff-sign-in", methods=["POST"])


def client() -> str:
    """This request's client address (a trusted proxy's X-Forwarded-For already applied), as a keyed hash."""
    return signin.client_key(audit_key(), request.remote_addr)


def refused_message() -> str:
    return _("That email address and password do not match an account, or there were too many attempts. "
             "Please check and try again in a few minutes.")


def password_messages() -> dict[str, str]:
    return {
        "length": _("Choose a password of %(low)d to %(high)d characters.", low=PASSWORD_MIN, high=PASSWORD_MAX),
        "common": _("That password is on a list of common passwords. Please choose another one."),
        "guessable": _("That password is too easy to guess. A few unrelated words together work well."),
        "unchanged": _("The new password must be different from the current one."),
        "wrong-current": _("Your current password was not right."),
        "mismatch": _("The two new passwords are not the same."),
    }


def pending_user() -> StaffUser | None:
    """The person who gave a right password in the last few minutes and still owes a code."""
    if getattr(session, "audience", None) != STAFF or session.get("mfa") is not False:
        return None
    try:
        passed = datetime.fromisoformat(session.get("password_at", ""))
        user = db.session.get(StaffUser, uuid.UUID(server_session().staff_id or ""))
    except (TypeError, ValueError):
        return None
    if user is None or not user.is_active or session.get("epoch") != user.session_epoch:
        return None
    if now() - passed > signin.MFA_WINDOW:
        return None
    return user


def too_many_message() -> str:
    return _("Too many sign-in attempts from this network. Please wait a few minutes, then try again.")


@bp.errorhandler(RateLimitExceeded)
def too_many(error: RateLimitExceeded) -> ResponseReturnValue:
    """A sign-in step over its per-address limit: the sign-in page with a plain message, status 429."""
    if request.endpoint not in SIGN_IN_STEPS:
        from portal.errors import render_error

        return render_error(error)
    return render_template("console/auth/sign_in.html", error=too_many_message(), email=""), 429


@bp.route("/sign-in", methods=["GET", "POST"])
@sign_in_limit
def sign_in() -> ResponseReturnValue:
    error = None
    email = ""
    if request.method == "POST":
        email = request.form.get("email", "")[:MAX_FIELD]
        password = request.form.get("password", "")[:MAX_FIELD]
        # Whose account it is is not known yet: the service audits as the account it finds.
        result = signin.check_password(domain_context(SYSTEM), email, password, client())
        commit_now()  # the failure count and the audit entry stand, whatever happens next
        if result.user is not None:
            server_session().bind_staff(str(result.user.id))
            session["epoch"] = result.user.session_epoch
            session["mfa"] = False
            session["password_at"] = now().isoformat()
            if result.user.totp_confirmed_at is None:
                return redirect(url_for("console.totp_setup"), code=303)
            return redirect(url_for("console.sign_in_code"), code=303)
        error = refused_message()
    return render_template("console/auth/sign_in.html", error=error, email=email), 400 if error else 200


def _finish(user: StaffUser) -> ResponseReturnValue:
    signin.complete_sign_in(staff_context(user), user, client())
    server_session().regenerate()
    session["epoch"] = user.session_epoch
    session["mfa"] = True
    session.pop("password_at", None)
    if user.password_change_required:
        return redirect(url_for("console.change_password"), code=303)
    return redirect(url_for("console.home"), code=303)


def _code_refused(result: signin.CodeResult) -> str:
    if result.problem == "locked":
        return _("Too many attempts. Please wait a few minutes, then sign in again.")
    if result.problem == "not-digits":
        return _("Please type the 6 digits shown in your authenticator app, using the digits 0 to 9.")
    return _("That code did not work. Wait for the next code in your app and try again.")


@bp.route("/sign-in/code", methods=["GET", "POST"])
@sign_in_limit
def sign_in_code() -> ResponseReturnValue:
    user = pending_user()
    if user is None or user.totp_confirmed_at is None:
        return redirect(url_for("console.sign_in"), code=303)
    error = None
    if request.method == "POST":
        result = signin.check_code(staff_context(user), user, request.form.get("code", "")[:20], client())
        commit_now()  # the failure count and the audit entry stand, whatever happens next
        if result.ok:
            return _finish(user)
        error = _code_refused(result)
    return render_template("console/auth/code.html", error=error), 400 if error else 200


@bp.route("/sign-in/authenticator", methods=["GET", "POST"])
@sign_in_limit
def totp_setup() -> ResponseReturnValue:
    user = pending_user()
    if user is None or user.totp_confirmed_at is not None:
        return redirect(url_for("console.sign_in"), code=303)
    secret, uri = signin.totp_setup(vault(), user, settings().site_name)
    error = None
    if request.method == "POST":
        result = signin.confirm_totp(staff_context(user), user, request.form.get("code", "")[:20], client())
        commit_now()  # the failure count and the audit entry stand, whatever happens next
        if result.ok:
            return _finish(user)
        error = _code_refused(result)
    grouped = " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))
    return render_template("console/auth/setup.html", secret=grouped, uri=uri, error=error), 400 if error else 200


@bp.route("/account/password", methods=["GET", "POST"])
@require_signed_in(allow_password_change=True)
def change_password() -> ResponseReturnValue:
    user: StaffUser = g.staff
    error = None
    if request.method == "POST":
        current = request.form.get("current", "")[:MAX_FIELD]
        new = request.form.get("new", "")[:MAX_FIELD]
        if new != request.form.get("confirm", "")[:MAX_FIELD]:
            problem: str | None = "mismatch"
        else:
            problem = signin.change_password(staff_context(user), user, current, new, client())
        if problem is not None:
            commit_now()  # a wrong current password is counted and audited, whatever happens next
        if problem is None:
            server_session().regenerate()
            session["epoch"] = user.session_epoch
            flash(_("Your password is changed. You were signed out everywhere else."), "info")
            return redirect(url_for("console.home"), code=303)
        error = password_messages()[problem]
    return render_template("console/auth/password.html", error=error, required=user.password_change_required,
                           low=PASSWORD_MIN, high=PASSWORD_MAX), 400 if error else 200


@bp.post("/sign-out")
def sign_out() -> ResponseReturnValue:
    staff_id = getattr(session, "staff_id", None)
    if getattr(session, "audience", None) == STAFF and staff_id:
        domain_context(Actor(ActorKind.STAFF, staff_id)).audit("staff.sign_out", "staff_user", staff_id)
    server_session().destroy()
    response = redirect(url_for("console.sign_in"), code=303)
    response.headers["Clear-Site-Data"] = '"cache", "cookies", "storage"'
    return response
