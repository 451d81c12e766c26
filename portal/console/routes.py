"""The console's start page: what this person can do, by role."""

from __future__ import annotations

from flask import render_template
from flask.typing import ResponseReturnValue

from portal.console import bp
from portal.console.access import require_role


@bp.get("/")
@require_role()
def home() -> ResponseReturnValue:
    return render_template("console/home.html")
