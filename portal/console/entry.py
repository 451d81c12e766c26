"""The address people guess for the staff console: /console leads to it (its pages live under /staff)."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, url_for
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

entry_bp = Blueprint("console_entry", __name__)


@entry_bp.get("/", strict_slashes=False)
def console_root() -> ResponseReturnValue:
    return redirect(url_for("console.home"), code=303)


@entry_bp.get("/<path:rest>")
def console_path(rest: str) -> ResponseReturnValue:
    """/console/<page> goes to the staff page of that name when there is one; else a 404 in the staff layout."""
    target = url_for("console.home") + rest.lstrip("/")
    try:
        current_app.url_map.bind("localhost").match(target, method="GET")
    except RequestRedirect as moved:  # e.g. a missing trailing slash
        return redirect(moved.new_url.partition("localhost")[2] or target, code=303)
    except HTTPException:
        abort(404)
    return redirect(target, code=303)
