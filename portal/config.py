"""Typed settings read from PORTAL_* environment variables; refuses unsafe production settings."""

from __future__ import annotations

import base64
import json
import logging
import os
import secrets
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from flask import Flask

    from portal.crypto import KdfParams

log = logging.getLogger(__name__)

SECRETS_FILE = "dev-secrets.json"
# DESIGN §8 "One segment": her link is this base plus "/v/" and a 22-character token, and must leave room in
# one SMS segment (70 UCS-2 units in Arabic) for the words around it.
PUBLIC_URL_MAX = 30


class ConfigError(RuntimeError):
    """The configuration is missing something or is unsafe; the message says exactly what."""


def _bool(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Settings:
    """Every setting the portal reads, with safe defaults for development."""

    env: str = "development"
    instance_path: str = "instance"
    database_url: str = ""
    secret_key: str = ""
    public_url: str = "http://127.0.0.1:5000"
    # Keyring: "id:base64key,id:base64key"; the highest id encrypts, every id decrypts.
    data_keys: str = ""
    # HMAC key for blind indexes and the audit chain (base64, 32 bytes).
    index_key: str = ""
    sms_backend: str = "console"
    twilio_account_sid: str = ""
    twilio_auth_token: str = ""
    twilio_from_number: str = ""
    twilio_messaging_service_sid: str = ""
    twilio_api_base: str = ""
    redis_url: str = ""
    default_locale: str = "en"
    default_region: str = "GB"
    default_timezone: str = "Europe/London"
    site_name: str = "Appointments"
    exit_url: str = "https://www.bbc.co.uk/weather"
    invite_ttl_hours: int = 72
    her_session_idle_minutes: int = 15
    her_session_absolute_minutes: int = 120
    staff_session_idle_minutes: int = 30
    staff_session_absolute_minutes: int = 720
    warning_stale_hours: int = 48
    pin_max_attempts: int = 5
    # Argon2id's cost for her sealed plan (RFC 9106's 64 MiB, 3 passes; 2 lanes). A setting may raise them;
    # anything below OWASP's minimum (19456 KiB, 2 passes, 1 lane) is refused in every environment.
    plan_kdf_memory_kib: int = 64 * 1024
    plan_kdf_time_cost: int = 3
    plan_kdf_parallelism: int = 2
    # Her high-risk period after she reports separating, and how often her worker checks in during it.
    high_risk_months: int = 6
    checkin_every_days: int = 7
    # The licensed risk checklist this deployment uses (a JSON file); empty: the project's starter items.
    risk_checklist: str = ""
    # The evaluation items her stage questions are drawn from (a JSON file); empty: the project's starter items.
    evaluation_items: str = ""
    # Forwarded headers are believed only from these peers (comma-separated IPs/CIDRs). PORTAL_TRUST_PROXY=true
    # alone (the older switch) means loopback only, and production refuses it without a list.
    trust_proxy: bool = False
    trusted_proxies: str = ""
    generated: tuple[str, ...] = field(default=())

    @property
    def production(self) -> bool:
        return self.env == "production"

    @property
    def proxy_networks(self) -> tuple[str, ...]:
        """The peers whose X-Forwarded-* headers count; empty: none do."""
        listed = tuple(p.strip() for p in self.trusted_proxies.split(",") if p.strip())
        if listed:
            return listed
        return ("127.0.0.0/8", "::1/128") if self.trust_proxy else ()

    @property
    def plan_kdf(self) -> KdfParams:
        """Argon2id's parameters for a plan sealed now (each plan keeps those it was sealed with)."""
        from portal.crypto import KdfParams

        return KdfParams(self.plan_kdf_memory_kib, self.plan_kdf_time_cost, self.plan_kdf_parallelism)

    @property
    def secure_transport(self) -> bool:
        return urlsplit(self.public_url).scheme == "https"


# Bandit B105 accepted: every value here is the name of an environment variable, never a secret.
_ENV_NAMES: dict[str, str] = {  # nosec B105
    "env": "PORTAL_ENV",
    "instance_path": "PORTAL_INSTANCE_PATH",
    "database_url": "PORTAL_DATABASE_URL",
    "secret_key": "PORTAL_SECRET_KEY",
    "public_url": "PORTAL_PUBLIC_URL",
    "data_keys": "PORTAL_DATA_KEYS",
    "index_key": "PORTAL_INDEX_KEY",
    "sms_backend": "PORTAL_SMS_BACKEND",
    "twilio_account_sid": "TWILIO_ACCOUNT_SID",
    "twilio_auth_token": "TWILIO_AUTH_TOKEN",
    "twilio_from_number": "TWILIO_FROM_NUMBER",
    "twilio_messaging_service_sid": "TWILIO_MESSAGING_SERVICE_SID",
    "twilio_api_base": "PORTAL_TWILIO_API_BASE",
    "redis_url": "PORTAL_REDIS_URL",
    "default_locale": "PORTAL_DEFAULT_LOCALE",
    "default_region": "PORTAL_DEFAULT_REGION",
    "default_timezone": "PORTAL_DEFAULT_TIMEZONE",
    "site_name": "PORTAL_SITE_NAME",
    "exit_url": "PORTAL_EXIT_URL",
    "invite_ttl_hours": "PORTAL_INVITE_TTL_HOURS",
    "her_session_idle_minutes": "PORTAL_HER_SESSION_IDLE_MINUTES",
    "her_session_absolute_minutes": "PORTAL_HER_SESSION_ABSOLUTE_MINUTES",
    "staff_session_idle_minutes": "PORTAL_STAFF_SESSION_IDLE_MINUTES",
    "staff_session_absolute_minutes": "PORTAL_STAFF_SESSION_ABSOLUTE_MINUTES",
    "warning_stale_hours": "PORTAL_WARNING_STALE_HOURS",
    "pin_max_attempts": "PORTAL_PIN_MAX_ATTEMPTS",
    "plan_kdf_memory_kib": "PORTAL_PLAN_KDF_MEMORY_KIB",
    "plan_kdf_time_cost": "PORTAL_PLAN_KDF_TIME_COST",
    "plan_kdf_parallelism": "PORTAL_PLAN_KDF_PARALLELISM",
    "high_risk_months": "PORTAL_HIGH_RISK_MONTHS",
    "checkin_every_days": "PORTAL_CHECKIN_EVERY_DAYS",
    "risk_checklist": "PORTAL_RISK_CHECKLIST",
    "evaluation_items": "PORTAL_EVALUATION_ITEMS",
    "trust_proxy": "PORTAL_TRUST_PROXY",
    "trusted_proxies": "PORTAL_TRUSTED_PROXIES",
}

ENV_NAMES = dict(_ENV_NAMES)


def app_settings(app: Flask) -> Settings:
    """The Settings create_app stored in app.config["PORTAL"], typed for whoever reads them."""
    settings = app.config["PORTAL"]
    if not isinstance(settings, Settings):
        raise TypeError("app.config['PORTAL'] must be the Settings from load_settings")
    return settings


def _coerce(name: str, raw: str) -> Any:
    kind = {f.name: f.type for f in fields(Settings)}[name]
    if kind == "int":
        try:
            return int(raw)
        except ValueError as exc:
            raise ConfigError(f"{_ENV_NAMES[name]} must be a whole number, got {raw!r}") from exc
    if kind == "bool":
        return _bool(raw)
    return raw.strip()


def new_key() -> str:
    """A fresh random 256-bit key, base64-encoded."""
    return base64.b64encode(secrets.token_bytes(32)).decode()


def _dev_secrets(instance_path: Path) -> dict[str, str]:
    """Load, or create once, the development secrets file under instance/."""
    path = instance_path / SECRETS_FILE
    if path.exists():
        return json.loads(path.read_text())
    instance_path.mkdir(parents=True, exist_ok=True)
    values = {
        "secret_key": secrets.token_urlsafe(48),
        "data_keys": f"1:{new_key()}",
        "index_key": new_key(),
    }
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(values, handle)
    log.warning(
        "Generated development secrets and encryption keys in %s. "
        "Never use them in production: set PORTAL_SECRET_KEY, PORTAL_DATA_KEYS and PORTAL_INDEX_KEY.",
        path,
    )
    return values


def load_settings(environ: dict[str, str] | None = None, instance_path: str | None = None,
                  overrides: dict[str, Any] | None = None) -> Settings:
    """Build Settings from the environment (and test overrides), then validate them."""
    environ = dict(os.environ if environ is None else environ)
    values: dict[str, Any] = {}
    for name, env_name in _ENV_NAMES.items():
        if env_name in environ and environ[env_name] != "":
            values[name] = _coerce(name, environ[env_name])
    values.update(overrides or {})
    explicit = set(values)
    inst = Path(values.get("instance_path") or instance_path or "instance").resolve()
    values["instance_path"] = str(inst)
    settings = Settings(**values)
    _check_proxies(settings)
    _check_plan_kdf(settings)
    if not settings.database_url:
        settings = replace(settings, database_url=f"sqlite:///{inst / 'portal.sqlite3'}")
    if settings.production:
        _refuse_unsafe_production(settings, explicit)
        return settings
    missing = [n for n in ("secret_key", "data_keys", "index_key") if not getattr(settings, n)]
    if missing:
        generated = _dev_secrets(inst)
        keys: dict[str, Any] = {n: generated[n] for n in missing}
        settings = replace(settings, generated=tuple(missing), **keys)
    return settings


def _check_proxies(settings: Settings) -> None:
    from portal.proxies import parse_networks

    try:
        parse_networks(settings.trusted_proxies)
    except ValueError as exc:
        raise ConfigError(f"PORTAL_TRUSTED_PROXIES: {exc}") from exc


def _check_plan_kdf(settings: Settings) -> None:
    """Her plan's Argon2id cost is never below OWASP's minimum, in any environment (tests run at it)."""
    try:
        settings.plan_kdf  # noqa: B018 - building it is the check
    except ValueError as exc:
        raise ConfigError(f"PORTAL_PLAN_KDF_MEMORY_KIB / _TIME_COST / _PARALLELISM: {exc}") from exc


def _refuse_unsafe_production(settings: Settings, explicit: set[str]) -> None:
    problems: list[str] = []
    if settings.trust_proxy and not settings.trusted_proxies.strip():
        problems.append("PORTAL_TRUST_PROXY=true needs PORTAL_TRUSTED_PROXIES (the proxies' addresses or "
                        "networks, e.g. 10.0.0.0/8): forwarded headers are believed only from them")
    for name in ("secret_key", "data_keys", "index_key"):
        if not getattr(settings, name):
            problems.append(f"{_ENV_NAMES[name]} is not set")
    if "public_url" not in explicit:
        problems.append("PORTAL_PUBLIC_URL is not set")
    elif not settings.secure_transport:
        problems.append("PORTAL_PUBLIC_URL must start with https://")
    if len(settings.public_url.rstrip("/")) > PUBLIC_URL_MAX:
        problems.append(f"PORTAL_PUBLIC_URL must be at most {PUBLIC_URL_MAX} characters (it has "
                        f"{len(settings.public_url.rstrip('/'))}) so that a text with her link stays one SMS "
                        "segment; use a shorter host name")
    if settings.secret_key and len(settings.secret_key) < 32:
        problems.append("PORTAL_SECRET_KEY must be at least 32 characters")
    if settings.sms_backend == "console":
        problems.append("PORTAL_SMS_BACKEND=console prints messages; use twilio in production")
    if settings.sms_backend == "twilio":
        for name in ("twilio_account_sid", "twilio_auth_token"):
            if not getattr(settings, name):
                problems.append(f"{_ENV_NAMES[name]} is not set")
        if not (settings.twilio_from_number or settings.twilio_messaging_service_sid):
            problems.append("TWILIO_FROM_NUMBER or TWILIO_MESSAGING_SERVICE_SID is not set")
    if problems:
        raise ConfigError("Refusing to start in production: " + "; ".join(problems) + ".")
