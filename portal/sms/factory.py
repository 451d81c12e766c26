"""Build the SMS pieces from Settings: the provider backend and the catalogs (the gateway knows no domain)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from portal.config import Settings
from portal.sms.console_backend import ConsoleGateway
from portal.sms.gateway import Gateway
from portal.sms.templates import Catalogs
from portal.sms.twilio_backend import TwilioGateway

TRANSLATIONS = Path(__file__).resolve().parent.parent.parent / "translations"
BACKENDS = ("console", "twilio")


def catalogs() -> Catalogs:
    return Catalogs(str(TRANSLATIONS))


def gateway_from_settings(settings: Settings, **kwargs: Any) -> Gateway:
    """PORTAL_SMS_BACKEND=console (prints, records, simulates reports) or twilio (TWILIO_* variables)."""
    if settings.sms_backend == "console":
        # The text and her link are printed in development only: never in production (which refuses this
        # backend anyway) nor in any other environment.
        return ConsoleGateway(show_text=settings.env == "development" and not settings.production, **kwargs)
    if settings.sms_backend == "twilio":
        return TwilioGateway(settings.twilio_account_sid, settings.twilio_auth_token,
                             from_number=settings.twilio_from_number,
                             messaging_service_sid=settings.twilio_messaging_service_sid,
                             api_base=settings.twilio_api_base, **kwargs)
    raise ValueError(f"PORTAL_SMS_BACKEND must be one of {', '.join(BACKENDS)}, not {settings.sms_backend!r}")
