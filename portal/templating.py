"""Template globals shared by every audience: neutral site name and the quick-exit target."""

from __future__ import annotations

from flask import Flask


def configure_templating(app: Flask) -> None:
    settings = app.config["PORTAL"]
    app.jinja_env.autoescape = True
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    @app.context_processor
    def deployment_context() -> dict[str, object]:
        return {"site_name": settings.site_name, "exit_url": settings.exit_url}
