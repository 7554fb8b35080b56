"""The real browser for the page tests: Debian's Chromium driven by Playwright, and axe-core.

Chromium is ``/usr/bin/chromium`` (``make browser``); axe-core is the npm release pinned in
``tests/axe/package-lock.json`` (``make axe``). Either missing fails in CI and skips elsewhere
(``missing_service``). One browser per test module (Playwright's sync API keeps an event loop running in the thread while it
is open, which would break later tests that run their own); each test opens its own context.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from playwright.sync_api import sync_playwright

from tests.conftest import REPO, missing_service

CHROMIUM = Path("/usr/bin/chromium")
# Without the background-networking flags Chromium's own calls home are refused by the closed network.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
VIEWPORTS = {"desktop": {"width": 1440, "height": 900}, "phone": {"width": 390, "height": 844}}
AXE = REPO / "tests" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
IMAGES = REPO / "docs" / "images"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.is_file():
        missing_service("Chromium (/usr/bin/chromium; make browser)")
    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield instance
        finally:
            instance.close()


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE.is_file():
        missing_service("axe-core (make axe)")
    return AXE.read_text(encoding="utf-8")


def serious_axe_violations(page: Any, axe_source: str) -> list[dict[str, Any]]:
    """axe-core's serious and critical violations on the page as it is now (every rule, WCAG 2.2 AA
    and best practice)."""
    page.evaluate(axe_source)
    result = page.evaluate("""() => axe.run(document, {resultTypes: ['violations']})
        .then(r => r.violations.map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.length,
                                           target: v.nodes.slice(0, 3).map(n => n.target.join(' '))})))""")
    return [v for v in result if v["impact"] in ("serious", "critical")]


def click_node(page: Any, node: str) -> None:
    """Click a vis-network node of /graph where the canvas draws it."""
    page.locator("#network").scroll_into_view_if_needed()
    xy = page.evaluate("""id => {
        const net = window.vawgGraph.network, p = net.canvasToDOM(net.getPosition(id));
        const box = document.getElementById('network').getBoundingClientRect();
        return {x: box.left + p.x, y: box.top + p.y};
    }""", node)
    page.mouse.click(xy["x"], xy["y"])


@contextmanager
def page_in(browser: Any, **context_options: Any) -> Iterator[Any]:
    """A page in a new browser context that fails the test, when it closes, on any page error or
    console error (a missing favicon aside); ``page.errors`` lists them as they come."""
    context = browser.new_context(**context_options)
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    pg.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" and "favicon" not in msg.text
          and "404" not in msg.text else None)
    pg.errors = errors
    yield pg
    context.close()
    assert not errors, errors


def settled(page: Any) -> None:
    page.wait_for_selector("html[data-busy='0']", timeout=30_000)


def params(page: Any) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(page.url).query))


def search(page: Any, words: str) -> list[str]:
    """Type ``words`` in the search box and press Enter, as a user would: the ids of the hits listed."""
    page.fill("#q", words)
    page.press("#q", "Enter")
    page.wait_for_selector("#hits:not([hidden])")
    settled(page)
    hits: list[str] = page.eval_on_selector_all("#hits-list button[data-id]", "bs => bs.map(b => b.dataset.id)")
    return hits
