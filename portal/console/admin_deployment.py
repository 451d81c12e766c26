"""Admin pages: deployment settings, the sharing policy and helplines per locale, programme API tokens, the audit log."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from portal.console import audit_labels, bp, labels
from portal.console.access import not_found, require_role, uuid_or_404
from portal.console.admin import ADMIN, context, uuid_or_none
from portal.console.admin_messages import problem
from portal.extensions import db
from portal.i18n import LOCALES
from portal.models import Helpline, Programme, Severity
from portal.public.sharing_text import built_in_text
from portal.runtime import db_session, now, settings
from portal.services.admin import admin_audit, admin_settings, admin_tokens, deployment, sharing_policy
from portal.services.admin.admin_users import AdminError
from portal.services.casework import never_disclose


def severity_labels() -> dict[str, str]:
    return {Severity.IMMEDIATE: _("Immediate"), Severity.URGENT: _("Urgent"), Severity.SOON: _("Soon"),
            Severity.ROUTINE: _("Routine")}


def current_deployment() -> deployment.DeploymentView:
    return deployment.load(db_session(), settings().site_name, settings().exit_url)


@bp.route("/admin/settings", methods=["GET", "POST"], endpoint="admin_settings")
@require_role(ADMIN)
def admin_settings_page() -> ResponseReturnValue:
    errors: dict[str, str] = {}
    values = None
    if request.method == "POST":
        values, errors = admin_settings.parse_settings({k: v[:5000] for k, v in request.form.items()},
                                                       request.form.getlist("never_disclose_fields")[:20],
                                                       locales=tuple(LOCALES))
        if not errors:
            changed = admin_settings.save_settings(context(), values, env_site_name=settings().site_name,
                                                   env_exit_url=settings().exit_url)
            flash(_("Settings saved.") if changed else _("Nothing was changed."), "info")
            return redirect(url_for("console.admin_settings"), code=303)
    shown = current_deployment()
    form = values or {key: getattr(shown, key) for key in deployment.DEFAULTS}
    return render_template("console/admin/settings.html", form=form, severities=severity_labels(),
                           errors={key: problem(code) for key, code in errors.items()},
                           retention=admin_settings.RETENTION_DAYS, due=admin_settings.DUE_MINUTES,
                           escalate=admin_settings.ESCALATE_MINUTES,
                           reassess=admin_settings.REASSESS_DAYS, markable=never_disclose.MARKABLE,
                           always=", ".join(str(labels.CASE_FIELD[code]) for code in never_disclose.ALWAYS),
                           L=labels), 400 if errors else 200


def built_in_texts() -> dict[str, str]:
    """The built-in sharing policy in every locale, as the plain text an admin can start from."""
    texts = {}
    for code in LOCALES:
        with force_locale(code):
            texts[code] = built_in_text()
    return texts


@bp.route("/admin/sharing", methods=["GET", "POST"], endpoint="admin_sharing")
@require_role(ADMIN)
def admin_sharing_page() -> ResponseReturnValue:
    """The information-sharing policy her sharing page shows, per locale (empty: the built-in text)."""
    refused: dict[str, sharing_policy.PolicyError] = {}
    if request.method == "POST":
        form = {code: request.form.get(f"policy_{code}", "")[:sharing_policy.MAX_CHARS + 500] for code in LOCALES}
        texts, refused = sharing_policy.parse_texts(form, LOCALES)
        if not refused:
            changed = sharing_policy.save(context(), texts, locales=LOCALES, env_site_name=settings().site_name,
                                          env_exit_url=settings().exit_url)
            flash(_("Sharing policy saved.") if changed else _("Nothing was changed."), "info")
            return redirect(url_for("console.admin_sharing"), code=303)
    else:
        texts = sharing_policy.stored_texts(current_deployment())
    errors = {code: {"message": problem(error.code), "phrases": error.phrases} for code, error in refused.items()}
    return render_template("console/admin/sharing.html", locales=LOCALES, texts=texts, errors=errors,
                           built_in=built_in_texts(), default_locale=settings().default_locale,
                           max_chars=sharing_policy.MAX_CHARS), 400 if refused else 200


def helplines_page(error: AdminError | None = None, status: int = 200) -> ResponseReturnValue:
    return render_template("console/admin/helplines.html", helplines=admin_settings.helplines(db_session()),
                           locales=LOCALES, form=request.form if error else {},
                           error=problem(error.code) if error else None), status


@bp.get("/admin/helplines", endpoint="admin_helplines")
@require_role(ADMIN)
def admin_helplines_list() -> ResponseReturnValue:
    return helplines_page()


@bp.post("/admin/helplines")
@require_role(ADMIN)
def admin_helplines_add() -> ResponseReturnValue:
    form = request.form
    try:
        admin_settings.add_helpline(context(), locale=form.get("locale", ""),
                                    name=form.get("name", "")[:300], phone=form.get("phone", "")[:60],
                                    hours=form.get("hours", "")[:300], is_emergency=form.get("is_emergency") == "1",
                                    position=form.get("position", "0")[:6], locales=LOCALES,
                                    on_every_page=form.get("on_every_page") == "1")
    except AdminError as error:
        return helplines_page(error, 400)
    flash(_("Helpline added."), "info")
    return redirect(url_for("console.admin_helplines"), code=303)


@bp.post("/admin/helplines/<helpline_id>/delete")
@require_role(ADMIN)
def admin_helplines_delete(helpline_id: str) -> ResponseReturnValue:
    line = db.session.get(Helpline, uuid_or_404(helpline_id))
    if line is None:
        not_found()
    admin_settings.delete_helpline(context(), line)
    flash(_("Helpline removed."), "info")
    return redirect(url_for("console.admin_helplines"), code=303)


def tokens_page(error: AdminError | None = None, status: int = 200) -> ResponseReturnValue:
    programmes = list(db.session.scalars(select(Programme).where(Programme.is_active.is_(True))
                                         .order_by(Programme.name)))
    return render_template("console/admin/tokens.html", tokens=admin_tokens.list_tokens(db_session()),
                           programmes=programmes, now=now(), form=request.form if error else {},
                           error=problem(error.code) if error else None,
                           max_days=admin_tokens.VALID_DAYS[1]), status


@bp.get("/admin/tokens", endpoint="admin_tokens")
@require_role(ADMIN)
def admin_tokens_list() -> ResponseReturnValue:
    return tokens_page()


@bp.post("/admin/tokens")
@require_role(ADMIN)
def admin_tokens_create() -> ResponseReturnValue:
    programme_id = uuid_or_none(request.form.get("programme_id", ""))
    programme = db.session.get(Programme, programme_id) if programme_id else None
    try:
        days = int(request.form.get("valid_days", "")[:6])
    except ValueError:
        return tokens_page(AdminError("number", "valid_days"), 400)
    try:
        if programme is None:
            raise AdminError("programme_inactive", "programme")
        made = admin_tokens.create_token(context(), programme, label=request.form.get("label", "")[:200],
                                         valid_days=days)
    except AdminError as error:
        return tokens_page(error, 400)
    return render_template("console/admin/token_created.html", token=made.token, programme=programme,
                           expires_at=made.expires_at)


@bp.post("/admin/tokens/<token_id>/revoke")
@require_role(ADMIN)
def admin_tokens_revoke(token_id: str) -> ResponseReturnValue:
    row = admin_tokens.api_token(db_session(), uuid_or_404(token_id))
    if row is None:
        not_found()
    admin_tokens.revoke_token(context(), row)
    flash(_("Token revoked. It no longer works."), "info")
    return redirect(url_for("console.admin_tokens"), code=303)


@bp.get("/admin/audit", endpoint="admin_audit")
@require_role(ADMIN)
def admin_audit_page() -> ResponseReturnValue:
    page = request.args.get("page", default=1, type=int) or 1
    return render_template("console/admin/audit.html", page=admin_audit.audit_page(db_session(), page),
                           report=None, A=audit_labels, L=labels)


@bp.post("/admin/audit/verify")
@require_role(ADMIN)
def admin_audit_verify() -> ResponseReturnValue:
    report = admin_audit.verify_chain(context())
    return render_template("console/admin/audit.html", page=admin_audit.audit_page(db_session(), 1), report=report,
                           A=audit_labels, L=labels)

