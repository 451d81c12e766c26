"""Walk every route of her blueprint, in every language, signed in and not: neutral titles, URLs and metadata,
hardened headers, no external resources, the quick exit first, safety lines present, and a tiny page weight."""

from __future__ import annotations

import gzip
import re
from html.parser import HTMLParser

import pytest

from portal.i18n import LOCALES
from tests.public_helpers import choose_language, follow_link, new_link, open_link, post

BUDGET = 14 * 1024
# Words that must never appear in a title, URL path or metadata (en, de, ar).
TELLING = re.compile(
    r"violen|abus|perpetrat|programm?e?|course|domestic|victim|batter|offend|partner|safety|danger|refuge"
    r"|gewalt|täter|missbrauch|kurs|opfer|عنف|برنامج|إساءة|معتد|ضحية", re.IGNORECASE)
ALLOWED_META = {("charset",), ("name", "viewport"), ("name", "robots"), ("name", "referrer")}
FOCUSABLE = {"a", "button", "input", "select", "textarea", "summary"}


class Page(HTMLParser):
    """What a page exposes: title, meta tags, every URL it references, and its focus order."""

    def __init__(self) -> None:
        super().__init__()
        self.title, self._in_title = "", False
        self.metas: list[dict[str, str]] = []
        self.urls: list[str] = []
        self.focusable: list[dict[str, str]] = []
        self.links: list[dict[str, str]] = []
        self.html_attrs: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):  # type: ignore[no-untyped-def]
        a = {k: v or "" for k, v in attrs}
        if tag == "html":
            self.html_attrs = a
        if tag == "title":
            self._in_title = True
        if tag == "meta":
            self.metas.append(a)
        if tag == "link":
            self.links.append(a)
        for name in ("href", "src", "action", "formaction", "srcset", "poster", "data"):
            if name in a:
                self.urls.append(a[name])
        hidden = tag == "input" and a.get("type") == "hidden"
        if ((tag in FOCUSABLE and not hidden and (tag != "a" or "href" in a)) or "tabindex" in a) \
                and a.get("tabindex") != "-1":
            self.focusable.append({"tag": tag, **a})

    def handle_endtag(self, tag):  # type: ignore[no-untyped-def]
        if tag == "title":
            self._in_title = False

    def handle_data(self, data):  # type: ignore[no-untyped-def]
        if self._in_title:
            self.title += data


def parse(html: str) -> Page:
    page = Page()
    page.feed(html)
    return page


def public_get_rules(app):  # type: ignore[no-untyped-def]
    return [rule for rule in app.url_map.iter_rules()
            if rule.endpoint.startswith("public.") and "GET" in (rule.methods or ())]


def test_every_public_url_path_is_neutral(app):
    rules = [rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("public.")]
    assert len(rules) >= 14
    for rule in rules:
        assert not TELLING.search(rule.rule), rule.rule


def _paths(app, client, dbs, world, clock) -> list[str]:  # type: ignore[no-untyped-def]
    paths = []
    for rule in public_get_rules(app):
        if rule.endpoint == "public.quick_exit":
            continue
        if rule.endpoint == "public.open_link":
            paths.append("/v/" + "C" * 32)
            continue
        if rule.endpoint == "public.part":  # one part of her plan (every part: tests/test_plan_pages.py)
            paths.append("/plan/part/people")
            continue
        assert not rule.arguments, f"add an example URL for {rule.rule}"
        paths.append(rule.rule)
    return paths


def _weight(client, html_bytes: bytes, page: Page) -> int:
    total = len(gzip.compress(html_bytes, 6))
    for url in [link["href"] for link in page.links] + [u for u in page.urls if u.endswith(".js")]:
        asset = client.get(url, headers={"Accept-Encoding": "gzip"})
        assert asset.status_code == 200, url
        total += len(asset.data)
    return total


def check_page(client, path: str, response, locale: str, hers: bool | None = None) -> None:  # type: ignore[no-untyped-def]
    html = response.get_data(as_text=True)
    page = parse(html)
    where = f"{path} [{locale}]"
    # Neutral title and metadata; nothing for link previews or search engines.
    assert page.title.strip(), where
    assert not TELLING.search(page.title), (where, page.title)
    for meta in page.metas:
        key = ("charset",) if "charset" in meta else ("name", meta.get("name", meta.get("property", "?")))
        assert key in ALLOWED_META, (where, meta)
    assert not re.search(r"og:|twitter:|application/ld\+json|rel=\"(canonical|alternate|manifest)\"", html), where
    assert {"name": "robots", "content": "noindex, nofollow"} in page.metas, where
    # Same-origin only: no external resource or link of any kind (tel: is her phone, not a resource; the link
    # page's language links stay on its own address with ?lang=).
    for url in page.urls:
        assert url.startswith(("/", "#", "tel:", "?lang=")) and not url.startswith("//"), (where, url)
        assert not TELLING.search(url.split("?")[0]), (where, url)
    # Headers.
    headers = response.headers
    assert "default-src 'none'" in headers["Content-Security-Policy"], where
    assert "unsafe-inline" not in headers["Content-Security-Policy"], where
    assert headers["Cache-Control"].startswith("no-store"), where
    assert "noindex" in headers["X-Robots-Tag"], where
    assert headers["Referrer-Policy"] == "no-referrer", where
    assert headers["X-Frame-Options"] == "DENY", where
    assert headers["X-Content-Type-Options"] == "nosniff", where
    # No inline script or style anywhere.
    assert not re.search(r"<script(?![^>]*\bsrc=)", html), where
    assert not re.search(r"\sstyle=|\son[a-z]+=|<style", html, re.IGNORECASE), where
    if hers is None:
        hers = not path.startswith("/v/")
    if not hers:
        # Her link's page, for every token, and every page without her session, looks like any appointments
        # site: no exit, no emergency line.
        assert not [f for f in page.focusable if f.get("href") == "/exit"] and "tel:" not in html, where
        assert "exit.js" not in html and 'class="urgent"' not in html, where
    else:
        # The quick exit comes first, and the safety lines are on the page.
        first = page.focusable[0]
        assert first["tag"] == "a" and first.get("href") == "/exit" and first.get("id") == "exit", (where, first)
        assert 'href="tel:999"' in html, where
        assert html.count('rel="noreferrer"') >= 1, where
    # Her language, her direction, and a way to change language that needs no JavaScript: in her session a
    # POST form (her choice is saved), elsewhere links to this view in another language.
    assert page.html_attrs == {"lang": locale, "dir": LOCALES[locale].direction}, where
    signed_in = 'id="menu"' in html  # her menu: only in her session
    for code in LOCALES:
        if signed_in:
            assert re.search(rf'<button type="submit" name="locale" value="{code}"', html), (where, code)
        else:
            assert re.search(rf'href="[^"]*lang={code}"', html), (where, code)
    weight = _weight(client, response.get_data(), page)
    assert weight <= BUDGET, (where, weight)


@pytest.mark.parametrize("locale", sorted(LOCALES))
def test_every_page_signed_in_is_neutral_hardened_and_tiny(app, client, dbs, world, clock, locale):
    open_link(client, dbs, world.partner, clock)
    assert choose_language(app, client, locale).status_code == 303  # saved on her record: every page follows
    # Her plan: before she starts, then open (every page of it below), then locked.
    check_page(client, "/plan", client.get("/plan"), locale)
    passphrase = "blue kettle on the windowsill"
    assert post(client, "/plan/new", {"passphrase": passphrase, "passphrase_again": passphrase},
                token_from="/plan").status_code == 303
    seen = 0
    for path in _paths(app, client, dbs, world, clock):
        if path == "/message/sent":  # shows what she just told her worker, once
            post(client, "/message", {"kind": "separating"}, token_from="/home")
        response = client.get(path)
        if path == "/check":  # only while a PIN is pending; checked below
            assert response.status_code == 303
            continue
        assert response.status_code in (200, 404), path
        check_page(client, path, response, locale)
        seen += 1
    assert seen >= 12
    assert post(client, "/plan/close", {}, token_from="/plan").status_code == 303
    check_page(client, "/plan", client.get("/plan"), locale)


@pytest.mark.parametrize("locale", sorted(LOCALES))
def test_every_page_signed_out_is_neutral_and_hardened(app, client, dbs, world, clock, locale):
    for path in ["/", "/v/" + "D" * 32, "/no-such-page"]:
        response = client.get(f"{path}?lang={locale}")
        assert response.status_code in (200, 404), path
        check_page(client, path, response, locale, hers=False)
        assert 'href="/message"' not in response.get_data(as_text=True)  # her menu only in her session


def test_the_pin_pages_are_neutral_too(app, client, dbs, world, clock):
    world.partner.pin_hash = "$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA"
    dbs.commit()
    follow_link(client, new_link(dbs, world.partner, clock))
    response = client.get("/check")
    assert response.status_code == 200
    check_page(client, "/check", response, "en")


def test_redirects_never_carry_telling_words_or_the_token(client, dbs, world, clock):
    link = new_link(dbs, world.partner, clock)
    response = follow_link(client, link)
    location = response.headers["Location"]
    assert not TELLING.search(location) and link[3:] not in location


def test_pages_and_assets_are_served_compressed(client, dbs, world, clock):
    open_link(client, dbs, world.partner, clock)
    for path in ("/home", "/assets/css/site.css", "/assets/js/exit.js"):
        response = client.get(path, headers={"Accept-Encoding": "gzip, deflate, br"})
        assert response.headers["Content-Encoding"] == "gzip", path
        assert "Accept-Encoding" in response.headers["Vary"], path
        assert gzip.decompress(response.data)
    bad_link = client.post("/v/" + "E" * 32, headers={"Accept-Encoding": "gzip"})
    assert bad_link.status_code == 404 and bad_link.headers["Content-Encoding"] == "gzip"
    plain = client.get("/home", headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in plain.headers and plain.data.startswith(b"<!doctype html>")


def test_the_favicon_is_neutral_and_tiny(client):
    icon = client.get("/assets/favicon.svg")
    assert icon.status_code == 200 and len(icon.data) < 512
    assert b"<text" not in icon.data and b"href" not in icon.data
