"""Staff pages: support workers, facilitators and admins."""

from flask import Blueprint

bp = Blueprint("console", __name__)

from portal.console import routes  # noqa: E402,F401
