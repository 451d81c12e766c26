"""Deployment settings an admin can change, with safe defaults from the environment."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import DeploymentSetting, Helpline

# Keys an admin may set, with their defaults (None: take the environment's value).
DEFAULTS: dict[str, Any] = {
    "site_name": None,
    "exit_url": None,
    "emergency_number": "999",
    "sharing_policy": {},  # locale -> the admin's text (services/admin/sharing_policy.py); empty: built-in
    "child_protection_steps": "",
    "retention_days": 365,
    "due_minutes": {"immediate": 30, "urgent": 240, "soon": 1440, "routine": 4320},
    "escalate_after_minutes": 60,
    # Her worker is asked to re-assess her risk when her last assessment is this many days old.
    "risk_reassess_days": 90,
    # Her case fields an admin marked never-disclose, beyond the ones that always are
    # (services/casework/never_disclose.MARKABLE): shown only on her case page after "Show".
    "never_disclose_fields": [],
    # Staff locale -> the deployment's words for her worker's task when her plan is opened with her second
    # passphrase (console/duress_words.py); empty: the built-in words. Staff pages only: never texted to her.
    "duress_guidance": {},
}
DURESS_LOCALES = ("en", "de", "fr", "es", "ar")  # the staff console's languages: portal.i18n.CONSOLE_LOCALES (a test keeps them equal)


@dataclass(frozen=True)
class HelplineView:
    name: str
    phone: str
    hours: str
    is_emergency: bool
    locale: str = ""             # the language its name and hours are written in
    on_every_page: bool = False  # also at the foot of every page of hers


@dataclass(frozen=True)
class DeploymentView:
    site_name: str
    exit_url: str
    emergency_number: str
    sharing_policy: dict[str, str]
    child_protection_steps: str
    retention_days: int
    due_minutes: dict[str, int]
    escalate_after_minutes: int
    risk_reassess_days: int
    never_disclose_fields: list[str] = field(default_factory=list)
    duress_guidance: dict[str, str] = field(default_factory=dict)
    helplines: dict[str, list[HelplineView]] = field(default_factory=dict)

    def helplines_for(self, locale: str, fallback: str = "en") -> list[HelplineView]:
        """Her language's helplines; if it has none, the default language's (never nothing when any exist)."""
        return self.helplines.get(locale) or self.helplines.get(fallback, [])

    def every_page_helplines(self, locale: str, fallback: str = "en") -> list[HelplineView]:
        """The lines shown at the foot of every page of hers: her language's, else the default language's."""
        def marked(code: str) -> list[HelplineView]:
            return [line for line in self.helplines.get(code, []) if line.on_every_page]

        return marked(locale) or marked(fallback)

    def duress_guidance_for(self, locale: str) -> str | None:
        """The deployment's words for the duress task in this staff locale, else English's; None: the built-in."""
        return self.duress_guidance.get(locale) or self.duress_guidance.get("en") or None


def load(db: Session, env_site_name: str, env_exit_url: str) -> DeploymentView:
    stored = {row.key: json.loads(row.value) for row in db.scalars(select(DeploymentSetting))}
    values = {key: stored.get(key, default) for key, default in DEFAULTS.items()}
    values["site_name"] = values["site_name"] or env_site_name
    values["exit_url"] = values["exit_url"] or env_exit_url
    values["sharing_policy"] = _sharing_texts(values["sharing_policy"])
    values["duress_guidance"] = {code: text for code, text in _sharing_texts(values["duress_guidance"]).items()
                                 if code in DURESS_LOCALES}
    helplines: dict[str, list[HelplineView]] = {}
    for line in db.scalars(select(Helpline).order_by(Helpline.locale, Helpline.position, Helpline.name)):
        helplines.setdefault(line.locale, []).append(HelplineView(line.name, line.phone, line.hours,
                                                                  line.is_emergency, line.locale,
                                                                  line.on_every_page))
    return DeploymentView(helplines=helplines, **values)


def _sharing_texts(value: Any) -> dict[str, str]:
    """Locale -> text. An older deployment stored one text for every language: it is the English text now."""
    if isinstance(value, str):
        return {"en": value} if value.strip() else {}
    if isinstance(value, dict):
        return {str(k): v for k, v in value.items() if isinstance(v, str) and v.strip()}
    return {}


def save(db: Session, key: str, value: Any, updated_by: Any = None) -> None:
    if key not in DEFAULTS:
        raise KeyError(f"unknown deployment setting {key!r}")
    row = db.get(DeploymentSetting, key) or DeploymentSetting(key=key)
    row.value = json.dumps(value)
    row.updated_by_id = updated_by
    db.add(row)
