"""The programme-event API: bearer tokens, JSON in and out, no cookies."""

from flask import Blueprint

bp = Blueprint("api", __name__)

from portal.api import routes  # noqa: E402,F401
