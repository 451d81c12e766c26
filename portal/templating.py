"""Template globals shared by every audience: the neutral site name and the quick-exit target."""

from __future__ import annotations

from flask import Flask

from portal.deployment_context import current_deployment


def configure_templating(app: Flask) -> None:
    app.jinja_env.autoescape = True
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    @app.context_processor
    def deployment_context() -> dict[str, object]:
        view = current_deployment()
        return {"site_name": view.site_name, "exit_url": view.exit_url}
