"""The summary view of /graph (what a large graph opens on) in Debian's Chromium, on the session's real
build with ``?overview=summary``: it renders, an aggregate expands from the keyboard and folds back
with Back, the table pages on the server from the keyboard, search ranks across the whole graph, and
axe-core finds no serious or critical violation on any of these states, at desktop and phone sizes.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.api_server import RunningServer
from tests.browser_fixture import (IMAGES, VIEWPORTS, click_node, page_in, params, search, serious_axe_violations,
                                   settled)

pytestmark = pytest.mark.browser


@pytest.fixture(params=sorted(VIEWPORTS))
def page(request: pytest.FixtureRequest, browser: Any, api_server: RunningServer) -> Iterator[Any]:
    with page_in(browser, viewport=VIEWPORTS[request.param]) as pg:
        yield pg


def open_summary(page: Any, server: RunningServer, query: str = "") -> None:
    page.goto(f"{server.url}/graph?overview=summary{query}")
    page.wait_for_selector("html[data-ready='1'][data-busy='0']", timeout=30_000)


def api_ids(api: httpx.Client, **query: Any) -> list[str]:
    return [r["id"] for r in api.get("/commitments", params={"limit": 1000, **query}).json()["items"]]


def drawn(page: Any, prefix: str) -> list[str]:
    ids: list[str] = page.evaluate("window.vawgGraph.network.body.data.nodes.getIds()")
    return [i for i in ids if i.startswith(prefix)]


def test_summary_renders_and_a_document_expands(page: Any, api_server: RunningServer, api: httpx.Client,
                                                axe_source: str) -> None:
    open_summary(page, api_server)
    summary = api.get("/graph/data/summary").json()
    # The first view: one node per document and per theme / lead organisation, no commitment.
    assert len(drawn(page, "d:")) == len(summary["documents"])
    assert len(drawn(page, "a:")) == len(summary["aggregates"])
    assert drawn(page, "c:") == []
    total = api.get("/commitments", params={"limit": 1}).json()["total"]
    assert int(page.get_attribute("#count", "data-commitments")) == total
    assert serious_axe_violations(page, axe_source) == []
    if page.viewport_size["width"] >= 1000:  # for the user guide
        IMAGES.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(IMAGES / "graph-summary-desktop.png"), animations="disabled", timeout=90_000)
    # Overlaps between documents: drawn only on request, each document's strongest few.
    if not page.is_visible("#e-overlaps"):  # a phone folds the filters away: one more step
        page.click("#more-filters > summary")
    page.check("#e-overlaps")
    assert params(page).get("overlaps") == "1"
    lines = page.evaluate("window.vawgGraph.network.body.data.edges.getIds().filter(i => i.startsWith('o:')).length")
    assert lines == len(summary["overlaps"]) > 0
    page.uncheck("#e-overlaps")
    assert page.evaluate("window.vawgGraph.network.body.data.edges.getIds().filter(i => i.startsWith('o:')).length") == 0
    # Click a document on the canvas: its panel; its expand button from the keyboard.
    doc = max(summary["documents"], key=lambda d: d["count"])
    page.evaluate("id => window.vawgGraph.network.focus(id, {scale: 1.0, animation: false})", "d:" + doc["id"])
    click_node(page, "d:" + doc["id"])
    page.wait_for_selector("#entity-body:not([hidden])")
    assert doc["title"] in page.text_content("#e-name")
    page.locator("#e-actions button").first.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "open=" in url)
    settled(page)
    page.wait_for_selector("#e-members li")  # what its commitments name, now known
    expected = set(api_ids(api, doc=doc["id"]))
    assert {i[2:] for i in drawn(page, "c:")} == expected
    assert params(page)["open"] == "d:" + doc["id"]
    assert serious_axe_violations(page, axe_source) == []
    # A commitment node opens its panel from the API's record.
    node = "c:" + sorted(expected)[0]
    page.evaluate("id => window.vawgGraph.network.focus(id, {scale: 2.0, animation: false})", node)
    click_node(page, node)
    page.wait_for_selector("#panel-body:not([hidden])")
    settled(page)
    rec = api.get("/commitments/" + node.split("/commitment/", 1)[1]).json()
    assert page.text_content("#p-text") == rec["text"]
    # Back: the selection, then the expansion, undone.
    page.go_back()
    page.go_back()
    page.wait_for_url(lambda url: "open=" not in url)
    settled(page)
    assert drawn(page, "c:") == []


def test_the_table_pages_from_the_keyboard(page: Any, api_server: RunningServer, api: httpx.Client,
                                           axe_source: str) -> None:
    open_summary(page, api_server, "&lead=home-office")
    expected = api_ids(api, lead="home-office")
    assert len(expected) > 25
    page.click("#tab-table")
    settled(page)
    rows = page.eval_on_selector_all("#table-body tr[data-id]", "rs => rs.map(r => r.dataset.id)")
    assert rows == expected[:25]
    assert page.text_content("#page-info") == f"Page 1 of {-(-len(expected) // 25)}"
    page.focus("#page-next")
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: params(page).get("page") == "2")
    settled(page)
    rows = page.eval_on_selector_all("#table-body tr[data-id]", "rs => rs.map(r => r.dataset.id)")
    assert rows == expected[25:50]
    assert serious_axe_violations(page, axe_source) == []
    # A sort button orders on the server (deadlines, latest first, after a second press).
    page.click("#table-head th[data-key='deadline'] button")
    settled(page)
    page.click("#table-head th[data-key='deadline'] button")
    settled(page)
    assert params(page)["sort"] == "-deadline" and "page" not in params(page)
    body = api.get("/graph/data/table", params={"lead": "home-office", "sort": "-deadline"}).json()
    rows = page.eval_on_selector_all("#table-body tr[data-id]", "rs => rs.map(r => r.dataset.id)")
    assert rows == [r["id"] for r in body["rows"]]
    page.go_back()
    page.go_back()
    settled(page)
    assert "sort" not in params(page) and params(page).get("page") == "2"


def test_search_ranks_across_the_whole_graph(page: Any, api_server: RunningServer, api: httpx.Client,
                                             axe_source: str) -> None:
    open_summary(page, api_server)
    hits = search(page, "coercive control")
    expected = api_ids(api, q="coercive control")
    assert int(page.get_attribute("#count", "data-commitments")) == len(expected) > 0
    assert hits == expected[:len(hits)] and hits
    page.locator("#hits-list button").first.click()
    page.wait_for_selector("#panel-body:not([hidden])")
    settled(page)
    assert params(page)["select"] == expected[0].split("/commitment/", 1)[1]
    assert serious_axe_violations(page, axe_source) == []
    # An unknown lead: the server's message, with the nearest names, in the notice.
    open_summary(page, api_server, "&lead=home-offce")
    assert page.is_visible("#notice") and "home-offce" in page.text_content("#notice")
    assert serious_axe_violations(page, axe_source) == []
