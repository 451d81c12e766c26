"""Her pages: neutral, tiny, JavaScript optional, with a quick exit everywhere."""

from flask import Blueprint

bp = Blueprint("public", __name__)

from portal.public import (  # noqa: E402,F401
    access,
    checkins,
    consent,
    context,
    copy,
    exit,
    language,
    pages,
    plan,
    plan_parts,
    preferences,
    questions,
    voice,
)
