"""The server-rendered pages in a real headless Chromium, as a user would use them (clicks and
typing from the site's own links), at 1440×900 and 390×844; axe-core on every page.

Chromium is Debian's ``/usr/bin/chromium``; axe-core is the pinned npm release that
``make axe`` installs (tests/axe/package-lock.json). Both missing: fail in CI, skip elsewhere.
Screenshots go to ``docs/images/`` (the user guide, docs/user-guide-pages.md, shows them).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.api_server import RunningServer
from tests.browser_fixture import IMAGES, VIEWPORTS, serious_axe_violations

pytestmark = pytest.mark.browser

HMG = "hmg-vawg-strategy-2016"
CPS17 = "cps-vawg-action-plan-2017"
CPS25 = "cps-vawg-strategy-2025"
NOT_PICKED_UP = "NOT_PICKED_UP_IN_CORPUS"


@pytest.fixture(params=sorted(VIEWPORTS))
def page(request: pytest.FixtureRequest, browser: Any, api_server: RunningServer) -> Iterator[Any]:
    context = browser.new_context(viewport=VIEWPORTS[request.param], base_url=api_server.url)
    pg = context.new_page()
    pg.errors = []  # console errors (a CSP refusal is one) and uncaught exceptions
    pg.on("console", lambda msg: pg.errors.append(msg.text) if msg.type == "error" else None)
    pg.on("pageerror", lambda exc: pg.errors.append(str(exc)))
    pg.viewport_name = request.param
    yield pg
    context.close()


def snap(page: Any, name: str) -> None:
    IMAGES.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(IMAGES / f"{name}-{page.viewport_name}.png"), animations="disabled", timeout=90_000)


def check_page(page: Any, axe_source: str) -> None:
    """No sideways scrolling, no console error (so no CSP refusal), no serious or critical axe violation."""
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"{page.url} scrolls sideways at {page.viewport_size}: {width}"
    assert not page.errors, page.errors
    bad = serious_axe_violations(page, axe_source)
    assert not bad, f"{page.url} at {page.viewport_size}: {bad}"


def go_home(page: Any) -> None:
    page.goto("/", wait_until="load")


def test_what_became_of_a93(page: Any, api: httpx.Client, axe_source: str) -> None:
    """Organisations → Crown Prosecution Service → A93: its lineage with kinds and status."""
    go_home(page)
    page.click("header.site >> text=Organisations")
    page.click("main >> a:text-is('Crown Prosecution Service')")
    page.wait_for_selector("h1:text('Crown Prosecution Service')")
    page.click(f"main a[href='/commitments/{HMG}/A93']")
    page.wait_for_selector("#lineage")
    body = api.get(f"/commitments/{HMG}/A93").json()
    assert page.text_content("#text") == body["text"]
    assert page.text_content("#status") == body["lineage"]["status"]["code"]
    rows = page.query_selector_all("table.lineage tbody tr")
    later = body["lineage"]["later"]
    assert len(rows) == len(body["lineage"]["earlier"]) + len(body["lineage"]["same_time"]) + len(later)
    shown = {r.query_selector("td[data-label=Ref]").inner_text(): r.query_selector("td[data-label=Kind]").inner_text()
             for r in rows}
    for item in later:
        assert item["ref"] in shown
        if "implemented_by" in item["relations"]:
            assert "implemented by" in shown[item["ref"]]
    dates = [r.query_selector("td[data-label=Date]").inner_text() for r in rows]
    assert dates == sorted(dates)
    assert page.is_visible("#excerpt mark#span")
    check_page(page, axe_source)
    snap(page, "commitment-a93")
    page.evaluate("document.getElementById('lineage').scrollIntoView()")
    snap(page, "commitment-a93-lineage")
    # the full source, the span in the middle of the window, and a way back
    page.click("#full-source")
    page.wait_for_selector("mark#span")
    box = page.eval_on_selector("mark#span", "m => m.getBoundingClientRect().top")
    height = page.viewport_size["height"]
    assert height * 0.15 < box < height * 0.85, f"the highlight is at {box}px of {height}"
    check_page(page, axe_source)
    snap(page, "source-a93")
    page.click(f"main a[href='/commitments/{HMG}/A93']")
    page.wait_for_selector("#lineage")


def test_gaps_filtered_by_document_and_reason(page: Any, api: httpx.Client, axe_source: str) -> None:
    go_home(page)
    page.click("header.site >> text=Gaps")
    page.wait_for_selector("#gap-filters")
    page.select_option("#f-doc", HMG)
    page.select_option("#f-reason", NOT_PICKED_UP)
    page.click("#gap-filters button")
    page.wait_for_selector("#gap-summary")
    expected = api.get("/gaps", params={"doc_id": HMG, "reason": NOT_PICKED_UP}).json()
    assert page.text_content("#gap-summary strong") == str(expected["total"]) and expected["total"] > 0
    rows = page.query_selector_all("table.gaps tbody tr")
    assert len(rows) == expected["total"]
    assert all(r.query_selector("td[data-label=Document]").inner_text() == HMG for r in rows)
    assert all(NOT_PICKED_UP in r.query_selector("td[data-label=Reasons]").inner_text() for r in rows)
    assert "nearest" in rows[0].query_selector("td[data-label=Reasons]").inner_text()
    check_page(page, axe_source)
    snap(page, "gaps-hmg-not-picked-up")
    # a count is a filter too: the first lead in the table narrows the rows
    page.click("table:has(caption:text('By lead')) tbody tr:first-child a")
    page.wait_for_selector("#gap-summary")
    assert int(page.text_content("#gap-summary strong")) <= expected["total"]


def test_compare_cps_2017_with_cps_2025(page: Any, api: httpx.Client, axe_source: str) -> None:
    go_home(page)
    page.click("header.site >> text=Compare documents")
    page.select_option("#c-a", CPS17)
    page.select_option("#c-b", CPS25)
    page.click("#compare-form button")
    page.wait_for_selector("#compare-summary")
    expected = api.get("/compare", params={"a": CPS17, "b": CPS25}).json()
    assert page.text_content("#compare-summary strong") == str(expected["overlaps"]["total"])
    rows = page.query_selector_all("table.pairs tbody tr")
    assert len(rows) == expected["overlaps"]["total"] > 0
    first = expected["overlaps"]["items"][0]
    assert first["a"]["ref"] in rows[0].inner_text() and first["b"]["ref"] in rows[0].inner_text()
    assert page.query_selector("table.pairs del, table.pairs ins") is not None
    check_page(page, axe_source)
    snap(page, "compare-cps-2017-2025")


@pytest.mark.parametrize("path", ["/", "/compare", "/organisations/fcdo", "/organisations", "/ontology", "/nope/404",
                                  "/commitments?lead=org/ho",
                                  f"/commitments/{HMG}/A999", "/docs", "/redoc"])
def test_other_pages_pass_axe_and_fit(page: Any, path: str, axe_source: str) -> None:
    response = page.goto(path, wait_until="load")
    if response.status == 404:  # the page itself: Chromium logs its status; nothing else may fail
        assert response.headers["content-type"].startswith("text/html")
        page.errors.remove("Failed to load resource: the server responded with a status of 404 (Not Found)")
    if path in ("/docs", "/redoc"):  # rendered from local assets only (the CSP allows no other host)
        page.wait_for_selector(".swagger-ui .info" if path == "/docs" else ".api-content", timeout=20_000)
        # ReDoc's bundle asks for its "powered by" logo from cdn.redoc.ly: the CSP refuses it (no call
        # home), which Chromium logs; anything else is a failure.
        assert not [e for e in page.errors if "cdn.redoc.ly" not in e], page.errors
        return
    check_page(page, axe_source)
    if path == "/organisations/fcdo":
        snap(page, "organisation-fcdo")


def test_keyboard_skip_link_and_gaps_form(page: Any, api: httpx.Client) -> None:
    """Keyboard only: the skip link reaches the content; the gaps form is chosen and sent with keys."""
    page.goto("/gaps", wait_until="load")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    assert page.is_visible("a.skip")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.focus("#f-doc")
    page.keyboard.press("ArrowDown")  # a closed select takes the next option (Chromium on Linux)
    chosen = page.eval_on_selector("#f-doc", "s => s.value")
    assert chosen
    for _ in range(3):  # lead, reason, then the button
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.tagName") == "BUTTON"
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/gaps?doc_id={chosen}*")
    expected = api.get("/gaps", params={"doc_id": chosen}).json()["total"]
    assert page.text_content("#gap-summary strong") == str(expected)
