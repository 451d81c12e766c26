"""Staff pages in the browser: signing in (password, then the TOTP code on the set-up or code page) and the
checks every console page gets (no script, axe-core with zero violations, no sideways scrolling)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pyotp

from tests.browser.conftest import axe_violations
from tests.factories import STAFF_PASSWORD


def sign_in(page: Any, base: str, email: str, secret: str, *, start: str = "/staff/sign-in",
            at: datetime | None = None, qr: bool = False) -> None:
    """Sign in as a staff member from `start` (an address that leads to the sign-in page); `at` is the served
    app's clock when it is frozen (the code must be of that time); `qr`: the first sign-in's set-up page shows
    the key's QR code, drawn on the server, beside the key."""
    page.goto(base + start)
    page.wait_for_url("**/staff/sign-in")
    page.fill("#email", email)
    page.fill("#password", STAFF_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/staff/sign-in/authenticator")
    if qr:
        assert page.locator("#totp-qr svg[role=img]").is_visible()
    totp = pyotp.TOTP(secret)
    page.fill("#code", totp.at(at) if at is not None else totp.now())
    page.click("main form button[type=submit]")
    page.wait_for_url("**/staff/")


def check_console_page(page: Any, label: str, problems: list[tuple[str, object]]) -> None:
    """Add to `problems` what is wrong with this console page: a script, an axe-core violation, sideways scrolling."""
    page.wait_for_load_state()
    if page.locator("script").count():
        problems.append((label, "has a script"))
    found = axe_violations(page)
    if found:
        problems.append((label, found))
    width = page.evaluate("() => document.documentElement.scrollWidth")
    if width > page.viewport_size["width"]:
        problems.append((label, f"scrolls sideways: {width}px wide"))
