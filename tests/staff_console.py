"""Helpers for console tests: read the CSRF token from a page, sign in through the real forms."""

from __future__ import annotations

import re

import pyotp

COOKIE = "__Host-sid"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_from(html: bytes | str) -> str:
    text = html.decode() if isinstance(html, bytes) else html
    match = _CSRF.search(text)
    assert match, "no CSRF token on the page"
    return match.group(1)


def post_form(client, path: str, data: dict[str, str], page: str | None = None):  # type: ignore[no-untyped-def]
    """GET `page` (default: `path`) for its CSRF token, then POST the form."""
    token = csrf_from(client.get(page or path).data)
    return client.post(path, data={"csrf_token": token, **data})


def session_id(client) -> str | None:  # type: ignore[no-untyped-def]
    cookie = client.get_cookie(COOKIE)
    return cookie.value if cookie else None


def code_for(secret: str, clock, offset_steps: int = 0) -> str:  # type: ignore[no-untyped-def]
    totp = pyotp.TOTP(secret)
    return totp.generate_otp(totp.timecode(clock.now()) + offset_steps)


def password_step(client, email: str, password: str):  # type: ignore[no-untyped-def]
    return post_form(client, "/staff/sign-in", {"email": email, "password": password})


def sign_in(client, email: str, password: str, secret: str, clock, offset_steps: int = 0):  # type: ignore[no-untyped-def]
    """The whole sign-in through the forms: password, then the set-up page or the code page."""
    first = password_step(client, email, password)
    assert first.status_code == 303, first.status_code
    target = first.headers["Location"]
    return post_form(client, target, {"code": code_for(secret, clock, offset_steps)})
