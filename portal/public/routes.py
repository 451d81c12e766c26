"""Her pages. The foundation serves the neutral start page and the server-side quick exit."""

from __future__ import annotations

from flask import current_app, redirect, render_template, session

from portal.public import bp


@bp.get("/")
def index():  # type: ignore[no-untyped-def]
    return render_template("public/index.html")


@bp.get("/exit")
def quick_exit():  # type: ignore[no-untyped-def]
    """End her session, clear this site's data in the browser, and leave for a neutral site."""
    session.destroy()  # type: ignore[attr-defined]
    response = redirect(current_app.config["PORTAL"].exit_url, code=303)
    response.headers["Clear-Site-Data"] = '"cache", "cookies", "storage"'
    return response
