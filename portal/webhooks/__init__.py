"""Twilio inbound and status callbacks: signature-checked, CSRF-exempt, no cookies or sessions."""

from flask import Blueprint

from portal.extensions import csrf

bp = Blueprint("webhooks", __name__)
csrf.exempt(bp)

from portal.webhooks import routes  # noqa: E402,F401
