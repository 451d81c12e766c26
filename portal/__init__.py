"""Partner Contact Portal: create_app(config=None) wires a flat list of small configure_* steps."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the application. `config` overrides settings (tests); nothing here touches the database."""
    app = Flask(__name__, template_folder=str(ROOT / "templates"), static_folder=str(ROOT / "static"),
                static_url_path="/assets", instance_path=str(ROOT / "instance"))
    overrides = dict(config or {})
    testing = bool(overrides.pop("testing", False))
    configure_settings(app, overrides)
    configure_proxies(app)
    app.testing = testing
    configure_logging(app)
    configure_clock(app)
    configure_keys(app)
    configure_content_files(app)
    configure_database(app)
    configure_response_floor(app)
    configure_unit_of_work(app)
    configure_security(app)
    configure_body_limit(app)
    configure_compression(app)
    configure_sessions(app)
    configure_i18n(app, str(ROOT / "translations"))
    configure_rate_limits(app)
    configure_templates(app)
    configure_blueprints(app)
    configure_errors(app)
    configure_cli(app)
    return app


def configure_settings(app: Flask, overrides: dict[str, Any]) -> None:
    from portal.config import load_settings

    settings = load_settings(instance_path=app.instance_path, overrides=overrides)
    app.config["PORTAL"] = settings
    app.config["SECRET_KEY"] = settings.secret_key
    app.config["PREFERRED_URL_SCHEME"] = "https" if settings.secure_transport else "http"


def configure_proxies(app: Flask) -> None:
    """X-Forwarded-* only from the configured proxies (a client cannot choose its own address)."""
    from portal.proxies import TrustedProxies, parse_networks

    networks = parse_networks(",".join(app.config["PORTAL"].proxy_networks))
    if networks:
        app.wsgi_app = TrustedProxies(app.wsgi_app, networks)  # type: ignore[method-assign]


def configure_logging(app: Flask) -> None:
    from portal.logs import configure_redacting_logs

    configure_redacting_logs(app)


def configure_clock(app: Flask) -> None:
    from portal.clock import Clock

    app.extensions["portal.clock"] = Clock()


def configure_keys(app: Flask) -> None:
    from portal.runtime import configure_keys as apply

    apply(app)


def configure_content_files(app: Flask) -> None:
    from portal.runtime import configure_evaluation_items, configure_risk_checklist

    configure_risk_checklist(app)
    configure_evaluation_items(app)


def configure_database(app: Flask) -> None:
    from portal.database import configure_engine

    configure_engine(app)


def configure_response_floor(app: Flask) -> None:
    from portal.response_floor import configure_response_floor as apply

    apply(app)


def configure_unit_of_work(app: Flask) -> None:
    from portal.unit_of_work import configure_unit_of_work as apply

    apply(app)


def configure_security(app: Flask) -> None:
    from portal.security import configure_security as apply

    apply(app)


def configure_body_limit(app: Flask) -> None:
    from portal.body_limit import configure_body_limit as apply

    apply(app)


def configure_compression(app: Flask) -> None:
    from portal.compression import configure_compression as apply

    apply(app)


def configure_sessions(app: Flask) -> None:
    from portal.sessions import configure_sessions as apply

    apply(app)


def configure_i18n(app: Flask, translations_dir: str) -> None:
    from portal.i18n import configure_i18n as apply

    apply(app, translations_dir)


def configure_rate_limits(app: Flask) -> None:
    from portal.extensions import limiter

    settings = app.config["PORTAL"]
    # Redis when configured, so that every web process counts one address together; memory otherwise.
    app.config["RATELIMIT_STORAGE_URI"] = settings.redis_url or "memory://"
    app.config["RATELIMIT_KEY_PREFIX"] = "portal"
    app.config["RATELIMIT_HEADERS_ENABLED"] = False
    # If Redis cannot be reached, count in this process rather than fail the request (limits still apply).
    app.config["RATELIMIT_IN_MEMORY_FALLBACK_ENABLED"] = bool(settings.redis_url)
    limiter.init_app(app)


def configure_templates(app: Flask) -> None:
    from portal.templating import configure_templating

    configure_templating(app)


def configure_blueprints(app: Flask) -> None:
    from portal.blueprints import register_blueprints

    register_blueprints(app)


def configure_errors(app: Flask) -> None:
    from portal.errors import register_error_handlers

    register_error_handlers(app)


def configure_cli(app: Flask) -> None:
    from portal.cli import register_commands

    register_commands(app)
