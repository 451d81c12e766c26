"""Staff sign-in (password, then a TOTP code; authenticator set-up at first sign-in), password change, sign-out."""

from __future__ import annotations

import uuid
from datetime import datetime

from flask import flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from portal.console import bp
from portal.console.access import require_signed_in
from portal.extensions import db
from portal.models import StaffUser
from portal.runtime import audit_key, now, settings, vault
from portal.services import signin
from portal.services.audit import Actor, record
from portal.services.passwords import PASSWORD_MAX, PASSWORD_MIN
from portal.sessions import STAFF

MAX_FIELD = 254 + PASSWORD_MAX  # nothing longer is read from a sign-in form


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
        user = db.session.get(StaffUser, uuid.UUID(session.staff_id))  # type: ignore[attr-defined]
    except (TypeError, ValueError):
        return None
    if user is None or not user.is_active or session.get("epoch") != user.session_epoch:
        return None
    if now() - passed > signin.MFA_WINDOW:
        return None
    return user


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in():  # type: ignore[no-untyped-def]
    error = None
    email = ""
    if request.method == "POST":
        email = request.form.get("email", "")[:MAX_FIELD]
        password = request.form.get("password", "")[:MAX_FIELD]
        result = signin.check_password(db.session, audit_key(), email, password, now())
        db.session.commit()
        if result.user is not None:
            session.bind_staff(str(result.user.id))  # type: ignore[attr-defined]
            session["epoch"] = result.user.session_epoch
            session["mfa"] = False
            session["password_at"] = now().isoformat()
            if result.user.totp_confirmed_at is None:
                return redirect(url_for("console.totp_setup"), code=303)
            return redirect(url_for("console.sign_in_code"), code=303)
        error = refused_message()
    return render_template("console/auth/sign_in.html", error=error, email=email), 400 if error else 200


def _finish(user: StaffUser):  # type: ignore[no-untyped-def]
    signin.complete_sign_in(db.session, audit_key(), user, now())
    db.session.commit()
    session.regenerate()  # type: ignore[attr-defined]
    session["epoch"] = user.session_epoch
    session["mfa"] = True
    session.pop("password_at", None)
    if user.password_change_required:
        return redirect(url_for("console.change_password"), code=303)
    return redirect(url_for("console.home"), code=303)


def _code_refused(user: StaffUser) -> str:
    if signin.is_locked(user, now()):
        return _("Too many attempts. Please wait a few minutes, then sign in again.")
    return _("That code did not work. Wait for the next code in your app and try again.")


@bp.route("/sign-in/code", methods=["GET", "POST"])
def sign_in_code():  # type: ignore[no-untyped-def]
    user = pending_user()
    if user is None or user.totp_confirmed_at is None:
        return redirect(url_for("console.sign_in"), code=303)
    error = None
    if request.method == "POST":
        ok = signin.check_code(db.session, vault(), audit_key(), user, request.form.get("code", "")[:20], now())
        db.session.commit()
        if ok:
            return _finish(user)
        error = _code_refused(user)
    return render_template("console/auth/code.html", error=error), 400 if error else 200


@bp.route("/sign-in/authenticator", methods=["GET", "POST"])
def totp_setup():  # type: ignore[no-untyped-def]
    user = pending_user()
    if user is None or user.totp_confirmed_at is not None:
        return redirect(url_for("console.sign_in"), code=303)
    secret, uri = signin.totp_setup(vault(), user, settings().site_name)
    db.session.commit()
    error = None
    if request.method == "POST":
        ok = signin.confirm_totp(db.session, vault(), audit_key(), user, request.form.get("code", "")[:20], now())
        db.session.commit()
        if ok:
            return _finish(user)
        error = _code_refused(user)
    grouped = " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))
    return render_template("console/auth/setup.html", secret=grouped, uri=uri, error=error), 400 if error else 200


@bp.route("/account/password", methods=["GET", "POST"])
@require_signed_in(allow_password_change=True)
def change_password():  # type: ignore[no-untyped-def]
    user: StaffUser = g.staff
    error = None
    if request.method == "POST":
        current = request.form.get("current", "")[:MAX_FIELD]
        new = request.form.get("new", "")[:MAX_FIELD]
        if new != request.form.get("confirm", "")[:MAX_FIELD]:
            problem: str | None = "mismatch"
        else:
            problem = signin.change_password(db.session, audit_key(), user, current, new, now())
        db.session.commit()
        if problem is None:
            session.regenerate()  # type: ignore[attr-defined]
            session["epoch"] = user.session_epoch
            flash(_("Your password is changed. You were signed out everywhere else."), "info")
            return redirect(url_for("console.home"), code=303)
        error = password_messages()[problem]
    return render_template("console/auth/password.html", error=error, required=user.password_change_required,
                           low=PASSWORD_MIN, high=PASSWORD_MAX), 400 if error else 200


@bp.post("/sign-out")
def sign_out():  # type: ignore[no-untyped-def]
    staff_id = getattr(session, "staff_id", None)
    if getattr(session, "audience", None) == STAFF and staff_id:
        record(db.session, audit_key(), Actor("staff", staff_id), "staff.sign_out", "staff_user", staff_id,
               now=now())
        db.session.commit()
    session.destroy()  # type: ignore[attr-defined]
    response = redirect(url_for("console.sign_in"), code=303)
    response.headers["Clear-Site-Data"] = '"cache", "cookies", "storage"'
    return response
