"""The server side of the quick exit: end her session, clear the site's data, leave for a neutral site.

Two ways in, one effect (her session ended in the store, its cookie removed, the browser told to clear this
site's cookies, storage and cache with Clear-Site-Data):
- GET /exit, the link itself (JavaScript off): answered with a redirect to the neutral site, so nothing of hers
  is left once it is shown.
- POST /exit, sent by static/js/exit.js with navigator.sendBeacon at the same moment as it opens the neutral
  site itself: she does not wait for this request or for the browser's clearing before the neutral site loads.
  Answered 204. No CSRF token: it only ever ends the session it arrives with, and her cookie (SameSite=Strict)
  never comes with another site's request, so a forged one ends nothing.
"""

from __future__ import annotations

from flask import Response, redirect
from flask.typing import ResponseReturnValue
from werkzeug.wrappers import Response as BaseResponse

from portal.extensions import csrf
from portal.public import bp
from portal.public.context import deployment
from portal.sessions import server_session

CLEAR_SITE_DATA = '"cache", "cookies", "storage"'


def _ended(response: BaseResponse) -> BaseResponse:
    server_session().destroy()
    response.headers["Clear-Site-Data"] = CLEAR_SITE_DATA
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.get("/exit")
def quick_exit() -> ResponseReturnValue:
    """End her session, clear this site's data in the browser, and leave for a neutral site (no referrer)."""
    return _ended(redirect(deployment().exit_url, code=303))


@bp.post("/exit")
@csrf.exempt
def quick_exit_beacon() -> ResponseReturnValue:
    """The same, sent in the background by the exit script while the neutral site is already loading."""
    return _ended(Response(status=204))
