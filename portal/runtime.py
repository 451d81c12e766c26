"""Per-application objects built from settings (vault, audit key, clock), looked up from Flask code only."""

from __future__ import annotations

from datetime import datetime

from flask import Flask, current_app
from sqlalchemy.orm import Session

from portal.config import ConfigError, Settings, app_settings
from portal.crypto import Vault
from portal.extensions import db
from portal.i18n import LOCALES
from portal.services.audit import SYSTEM, Actor
from portal.services.audit import audit_key as derive_audit_key
from portal.services.casework.risk_checklist import Checklist, ChecklistError, configured_checklist
from portal.services.context import DomainContext, UnitContexts
from portal.services.evaluation.items import ItemsError, ItemSet, configured_items


def configure_keys(app: Flask) -> None:
    settings = app_settings(app)
    app.extensions["portal.vault"] = Vault.from_settings(settings.data_keys, settings.index_key)
    app.extensions["portal.audit_key"] = derive_audit_key(settings.index_key)


def configure_risk_checklist(app: Flask) -> None:
    """Load the risk checklist once, at start-up: a file that cannot be used stops the app, saying why."""
    try:
        app.extensions["portal.risk_checklist"] = configured_checklist(app_settings(app).risk_checklist, LOCALES)
    except ChecklistError as exc:
        raise ConfigError(f"PORTAL_RISK_CHECKLIST: {exc}") from exc


def risk_checklist() -> Checklist:
    return current_app.extensions["portal.risk_checklist"]


def configure_evaluation_items(app: Flask) -> None:
    """Load the evaluation items once, at start-up: a file that cannot be used stops the app, saying why."""
    try:
        app.extensions["portal.evaluation_items"] = configured_items(app_settings(app).evaluation_items, LOCALES)
    except ItemsError as exc:
        raise ConfigError(f"PORTAL_EVALUATION_ITEMS: {exc}") from exc


def evaluation_items() -> ItemSet:
    return current_app.extensions["portal.evaluation_items"]


def vault() -> Vault:
    return current_app.extensions["portal.vault"]


def audit_key() -> bytes:
    return current_app.extensions["portal.audit_key"]


def now() -> datetime:
    return current_app.extensions["portal.clock"].now()


def domain_context(actor: Actor, db: Session | None = None) -> DomainContext:
    """The context a view, webhook or API call hands to a service: this request's session (or `db`, a session
    the caller runs its own transaction on), the keys, the app's clock read now, the actor."""
    return DomainContext(db if db is not None else db_session(), vault(), audit_key(), now(), actor)


def unit_contexts(actor: Actor = SYSTEM) -> UnitContexts:
    """For the CLI: one context per unit of work (its own session, the app's clock read for each unit)."""
    return UnitContexts(vault(), audit_key(), now, actor)


def settings() -> Settings:
    return app_settings(current_app)


def db_session() -> Session:
    """This request's database session (calling Flask-SQLAlchemy's scoped_session gives the Session itself),
    typed for the services, which take a Session."""
    return db.session()
