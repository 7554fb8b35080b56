"""The graph browser at /graph in a real headless Chromium against a real ``vawg-kg serve``.

Chromium is Debian's ``/usr/bin/chromium`` (``make browser``), driven by
Playwright (tests/browser_fixture.py); it is never downloaded. The server is the session's
``api_server`` (tests/api_server.py) over the session's real build. Every
request the page makes is recorded and must go to the server's own host.
Screenshots go to ``tests/artifacts/`` (gitignored); the load time measured
with the Performance API is printed (``pytest -s``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest

from tests.api_server import HOSTILE_MARKUP, HostileServer, RunningServer
from tests.browser_fixture import click_node
from tests.conftest import REPO
from vawg_kg.loaders.text import clean, text_of_fragments
from vawg_kg.paths import sources_dir

pytestmark = pytest.mark.browser

ARTIFACTS = REPO / "tests" / "artifacts"
VIEWPORT = {"width": 1366, "height": 768}


@pytest.fixture(scope="module")
def chromium(browser: Any) -> Iterator[Any]:
    """A context of the session's one browser (tests/browser_fixture.py): Playwright's sync API runs one
    driver per thread, so every browser test shares it."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport=VIEWPORT)
    try:
        yield context
    finally:
        context.close()


class Recorder:
    """Every request a page makes, and any console error or uncaught exception."""

    def __init__(self) -> None:
        self.urls: list[str] = []
        self.errors: list[str] = []

    def attach(self, page: Any) -> None:
        page.on("request", lambda req: self.urls.append(req.url))
        page.on("pageerror", lambda exc: self.errors.append(f"pageerror: {exc}"))
        page.on("console", lambda msg: self.errors.append(f"console: {msg.text}") if msg.type == "error" else None)


@pytest.fixture(scope="module")
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def page(chromium: Any, recorder: Recorder, api_server: RunningServer) -> Iterator[Any]:
    pg = chromium.new_page()
    recorder.attach(pg)
    pg.on("popup", recorder.attach)
    yield pg
    pg.close()


def open_graph(page: Any, server: RunningServer, query: str = "") -> None:
    page.goto(f"{server.url}/graph{query}")
    page.wait_for_selector("html[data-ready='1']", timeout=20_000)


def shown(page: Any) -> int:
    return int(page.get_attribute("#count", "data-commitments"))


def api_total(api: httpx.Client, params: dict[str, str]) -> int:
    resp = api.get("/commitments", params={**params, "limit": 1})
    assert resp.status_code == 200, resp.text
    return int(resp.json()["total"])


def url_filters(page: Any) -> dict[str, str]:
    keep = {"doc", "lead", "partner", "theme", "legislation", "outcome_code", "q"}
    return {k: v for k, v in parse_qsl(urlsplit(page.url).query) if k in keep}


def first_option(page: Any, name: str, skip: int = 0) -> str:
    values = page.eval_on_selector_all(f"#f-{name} option", "os => os.map(o => o.value).filter(Boolean)")
    # The real build links commitments to every kind of filter value: an empty list is a bug.
    assert values, f"the {name} filter offers no values: no commitment is linked to any {name.replace('_', ' ')}"
    return str(values[min(skip, len(values) - 1)])


def snap(page: Any, name: str, full_page: bool = False) -> None:
    page.screenshot(path=str(ARTIFACTS / name), full_page=full_page, animations="disabled", timeout=90_000)


def source_slice(rec: dict[str, Any]) -> str:
    src = rec["source"]
    text = (sources_dir() / src["file"]).read_text(encoding="utf-8")
    fragments = src.get("fragments") or [[src["start"], src["end"]]]
    return text_of_fragments(text, [tuple(f) for f in fragments])


# Note: no page.wait_for_function here: Playwright evaluates its predicate with eval(), which the
# page's Content-Security-Policy (rightly) refuses; waits use selectors and URLs instead.

# --- the tests -------------------------------------------------------------------------------

def test_full_graph_loads_fast_and_shows_every_commitment(page: Any, api_server: RunningServer,
                                                          api: httpx.Client) -> None:
    open_graph(page, api_server)  # warm: the server computes the payload once per build
    page.reload()
    page.wait_for_selector("html[data-ready='1']", timeout=20_000)
    timing = page.evaluate("""() => {
        const nav = performance.getEntriesByType('navigation')[0];
        const drawn = performance.getEntriesByName('vawg-graph-drawn')[0];
        const data = performance.getEntriesByType('resource').find(r => r.name.endsWith('/graph/data'));
        return {drawn: drawn.startTime, dcl: nav.domContentLoadedEventEnd, data: data ? data.duration : null,
                bytes: data ? data.encodedBodySize : null};
    }""")
    print(f"\n/graph full graph drawn {timing['drawn']:.0f} ms after navigation start "
          f"(DOMContentLoaded {timing['dcl']:.0f} ms; /graph/data {timing['data']:.0f} ms, {timing['bytes']} bytes)")
    total = api_total(api, {})
    assert shown(page) == total
    assert page.evaluate("window.vawgGraph.visibleCommitments().length") == total
    assert page.text_content("#table-count").startswith(f"{total} commitments")
    nodes = int(page.get_attribute("#count", "data-nodes"))
    assert nodes == page.evaluate("window.vawgGraph.visibleNodeCount()") > total
    assert timing["drawn"] < 2000, f"the full graph took {timing['drawn']:.0f} ms to draw"
    snap(page, "graph-full.png")
    # Responsive with everything shown: a toggle of overlap edges (about 1,400 more) redraws promptly.
    ms = page.evaluate("""() => new Promise(done => {
        const t0 = performance.now();
        document.getElementById('e-overlaps').click();
        window.vawgGraph.network.once('afterDrawing', () => done(performance.now() - t0));
        window.vawgGraph.network.redraw();
    })""")
    print(f"overlap edges on, redrawn in {ms:.0f} ms")
    assert "overlaps=1" in page.url
    snap(page, "graph-full-overlaps.png")
    assert ms < 1500


@pytest.mark.parametrize("filters", [
    ("doc",), ("theme",), ("doc", "theme"), ("lead",), ("partner",), ("legislation",), ("outcome_code",),
    ("lead", "theme"),
])
def test_filter_count_matches_api(page: Any, api_server: RunningServer, api: httpx.Client,
                                  filters: tuple[str, ...]) -> None:
    open_graph(page, api_server)
    for name in filters:
        page.select_option(f"#f-{name}", first_option(page, name, skip=1))
    params = url_filters(page)
    assert set(params) == set(filters), f"the URL does not carry the filters: {page.url}"
    count = shown(page)
    assert count == api_total(api, params), params
    assert page.text_content("#table-count").startswith(f"{count} commitments")
    assert page.locator("#table-body tr[data-id]").count() == min(count, 25)  # a page of the table
    # The URL is the view: reloading it gives the same selection.
    page.reload()
    page.wait_for_selector("html[data-ready='1']", timeout=20_000)
    assert shown(page) == count
    for name, value in params.items():
        assert page.input_value(f"#f-{name}") == value
    if filters == ("doc", "theme"):
        snap(page, "graph-filtered.png")


def test_search_matches_api_q(page: Any, api_server: RunningServer, api: httpx.Client) -> None:
    open_graph(page, api_server)
    page.fill("#q", "coercive control")
    page.wait_for_url(lambda url: dict(parse_qsl(urlsplit(url).query)).get("q") == "coercive control")
    assert shown(page) == api_total(api, {"q": "coercive control"}) > 0


def test_commitment_panel_shows_the_source_text(page: Any, api_server: RunningServer, api: httpx.Client,
                                                recorder: Recorder) -> None:
    open_graph(page, api_server, "?doc=hmg-vawg-strategy-2016")
    page.click("#tab-table")
    iri = page.locator("#table-body tr[data-id]").nth(4).get_attribute("data-id")
    page.locator("#table-body tr[data-id]").nth(4).locator(".ref-button").focus()
    page.keyboard.press("Enter")  # keyboard: Enter on a row's ref opens it
    page.wait_for_selector("#panel-body:not([hidden])")
    rec = api.get("/commitments/" + iri.split("/commitment/", 1)[1]).json()
    assert rec["id"] == iri
    panel_text = page.text_content("#p-text")
    assert panel_text == rec["text"] == source_slice(rec)
    assert page.evaluate("document.activeElement.id") == "panel-h"
    assert "select=" in page.url
    dd = {k: page.text_content(f"#p-{k}") for k in ("leads", "partners", "themes", "section", "deadline")}
    for lead in rec["leads"]:
        assert lead["name"] in dd["leads"]
    for theme in rec["themes"]:
        assert theme["name"] in dd["themes"]
    assert " › ".join(rec["section"]) == dd["section"]
    if rec["deadline"]:
        assert rec["deadline"] in dd["deadline"] and rec["deadline_raw"] in dd["deadline"]
    snap(page, "graph-panel.png")

    # "View in source" opens the source with exactly this span highlighted.
    with page.expect_popup() as popup_info:
        page.click("#p-source")
    source = popup_info.value
    source.wait_for_load_state()
    # the source is rendered (markup shown as formatting): the marked runs are the span without its markup
    mark = "".join(source.eval_on_selector_all("mark", "ms => ms.map(m => m.textContent)"))
    src = rec["source"]
    whole = (sources_dir() / src["file"]).read_text(encoding="utf-8")
    assert source.is_visible("mark#span") and clean(mark) == clean(whole[src["start"]:src["end"]])
    assert clean(mark) == rec["text"] or "fragments" in src
    snap(source, "source-highlight.png")
    source.close()


def test_the_network_api_selects_and_links_legislation(page: Any, api_server: RunningServer,
                                                       api: httpx.Client) -> None:
    open_graph(page, api_server)
    law = first_option(page, "legislation")
    rec = api.get("/commitments", params={"legislation": law, "limit": 1}).json()["items"][0]
    assert page.evaluate("iri => window.vawgGraph.select(iri)", rec["id"]) is True
    assert page.text_content("#p-text") == source_slice(rec)
    hrefs = page.eval_on_selector_all("#p-legislation a", "as => as.map(a => a.href)")
    expected = [e["id"].replace("http://www.legislation.gov.uk/id/", "https://www.legislation.gov.uk/")
                for e in rec["legislation"]]
    assert hrefs == expected  # checked, never followed
    # A click on the canvas node selects too (the node's position from the network API).
    page.click("#reset")
    other = page.evaluate("window.vawgGraph.visibleCommitments()[7]")
    node = "c:" + str(page.evaluate("iri => window.vawgGraph.data.commitments.findIndex(c => c.id === iri)", other))
    page.evaluate("id => window.vawgGraph.network.focus(id, {scale: 1.5, animation: false})", node)
    click_node(page, node)
    short = other.split("/commitment/", 1)[1]  # the URL carries the short id: doc_id/ref
    page.wait_for_url(lambda url: dict(parse_qsl(urlsplit(url).query)).get("select") == short)
    assert page.text_content("#p-ref") == other.rsplit("/", 1)[1]


def test_views_coverage_and_lineage(page: Any, api_server: RunningServer, api: httpx.Client) -> None:
    page.goto(f"{api_server.url}/graph/coverage")
    rows = page.locator("table.heat tbody tr")
    docs = {r["doc_id"] for r in api.get("/commitments", params={"limit": 1000}).json()["items"]}
    assert rows.count() == len(docs)
    snap(page, "coverage.png", full_page=True)
    # A cell links to the graph filtered by that document and theme, with the count it shows.
    cell = page.locator("table.heat td a").first
    number = int(cell.text_content())
    cell.click()
    page.wait_for_selector("html[data-ready='1']", timeout=20_000)
    assert shown(page) == number == api_total(api, url_filters(page))

    items = api.get("/commitments", params={"limit": 1000}).json()["items"]
    later = next(r for r in items if r["implements"])
    page.goto(f"{api_server.url}/graph/lineage?id={later['doc_id']}/{later['ref']}")
    dates = page.eval_on_selector_all("ol.lineage:not(.related) time", "ts => ts.map(t => t.dateTime)")
    assert len(dates) >= 2 and dates == sorted(dates)
    texts = page.eval_on_selector_all("ol.lineage:not(.related) .text", "ps => ps.map(p => p.textContent)")
    assert later["text"] in texts and later["implements"]
    snap(page, "lineage.png")


def test_no_request_leaves_the_server(recorder: Recorder, api_server: RunningServer) -> None:
    # Runs after the tests above (file order): everything they loaded was recorded.
    assert recorder.urls, "no request was recorded"
    own = urlsplit(api_server.url).netloc
    foreign = sorted({u for u in recorder.urls if urlsplit(u).scheme not in ("data", "blob", "about")
                      and urlsplit(u).netloc != own})
    assert not foreign, f"the page reached other hosts: {foreign}"
    # No script error and nothing refused by the Content-Security-Policy (the favicon 404 aside).
    problems = [e for e in recorder.errors if "favicon" not in e and "404" not in e]
    assert not problems, problems


# --- hostile text: a commitment containing markup is shown as text -----------------------

def test_markup_in_a_commitment_is_text(chromium: Any, hostile_server: HostileServer, recorder: Recorder) -> None:
    page = chromium.new_page()
    recorder.attach(page)
    try:
        resp = page.goto(f"{hostile_server.url}/graph")
        assert resp is not None
        assert "default-src 'self'" in (resp.headers.get("content-security-policy") or "")
        assert resp.headers.get("x-content-type-options") == "nosniff"
        page.wait_for_selector("html[data-ready='1']", timeout=20_000)
        iri = page.evaluate("window.vawgGraph.data.commitments.find(c => c.text.startsWith('<script>')).id")
        page.evaluate("iri => window.vawgGraph.select(iri)", iri)
        assert page.text_content("#p-text").startswith(HOSTILE_MARKUP)
        assert HOSTILE_MARKUP.strip() in page.text_content("#p-leads")
        assert page.evaluate("window.__pwned") is None
        assert page.locator("#panel script, #panel img, #table-body script, #table-body img").count() == 0
        snap(page, "graph-hostile-text.png")
    finally:
        page.close()
