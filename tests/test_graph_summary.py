"""The summary view of a large graph over real HTTP (visualisations/graph_summary.py): its aggregates'
counts, an expansion, and the server-paged table, each checked against the API's /commitments on the
session's real build; and that the summary grows with documents, not with commitments.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.api_server import RunningServer
from vawg_kg.visualisations import graph_data, graph_summary


def total(api: httpx.Client, **params: str) -> int:
    resp = api.get("/commitments", params={**params, "limit": 1})
    assert resp.status_code == 200, resp.text
    return int(resp.json()["total"])


def ids(api: httpx.Client, **params: str) -> list[str]:
    resp = api.get("/commitments", params={**params, "limit": 1000})
    assert resp.status_code == 200, resp.text
    return [r["id"] for r in resp.json()["items"]]


@pytest.fixture(scope="module")
def summary(api: httpx.Client) -> dict[str, Any]:
    resp = api.get("/graph/data/summary")
    assert resp.status_code == 200, resp.text
    body: dict[str, Any] = resp.json()
    return body


def test_the_page_chooses_its_first_view(api: httpx.Client) -> None:
    # The real graph is small: it opens on the whole graph; ?overview= chooses; another word is the default.
    assert '<html lang="en" data-mode="full">' in api.get("/graph").text
    assert '<html lang="en" data-mode="summary">' in api.get("/graph", params={"overview": "summary"}).text
    assert '<html lang="en" data-mode="full">' in api.get("/graph", params={"overview": "all"}).text


def test_summary_counts_match_the_api(api: httpx.Client, summary: dict[str, Any]) -> None:
    docs, aggs = summary["documents"], summary["aggregates"]
    assert summary["totals"]["commitments"] == total(api) == sum(d["count"] for d in docs)
    for d in docs:
        assert d["count"] == total(api, doc=d["id"]), d["id"]
    themes = [a for a in aggs if a["kind"] == "theme"]
    leads = [a for a in aggs if a["kind"] == "organisation"]
    assert themes and leads and len(themes) + len(leads) == len(aggs)
    for a in themes:
        assert a["count"] == total(api, theme=a["value"]), a["name"]
    # An organisation's node counts what it leads itself (the API's lead filter adds its predecessors').
    for a in leads:
        assert a["count"] <= total(api, lead=a["value"]), a["name"]
    assert any(a["count"] == total(api, lead=a["value"]) for a in leads)
    # Each edge is a count the API gives: commitments of that document naming that theme or lead.
    for d, k, n in summary["links"][:40]:
        agg = aggs[k]
        if agg["kind"] == "theme":
            assert n == total(api, doc=docs[d]["id"], theme=agg["value"])
    per_kind: dict[tuple[int, str], int] = {}
    for d, k, _ in summary["links"]:
        per_kind[(d, aggs[k]["kind"])] = per_kind.get((d, aggs[k]["kind"]), 0) + 1
    assert max(per_kind.values()) <= summary["top_links"] < summary["links_total"]
    assert all(i != j and n > 0 for i, j, n in summary["overlaps"])


def test_a_document_expands_to_its_commitments(api: httpx.Client, summary: dict[str, Any]) -> None:
    doc = max(summary["documents"], key=lambda d: d["count"])
    body = api.get("/graph/data/expand", params={"node": "d:" + doc["id"]}).json()
    assert body["total"] == doc["count"]
    assert {c["id"] for c in body["commitments"]} == set(ids(api, doc=doc["id"]))
    assert all(c["doc_id"] == doc["id"] for c in body["commitments"])
    overlapping = {o[0] for o in body["overlaps"]}
    assert doc["id"] not in overlapping and overlapping <= {d["id"] for d in summary["documents"]}
    theme = next(a for a in summary["aggregates"] if a["kind"] == "theme")
    body = api.get("/graph/data/expand", params={"node": "a:" + theme["id"]}).json()
    assert body["total"] == theme["count"] == len(body["commitments"])
    assert {c["id"] for c in body["commitments"]} == set(ids(api, theme=theme["value"]))
    bad = api.get("/graph/data/expand", params={"node": "d:no-such-document"})
    assert bad.status_code == 422 and "not a node" in bad.json()["message"]


def test_the_table_pages_on_the_server(api: httpx.Client) -> None:
    lead = "home-office"
    expected = ids(api, lead=lead)
    assert len(expected) > 30
    pages, offset = [], 0
    while True:
        body = api.get("/graph/data/table", params={"lead": lead, "offset": offset, "limit": 25}).json()
        assert body["total"] == len(expected)
        pages.append([r["id"] for r in body["rows"]])
        offset += 25
        if offset >= body["total"]:
            break
    assert [i for page in pages for i in page] == expected and all(len(p) == 25 for p in pages[:-1])
    # Sorted on the server: deadlines descending, blanks (no date) read as the latest.
    rows = api.get("/graph/data/table", params={"lead": lead, "sort": "-deadline", "limit": 200}).json()["rows"]
    keys = [r["deadline"] or "9999" for r in rows]
    assert keys == sorted(keys, reverse=True) and len(rows) == len(expected)
    # Searched across the whole graph, best first: the API's q and /graph/search.
    body = api.get("/graph/data/table", params={"q": "coercive control", "limit": 200}).json()
    assert [r["id"] for r in body["rows"]] == ids(api, q="coercive control")
    scores = [r["score"] for r in body["rows"]]
    assert scores == sorted(scores, reverse=True) and body["total"] > 0
    wider = api.get("/graph/search", params={"q": "domestic homicide review", "match": "any"}).json()["ids"]
    body = api.get("/graph/data/table", params={"q": "domestic homicide review", "match": "any", "limit": 1}).json()
    assert body["total"] == len(wider)
    for params, word in (({"sort": "colour"}, "sort"), ({"lead": "nobody"}, "lead"), ({"limit": 0}, "limit")):
        resp = api.get("/graph/data/table", params=params)
        assert resp.status_code in (400, 404, 422) and word in resp.text, (params, resp.text[:200])


def _scaled(data: graph_data.GraphData, copies: int, new_documents: bool) -> graph_data.GraphData:
    """The same graph with every commitment ``copies`` times, under new refs of the same documents or
    in as many new documents."""
    records, overlaps = list(data.records), list(data.overlaps)
    for k in range(1, copies):
        suffix = f"-copy{k}"
        for rec in data.records:
            doc = rec["doc_id"] + suffix if new_documents else rec["doc_id"]
            ref = rec["ref"] if new_documents else rec["ref"] + suffix
            records.append({**rec, "doc_id": doc, "ref": ref, "id": f"{rec['id']}{suffix}"})
        overlaps += [{**o, "a": o["a"] + suffix, "b": o["b"] + suffix} for o in data.overlaps]
    docs = sorted({r["doc_id"] for r in records})
    return graph_data.GraphData(data.build_dir, records, overlaps,
                                graph_data._documents(data.build_dir, docs), lineage=data.lineage)


def test_summary_grows_with_documents_not_commitments(api_build_dir: Path) -> None:
    data = graph_data.load(api_build_dir)
    size = len(graph_data.as_json(graph_summary.summary(data)))
    denser = graph_summary.summary(_scaled(data, 10, new_documents=False))
    assert denser["totals"]["commitments"] == 10 * len(data.records) > graph_summary.SUMMARY_ABOVE
    # Ten times the commitments in the same documents: the same nodes and edges, only bigger counts.
    assert len(graph_data.as_json(denser)) < 1.1 * size
    wider = graph_summary.summary(_scaled(data, 10, new_documents=True))
    n_docs = len(wider["documents"])
    assert n_docs == 10 * len(data.documents)
    assert len(wider["links"]) <= n_docs * 2 * graph_summary.TOP_LINKS
    assert len(wider["overlaps"]) <= n_docs * graph_summary.TOP_OVERLAPS
    # Per document a few hundred bytes: 500 documents stay in the hundreds of KB (the full payload is MBs).
    per_doc = len(graph_data.as_json(wider)) / n_docs
    assert per_doc < 1000, per_doc
    full = len(graph_data.as_json(data.payload()))
    assert size < full / 10


def test_expand_places_commitments_in_a_disc(api_build_dir: Path) -> None:
    data = graph_data.load(api_build_dir)
    doc = graph_summary.summary(data)["documents"][0]
    out = graph_summary.expand(data, "d:" + doc["id"])
    assert len(out["commitments"]) == doc["count"] > 1
    # A disc around 0, 0 (the page places it), every commitment at its own place.
    assert all(c["x"] ** 2 + c["y"] ** 2 <= out["radius"] ** 2 for c in out["commitments"])
    assert len({(c["x"], c["y"]) for c in out["commitments"]}) == len(out["commitments"])
