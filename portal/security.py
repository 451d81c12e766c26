"""Security headers on every response (errors included), CSP, and cookie hardening, in one place."""

from __future__ import annotations

from flask import Flask, Response, request

from portal.extensions import csrf, talisman

CSP = {
    "default-src": "'none'",
    "script-src": "'self'",
    # The quick exit's background POST /exit (navigator.sendBeacon, static/js/exit.js); nothing else connects.
    "connect-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self'",
    "font-src": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
    "base-uri": "'none'",
    "object-src": "'none'",
}

PERMISSIONS_POLICY = {
    "accelerometer": "()", "autoplay": "()", "browsing-topics": "()", "camera": "()",
    "clipboard-read": "()", "display-capture": "()", "geolocation": "()", "gyroscope": "()",
    "interest-cohort": "()", "magnetometer": "()", "microphone": "()", "midi": "()",
    "payment": "()", "publickey-credentials-get": "()", "usb": "()", "xr-spatial-tracking": "()",
}

HSTS_SECONDS = 63072000  # two years

EXTRA_HEADERS = {
    "Cache-Control": "no-store, max-age=0",
    "Pragma": "no-cache",
    "Expires": "0",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "X-Robots-Tag": "noindex, nofollow, noarchive, nosnippet",
    "X-Permitted-Cross-Domain-Policies": "none",
    "Origin-Agent-Cluster": "?1",
}


# Cross-origin isolation (COEP with COOP) everywhere but her pages and their assets. Her pages load nothing from
# elsewhere (CSP 'self'), so COEP adds nothing there, and an isolated page costs Chromium a new process when it is
# left: measured, it made her quick exit slower than GOV.UK's exit-this-page (docs/benchmarks.md, issue 15).
HER_BLUEPRINTS = frozenset({"public"})
EMBEDDER_POLICY = ("Cross-Origin-Embedder-Policy", "require-corp")


def _add_headers(response: Response) -> Response:
    for name, value in EXTRA_HEADERS.items():
        response.headers[name] = value
    if request.blueprint not in HER_BLUEPRINTS and request.endpoint != "static":
        response.headers[EMBEDDER_POLICY[0]] = EMBEDDER_POLICY[1]
    # Talisman sends HSTS only over HTTPS; the brief asks for it on every response.
    response.headers.setdefault("Strict-Transport-Security", f"max-age={HSTS_SECONDS}; includeSubDomains")
    return response


def configure_security(app: Flask) -> None:
    settings = app.config["PORTAL"]
    talisman.init_app(
        app,
        force_https=settings.production,
        strict_transport_security=True,
        strict_transport_security_max_age=HSTS_SECONDS,
        strict_transport_security_include_subdomains=True,
        content_security_policy=CSP,
        frame_options="DENY",
        referrer_policy="no-referrer",
        permissions_policy=PERMISSIONS_POLICY,
        session_cookie_secure=True,
        session_cookie_http_only=True,
        session_cookie_samesite="Strict",
        x_content_type_options=True,
    )
    app.after_request(_add_headers)
    app.config.update(
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as her short server-side session
        # Referrer-Policy: no-referrer means browsers send no Referer (and Origin: null) on our own form
        # posts, so the strict Referer check would refuse every HTTPS form. The synchroniser token and the
        # SameSite=Strict session cookie are the CSRF defence.
        WTF_CSRF_SSL_STRICT=False,
        MAX_CONTENT_LENGTH=64 * 1024,
    )
    csrf.init_app(app)
