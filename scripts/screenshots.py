"""Screenshots for the README: her main pages in English, Arabic and Ukrainian on a phone, and the worker's inbox
and case page on a desktop.

    .venv/bin/python scripts/screenshots.py            # writes docs/screenshots/*.png

Serves the demo (`flask demo`) from a temporary SQLite database on a loopback port, reports a dropout through
the programme API and runs the dispatcher once (so her worker has tasks), then drives headless Chromium
(/usr/bin/chromium, Playwright) through her link and the staff sign-in, as a person would. Nothing outside the
temporary folder is touched, and nothing leaves this machine.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--hide-scrollbars"]
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 800}


def serve(instance: Path) -> tuple[Any, str, Any]:
    """The app on a random loopback port, development settings, console SMS backend, its own SQLite file."""
    import dataclasses

    from werkzeug.serving import make_server

    from portal import create_app

    app = create_app({"database_url": f"sqlite:///{instance / 'portal.sqlite3'}", "instance_path": str(instance),
                      "sms_backend": "console"})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    url = f"http://127.0.0.1:{server.port}"
    app.config["PORTAL"] = dataclasses.replace(app.config["PORTAL"], public_url=url)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return app, url, server


def demo(app: Any) -> dict[str, Any]:
    result = app.test_cli_runner().invoke(args=["demo", "--json"])
    if result.exit_code != 0:
        raise SystemExit(f"flask demo failed: {result.output}")
    return json.loads(result.output.strip().splitlines()[-1])


def report_dropout(app: Any, url: str, seeded: dict[str, Any]) -> None:
    """A facilitator's system reports that he dropped out, then an imminent risk to her; the dispatcher turns each
    into her worker's task (the inbox shows the immediate one first, marked in words and with a shape)."""
    import httpx

    for event in ({"kind": "dropout"}, {"kind": "risk", "risk_to": ["partner"], "imminence": "imminent"}):
        response = httpx.post(url + "/api/v1/programme-events", timeout=30,
                              headers={"Authorization": f"Bearer {seeded['api_token']}"},
                              json={"participant_ref": seeded["participant_ref"], **event})
        response.raise_for_status()
    result = app.test_cli_runner().invoke(args=["worker", "--once"])
    if result.exit_code != 0:
        raise SystemExit(f"flask worker --once failed: {result.output}")


def her_link(url: str, invite_url: str) -> str:
    return url + urlsplit(invite_url).path


HER_LOCALES = ("en", "ar", "uk")
# Her main pages, as she reaches them from her home page's menu: (file name part, path).
HER_PAGES = (("home", "/home"), ("choices", "/choices"), ("about", "/about"), ("contact", "/contact"),
             ("help", "/help"))


def her_pages(browser: Any, url: str, link: str, locale: str, out: Path) -> list[Path]:
    """Her main pages in her language, chosen in the top bar as she would (a POST, kept on her record)."""
    context = browser.new_context(viewport=PHONE, locale=locale, device_scale_factor=1)
    page = context.new_page()
    page.goto(link)
    with page.expect_navigation():
        page.locator("main form[method=post] button[type=submit]").click()
    page.wait_for_load_state()
    if locale != "en":
        page.locator("nav.langs summary").click()  # the list opens from one line naming the current language
        with page.expect_navigation():
            page.locator(f"nav.langs button[value={locale}]").click()
    written = []
    for name, path in HER_PAGES:
        page.goto(url + path)
        target = out / f"her-{name}-{locale}.png"
        page.screenshot(path=str(target))
        written.append(target)
    context.close()
    return written


def worker_pages(browser: Any, url: str, seeded: dict[str, Any], inbox: Path, case: Path) -> None:
    import pyotp

    worker = next(person for person in seeded["staff"] if person["role"] == "support_worker")
    context = browser.new_context(viewport=DESKTOP, locale="en-GB", device_scale_factor=1)
    page = context.new_page()
    page.goto(url + "/staff/sign-in")
    page.fill("#email", worker["email"])
    page.fill("#password", worker["password"])
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    page.fill("#code", pyotp.TOTP(worker["totp_secret"]).now())
    page.click("main form button[type=submit]")
    page.wait_for_url("**/staff/")
    page.goto(url + "/staff/tasks")
    page.screenshot(path=str(inbox))
    page.goto(url + "/staff/cases")
    page.locator("main table a").first.click()
    page.wait_for_load_state()
    page.screenshot(path=str(case))
    context.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="portal-screens-") as folder:
        app, url, server = serve(Path(folder))
        try:
            seeded = demo(app)
            report_dropout(app, url, seeded)
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
                written = []
                for locale in HER_LOCALES:  # each on a fresh link of her own (a link is single-use)
                    written += her_pages(browser, url, her_link(url, demo(app)["invite_url"]), locale, args.out)
                worker_pages(browser, url, seeded, args.out / "worker-inbox.png", args.out / "worker-case.png")
                written += [args.out / "worker-inbox.png", args.out / "worker-case.png"]
                browser.close()
        finally:
            server.shutdown()
            server.server_close()
    for path in written:
        print(path, path.stat().st_size, "bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
