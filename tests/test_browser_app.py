"""The browser at /graph used as an official would, in Debian's Chromium at 1440x900 and 390x844.

Each brief question is asked with clicks and typing (no URL construction, except where the URL itself is
what is tested: short links and unknown values), and what is on screen is checked against the API over
real HTTP. axe-core (npm, pinned in tests/axe/package-lock.json, installed by ``make axe``) runs in the
page and must report no serious or critical violation. Chromium or axe-core missing fails in CI
(``CI_REQUIRE_SERVICES``), never skips there. Screenshots for the user guide go to docs/images/.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.api_server import RunningServer
from tests.browser_fixture import (IMAGES, VIEWPORTS, click_node, page_in, params, search, serious_axe_violations,
                                   settled)

pytestmark = pytest.mark.browser

SIZES = VIEWPORTS
HMG = "hmg-vawg-strategy-2016"


@pytest.fixture(params=sorted(SIZES))
def size(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def page(browser: Any, size: str, api_server: RunningServer) -> Iterator[Any]:
    with page_in(browser, viewport=SIZES[size], accept_downloads=True) as pg:
        yield pg


def open_graph(page: Any, server: RunningServer, query: str = "") -> None:
    page.goto(f"{server.url}/graph{query}")
    page.wait_for_selector("html[data-ready='1'][data-busy='0']", timeout=30_000)


def shown(page: Any) -> int:
    return int(page.get_attribute("#count", "data-commitments"))


def snap(page: Any, name: str) -> None:
    IMAGES.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(IMAGES / name), animations="disabled", timeout=90_000)


def api_items(api: httpx.Client, **query: str) -> list[dict[str, Any]]:
    body = api.get("/commitments", params={**query, "limit": 1000}).json()
    items: list[dict[str, Any]] = body["items"]
    return items


def table(page: Any) -> tuple[list[str], list[list[str]]]:
    head = page.eval_on_selector_all("#table-head th", "ths => ths.map(t => t.textContent)")
    rows = page.eval_on_selector_all("#table-body tr", "trs => trs.map(r => [...r.cells].map(c => c.textContent))")
    return head, rows


def all_nodes_on_screen(page: Any) -> bool:
    return bool(page.evaluate("""() => {
        const net = window.vawgGraph.network, box = document.getElementById('network').getBoundingClientRect();
        const ids = net.body.data.nodes.getIds();
        return ids.length > 0 && ids.every(id => {
            const p = net.canvasToDOM(net.getPosition(id));
            return p.x >= -2 && p.y >= -2 && p.x <= box.width + 2 && p.y <= box.height + 2;
        });
    }"""))


def no_sideways_scroll(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"the page scrolls sideways: {width} px wide"


# --- Everything the Home Office leads --------------------------------------------------------

def test_everything_the_home_office_leads(page: Any, size: str, api_server: RunningServer,
                                          api: httpx.Client) -> None:
    open_graph(page, api_server)
    expected = api_items(api, lead="home-office")
    assert expected
    # Step 1: choose the lead (on a phone, open the folded filters first: one more step).
    if not page.is_visible("#f-lead"):
        assert size == "phone"
        page.click("#more-filters > summary")
    label = page.eval_on_selector("#f-lead", "s => [...s.options].find(o => o.value === 'home-office').label")
    page.select_option("#f-lead", label=label)
    settled(page)
    assert params(page).get("lead") == "home-office"
    assert shown(page) == len(expected)
    assert all_nodes_on_screen(page), "the graph was not refitted to the filtered nodes"
    # Organisations, themes and laws are labelled at a legible size (each, or as a group of its kind where
    # the screen is too small to list them), and no two labels' nodes share a row and column.
    shown_entities = page.evaluate("window.vawgGraph.network.body.data.nodes.getIds()"
                                   ".filter(i => i.startsWith('e:') || i.startsWith('g:'))")
    assert shown_entities
    for node in shown_entities:
        assert page.evaluate("id => window.vawgGraph.labelPixels(id)", node) >= 11.5, node
    spots = page.evaluate("""ids => ids.map(id => {
        const net = window.vawgGraph.network, p = net.canvasToDOM(net.getPosition(id));
        return [Math.round(p.x / 20), Math.round(p.y / 20)].join(',');
    })""", shown_entities)
    assert len(set(spots)) == len(spots), "entity nodes drawn on top of one another"
    page.locator("#network").scroll_into_view_if_needed()
    snap(page, f"home-office-graph-{size}.png")
    # Step 2: the table.
    page.click("#tab-table")
    head, rows = table(page)
    for column in ("Ref", "Document", "Lead", "Partners", "Deadline", "Status", "Themes"):
        assert column in head
    assert len(rows) == min(25, len(expected))
    lead_col, deadline_col, status_col = head.index("Lead"), head.index("Deadline"), head.index("Status")
    assert all("Home Office" in r[lead_col] for r in rows)
    statuses = {r[status_col] for r in rows}
    assert statuses <= {"picked up", "related only", "not picked up", "not yet due"}, statuses
    # Step 3: sort by deadline (earliest first, undated last).
    page.click("#table-head th[data-key=deadline] button")
    assert page.get_attribute("#table-head th[data-key=deadline]", "aria-sort") == "ascending"
    _, rows = table(page)
    iso = sorted(r["deadline"] for r in expected if r["deadline"])
    assert [r[deadline_col] for r in rows][:len(iso)] == iso[:len(rows)]
    page.locator("#table-count").scroll_into_view_if_needed()
    snap(page, f"home-office-table-{size}.png")
    # Step 4: export exactly what is shown, every page of it.
    with page.expect_download() as info:
        page.click("#export-csv")
    exported = list(csv.reader(io.StringIO(Path(info.value.path()).read_text(encoding="utf-8"))))
    assert exported[0] == head
    assert len(exported) - 1 == len(expected)
    assert [r[head.index("Ref")] for r in exported[1:26]] == [r[head.index("Ref")].removesuffix("page") for r in rows]
    assert {r[head.index("Ref")] for r in exported[1:]} == {r["ref"] for r in expected}
    with page.expect_download() as info:
        page.click("#export-json")
    body = json.loads(Path(info.value.path()).read_text(encoding="utf-8"))
    assert body["columns"] == head and len(body["rows"]) == len(expected)
    assert [r["Ref"] for r in body["rows"]] == [r[head.index("Ref")] for r in exported[1:]]
    # Paging shows the rest.
    if len(expected) > 25:
        page.click("#page-next")
        _, more = table(page)
        assert [r[0].removesuffix("page") for r in more] == [r[0] for r in exported[26:26 + len(more)]]
    # A row opens the commitment in the panel, with a link to its page.
    page.click("#table-body tr:first-child .ref-button")
    assert page.is_visible("#panel-body")
    ref = params(page)["select"].split("/")[-1]
    assert page.text_content("#p-ref") == ref
    assert page.get_attribute("#p-page", "href").endswith("/" + ref)
    # Its gap flags are those of GET /gaps (the earliest Home Office deadline was not picked up).
    page.wait_for_selector("#p-gaps[data-loaded='1']", timeout=30_000)
    gap_rows = api.get("/gaps", params={"lead": "org/home-office", "limit": 10_000}).json()["items"]
    codes = next(r["reasons"] for r in gap_rows if r["commitment"].endswith("/" + params(page)["select"]))
    assert codes and all(c["code"] in page.text_content("#p-gaps") for c in codes)
    no_sideways_scroll(page)


# --- What became of HMG 2016 action 93 ----------------------------------------------------------

def test_what_became_of_a93(page: Any, size: str, api_server: RunningServer, api: httpx.Client) -> None:
    open_graph(page, api_server)
    # Step 1: type its ref and press Enter.
    page.fill("#q", "A93")
    page.press("#q", "Enter")
    page.wait_for_selector("#hits:not([hidden])")
    settled(page)
    first = page.locator("#hits-list button").first
    assert "A93" in first.text_content()
    # Step 2: open it.
    first.click()
    page.wait_for_selector("#panel-body:not([hidden])")
    assert params(page)["select"] == f"{HMG}/A93"
    lineage = api.get(f"/lineage/{HMG}/A93").json()
    assert page.text_content("#panel-h") == "Commitment A93"
    status = page.text_content("#p-status")
    assert status.startswith(lineage["status"]["code"].replace("-", " ")), status
    page.wait_for_selector("#p-gaps[data-loaded='1']", timeout=30_000)
    gap_rows = api.get("/gaps", params={"doc_id": HMG, "limit": 10_000}).json()["items"]
    codes = next((r["reasons"] for r in gap_rows if r["commitment"].endswith("/A93")), [])
    gaps_text = page.text_content("#p-gaps")
    if codes:
        assert all(c["code"] in gaps_text for c in codes)
    else:
        assert page.text_content("#p-gaps > span.muted") == "none"
    # The lineage, in the one order, with the kind of each link; no "none stated" beside it.
    listed = page.eval_on_selector_all("#p-lineage li button[data-id]", "bs => bs.map(b => b.dataset.id)")
    expected = [e["id"] for side in ("earlier", "same_time", "later") for e in lineage[side]]
    assert listed == expected and listed
    kinds = page.eval_on_selector_all("#p-lineage li[data-kinds]", "ls => ls.map(l => l.dataset.kinds)")
    assert any("implemented_by" in k for k in kinds)
    assert "implements this" in page.text_content("#p-lineage")
    assert "none stated" not in page.text_content("#p-lineage")
    snap(page, f"a93-panel-{size}.png")
    # Focus the graph on it: its neighbourhood only, lineage included, labelled.
    page.click("#p-focus")
    settled(page)
    assert params(page).get("focus") == f"{HMG}/A93"
    ids = page.evaluate("window.vawgGraph.network.body.data.nodes.getIds()")
    index = page.evaluate("iris => iris.map(i => window.vawgGraph.data.commitments.findIndex(c => c.id === i))",
                          expected)
    assert all(f"c:{i}" in ids for i in index)
    assert len(ids) < 40
    assert all_nodes_on_screen(page)
    assert page.evaluate("window.vawgGraph.labelPixels('c:' + window.vawgGraph.data.commitments"
                         ".findIndex(c => c.ref === 'A93' && c.doc_id === 'hmg-vawg-strategy-2016'))") >= 10.5
    if size == "desktop":
        snap(page, "a93-focus-desktop.png")
    no_sideways_scroll(page)


def test_search_is_all_words_ranked(page: Any, size: str, api_server: RunningServer, api: httpx.Client) -> None:
    open_graph(page, api_server)
    hits = search(page, "domestic homicide review")
    found = api_items(api, q="domestic homicide review")
    assert 0 < shown(page) == len(found) < 73
    assert hits == [r["id"] for r in found][:len(hits)]
    # Any of the words, on request: more, still best first.
    page.check("#q-any")
    settled(page)
    wider = api.get("/graph/search", params={"q": "domestic homicide review", "match": "any"}).json()["ids"]
    assert params(page).get("match") == "any"
    assert shown(page) == len(wider) > len(found)


# --- The graph itself --------------------------------------------------------------------------

def test_graph_reads_filters_and_goes_back(page: Any, size: str, api_server: RunningServer,
                                           api: httpx.Client) -> None:
    open_graph(page, api_server)
    total = shown(page)
    ids = page.evaluate("window.vawgGraph.network.body.data.nodes.getIds()")
    # The overview: documents labelled legibly, organisations/themes/laws/codes as four labelled groups.
    assert not [i for i in ids if i.startswith("e:")]
    groups = [i for i in ids if i.startswith("g:")]
    assert len(groups) == 4
    for node in groups + [i for i in ids if i.startswith("d:")]:
        assert page.evaluate("id => window.vawgGraph.labelPixels(id)", node) >= 12.5, node
    if size == "desktop":
        snap(page, "graph-overview-desktop.png")
    # Click the organisations group, then a button in the panel: the filter applies.
    click_node(page, "g:organisation")
    page.wait_for_selector("#entity-body:not([hidden])")
    page.click("#e-members button:has-text('Home Office')")
    settled(page)
    assert params(page).get("lead") == "home-office"
    filtered = shown(page)
    assert filtered == len(api_items(api, lead="home-office")) < total
    assert all_nodes_on_screen(page)
    # Click an entity node: its panel offers its filter as a button.
    theme = page.evaluate("window.vawgGraph.network.body.data.nodes.getIds().find(i => "
                          "window.vawgGraph.data.entities[+i.slice(2)] && i.startsWith('e:') && "
                          "window.vawgGraph.data.entities[+i.slice(2)].kind === 'theme')")
    if theme:  # each theme drawn and labelled: click one, then its button
        page.evaluate("id => window.vawgGraph.network.focus(id, {scale: 1.2, animation: false})", theme)
        click_node(page, theme)
        page.wait_for_selector("#entity-body:not([hidden])")
        assert page.text_content("#e-kind") == "Theme"
        page.click("#e-actions button")
    else:  # a small screen groups them: click the group, then a theme in its list
        assert size == "phone"
        click_node(page, "g:theme")
        page.wait_for_selector("#entity-body:not([hidden])")
        assert page.text_content("#e-kind") == "Themes"
        page.click("#e-members button >> nth=0")
    settled(page)
    assert set(params(page)) >= {"lead", "theme"}
    both = shown(page)
    # The legend stays in view with something selected.
    page.click("#tab-table")
    page.click("#table-body tr:first-child .ref-button")
    page.click("#tab-graph")
    box = page.locator("#legend-box").bounding_box()
    assert box is not None and box["y"] < page.viewport_size["height"] or size == "phone"
    # Back undoes the selection, then the theme filter, then the lead filter.
    page.go_back()
    settled(page)
    assert "select" not in params(page) and shown(page) == both
    page.go_back()
    settled(page)
    assert "theme" not in params(page) and shown(page) == filtered
    assert page.input_value("#f-theme") == ""
    page.go_back()
    settled(page)
    assert "lead" not in params(page) and shown(page) == total
    # Zoom and pan are kept in the URL, and a reload restores them.
    network_box = page.locator("#network").bounding_box()
    page.mouse.move(network_box["x"] + network_box["width"] / 2, network_box["y"] + network_box["height"] / 2)
    page.mouse.wheel(0, -400)
    page.wait_for_url(lambda url: "z=" in url)
    scale = float(params(page)["z"])
    page.reload()
    settled(page)
    assert abs(page.evaluate("window.vawgGraph.network.getScale()") - scale) < 0.01
    no_sideways_scroll(page)


def test_short_ids_and_unknown_values(page: Any, size: str, api_server: RunningServer, api: httpx.Client) -> None:
    # The URL is the subject here: short links and names that are not in the graph.
    open_graph(page, api_server, f"?select={HMG}/A93")
    assert page.text_content("#p-ref") == "A93"
    open_graph(page, api_server, "?lead=fcdo")  # today's name finds the FCO's and DFID's commitments
    assert params(page)["lead"] == "fcdo"
    assert shown(page) == api.get("/commitments", params={"lead": "FCDO", "limit": 1}).json()["total"] > 0
    open_graph(page, api_server, "?lead=home-offce&theme=stalkng")
    text = page.text_content("#notice")
    assert page.is_visible("#notice")
    assert "No organisation ‘home-offce’" in text and "Home Office" in text
    assert "No theme ‘stalkng’" in text and "Stalking" in text
    assert shown(page) == api.get("/commitments", params={"limit": 1}).json()["total"]
    page.click("#notice button:has-text('Home Office')")
    settled(page)
    assert params(page).get("lead") == "home-office"
    open_graph(page, api_server, "?select=Z999")
    assert "No commitment ‘Z999’" in page.text_content("#notice")


# --- Any screen --------------------------------------------------------------------------------

def test_phone_layout_is_stacked(page: Any, size: str, api_server: RunningServer) -> None:
    open_graph(page, api_server)
    width = page.locator("#network").bounding_box()["width"]
    assert width >= SIZES[size]["width"] * (0.95 if size == "phone" else 0.5)
    no_sideways_scroll(page)
    page.click("#tab-table")
    no_sideways_scroll(page)


def test_axe_finds_no_serious_violation(page: Any, size: str, api_server: RunningServer, axe_source: str) -> None:
    open_graph(page, api_server)
    assert serious_axe_violations(page, axe_source) == []
    page.fill("#q", "A93")
    page.press("#q", "Enter")
    page.wait_for_selector("#hits:not([hidden])")
    page.locator("#hits-list button").first.click()
    page.wait_for_selector("#panel-body:not([hidden])")
    page.wait_for_selector("#p-gaps[data-loaded='1']", timeout=30_000)
    assert serious_axe_violations(page, axe_source) == []
    page.click("#tab-table")
    assert serious_axe_violations(page, axe_source) == []
    open_graph(page, api_server, "?lead=nobody")
    assert serious_axe_violations(page, axe_source) == []
    for path in ("/graph/coverage", f"/graph/lineage?id={HMG}/A93"):
        page.goto(api_server.url + path)
        assert serious_axe_violations(page, axe_source) == [], path
