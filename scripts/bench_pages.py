"""Her pages in headless Chromium: compressed weight and requests of each page on first load (HTML + CSS + JS +
icon, as Chromium received them); the time until each page is usable on an emulated slow mobile network
(400 kbit/s, 400 ms round trip, CDP Network.emulateNetworkConditions, no cache); and the quick exit, from
activation (click, keyboard shortcut) to the page hidden, and to the neutral site's page shown, with JavaScript
on and off, side by side with GOV.UK Frontend's exit-this-page component (govuk-frontend from the npm registry,
installed into a temporary directory and served on loopback with the same neutral site)."""

from __future__ import annotations

import http.server
import json
import logging
import shutil
import statistics
import subprocess  # nosec B404 - npm, with fixed arguments
import sys
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

from portal import create_app, migrate  # noqa: E402
from portal.extensions import db, limiter  # noqa: E402
from portal.services.admin import demo  # noqa: E402
from portal.services.audit import SYSTEM  # noqa: E402
from portal.services.context import DomainContext  # noqa: E402
from portal.services.her.invites import issue_invite  # noqa: E402

BUDGET = 14 * 1024
RUNS = 25
EXIT_RUNS = 15
EXIT_ROUNDS = 5  # each exit drill's runs in rounds, the drills taking turns: a busy spell falls on all of them alike
GOVUK_PACKAGE = "govuk-frontend@6"
# A slow mobile network: 400 kbit/s each way, 400 ms round trip (CDP: bytes per second, latency in ms).
SLOW = {"offline": False, "latency": 400, "downloadThroughput": 400_000 / 8, "uploadThroughput": 400_000 / 8}
NEUTRAL_PAGE = (b"<!doctype html><html lang=en><meta charset=utf-8><title>Weather today</title>"
                b"<h1>Weather today</h1><p>Sunny spells, light wind.</p></html>")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
SIGNED_OUT = ["/", "/v/this-link-does-not-exist"]
SIGNED_IN = ["/home", "/contact", "/choices", "/pin", "/about", "/faq", "/privacy", "/help", "/online",
             "/unsubscribe", "/message"]

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


class Neutral(http.server.BaseHTTPRequestHandler):
    """The neutral site (/weather) and GOV.UK Frontend's example page with its files (/govuk/...)."""

    govuk: Path | None = None

    def do_GET(self) -> None:  # noqa: N802 - the standard library's name
        if self.path.startswith("/govuk/") and self.govuk is not None:
            name = self.path.removeprefix("/govuk/") or "index.html"
            file = (self.govuk / name).resolve()
            if file.is_file() and file.is_relative_to(self.govuk.resolve()):
                kind = {".html": "text/html; charset=utf-8", ".css": "text/css", ".js": "text/javascript"}
                return self._send(file.read_bytes(), kind.get(file.suffix, "application/octet-stream"))
            return self._send(b"", "text/plain", 404)
        return self._send(NEUTRAL_PAGE, "text/html; charset=utf-8")

    def _send(self, body: bytes, kind: str, status: int = 200) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        return


def govuk_example(folder: Path, neutral_url: str) -> Path | None:
    """govuk-frontend installed from the npm registry, and a page with its exit-this-page component (the
    package's own "default" example, its link pointed at our neutral site), as a service would use it."""
    npm = shutil.which("npm")
    if npm is None:
        return None
    done = subprocess.run([npm, "install", "--silent", "--no-audit", "--no-fund", "--prefix", str(folder),  # noqa: S603  # nosec B603
                           GOVUK_PACKAGE], capture_output=True, text=True, timeout=300)
    dist = folder / "node_modules" / "govuk-frontend" / "dist" / "govuk"
    if done.returncode != 0 or not dist.is_dir():
        return None
    site = folder / "site"
    site.mkdir()
    shutil.copy(dist / "govuk-frontend.min.css", site)
    shutil.copy(dist / "govuk-frontend.min.js", site)
    fixtures = json.loads((dist / "components" / "exit-this-page" / "fixtures.json").read_text())
    component = next(f["html"] for f in fixtures["fixtures"] if f["name"] == "default")
    component = component.replace('href="/full-page-examples/announcements"', f'href="{neutral_url}"')
    version = json.loads((folder / "node_modules" / "govuk-frontend" / "package.json").read_text())["version"]
    (site / "index.html").write_text(f"""<!doctype html>
<html lang="en" class="govuk-template"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Example service</title>
<link rel="stylesheet" href="/govuk/govuk-frontend.min.css"></head>
<body class="govuk-template__body">
<script>document.body.className += ' js-enabled' + ('noModule' in HTMLScriptElement.prototype ? ' govuk-frontend-supported' : '');</script>
<div class="govuk-width-container"><main class="govuk-main-wrapper" id="main-content">
{component}
<h1 class="govuk-heading-l">Example service</h1><p class="govuk-body">govuk-frontend {version}.</p>
</main></div>
<script type="module">import {{ initAll }} from '/govuk/govuk-frontend.min.js'; initAll();</script>
</body></html>
""")
    return site


class Portal:
    """The app with the demo data on a temporary SQLite database, served on a loopback port."""

    def __init__(self, workdir: Path) -> None:
        logging.getLogger("portal.config").setLevel(logging.ERROR)  # throwaway dev keys in a temp dir
        neutral = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Neutral)
        neutral.daemon_threads = True
        threading.Thread(target=neutral.serve_forever, daemon=True).start()
        self.neutral = neutral
        # The neutral site on another site than the portal's and GOV.UK's example (localhost, not 127.0.0.1), as a
        # real one is: the browser then changes process for it after either exit, as it would in use.
        self.neutral_url = f"http://localhost:{neutral.server_address[1]}/weather"
        self.govuk_url = f"http://127.0.0.1:{neutral.server_address[1]}/govuk/"
        self.app = create_app({"database_url": f"sqlite:///{workdir / 'bench.sqlite3'}",
                               "instance_path": str(workdir), "exit_url": self.neutral_url})
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
        """A fresh link for her; the per-address budget for links is reset (every run here opens one)."""
        with self.app.app_context():
            limiter.reset()
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
        # Answer the exit and the neutral site with 204 No Content: the navigation is dropped and the hidden page
        # stays readable.
        page.route("**/exit", lambda route: route.fulfill(status=204))
        page.route(portal.neutral_url, lambda route: route.fulfill(status=204))  # the script goes there directly
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


def usable(page, url: str) -> dict[str, float]:  # type: ignore[no-untyped-def]
    """One first load on the slow network: first contentful paint, DOMContentLoaded done (the deferred exit
    script has run), load; usable = painted and the exit script active (the later of the first two)."""
    page.goto(url, wait_until="load")
    for _ in range(100):
        timing = page.evaluate("""() => {
          const n = performance.getEntriesByType('navigation')[0];
          const p = performance.getEntriesByName('first-contentful-paint')[0];
          return {fcp: p ? p.startTime : null, dcl: n.domContentLoadedEventEnd, load: n.loadEventEnd};
        }""")
        if timing["fcp"] is not None and timing["load"]:
            break
        time.sleep(0.02)
    timing["usable"] = max(timing["fcp"] or 0, timing["dcl"])
    return timing


def slow_network(browser, portal: Portal) -> list[tuple[str, dict[str, float]]]:  # type: ignore[no-untyped-def]
    rows = []

    def throttled(page):  # type: ignore[no-untyped-def]
        cdp = page.context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
        cdp.send("Network.emulateNetworkConditions", SLOW)
        return cdp

    for path in SIGNED_OUT:
        context = browser.new_context()
        page = context.new_page()
        throttled(page)
        rows.append((path if not path.startswith("/v/") else "/v/<bad link>", usable(page, portal.url + path)))
        context.close()
    context = browser.new_context()
    page = context.new_page()
    open_link(page, portal.link())
    throttled(page)
    for path in SIGNED_IN:
        rows.append((path, usable(page, portal.url + path)))
    context.close()
    return rows


def clock_offset(page) -> float:  # type: ignore[no-untyped-def]
    """The browser's clock minus this process's, in ms (the smallest of a few round trips)."""
    best = (float("inf"), 0.0)
    for _ in range(5):
        before = time.time() * 1000
        browser_now = page.evaluate("() => performance.timeOrigin + performance.now()")
        after = time.time() * 1000
        best = min(best, (after - before, browser_now - (before + after) / 2))
    return best[1]


def neutral_shown(page, neutral_url: str) -> float:  # type: ignore[no-untyped-def]
    """When the neutral site's page was first painted, on the browser's clock (ms since the epoch)."""
    page.wait_for_url(neutral_url)
    for _ in range(200):
        shown = page.evaluate("""() => {
          const p = performance.getEntriesByName('first-contentful-paint')[0];
          return p ? performance.timeOrigin + p.startTime : null;
        }""")
        if shown is not None:
            return float(shown)
        time.sleep(0.01)
    raise RuntimeError("the neutral page was never painted")


def _isolated(route) -> None:  # type: ignore[no-untyped-def]
    """Her page as it was served before (with Cross-Origin-Embedder-Policy: cross-origin isolated), for reference."""
    answer = route.fetch()
    route.fulfill(response=answer, headers={**answer.headers, "cross-origin-embedder-policy": "require-corp"})


def exit_to_neutral(browser, portal: Portal, who: str, how: str, javascript: bool,  # type: ignore[no-untyped-def]
                    govuk_url: str | None = None, isolated: bool = False, runs: int = EXIT_RUNS) -> list[float]:
    """Activation (the click or the shortcut's last key, dispatched from here) to the neutral page painted.
    isolated=True: her page arrives with Cross-Origin-Embedder-Policy as it did before (cross-origin isolated),
    for reference only: what that isolation cost the exit."""
    times = []
    for _ in range(runs):
        context = browser.new_context(java_script_enabled=javascript)
        page = context.new_page()
        if isolated:
            context.route(portal.url + "/choices", _isolated)
        if who == "ours":
            open_link(page, portal.link())
            page.goto(portal.url + "/choices")
            control = "#exit"
        else:
            page.goto(govuk_url)
            control = ".govuk-exit-this-page__button"
        page.wait_for_load_state("load")
        page.wait_for_timeout(50)  # let the page's scripts settle (GOV.UK's are a module)
        if how == "click":
            box = page.locator(control).bounding_box()
            offset = clock_offset(page)
            start = time.time() * 1000 + offset
            page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        else:
            page.locator("h1").click()  # focus on the page, outside any form field
            key = "Escape" if who == "ours" else "Shift"
            for _ in range(1 if who == "ours" else 2):
                page.keyboard.press(key)
            offset = clock_offset(page)
            start = time.time() * 1000 + offset
            page.keyboard.press(key)
        times.append(neutral_shown(page, portal.neutral_url) - start)
        if who == "ours" and not isolated:  # what GOV.UK's component lacks: her session ended, nothing of hers kept
            for _ in range(100):
                if not context.cookies(portal.url):
                    break
                time.sleep(0.02)
            assert not context.cookies(portal.url), "her session cookie must be gone after the exit"
        context.close()
    return times


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
        largest = max(rows, key=lambda row: row[1] + row[2])
        print(f"summary: her pages, compressed bytes on first load | {min(r[1] + r[2] for r in rows):,}–"
              f"{largest[1] + largest[2]:,} B ({largest[0]} largest), {min(r[3] for r in rows)}–"
              f"{max(r[3] for r in rows)} requests; budget {BUDGET:,} B")
        print("\nHer pages on a slow mobile network (400 kbit/s, 400 ms round trip, emulated by Chromium; first load,"
              " no cache):")
        print(f"  {'page':<16}{'painted':>10}{'DOM ready':>11}{'load':>9}{'usable':>9}   (ms)")
        slow = slow_network(browser, portal)
        for path, timing in slow:
            print(f"  {path:<16}{timing['fcp']:>10.0f}{timing['dcl']:>11.0f}{timing['load']:>9.0f}"
                  f"{timing['usable']:>9.0f}")
        slowest = max(slow, key=lambda row: row[1]["usable"])
        print(f"summary: her pages usable on 400 kbit/s, 400 ms RTT (first load) | "
              f"{min(t['usable'] for _, t in slow) / 1000:.2f}–{slowest[1]['usable'] / 1000:.2f} s ({slowest[0]} slowest)")
        print("  usable: painted and the exit script active (the later of first contentful paint and DOM ready)")
        print(f"\nQuick exit, activation to page hidden ({RUNS} runs each, headless Chromium):")
        for how, label in (("click", "click/tap"), ("escape", "double Esc")):
            hidden, frame = exit_times(browser, portal, how)
            print(f"  {label:<11} hidden:     {summary(hidden)}")
            print(f"  {'':<11} next frame: {summary(frame)}")
        govuk_site = govuk_example(Path(tmp) / "govuk", portal.neutral_url)
        Neutral.govuk = govuk_site
        print(f"\nQuick exit, activation to the neutral site's page painted ({EXIT_RUNS} runs each in {EXIT_ROUNDS} "
              "alternating rounds, loopback; "
              "ours also ends her session on the server, clears site data and keeps nothing on Back):")
        cases = [("ours", "click", True, "click, JavaScript on"), ("ours", "key", True, "double Esc, JavaScript on"),
                 ("ours", "click", False, "click, JavaScript off")]
        if govuk_site is not None:
            cases += [("govuk", "click", True, "click, JavaScript on"), ("govuk", "key", True, "Shift x3, JavaScript on"),
                      ("govuk", "click", False, "click, JavaScript off")]
        medians: dict[tuple[str, bool], float] = {}
        times: dict[tuple[str, str, bool, bool], list[float]] = {}
        for _ in range(EXIT_ROUNDS):  # in turns, so that the machine's busy spells fall on ours and GOV.UK's alike
            for who, how, javascript, _label in cases:
                for isolated in (False, True) if (who, how) == ("ours", "click") else (False,):
                    times.setdefault((who, how, javascript, isolated), []).extend(exit_to_neutral(
                        browser, portal, who, how, javascript, portal.govuk_url, isolated=isolated,
                        runs=EXIT_RUNS // EXIT_ROUNDS))
        for who, how, javascript, label in cases:
            name = "ours" if who == "ours" else "GOV.UK exit-this-page"
            print(f"  {name:<22} {label:<26} {summary(times[(who, how, javascript, False)])}")
            if how == "click":
                medians[(who, javascript)] = statistics.median(times[(who, how, javascript, False)])
            if who == "ours" and how == "click":
                reference = times[(who, how, javascript, True)]
                print(f"  {'ours, reference':<22} {'same, with COEP (before)':<26} {summary(reference)}")
                medians[("reference", javascript)] = statistics.median(reference)
        if govuk_site is None:
            print("  GOV.UK Frontend could not be installed from the npm registry: no comparison this run")
            over += 1
        else:
            for javascript in (True, False):
                ours, theirs = medians[("ours", javascript)], medians[("govuk", javascript)]
                state = "on" if javascript else "off"
                print(f"  click, JavaScript {state}: ours {ours:.0f} ms vs GOV.UK {theirs:.0f} ms"
                      f" ({'as fast or faster' if ours <= theirs * 1.05 else 'slower'})")
                print(f"summary: quick exit, click to neutral page painted, JavaScript {state} | ours {ours:.0f} ms "
                      f"(with COEP, as before: {medians[('reference', javascript)]:.0f} ms) vs GOV.UK exit-this-page "
                      f"{theirs:.0f} ms (medians of {EXIT_RUNS})")
            print("  'with COEP': her page given Cross-Origin-Embedder-Policy in the browser, as it was served before (for"
                  " reference):\n  with COOP and COEP a page is cross-origin isolated, and leaving it costs Chromium a"
                  " new process; her pages\n  now leave COEP out (they load nothing from elsewhere), the console keeps it.")
        browser.close()
        portal.server.shutdown()
        portal.neutral.shutdown()
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
