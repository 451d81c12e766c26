"""A staff member's browser over real HTTP (httpx) for served-app tests: one client per thread, real CSRF tokens.

httpx (like http.cookiejar) never sends a Secure cookie over http://, while browsers do for 127.0.0.1; the
session cookie is therefore carried by hand here.
"""

from __future__ import annotations

from typing import Any

import httpx

from tests.staff_console import COOKIE, csrf_from


class StaffBrowser:
    def __init__(self, base_url: str, forwarded_for: str | None = None) -> None:
        self.client = httpx.Client(base_url=base_url, timeout=60.0)
        self.sid: str | None = None
        self.forwarded_for = forwarded_for

    def __enter__(self) -> StaffBrowser:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.client.close()

    def _headers(self) -> dict[str, str]:
        headers = {}
        if self.sid:
            headers["Cookie"] = f"{COOKIE}={self.sid}"
        if self.forwarded_for:
            headers["X-Forwarded-For"] = self.forwarded_for
        return headers

    def _keep(self, response: httpx.Response) -> httpx.Response:
        sid = response.cookies.get(COOKIE)
        if sid is not None:
            self.sid = sid or None
        return response

    def get(self, path: str) -> httpx.Response:
        return self._keep(self.client.get(path, headers=self._headers()))

    def post_form(self, path: str, data: dict[str, str], page: str | None = None) -> httpx.Response:
        """GET the page for its CSRF token, then POST the form (no redirects followed)."""
        token = csrf_from(self.get(page or path).text)
        return self._keep(self.client.post(path, data={"csrf_token": token, **data}, headers=self._headers()))

    def password_step(self, email: str, password: str) -> httpx.Response:
        return self.post_form("/staff/sign-in", {"email": email, "password": password})
