"""Twilio inbound and status callbacks: signature-checked, no cookies."""

from flask import Blueprint

bp = Blueprint("webhooks", __name__)

from portal.webhooks import routes  # noqa: E402,F401
