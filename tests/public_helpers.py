"""Helpers for her-page tests: the one way to open her link as her phone does (`follow_link`, `open_link`), her
signed-in session (`her_client`), and forms posted with the CSRF token a browser sends."""

from __future__ import annotations

import re
from datetime import timedelta

from portal.services.her.invites import issue_invite

BASE = "https://localhost"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
LINK_FORM = b'<form method="post">'  # the neutral link page's one form: no action (this address), no field


def new_link(dbs, partner, clock, hours: int = 72) -> str:  # type: ignore[no-untyped-def]
    """A fresh discreet link path (/v/<token>) for her, committed."""
    invite = issue_invite(dbs, partner.id, now=clock.now(), ttl=timedelta(hours=hours))
    dbs.commit()
    return "/v/" + invite.token


def follow_link(client, path: str, **kwargs):  # type: ignore[no-untyped-def]
    """Open a link as she does: GET shows the neutral page (nothing spent), its one button POSTs to the same
    address. Works with the Flask test client and with httpx; returns the POST's response (303 if it worked)."""
    page = client.get(path)
    body = page.data if hasattr(page, "data") else page.content
    assert page.status_code == 200 and LINK_FORM in body, (path, page.status_code)
    return client.post(path, **kwargs)


def open_link(client, dbs, partner, clock):  # type: ignore[no-untyped-def]
    """Open a fresh link as she would; returns the response (a redirect when it worked)."""
    return follow_link(client, new_link(dbs, partner, clock))


def csrf_token(client, path: str = "/home") -> str:
    page = client.get(path, follow_redirects=True)
    match = _CSRF.search(page.get_data(as_text=True))
    assert match, f"no form with a CSRF token on {path}"
    return match.group(1)


def post(client, path: str, data: dict | None = None, *, token_from: str | None = None, **kwargs):  # type: ignore[no-untyped-def]
    """POST like a browser on her pages: the session's CSRF token and a same-origin Referer."""
    form = dict(data or {})
    form.setdefault("csrf_token", csrf_token(client, token_from or path))
    return client.post(path, data=form, headers={"Referer": BASE + path}, **kwargs)


def her_client(app, partner, *, check_home: bool = False):  # type: ignore[no-untyped-def]
    """A new test client holding her signed-in session (as her link, and her PIN if she has one, would leave it);
    with `check_home`, her home page is asserted to open."""
    browser = app.test_client()
    with browser.session_transaction() as sess:
        sess.bind_her(str(partner.id))
        sess["epoch"] = partner.session_epoch  # signed in after her latest stop (public/context.EPOCH)
        sess["locale"] = partner.locale
    if check_home:
        assert browser.get("/home").status_code == 200
    return browser


def choose_language(app, client, locale: str, back: str = "/home"):  # type: ignore[no-untyped-def]
    """Press a language in her top bar (a POST form with the CSRF token), as she does without JavaScript."""
    with app.test_request_context():
        from flask import url_for

        path = url_for("public.choose_language")
    return post(client, path, {"locale": locale, "next": back}, token_from=back)
