"""Generic error pages (HTML for people, JSON for machines) that never leak internals."""

from __future__ import annotations

from flask import Flask, Response, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError, ServiceUnavailable

MACHINE_PREFIXES = ("/api/", "/sms/")
# The staff console (and the address people guess for it): errors there use the staff layout, never hers.
STAFF_PREFIXES = ("/staff", "/console")
MACHINE_CODES = {413: "payload_too_large", 429: "rate_limited", 503: "service_unavailable"}
RETRY_AFTER_SECONDS = 30  # while the database does not answer


def _message(code: int) -> str:
    messages = {
        400: _("Something in that request was not right. Please go back and try again."),
        403: _("This page is not available."),
        404: _("This page is not available."),
        405: _("This page is not available."),
        413: _("That was too much information to send at once."),
        429: _("Too many tries. Please wait a few minutes and try again."),
        503: _("This page cannot open just now. Please try again in a minute."),
    }
    return messages.get(code, _("Something went wrong on our side. Please try again later."))


def render_error(error: HTTPException) -> tuple[Response | str, int]:
    code = error.code or 500
    if request.path.startswith(MACHINE_PREFIXES):
        # The API's error shape: a stable code, a message and the field (none for these).
        name = MACHINE_CODES.get(code) or (error.name or "error").lower().replace(" ", "_")
        message = error.description if code < 500 else ("unavailable, try again shortly" if code == 503
                                                         else "internal error")
        return jsonify({"error": name, "message": message, "field": None}), code
    if is_staff_path(request.path):
        return render_template("console/error.html", message=_message(code), code=code), code
    return render_template("error.html", message=_message(code), code=code), code


def is_staff_path(path: str) -> bool:
    """A path of the staff console (or under /console, which leads there): staff pages, staff errors."""
    return any(path == prefix or path.startswith(prefix + "/") for prefix in STAFF_PREFIXES)


def database_unavailable(error: BaseException) -> bool:
    """The database (or Redis, where sessions and limits live on several machines) did not answer: down,
    restarting, unreachable, or too busy. A 503, not a 500. Flask hands an error raised outside the view
    (opening the session) over wrapped in an InternalServerError."""
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError

    original = getattr(error, "original_exception", None) or error
    return isinstance(original, (OperationalError, InterfaceError, RedisConnectionError, RedisTimeoutError)) or (
        isinstance(original, DBAPIError) and bool(original.connection_invalidated))


def unavailable() -> Response:
    """The answer while the database is away: the generic 503 page (or JSON), with when to try again."""
    from flask import current_app

    response = current_app.make_response(render_error(ServiceUnavailable()))
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def replace_with(response: Response, page: Response) -> Response:
    """Turn `response` into `page` in place (status, body, type, Retry-After), its security headers kept and no
    redirect, cookie or content encoding of the failed answer left (it may have been compressed already)."""
    response.status_code = page.status_code
    response.headers.pop("Content-Encoding", None)
    response.set_data(page.get_data())
    response.headers["Content-Type"] = page.headers["Content-Type"]
    if "Retry-After" in page.headers:
        response.headers["Retry-After"] = page.headers["Retry-After"]
    response.headers.pop("Location", None)
    response.headers.pop("Set-Cookie", None)
    return response


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> ResponseReturnValue:
        return render_error(error)

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> ResponseReturnValue:
        if database_unavailable(error):
            app.logger.warning("database unavailable on %s %s: answered 503", request.method, request.url_rule)
            return unavailable()
        app.logger.exception("unhandled error on %s %s", request.method, request.url_rule)
        return render_error(InternalServerError())
