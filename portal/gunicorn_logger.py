"""Gunicorn's logger for the portal: an access line that cannot carry anything about her.

Gunicorn's own format is ignored on purpose (a `%(r)s`, `%(U)s` or header atom would bring back the path,
query string, address or user agent). Each line is: time, method, path with her link's token and every id masked
(portal.logs.redact_path), status, bytes sent, seconds taken. Gunicorn's error log passes through the same
RedactingFilter as the app's loggers (it names request paths when a request fails).
"""

from __future__ import annotations

from typing import Any

from gunicorn.glogging import Logger

from portal.logs import RedactingFilter, redact_path


class RedactingLogger(Logger):
    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        if not any(isinstance(f, RedactingFilter) for f in self.error_log.filters):
            self.error_log.addFilter(RedactingFilter())

    def access(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> None:
        if not self.cfg.accesslog:
            return
        status = str(resp.status).split(None, 1)[0]
        sent = getattr(resp, "sent", None)
        self.access_log.info("%s %s %s %s %s %.3fs", self.now(), environ.get("REQUEST_METHOD", "-"),
                             redact_path(environ.get("PATH_INFO", "")), status,
                             "-" if sent is None else sent, request_time.total_seconds())
