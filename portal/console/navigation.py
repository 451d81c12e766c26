"""The console's navigation: which links each role sees (links appear once their route exists)."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, Flask, current_app, g
from flask_babel import lazy_gettext as _l

from portal.models import Role


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: object  # a lazy string
    roles: tuple[str, ...]


# The whole menu, in order, in one place (nothing appends to it at import time).
NAV: tuple[NavItem, ...] = (
    NavItem("console.home", _l("Home"), Role.ALL),
    NavItem("console.worker_inbox", _l("Tasks"), (Role.SUPPORT_WORKER,)),
    NavItem("console.admin_escalations", _l("Escalations"), (Role.ADMIN,)),
    NavItem("console.conference_approvals", _l("Approvals"), (Role.ADMIN,)),
    NavItem("console.admin_users", _l("Users"), (Role.ADMIN,)),
    NavItem("console.admin_programmes", _l("Programmes"), (Role.ADMIN,)),
    NavItem("console.admin_settings", _l("Settings"), (Role.ADMIN,)),
    NavItem("console.admin_sharing", _l("Sharing policy"), (Role.ADMIN,)),
    NavItem("console.admin_helplines", _l("Helplines"), (Role.ADMIN,)),
    NavItem("console.admin_tokens", _l("API tokens"), (Role.ADMIN,)),
    NavItem("console.admin_audit", _l("Audit log"), (Role.ADMIN,)),
    NavItem("console.admin_evaluation", _l("Evaluation reports"), (Role.ADMIN,)),
    NavItem("console.facilitator_programmes", _l("My programmes"), (Role.FACILITATOR,)),
    NavItem("console.worker_cases", _l("Cases"), (Role.SUPPORT_WORKER,)),
)


def nav_for(role: str, app: Flask) -> list[NavItem]:
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    return [item for item in NAV if role in item.roles and item.endpoint in endpoints]


def register_nav(bp: Blueprint) -> None:
    @bp.context_processor
    def console_nav() -> dict[str, object]:
        staff = g.get("staff")
        return {"console_nav": nav_for(staff.role, current_app) if staff else []}
