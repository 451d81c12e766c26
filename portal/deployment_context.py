"""This request's deployment settings (admin overrides over environment defaults), loaded once per request."""

from __future__ import annotations

import logging

from flask import current_app, g
from sqlalchemy.exc import SQLAlchemyError

from portal.config import app_settings
from portal.extensions import db
from portal.runtime import db_session
from portal.services.admin import deployment as deployment_service

log = logging.getLogger(__name__)


def current_deployment() -> deployment_service.DeploymentView:
    """Site name, exit site, emergency number, helplines …; safe defaults if the database is the problem."""
    if "deployment" not in g:
        settings = app_settings(current_app)
        try:
            g.deployment = deployment_service.load(db_session(), settings.site_name, settings.exit_url)
        except SQLAlchemyError:
            log.warning("deployment settings unavailable; using the environment's defaults")
            db.session.rollback()
            g.deployment = deployment_service.DeploymentView(
                site_name=settings.site_name, exit_url=settings.exit_url,
                **{k: v for k, v in deployment_service.DEFAULTS.items() if k not in ("site_name", "exit_url")})
    return g.deployment
