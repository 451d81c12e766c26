"""Admin pages: staff accounts, support services, programmes and their members; the fan-out banner."""

from __future__ import annotations

import uuid
from datetime import timedelta

from flask import flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import format_timedelta
from flask_babel import gettext as _
from sqlalchemy import select

from portal.console import bp
from portal.console.access import not_found, require_role, staff_context, uuid_or_404
from portal.console.admin_messages import problem
from portal.extensions import db
from portal.models import ActorKind, Programme, ProgrammeMembership, Role, StaffUser, SupportService
from portal.runtime import db_session, now
from portal.services.admin import admin_programmes, admin_users
from portal.services.admin.admin_users import AdminError
from portal.services.audit import Actor
from portal.services.context import DomainContext
from portal.services.programme.fanout import Backlog, backlog

ADMIN = Role.ADMIN


def actor() -> Actor:
    return Actor(ActorKind.STAFF, str(g.staff.id))


def context() -> DomainContext:
    """The admin's domain context: this request, the app's clock, the signed-in admin as actor."""
    return staff_context()


def fanout_delay() -> dict[str, object] | None:
    """For an admin, when programme reports have waited past the limit for the dispatcher: what the banner says."""
    if g.get("staff") is None or g.staff.role != ADMIN:
        return None
    waiting: Backlog = backlog(db_session(), now())
    if not waiting.delayed:
        return None
    return {"count": waiting.waiting, "age": format_timedelta(timedelta(seconds=waiting.oldest_seconds), threshold=1)}


@bp.context_processor
def admin_notices() -> dict[str, object]:
    # A callable, so that only the page that shows the banner (the console home) runs the query.
    return {"fanout_delay": fanout_delay}


def staff_or_404(user_id: str) -> StaffUser:
    user = db.session.get(StaffUser, uuid_or_404(user_id))
    return user if user is not None else not_found()


def programme_or_404(programme_id: str) -> Programme:
    programme = db.session.get(Programme, uuid_or_404(programme_id))
    return programme if programme is not None else not_found()


def uuid_or_none(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def services() -> list[SupportService]:
    return list(db.session.scalars(select(SupportService).order_by(SupportService.name)))


def role_labels() -> dict[str, str]:
    return {Role.ADMIN: _("Administrator"), Role.SUPPORT_WORKER: _("Support worker"),
            Role.FACILITATOR: _("Programme facilitator")}


def role_hints() -> dict[str, str]:
    return {Role.ADMIN: _("runs the deployment: accounts, settings, audit log; sees no case"),
            Role.SUPPORT_WORKER: _("her cases and tasks, in their own support service"),
            Role.FACILITATOR: _("reports about him in their programmes; sees nothing of her")}


def users_page(error: AdminError | None = None, status: int = 200) -> ResponseReturnValue:
    return render_template("console/admin/users.html", accounts=admin_users.list_accounts(db_session()),
                           services=services(), roles=role_labels(), role_hints=role_hints(),
                           form=request.form if error else {},
                           now_=now(),
                           error=problem(error.code) if error else None,
                           error_field=error.field if error else None), status


@bp.get("/admin/users", endpoint="admin_users")
@require_role(ADMIN)
def admin_users_list() -> ResponseReturnValue:
    return users_page()


@bp.post("/admin/users")
@require_role(ADMIN)
def admin_users_create() -> ResponseReturnValue:
    service_id = request.form.get("service_id", "")
    try:
        made = admin_users.create_account(
            context(), email=request.form.get("email", "")[:300],
            display_name=request.form.get("display_name", "")[:300], role=request.form.get("role", ""),
            service_id=uuid_or_none(service_id))
    except AdminError as error:
        return users_page(error, 400)
    return render_template("console/admin/one_time_password.html", email=made.email,
                           password=made.initial_password, created=True)


@bp.post("/admin/users/<user_id>/<any(disable, enable):action>")
@require_role(ADMIN)
def admin_users_active(user_id: str, action: str) -> ResponseReturnValue:
    user = staff_or_404(user_id)
    try:
        admin_users.set_active(context(), user, action == "enable")
    except AdminError as error:
        return users_page(error, 400)
    flash(_("Account enabled.") if action == "enable" else _("Account disabled. Its sessions have ended."), "info")
    return redirect(url_for("console.admin_users"), code=303)


@bp.post("/admin/users/<user_id>/manager/<any(on, off):action>")
@require_role(ADMIN)
def admin_users_manager(user_id: str, action: str) -> ResponseReturnValue:
    user = staff_or_404(user_id)
    try:
        admin_users.set_manager(context(), user, action == "on")
    except AdminError as error:
        return users_page(error, 400)
    flash(_("They are now a designated manager: they can give the second approval of a risk-conference "
            "referral.") if action == "on" else _("They are no longer a designated manager."), "info")
    return redirect(url_for("console.admin_users"), code=303)


@bp.post("/admin/users/<user_id>/reset-authenticator")
@require_role(ADMIN)
def admin_users_reset_totp(user_id: str) -> ResponseReturnValue:
    user = staff_or_404(user_id)
    admin_users.reset_authenticator(context(), user)
    flash(_("Authenticator reset. They will set up a new one at their next sign-in."), "info")
    return redirect(url_for("console.admin_users"), code=303)


@bp.post("/admin/users/<user_id>/reset-password")
@require_role(ADMIN)
def admin_users_reset_password(user_id: str) -> ResponseReturnValue:
    user = staff_or_404(user_id)
    try:
        password = admin_users.reset_password(context(), user)
    except AdminError as error:
        return users_page(error, 400)
    return render_template("console/admin/one_time_password.html", email=user.email, password=password,
                           created=False)


def programmes_page(error: AdminError | None = None, status: int = 200) -> ResponseReturnValue:
    members = [u for u, _name in admin_users.list_accounts(db_session())
               if u.role in admin_programmes.MEMBER_ROLES and u.is_active]
    return render_template("console/admin/programmes.html", overview=admin_programmes.overview(db_session()),
                           services=services(), candidates=members, roles=role_labels(),
                           error=problem(error.code) if error else None), status


@bp.get("/admin/programmes", endpoint="admin_programmes")
@require_role(ADMIN)
def admin_programmes_list() -> ResponseReturnValue:
    return programmes_page()


@bp.post("/admin/services")
@require_role(ADMIN)
def admin_services_create() -> ResponseReturnValue:
    try:
        admin_programmes.create_service(context(), request.form.get("name", "")[:300])
    except AdminError as error:
        return programmes_page(error, 400)
    flash(_("Support service added."), "info")
    return redirect(url_for("console.admin_programmes"), code=303)


@bp.post("/admin/programmes")
@require_role(ADMIN)
def admin_programmes_create() -> ResponseReturnValue:
    try:
        admin_programmes.create_programme(context(), request.form.get("name", "")[:300],
                                          uuid_or_none(request.form.get("service_id", "")))
    except AdminError as error:
        return programmes_page(error, 400)
    flash(_("Programme added."), "info")
    return redirect(url_for("console.admin_programmes"), code=303)


@bp.post("/admin/programmes/<programme_id>/<any(activate, deactivate):action>")
@require_role(ADMIN)
def admin_programmes_active(programme_id: str, action: str) -> ResponseReturnValue:
    programme = programme_or_404(programme_id)
    admin_programmes.set_programme_active(context(), programme, action == "activate")
    return redirect(url_for("console.admin_programmes"), code=303)


@bp.post("/admin/programmes/<programme_id>/members")
@require_role(ADMIN)
def admin_members_add(programme_id: str) -> ResponseReturnValue:
    programme = programme_or_404(programme_id)
    staff_id = uuid_or_none(request.form.get("staff_id", ""))
    staff = db.session.get(StaffUser, staff_id) if staff_id else None
    try:
        if staff is None:
            raise AdminError("member_role", "staff")
        admin_programmes.add_member(context(), programme, staff)
    except AdminError as error:
        return programmes_page(error, 400)
    flash(_("Added to the programme."), "info")
    return redirect(url_for("console.admin_programmes"), code=303)


@bp.post("/admin/programmes/<programme_id>/members/<membership_id>/remove")
@require_role(ADMIN)
def admin_members_remove(programme_id: str, membership_id: str) -> ResponseReturnValue:
    membership = db.session.get(ProgrammeMembership, uuid_or_404(membership_id))
    if membership is None or membership.programme_id != uuid_or_404(programme_id):
        not_found()
    admin_programmes.remove_member(context(), membership)
    flash(_("Removed from the programme."), "info")
    return redirect(url_for("console.admin_programmes"), code=303)
