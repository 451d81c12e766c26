"""Her pages: neutral, tiny, JavaScript optional, with a quick exit everywhere."""

from flask import Blueprint

bp = Blueprint("public", __name__)

from portal.public import access, checkins, consent, context, exit, language, pages, preferences, voice  # noqa: E402,F401
