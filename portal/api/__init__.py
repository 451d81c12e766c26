"""The programme-event API: bearer tokens, JSON in and out, no cookies."""

from flask import Blueprint

from portal.extensions import csrf

bp = Blueprint("api", __name__)
csrf.exempt(bp)

from portal.api import routes  # noqa: E402,F401
