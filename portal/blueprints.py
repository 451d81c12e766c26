"""The one place that mounts each audience's blueprint."""

from __future__ import annotations

from flask import Flask


def register_blueprints(app: Flask) -> None:
    from portal.api import bp as api_bp
    from portal.console import bp as console_bp
    from portal.console.entry import entry_bp
    from portal.health import bp as health_bp
    from portal.public import bp as public_bp
    from portal.webhooks import bp as webhooks_bp

    app.register_blueprint(health_bp)
    app.register_blueprint(public_bp)
    app.register_blueprint(console_bp, url_prefix="/staff")
    app.register_blueprint(entry_bp, url_prefix="/console")  # the address people guess leads there
    app.register_blueprint(api_bp, url_prefix="/api/v1")
    app.register_blueprint(webhooks_bp, url_prefix="/sms")
