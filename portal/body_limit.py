"""No request body over MAX_CONTENT_LENGTH reaches a view, whether it declares its length or is chunked.

Werkzeug limits a chunked body (no Content-Length) by cutting the stream at the limit, so a view reads a
truncated body and may accept it. Here a chunked body is read up to one byte past the limit before the app
sees it: a body that fits becomes an ordinary Content-Length body; one that does not is refused with 413,
on every route, before any form is parsed or any view runs.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask, abort, current_app, request

TOO_LARGE = "portal.body_too_large"
READ_SIZE = 16 * 1024


class ChunkedBodyLimit:
    """WSGI middleware: buffer a chunked body up to the limit (+1 byte to notice a larger one)."""

    def __init__(self, wsgi_app: Callable[..., Iterable[bytes]], limit: Callable[[], int | None]) -> None:
        self.wsgi_app = wsgi_app
        self.limit = limit

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        limit = self.limit()
        chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        if limit is not None and chunked and not environ.get("CONTENT_LENGTH"):
            body = _read_at_most(environ["wsgi.input"], limit + 1)
            if len(body) > limit:
                environ[TOO_LARGE] = True
                body = b""
            environ["wsgi.input"] = io.BytesIO(body)
            environ["CONTENT_LENGTH"] = str(len(body))
            environ.pop("wsgi.input_terminated", None)
            environ.pop("HTTP_TRANSFER_ENCODING", None)
        return self.wsgi_app(environ, start_response)


def _read_at_most(stream: Any, size: int) -> bytes:
    parts: list[bytes] = []
    left = size
    while left > 0:
        chunk = stream.read(min(READ_SIZE, left))
        if not chunk:
            break
        parts.append(chunk)
        left -= len(chunk)
    return b"".join(parts)


def refuse_large_bodies() -> None:
    """Before anything else on every route: a body over the limit is a 413, even where no view reads it."""
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    if request.environ.get(TOO_LARGE) or (limit is not None and (request.content_length or 0) > limit):
        abort(413)


def configure_body_limit(app: Flask) -> None:
    app.wsgi_app = ChunkedBodyLimit(app.wsgi_app, lambda: app.config.get("MAX_CONTENT_LENGTH"))  # type: ignore[method-assign]
    # First of all before-request functions: the CSRF check would otherwise parse the body to find its token.
    app.before_request_funcs.setdefault(None, []).insert(0, refuse_large_bodies)
