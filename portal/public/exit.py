"""The server side of the quick exit: end her session, clear the site's data, leave for a neutral site."""

from __future__ import annotations

from flask import redirect
from flask.typing import ResponseReturnValue

from portal.public import bp
from portal.public.context import deployment
from portal.sessions import server_session


@bp.get("/exit")
def quick_exit() -> ResponseReturnValue:
    """End her session, clear this site's data in the browser, and leave for a neutral site (no referrer)."""
    server_session().destroy()
    response = redirect(deployment().exit_url, code=303)
    response.headers["Clear-Site-Data"] = '"cache", "cookies", "storage"'
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
