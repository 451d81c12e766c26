"""Browser fixtures: headless Chromium (JavaScript on or off, phone-sized) and an axe-core helper. The served
app (`live_server`, `live_server_factory`, `exit_site`) comes from tests/served.py, for any whole-story test:

    def test_story(live_server, new_page):
        page = new_page(javascript=False)
        open_her_link(page, live_server.url + live_server.invite_path(partner_id))  # tests/browser/her_world.py
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.served import EXIT_PAGE, EXIT_PAGE_TITLE  # noqa: F401 - re-exported for the browser tests

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
PHONE = {"width": 360, "height": 740}


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def new_page(browser: Any) -> Iterator[Callable[..., Any]]:
    """new_page(javascript=True, locale="en", viewport=PHONE, **context_options) -> a Page in a fresh context."""
    contexts: list[Any] = []

    def make(javascript: bool = True, locale: str = "en", viewport: dict[str, int] | None = None,
             **options: Any) -> Any:
        context = browser.new_context(java_script_enabled=javascript, locale=locale, viewport=viewport or PHONE,
                                      **options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture(params=[True, False], ids=["js-on", "js-off"])
def javascript(request: pytest.FixtureRequest) -> bool:
    return bool(request.param)


AXE_SOURCE = (Path(__import__("axe_playwright_python").__file__).parent / "axe.min.js").read_text()


def axe_violations(page: Any, tags: tuple[str, ...] = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa",
                                                        "best-practice")) -> list[dict[str, Any]]:
    """Run axe-core in the page and return its violations (rule id, impact, help, failing targets).

    The source is evaluated through the DevTools protocol, which the page's CSP does not govern, so the
    page is tested under its real policy.
    """
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SOURCE)
    result = page.evaluate("async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})",
                           list(tags))
    return [{"id": v["id"], "impact": v["impact"], "help": v["help"],
             "targets": [n["target"] for n in v["nodes"]]} for v in result["violations"]]
