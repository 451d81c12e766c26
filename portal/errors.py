"""Generic error pages (HTML for people, JSON for machines) that never leak internals."""

from __future__ import annotations

from flask import Flask, Response, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException, InternalServerError

MACHINE_PREFIXES = ("/api/", "/sms/")
# The staff console (and the address people guess for it): errors there use the staff layout, never hers.
STAFF_PREFIXES = ("/staff", "/console")
MACHINE_CODES = {413: "payload_too_large", 429: "rate_limited"}


def _message(code: int) -> str:
    messages = {
        400: _("Something in that request was not right. Please go back and try again."),
        403: _("This page is not available."),
        404: _("This page is not available."),
        405: _("This page is not available."),
        413: _("That was too much information to send at once."),
        429: _("Too many tries. Please wait a few minutes and try again."),
    }
    return messages.get(code, _("Something went wrong on our side. Please try again later."))


def render_error(error: HTTPException) -> tuple[Response | str, int]:
    code = error.code or 500
    if request.path.startswith(MACHINE_PREFIXES):
        # The API's error shape: a stable code, a message and the field (none for these).
        name = MACHINE_CODES.get(code) or (error.name or "error").lower().replace(" ", "_")
        body = {"error": name, "message": error.description if code < 500 else "internal error", "field": None}
        return jsonify(body), code
    if is_staff_path(request.path):
        return render_template("console/error.html", message=_message(code), code=code), code
    return render_template("error.html", message=_message(code), code=code), code


def is_staff_path(path: str) -> bool:
    """A path of the staff console (or under /console, which leads there): staff pages, staff errors."""
    return any(path == prefix or path.startswith(prefix + "/") for prefix in STAFF_PREFIXES)


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> ResponseReturnValue:
        return render_error(error)

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> ResponseReturnValue:
        app.logger.exception("unhandled error on %s %s", request.method, request.url_rule)
        return render_error(InternalServerError())
