"""Gzip for the app's text responses (pages, CSS, JS, JSON), so every page stays small on a slow phone.

BREACH: a compressed page that carries a secret (the CSRF token) and reflects attacker-chosen input can leak
the secret to an on-path observer who can make her browser send requests. Here the session cookie is
SameSite=Strict, so a cross-site request carries no session and its response holds no token of hers.
"""

from __future__ import annotations

import gzip

from flask import Flask, Response, request

COMPRESSIBLE = ("text/", "application/javascript", "application/json", "image/svg+xml")
MIN_BYTES = 256
LEVEL = 6


def _wants_gzip() -> bool:
    return any(coding.strip().split(";")[0] == "gzip" and not coding.strip().endswith("q=0")
               for coding in request.headers.get("Accept-Encoding", "").split(","))


def compress_response(response: Response) -> Response:
    """Gzip a complete text response (pages, error pages too) when the client accepts it."""
    response.vary.add("Accept-Encoding")
    streamed = response.is_streamed and not response.direct_passthrough  # static files are file wrappers
    if (response.status_code < 200 or 300 <= response.status_code < 400 or response.status_code in (204, 206)
            or "Content-Encoding" in response.headers or streamed
            or not (response.mimetype or "").startswith(COMPRESSIBLE) or not _wants_gzip()):
        return response
    response.direct_passthrough = False  # read a static file's wrapper once, here
    body = response.get_data()
    if len(body) < MIN_BYTES:
        return response
    response.set_data(gzip.compress(body, compresslevel=LEVEL, mtime=0))
    response.headers["Content-Encoding"] = "gzip"
    response.headers.pop("ETag", None)  # the ETag named the uncompressed bytes
    return response


def configure_compression(app: Flask) -> None:
    app.after_request(compress_response)
