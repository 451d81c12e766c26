"""Admin: validate and save deployment settings and the helplines shown to her, per locale."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.content_rules import check_all
from portal.models import ActorKind, DeploymentSetting, Helpline, Severity
from portal.services.admin import deployment
from portal.services.admin.admin_users import AdminError
from portal.services.admin.printable import printable
from portal.services.casework import never_disclose
from portal.services.context import DomainContext

PHONE = re.compile(r"^\+?[0-9][0-9 ]{1,19}$")
LIMITS = {
    "site_name": 60, "exit_url": 500, "child_protection_steps": 4000,
    **{f"duress_guidance_{code}": 300 for code in deployment.DURESS_LOCALES},
}
RETENTION_DAYS = (30, 3650)
DUE_MINUTES = (5, 20160)       # five minutes to two weeks
ESCALATE_MINUTES = (5, 1440)   # five minutes to a day
REASSESS_DAYS = (7, 365)       # a week to a year (services/casework/risk_assessment.REASSESS_DAYS)
SEVERITY_ORDER = (Severity.IMMEDIATE, Severity.URGENT, Severity.SOON, Severity.ROUTINE)


def _text(value: str, key: str, errors: dict[str, str], *, required: bool) -> str:
    text = (value or "").replace("\r\n", "\n").strip()
    if required and not text:
        errors[key] = "required"
    elif len(text) > LIMITS[key]:
        errors[key] = "too_long"
    elif not printable(text, newlines=True):
        errors[key] = "invalid"
    return text


def content_problem(text: str, locales: Iterable[str], context: str = "text") -> str | None:
    """What the no-blame check (portal/content_rules.py) finds in a text she will be shown, read in each of these
    locales: "names" when it names the service, his course or the violence (titles), "blames" for blame or
    overstatement, None when it passes. The same check `flask lint-content` runs over stored texts."""
    families = {finding.family for locale in locales for finding in check_all(text, locale, context)}
    if "naming" in families:
        return "names"
    return "blames" if families else None


def _int(value: str, key: str, bounds: tuple[int, int], errors: dict[str, str]) -> int:
    try:
        number = int((value or "").strip())
    except ValueError:
        errors[key] = "number"
        return 0
    if not bounds[0] <= number <= bounds[1]:
        errors[key] = "range"
    return number


def _exit_url(value: str, errors: dict[str, str]) -> str:
    url = _text(value, "exit_url", errors, required=True)
    if "exit_url" not in errors:
        parts = urlsplit(url)
        if parts.scheme != "https" or not parts.hostname or parts.username or parts.password:
            errors["exit_url"] = "https_url"
    return url


def parse_settings(form: Mapping[str, str], never_disclose_fields: Sequence[str] = (), *,
                   locales: Sequence[str]) -> tuple[dict[str, Any], dict[str, str]]:
    """The settings from a form, and the problems per field (codes: required, too_long, range, names, ...).

    `never_disclose_fields`: the ticked case fields an admin marks never-disclose (services/casework/never_disclose).
    `locales`: her languages; the site name is in every page title of hers, so it is checked as a title in each."""
    errors: dict[str, str] = {}
    site_name = _text(form.get("site_name", ""), "site_name", errors, required=True)
    if "site_name" not in errors and (problem := content_problem(site_name, locales, "title")):
        errors["site_name"] = problem
    values: dict[str, Any] = {
        "site_name": site_name,
        "exit_url": _exit_url(form.get("exit_url", ""), errors),
        "child_protection_steps": _text(form.get("child_protection_steps", ""), "child_protection_steps", errors,
                                        required=False),
        "retention_days": _int(form.get("retention_days", ""), "retention_days", RETENTION_DAYS, errors),
        "escalate_after_minutes": _int(form.get("escalate_after_minutes", ""), "escalate_after_minutes",
                                       ESCALATE_MINUTES, errors),
        "risk_reassess_days": _int(form.get("risk_reassess_days", ""), "risk_reassess_days", REASSESS_DAYS, errors),
    }
    values["duress_guidance"] = {}
    for code in deployment.DURESS_LOCALES:
        key = f"duress_guidance_{code}"
        text = " ".join(_text(form.get(key, ""), key, errors, required=False).split())  # one line, as a task title
        if text:
            values["duress_guidance"][code] = text
    emergency = (form.get("emergency_number", "") or "").strip()
    if not PHONE.match(emergency):
        errors["emergency_number"] = "phone"
    values["emergency_number"] = emergency
    due = {sev: _int(form.get(f"due_{sev}", ""), f"due_{sev}", DUE_MINUTES, errors) for sev in SEVERITY_ORDER}
    ordered = [due[sev] for sev in SEVERITY_ORDER]
    if not any(key.startswith("due_") for key in errors) and ordered != sorted(ordered):
        errors["due_routine"] = "due_order"
    values["due_minutes"] = due
    try:
        values["never_disclose_fields"] = never_disclose.check_marked(list(never_disclose_fields))
    except never_disclose.NeverDiscloseError:
        errors["never_disclose_fields"] = "invalid"
        values["never_disclose_fields"] = []
    return values, errors


def save_settings(ctx: DomainContext, values: Mapping[str, Any], *, env_site_name: str,
                  env_exit_url: str) -> list[str]:
    """Store the values that changed; returns their keys (audited by key, never by value)."""
    current = deployment.load(ctx.db, env_site_name, env_exit_url)
    changed = [key for key, value in values.items() if getattr(current, key) != value]
    actor = ctx.actor
    staff_id = uuid.UUID(actor.id) if actor.kind == ActorKind.STAFF and actor.id else None
    for key in changed:
        deployment.save(ctx.db, key, values[key], updated_by=staff_id)
        row = ctx.db.get(DeploymentSetting, key)
        if row is not None:
            row.updated_at = ctx.now
    if changed:
        ctx.audit("deployment.update", "deployment_setting", None, {"keys": sorted(changed)})
    return changed


def add_helpline(ctx: DomainContext, *, locale: str, name: str, phone: str, hours: str,
                 is_emergency: bool, position: str, locales: Iterable[str],
                 on_every_page: bool = False) -> Helpline:
    if locale not in set(locales):
        raise AdminError("locale", "locale")
    name, hours, phone = (name or "").strip(), (hours or "").strip(), (phone or "").strip()
    if not 1 <= len(name) <= 200 or not printable(name):
        raise AdminError("name", "name")
    if not PHONE.match(phone):
        raise AdminError("phone", "phone")
    if len(hours) > 200 or not printable(hours):
        raise AdminError("too_long", "hours")
    for field, text in (("name", name), ("hours", hours)):
        if problem := content_problem(text, (locale,)):  # shown on her pages in that language
            raise AdminError(problem, field)
    try:
        order = int(position or 0)
    except ValueError:
        raise AdminError("number", "position") from None
    if not 0 <= order <= 999:
        raise AdminError("range", "position")
    line = Helpline(id=uuid.uuid4(), locale=locale, name=name, phone=phone, hours=hours, is_emergency=is_emergency,
                    position=order, on_every_page=on_every_page)
    ctx.db.add(line)
    ctx.db.flush()
    ctx.audit("helpline.create", "helpline", line.id, {"locale": locale})
    return line


def delete_helpline(ctx: DomainContext, line: Helpline) -> None:
    ctx.audit("helpline.delete", "helpline", line.id, {"locale": line.locale})
    ctx.db.delete(line)
    ctx.db.flush()


def helplines(db: Session) -> list[Helpline]:
    return list(db.scalars(select(Helpline).order_by(Helpline.locale, Helpline.position, Helpline.name)))
