"""Her pages: compressed weight of each page on first load (HTML + CSS + JS + icon, as Chromium received
them), and the time from quick-exit activation (click, double Esc) to the page being hidden, in the browser."""

from __future__ import annotations

import logging
import statistics
import sys
import tempfile
import threading
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

from portal import create_app, migrate  # noqa: E402
from portal.extensions import db  # noqa: E402
from portal.services.admin import demo  # noqa: E402
from portal.services.audit import SYSTEM  # noqa: E402
from portal.services.context import DomainContext  # noqa: E402
from portal.services.her.invites import issue_invite  # noqa: E402

BUDGET = 14 * 1024
RUNS = 25
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
SIGNED_OUT = ["/", "/v/this-link-does-not-exist"]
SIGNED_IN = ["/home", "/contact", "/choices", "/pin", "/about", "/patterns", "/sharing", "/support", "/online",
             "/stop"]

# Installed before the exit is triggered: the activation time (the event's own timestamp), the moment the
# page's body became hidden, and the next animation frame after that (when the blank page is painted).
PROBE = """() => {
  window.__exit = {};
  addEventListener('click', e => { window.__exit.start = e.timeStamp; }, true);
  addEventListener('keydown', e => { if (e.key === 'Escape') { window.__exit.start = e.timeStamp; } }, true);
  new MutationObserver(() => {
    if (document.body.hidden && window.__exit.hidden === undefined) {
      window.__exit.hidden = performance.now();
      requestAnimationFrame(() => { window.__exit.frame = performance.now(); });
    }
  }).observe(document.body, {attributes: true, attributeFilter: ['hidden']});
}"""


class Portal:
    """The app with the demo data on a temporary SQLite database, served on a loopback port."""

    def __init__(self, workdir: Path) -> None:
        logging.getLogger("portal.config").setLevel(logging.ERROR)  # throwaway dev keys in a temp dir
        self.app = create_app({"database_url": f"sqlite:///{workdir / 'bench.sqlite3'}",
                               "instance_path": str(workdir), "exit_url": "http://127.0.0.1:9/"})
        with self.app.app_context():
            migrate.upgrade(db.engine)
            with Session(db.engine) as session, session.begin():
                demo.seed(DomainContext(session, self.vault, self.app.extensions["portal.audit_key"], self.now(),
                                        SYSTEM))
        self.server = make_server("127.0.0.1", 0, self.app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def vault(self):  # type: ignore[no-untyped-def]
        return self.app.extensions["portal.vault"]

    def now(self):  # type: ignore[no-untyped-def]
        return self.app.extensions["portal.clock"].now()

    def link(self) -> str:
        with self.app.app_context(), Session(db.engine) as session, session.begin():
            partner = demo.demo_partner(session, self.vault)
            invite = issue_invite(session, partner.id, now=self.now(), ttl=timedelta(hours=1))
        return self.url + "/v/" + invite.token


def open_link(page, url: str) -> None:  # type: ignore[no-untyped-def]
    """Her link as she opens it: the neutral page, then its one Continue button (a POST)."""
    page.goto(url)
    with page.expect_navigation():
        page.locator("main form[method=post] button[type=submit]").click()


def page_weight(page, url: str) -> tuple[int, int, int]:  # type: ignore[no-untyped-def]
    """Bytes on the wire for one first load: (HTML, CSS + JS + icon, number of requests)."""
    finished = []

    def collect(request):  # type: ignore[no-untyped-def]
        finished.append(request)

    page.on("requestfinished", collect)
    page.goto(url)
    page.wait_for_load_state("networkidle")
    page.remove_listener("requestfinished", collect)
    html = assets = 0
    for request in finished:
        size = request.sizes()["responseBodySize"]
        if request.resource_type == "document":
            html += size
        else:
            assets += size
    return html, assets, len(finished)


def weights(browser, portal: Portal) -> list[tuple[str, int, int, int]]:  # type: ignore[no-untyped-def]
    rows = []
    for path in SIGNED_OUT:
        context = browser.new_context()
        rows.append((path if not path.startswith("/v/") else "/v/<bad link>", *page_weight(context.new_page(),
                                                                                          portal.url + path)))
        context.close()
    context = browser.new_context()
    page = context.new_page()
    open_link(page, portal.link())
    for path in SIGNED_IN:
        rows.append((path, *page_weight(page, portal.url + path)))
    context.close()
    return rows


def exit_times(browser, portal: Portal, how: str) -> tuple[list[float], list[float]]:  # type: ignore[no-untyped-def]
    to_hidden, to_frame = [], []
    for _ in range(RUNS):
        context = browser.new_context()
        page = context.new_page()
        open_link(page, portal.link())
        page.goto(portal.url + "/choices")
        # Answer the exit with 204 No Content: the navigation is dropped and the hidden page stays readable.
        page.route("**/exit", lambda route: route.fulfill(status=204))
        if how == "click":
            page.evaluate(PROBE)
            box = page.locator("#exit").bounding_box()
            page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        else:
            page.locator("h1").click()  # focus on the page, outside any form field
            page.evaluate(PROBE)
            page.keyboard.press("Escape")
            page.keyboard.press("Escape")
        page.wait_for_function("() => window.__exit.frame !== undefined")
        sample = page.evaluate("() => window.__exit")
        to_hidden.append(sample["hidden"] - sample["start"])
        to_frame.append(sample["frame"] - sample["start"])
        context.close()
    return to_hidden, to_frame


def summary(values: list[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
    return f"median {statistics.median(ordered):6.2f} ms   p95 {p95:6.2f} ms   max {ordered[-1]:6.2f} ms"


def main() -> int:
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
        portal = Portal(Path(tmp))
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        rows = weights(browser, portal)
        print(f"Her pages, first load, compressed bytes as received by Chromium (budget {BUDGET} B):")
        print(f"  {'page':<16}{'HTML':>8}{'CSS+JS+icon':>13}{'total':>9}{'requests':>10}  within budget")
        over = 0
        for path, html, assets, requests in rows:
            total = html + assets
            over += total > BUDGET
            print(f"  {path:<16}{html:>8}{assets:>13}{total:>9}{requests:>10}  {'yes' if total <= BUDGET else 'NO'}")
        print(f"\nQuick exit, activation to page hidden ({RUNS} runs each, headless Chromium):")
        for how, label in (("click", "click/tap"), ("escape", "double Esc")):
            hidden, frame = exit_times(browser, portal, how)
            print(f"  {label:<11} hidden:     {summary(hidden)}")
            print(f"  {'':<11} next frame: {summary(frame)}")
        browser.close()
        portal.server.shutdown()
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
