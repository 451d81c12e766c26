"""Signing staff in against the served app with httpx, through the real forms (password, then TOTP).

The session cookie is `__Host-sid` (Secure): httpx's cookie jar would not send a Secure cookie over plain
http to 127.0.0.1, so this client carries its cookies itself.
"""

from __future__ import annotations

from http.cookies import SimpleCookie
from typing import Any

import httpx

from tests.factories import STAFF_PASSWORD
from tests.staff_console import code_for, csrf_from


class StaffClient:
    """One browser-like staff session on the served app."""

    def __init__(self, base_url: str, timeout: float = 60.0) -> None:
        self.http = httpx.Client(base_url=base_url, timeout=timeout, follow_redirects=False)
        self.cookies: dict[str, str] = {}

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
        return {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} if self.cookies else {}

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self._keep(self.http.get(path, headers=self._headers(), **kwargs))

    def post(self, path: str, data: dict[str, str], **kwargs: Any) -> httpx.Response:
        return self._keep(self.http.post(path, data=data, headers=self._headers(), **kwargs))

    def post_form(self, path: str, data: dict[str, str], page: str | None = None) -> httpx.Response:
        token = csrf_from(self.get(page or path).text)
        return self.post(path, {"csrf_token": token, **data})

    def sign_in(self, email: str, secret: str, clock: Any) -> None:
        first = self.post_form("/staff/sign-in", {"email": email, "password": STAFF_PASSWORD})
        assert first.status_code == 303, first.status_code
        target = first.headers["Location"]
        second = self.post_form(target, {"code": code_for(secret, clock)})
        assert second.status_code in (302, 303), second.status_code

    def close(self) -> None:
        self.http.close()
