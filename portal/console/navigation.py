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


# Feature modules append their own entries (NAV.append(NavItem(...))) when they are imported.
NAV: list[NavItem] = [
    NavItem("console.home", _l("Home"), Role.ALL),
    NavItem("console.admin_users", _l("Users"), (Role.ADMIN,)),
    NavItem("console.admin_programmes", _l("Programmes"), (Role.ADMIN,)),
    NavItem("console.admin_settings", _l("Settings"), (Role.ADMIN,)),
    NavItem("console.admin_helplines", _l("Helplines"), (Role.ADMIN,)),
    NavItem("console.admin_tokens", _l("API tokens"), (Role.ADMIN,)),
    NavItem("console.admin_audit", _l("Audit log"), (Role.ADMIN,)),
]


def nav_for(role: str, app: Flask) -> list[NavItem]:
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    return [item for item in NAV if role in item.roles and item.endpoint in endpoints]


def register_nav(bp: Blueprint) -> None:
    @bp.context_processor
    def console_nav() -> dict[str, object]:
        staff = g.get("staff")
        return {"console_nav": nav_for(staff.role, current_app) if staff else []}
