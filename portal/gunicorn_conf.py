"""Gunicorn's settings (`gunicorn --config python:portal.gunicorn_conf 'portal:create_app()'`), read when it starts.

Used by `make serve` (portal/serve.py) and by the systemd web unit alike. No secret lives here: the app reads
its keys from the environment (portal/config.py). Rules:
- Bound to WEB_HOST:PORT (default 127.0.0.1:5000), WEB_CONCURRENCY processes x WEB_THREADS threads (gthread).
- Gunicorn believes no forwarded header itself: the app's TrustedProxies middleware (portal/proxies.py) is the
  one place that does, and only from PORTAL_TRUSTED_PROXIES. Two places would be two rules.
- The access log holds method, a redacted path, status, bytes and duration: no client address, no query
  string, no referrer, no user agent, never her link's token (portal/gunicorn_logger.py).
- In production it refuses to start without what it needs: the configuration is checked once in the master
  before any worker boots, and the reason printed on one line (gunicorn exits 1).
"""

from __future__ import annotations

import os
from typing import Any

from portal.config import ConfigError
from portal.serve import checked_app, web_settings

try:
    _web = web_settings(os.environ)
except ConfigError as _exc:
    raise SystemExit(f"gunicorn: cannot start: {_exc}") from None

bind = [_web.bind]
workers = _web.workers
threads = _web.threads
worker_class = "gthread"
proc_name = "portal-web"
timeout = 30
graceful_timeout = 10  # SIGTERM: requests in flight get this long (portal/serve.py waits a little longer)
keepalive = 5
# Each worker's heartbeat file, in memory where there is /dev/shm (a container's /tmp may be a slow overlay).
_SHM = "/dev/shm"  # noqa: S108  # nosec B108 - gunicorn's heartbeat files (no data), made with mkstemp
worker_tmp_dir = _SHM if os.path.isdir(_SHM) else None

# Forwarded headers: none believed here (see the module's docstring).
forwarded_allow_ips = ""
secure_scheme_headers: dict[str, str] = {}
forwarder_headers = ""

# Logs to standard output and error, for journald or the container runtime to ship.
accesslog = "-"
errorlog = "-"
loglevel = "info"
logger_class = "portal.gunicorn_logger.RedactingLogger"
capture_output = False

# Gunicorn 25's control socket would default to one path per user, shared by every instance: not wanted.
control_socket_disable = True


def on_starting(server: Any) -> None:
    """Build the app once in the master: a configuration that cannot start stops gunicorn with its reason."""
    try:
        checked_app()
    except ConfigError as exc:
        raise RuntimeError(f"cannot start: {exc}") from None
