"""The one staff browser over real HTTP (httpx) for served-app tests: one client per thread, real CSRF tokens,
signing in through the real forms (password, then TOTP).

The session cookie is `__Host-sid` (Secure): httpx's cookie jar (like http.cookiejar) would not send a Secure
cookie over plain http to 127.0.0.1, while browsers do; this client therefore carries its cookies itself.
"""

from __future__ import annotations

from http.cookies import SimpleCookie
from typing import Any

import httpx

from tests.factories import STAFF_PASSWORD
from tests.staff_console import code_for, csrf_from


class StaffClient:
    """One browser-like staff session on the served app (optionally behind a proxy that says `forwarded_for`)."""

    def __init__(self, base_url: str, timeout: float = 60.0, forwarded_for: str | None = None) -> None:
        self.http = httpx.Client(base_url=base_url, timeout=timeout, follow_redirects=False)
        self.cookies: dict[str, str] = {}
        self.forwarded_for = forwarded_for

    def __enter__(self) -> StaffClient:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def _keep(self, response: httpx.Response) -> httpx.Response:
        for header in response.headers.get_list("set-cookie"):
            jar: SimpleCookie = SimpleCookie()
            jar.load(header)
            for name, morsel in jar.items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return response

    def _headers(self) -> dict[str, str]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} if self.cookies else {}
        if self.forwarded_for:
            headers["X-Forwarded-For"] = self.forwarded_for
        return headers

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self._keep(self.http.get(path, headers=self._headers(), **kwargs))

    def post(self, path: str, data: dict[str, str], **kwargs: Any) -> httpx.Response:
        return self._keep(self.http.post(path, data=data, headers=self._headers(), **kwargs))

    def post_form(self, path: str, data: dict[str, str], page: str | None = None) -> httpx.Response:
        """GET `page` (default: `path`) for its CSRF token, then POST the form (no redirects followed)."""
        token = csrf_from(self.get(page or path).text)
        return self.post(path, {"csrf_token": token, **data})

    def password_step(self, email: str, password: str = STAFF_PASSWORD) -> httpx.Response:
        return self.post_form("/staff/sign-in", {"email": email, "password": password})

    def sign_in(self, email: str, secret: str, clock: Any) -> None:
        first = self.password_step(email)
        assert first.status_code == 303, first.status_code
        target = first.headers["Location"]
        second = self.post_form(target, {"code": code_for(secret, clock)})
        assert second.status_code in (302, 303), second.status_code

    def close(self) -> None:
        self.http.close()
