"""The HTTP API over real HTTP (``vawg-kg serve`` subprocess, see tests/api_server.py).

Each brief question has an endpoint; the assertions are facts from the documents.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import httpx
import pytest

from vawg_kg.loaders.text import text_of_fragments

HMG = "hmg-vawg-strategy-2016"
ID = "https://w3id.org/vawg-kg/id/"
ERROR_KEYS = {"error", "message", "details"}


def refs(body: dict[str, Any], doc: str = HMG) -> set[str]:
    return {item["ref"] for item in body["items"] if item["doc_id"] == doc}


def assert_error(resp: httpx.Response, status: int, code: str | None = None) -> dict[str, Any]:
    assert resp.status_code == status, resp.text
    assert resp.headers["content-type"].startswith("application/json")
    body: dict[str, Any] = resp.json()
    assert set(body) == ERROR_KEYS, body  # the one error shape, fixed here
    assert isinstance(body["error"], str) and isinstance(body["message"], str) and isinstance(body["details"], dict)
    if code:
        assert body["error"] == code, body
    text = json.dumps(body)
    assert "Traceback" not in text and "/work/" not in text and ".py" not in text, text
    return body


# --- health --------------------------------------------------------------------------

def test_health_reports_version_counts_and_neo4j(api: httpx.Client, api_build_dir: Any) -> None:
    import hashlib

    body = api.get("/health").json()
    assert body["graph_version"] == hashlib.sha256((api_build_dir / "vawg-kg.nt").read_bytes()).hexdigest()
    assert body["counts"]["commitments"] > 250
    assert body["counts"]["documents"][HMG] >= 95
    assert body["sparql_store"] is True
    assert body["neo4j"]["reachable"] is False  # the fixture points at a closed port


# --- who leads what, including renamed bodies -----------------------------------------

def test_lead_by_todays_name_finds_predecessors(api: httpx.Client) -> None:
    body = api.get("/commitments", params={"lead": "FCDO", "limit": 1000}).json()
    assert {"A27", "A57"} <= refs(body)  # A27 led by the FCO, A57 by DFID (both now FCDO)
    assert body["filters"]["lead"]["organisation"] == f"{ID}org/fcdo"
    assert {f"{ID}org/fco", f"{ID}org/dfid"} <= set(body["filters"]["lead"]["includes_predecessors"])
    a27 = next(i for i in body["items"] if i["ref"] == "A27")
    match = a27["matched"]["lead"][0]
    assert match["id"] == f"{ID}org/fco" and match["via_predecessor"] is True
    assert match["name_in_source"]


def test_lead_accepts_slug_acronym_code_and_iri(api: httpx.Client) -> None:
    by_code = api.get("/commitments", params={"lead": "HO", "limit": 1000}).json()
    by_slug = api.get("/commitments", params={"lead": "home-office", "limit": 1000}).json()
    by_iri = api.get("/commitments", params={"lead": f"{ID}org/home-office", "limit": 1000}).json()
    assert by_code["total"] == by_slug["total"] == by_iri["total"] > 20
    assert "A76" in refs(by_code)  # HMG A76 (coercive control offence) is led by the Home Office
    assert all(any(lead["id"].endswith("/home-office") for lead in i["leads"]) for i in by_code["items"])


def test_legislation_act_matches_its_sections(api: httpx.Client) -> None:
    short = api.get("/commitments", params={"legislation": "ukpga/2015/9"}).json()
    assert "A76" in refs(short)  # cites Serious Crime Act 2015 s76
    full = api.get("/commitments", params={"legislation": "http://www.legislation.gov.uk/id/ukpga/2015/9"}).json()
    assert full["total"] == short["total"]
    section = api.get("/commitments", params={"legislation": "ukpga/2015/9/section/76"}).json()
    assert "A76" in refs(section)


def test_filters_combine(api: httpx.Client) -> None:
    both = api.get("/commitments", params={"lead": "HO", "doc": HMG, "limit": 1000}).json()
    assert both["total"] > 0 and all(i["doc_id"] == HMG for i in both["items"])
    lead_only = api.get("/commitments", params={"lead": "HO", "limit": 1000}).json()
    assert both["total"] <= lead_only["total"]


def test_full_text_search_is_ranked(api: httpx.Client) -> None:
    body = api.get("/commitments", params={"q": "female genital mutilation"}).json()
    assert body["total"] > 0
    scores = [i["score"] for i in body["items"]]
    assert scores == sorted(scores, reverse=True)
    assert "genital mutilation" in body["items"][0]["text"].lower() or "fgm" in body["items"][0]["text"].lower()


def test_pagination(api: httpx.Client) -> None:
    first = api.get("/commitments", params={"limit": 10, "offset": 0}).json()
    second = api.get("/commitments", params={"limit": 10, "offset": 10}).json()
    assert first["total"] == second["total"] and len(first["items"]) == 10
    assert not {i["id"] for i in first["items"]} & {i["id"] for i in second["items"]}


def test_csv_and_jsonld_formats(api: httpx.Client) -> None:
    resp = api.get("/commitments", params={"lead": "FCDO", "format": "csv", "limit": 1000})
    assert resp.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(resp.text)))
    assert {r["ref"] for r in rows if r["doc_id"] == HMG} >= {"A27", "A57"}
    assert int(resp.headers["x-total-count"]) == len(rows)
    resp = api.get("/commitments", params={"legislation": "ukpga/2015/9", "format": "jsonld"})
    assert resp.headers["content-type"].startswith("application/ld+json")
    from rdflib import Graph, URIRef

    graph = Graph().parse(data=resp.text, format="json-ld")
    a76 = URIRef(f"{ID}commitment/{HMG}/A76")
    cites = URIRef("https://w3id.org/vawg-kg/ontology#citesLegislation")
    assert URIRef("http://www.legislation.gov.uk/id/ukpga/2015/9/section/76") in set(graph.objects(a76, cites))


# --- one commitment with its source ----------------------------------------------------

def test_commitment_detail_source_slice_equals_text(api: httpx.Client) -> None:
    from vawg_kg.loaders.text import clean

    for ident in (f"{HMG}/A93", f"{ID}commitment/{HMG}/A93"):
        body = api.get(f"/commitments/{ident}").json()
        assert body["ref"] == "A93" and body["doc_id"] == HMG
    src = body["source_text"]
    raw = api.get(f"/sources/{src['file']}").text
    assert raw[src["start"]:src["end"]] == src["exact"]
    fragments = [(f["start"], f["end"]) for f in src["fragments"]]
    assert clean(" ".join(raw[a:b] for a, b in fragments)) == body["text"]
    assert text_of_fragments(raw, tuple(fragments)) is not None
    # the link opens the document at the span
    view = api.get(body["source_url"], headers={"accept": "text/html"})
    assert view.status_code == 200 and "<mark" in view.text
    assert body["section"] and isinstance(body["lineage"]["implemented_by"], list)


def test_hmg_a93_is_implemented_by_cps_2017(api: httpx.Client) -> None:
    body = api.get(f"/lineage/{HMG}/A93").json()
    assert any(i["doc_id"] == "cps-vawg-action-plan-2017" for i in body["implemented_by"])


def test_overlaps_carry_word_diff(api: httpx.Client) -> None:
    body = api.get(f"/commitments/{HMG}/A93").json()
    if body["overlaps"]:
        ops = {d["op"] for d in body["overlaps"][0]["word_diff"]}
        assert ops <= {"equal", "delete", "insert"}
    listing = api.get("/overlaps", params={"doc_a": HMG, "doc_b": "cps-vawg-action-plan-2017", "min_score": 0.3}).json()
    for item in listing["items"]:
        assert item["score"] >= 0.3 and item["a"]["doc_id"] == HMG and item["b"]["doc_id"] == "cps-vawg-action-plan-2017"


def test_organisation_names_over_time(api: httpx.Client) -> None:
    body = api.get("/organisations/FCDO").json()
    assert body["id"] == f"{ID}org/fcdo"
    assert {p["id"] for p in body["predecessors"]} >= {f"{ID}org/fco", f"{ID}org/dfid"}
    assert any(c["date"] == "2020-09-02" for c in body["changes"])
    led = {(i["doc_id"], i["ref"]) for i in body["leads"]}
    assert {(HMG, "A27"), (HMG, "A57")} <= led
    fco = api.get("/organisations/fco").json()
    assert f"{ID}org/fcdo" in {s["id"] for s in fco["successors"]}


def test_coverage_matrix(api: httpx.Client) -> None:
    body = api.get("/coverage").json()
    assert HMG in body["documents"] and body["rows"]
    assert all(set(r["counts"]) == set(body["documents"]) for r in body["rows"])


# --- errors ----------------------------------------------------------------------------

def test_unknown_id_is_404_with_the_id(api: httpx.Client) -> None:
    body = assert_error(api.get(f"/commitments/{HMG}/A999"), 404, "not_found")
    assert body["details"]["id"] == f"{HMG}/A999" and "A999" in body["message"]
    assert_error(api.get("/organisations/no-such-body"), 404, "not_found")
    assert_error(api.get("/no/such/route"), 404, "not_found")


@pytest.mark.parametrize("params, parameter", [
    ({"doc": "no-such-doc"}, "doc"),
    ({"format": "xml"}, "format"),
    ({"legislation": "serious crime act"}, "legislation"),
    ({"limit": "-1"}, "limit"),
    ({"limit": "many"}, "limit"),
])
def test_bad_filter_is_422_naming_the_parameter(api: httpx.Client, params: dict[str, str], parameter: str) -> None:
    body = assert_error(api.get("/commitments", params=params), 422, "invalid_parameter")
    assert body["details"]["parameter"] == parameter and parameter in body["message"]


@pytest.mark.parametrize("params, parameter", [({"lead": "Ministry of Magic"}, "lead"),
                                               ({"theme": "not-a-theme"}, "theme")])
def test_a_name_naming_nothing_is_404_naming_the_parameter(api: httpx.Client, params: dict[str, str],
                                                           parameter: str) -> None:
    """Unknown names are answered, not emptied (issue 18): 404, the parameter, the nearest names."""
    body = assert_error(api.get("/commitments", params=params), 404, "not_found")
    assert body["details"]["parameter"] == parameter and parameter in body["message"]
    assert isinstance(body["details"]["nearest"], list)


def test_422_lists_allowed_values(api: httpx.Client) -> None:
    body = assert_error(api.get("/commitments", params={"format": "xml"}), 422)
    assert body["details"]["allowed"] == ["json", "csv", "jsonld"]
    body = assert_error(api.get("/commitments", params={"doc": "x"}), 422)
    assert HMG in body["details"]["allowed"]


def test_long_and_hostile_values(api: httpx.Client) -> None:
    assert_error(api.get("/commitments", params={"q": "x" * 600}), 422)
    assert_error(api.get("/commitments", params={"q": "x" * 20000}), 414, "uri_too_long")
    for hostile in ('"} ; DROP', "x' OR 1=1 --", "}\n#", "<script>alert(1)</script>"):
        resp = api.get("/commitments", params={"q": hostile})
        assert resp.status_code == 200
        resp = api.get("/commitments", params={"lead": hostile})
        assert_error(resp, 404)  # a name naming nothing: 404 with the nearest names (issue 18)


def test_request_body_limit(api: httpx.Client) -> None:
    resp = api.post("/sparql", content=b"x" * (2 * 1024 * 1024), headers={"content-type": "application/sparql-query"})
    assert_error(resp, 413, "request_too_large")


# --- the source viewer -----------------------------------------------------------------

@pytest.mark.parametrize("path", [
    "/sources/..%2F..%2Fpyproject.toml", "/sources/%2Fetc%2Fpasswd", "/sources/../../etc/passwd",
    "/sources/..%5c..%5cpyproject.toml", "/sources/%252e%252e%252fpyproject.toml", "/sources//etc/passwd",
    "/sources/sources.sha256/../SOURCES.md", "/sources/__init__.py",
])
def test_path_traversal_refused(api_server: Any, path: str) -> None:
    # raw paths, not normalised by the client
    with httpx.Client(base_url=api_server.url) as raw:
        resp = raw.send(raw.build_request("GET", api_server.url + path))
    assert resp.status_code in (400, 404), (path, resp.status_code)
    assert "root:" not in resp.text and "[project]" not in resp.text


def test_source_span_out_of_range(api: httpx.Client) -> None:
    assert_error(api.get(f"/sources/{HMG}.md", params={"start": 5, "end": 10**8}), 422)
    assert_error(api.get(f"/sources/{HMG}.md", params={"start": 10, "end": 5}), 422)


# --- headers, CORS ------------------------------------------------------------------------

def test_security_headers(api: httpx.Client) -> None:
    for path in ("/", "/health", f"/sources/{HMG}.md?start=0&end=10", "/no/such"):
        resp = api.get(path, headers={"accept": "text/html"})
        assert resp.headers["x-content-type-options"] == "nosniff"
        assert resp.headers["x-frame-options"] == "DENY"
        assert resp.headers["referrer-policy"] == "no-referrer"
        if resp.headers["content-type"].startswith("text/html"):
            assert "default-src 'self'" in resp.headers["content-security-policy"]
    assert "server" not in api.get("/health").headers


def test_cors_closed_by_default(api: httpx.Client) -> None:
    resp = api.get("/commitments", headers={"origin": "https://evil.example"})
    assert "access-control-allow-origin" not in resp.headers
    pre = api.options("/sparql", headers={"origin": "https://evil.example", "access-control-request-method": "POST"})
    assert "access-control-allow-origin" not in pre.headers


# --- downloads, ontology, linked data, named queries ---------------------------------------

def test_downloads(api: httpx.Client) -> None:
    from rdflib import Graph

    for name, fmt in (("vawg-kg.ttl", "turtle"), ("vawg-kg.nt", "nt")):
        resp = api.get(f"/downloads/{name}")
        assert resp.status_code == 200
        if fmt == "nt":
            assert len(Graph().parse(data=resp.text, format=fmt)) > 1000
    assert api.get("/downloads/vawg-kg.jsonld").headers["content-type"].startswith("application/ld+json")
    assert_error(api.get("/downloads/secret.txt"), 422)


def test_ontology_by_accept(api: httpx.Client) -> None:
    ttl = api.get("/ontology", headers={"accept": "text/turtle"})
    assert ttl.headers["content-type"].startswith("text/turtle") and "vawg:Commitment" in ttl.text
    html = api.get("/ontology", headers={"accept": "text/html"})
    assert html.status_code == 200 and html.headers["content-type"].startswith("text/html")


def test_dereferenceable_iris(api: httpx.Client) -> None:
    from rdflib import Graph, URIRef

    iri = f"{ID}commitment/{HMG}/A76"
    ttl = api.get(f"/id/commitment/{HMG}/A76", headers={"accept": "text/turtle"})
    graph = Graph().parse(data=ttl.text, format="turtle")
    assert (URIRef(iri), URIRef("https://w3id.org/vawg-kg/ontology#ref"), None) in graph
    html = api.get(f"/id/commitment/{HMG}/A76", headers={"accept": "text/html"})
    assert html.headers["content-type"].startswith("text/html") and "A76" in html.text
    assert_error(api.get("/id/commitment/nope/X", headers={"accept": "text/turtle"}), 404)
    assert_error(api.get(f"/id/commitment/{HMG}/A76", headers={"accept": "image/png"}), 406)


def test_named_queries_by_name(api: httpx.Client) -> None:
    listing = api.get("/queries").json()["queries"]
    names = {q["name"] for q in listing}
    assert "commitments_by_lead" in names
    body = api.get("/queries/commitments_by_lead", params={"org": "org/home-office"}).json()
    assert body["total"] > 0
    posted = api.post("/queries/commitments_by_lead", json={"org": "org/home-office"}).json()
    assert posted["total"] == body["total"]
    assert_error(api.get("/queries/no_such_query"), 404)
    assert_error(api.get("/queries/commitments_by_lead", params={"bogus": "1"}), 400)


def test_openapi_declares_error_shape(api: httpx.Client) -> None:
    spec = api.get("/openapi.json").json()
    assert "ApiError" in spec["components"]["schemas"]
    get = spec["paths"]["/commitments"]["get"]
    assert "422" in get["responses"]
    assert "/sparql" in spec["paths"] and "/cypher" in spec["paths"]


def test_cypher_without_neo4j_is_503_with_how_to_start(api: httpx.Client) -> None:
    body = assert_error(api.post("/cypher", json={"query": "MATCH (n) RETURN count(n)"}), 503, "store_unavailable")
    assert "vawg-kg neo4j start" in body["message"]


# --- gaps ------------------------------------------------------------------------------------

def test_gaps_with_reason_codes(api: httpx.Client) -> None:
    body = api.get("/gaps", params={"kind": "no_lead", "doc_id": HMG}).json()
    assert "no_lead" in body["kinds"] and "no_deadline" in body["kinds"] and "not_picked_up" in body["kinds"]
    assert body["total"] == len(body["items"])
    for i in body["items"]:
        assert i["doc_id"] == HMG and {r["code"] for r in i["reasons"]} <= {"NO_LEAD", "LEAD_ONLY_IMPLIED"}
    nodate = api.get("/gaps", params={"kind": "no_deadline", "doc_id": "npcc-vawg-framework-2021"}).json()
    assert nodate["total"] > 0 and {r["code"] for i in nodate["items"] for r in i["reasons"]} == {"NO_DEADLINE"}
    assert all(i["doc_id"] == "npcc-vawg-framework-2021" for i in nodate["items"])


def test_gaps_one_row_per_commitment_with_all_reasons_and_the_corpus(api: httpx.Client) -> None:
    body = api.get("/gaps", params={"limit": 10_000}).json()
    ids = [i["commitment"] for i in body["items"]]
    assert len(ids) == len(set(ids)) == body["total"] == body["counts"]["commitments"]
    codes = {r["code"] for i in body["items"] for r in i["reasons"]}
    assert "NOT_PICKED_UP_IN_CORPUS" in codes
    assert not codes & {"HMG_NOT_IMPLEMENTED", "DEADLINE_PASSED_NOT_PICKED_UP"}
    assert set(body["renamed"]) == {"HMG_NOT_IMPLEMENTED", "DEADLINE_PASSED_NOT_PICKED_UP"}
    assert all("not implemented" not in label for label in body["reasons"].values())
    assert [d["doc_id"] for d in body["corpus"]["documents"]][0] == HMG and body["corpus"]["judged_on"]
    assert sum(body["counts"]["by_document"].values()) == body["total"]
    by_reason = {code: sum(1 for i in body["items"] if any(r["code"] == code for r in i["reasons"])) for code in codes}
    assert by_reason == body["counts"]["by_reason"]
    # A1 (PSHE guidance, April 2016, DfE): several reasons on one row; its nearest candidates with scores
    a1 = next(i for i in body["items"] if i["doc_id"] == HMG and i["ref"] == "A1")
    npu = next(r for r in a1["reasons"] if r["code"] == "NOT_PICKED_UP_IN_CORPUS")
    assert npu["label"] == "not picked up by a later document in the corpus" and npu["deadline_passed"] is True
    assert npu["later_documents"] and HMG not in npu["later_documents"]
    assert npu["nearest_candidates"] and all(isinstance(c["score"], float) for c in npu["nearest_candidates"])
    assert all(c["id"] != a1["commitment"] for c in npu["nearest_candidates"])
    # A93 is implemented by CPS 2017-18: not a gap of that kind
    assert not any(i["ref"] == "A93" and i["doc_id"] == HMG and any(r["code"] == "NOT_PICKED_UP_IN_CORPUS"
                   for r in i["reasons"]) for i in body["items"])
    led = api.get("/gaps", params={"lead": "org/home-office", "kind": "not_picked_up"}).json()
    assert led["total"] and all(any(le["id"].endswith("/org/home-office") for le in i["leads"]) for i in led["items"])
    assert body["themes_not_covered"] and all(t["reason"] == "THEME_NOT_COVERED" for t in body["themes_not_covered"])


def test_gaps_page_through_every_row(api: httpx.Client) -> None:
    whole = api.get("/gaps").json()
    assert whole["total"] == len(whole["items"]) > 150 and whole["limit"] == 1000
    pages, offset = [], 0
    while offset < whole["total"]:
        page = api.get("/gaps", params={"limit": 97, "offset": offset}).json()
        assert page["total"] == whole["total"] and len(page["items"]) <= 97
        pages += page["items"]
        offset += 97
    assert pages == whole["items"]
    assert api.get("/gaps", params={"offset": whole["total"]}).json()["items"] == []
    assert_error(api.get("/gaps", params={"limit": 0}), 422)


def test_gaps_bad_kind_and_parameter_are_422(api: httpx.Client) -> None:
    body = assert_error(api.get("/gaps", params={"kind": "nonsense"}), 422, "invalid_parameter")
    assert body["details"]["parameter"] == "kind" and "no_lead" in body["details"]["allowed"]
    body = assert_error(api.get("/gaps", params={"kind": "no_lead", "colour": "red"}), 422)
    assert body["details"]["parameter"] == "colour"


# --- serve builds when there is no graph ------------------------------------------------------

def test_serve_builds_when_there_is_no_graph(tmp_path: Any) -> None:
    from tests.api_server import start_server, stop_server

    empty = tmp_path / "fresh-build"
    server = start_server(empty, tmp_path, wait_s=300)
    try:
        health = httpx.get(f"{server.url}/health", timeout=30).json()
        assert health["counts"]["commitments"] > 250 and (empty / "oxigraph").is_dir()
        assert server.url.startswith("http://127.0.0.1:")
    finally:
        stop_server(server)


def test_lineage_says_what_became_of_hmg_a93_in_date_order(api: httpx.Client) -> None:
    body = api.get("/lineage/hmg-vawg-strategy-2016/A93").json()
    later = body["later"]
    refs = {(i["doc_id"], i["ref"]) for i in later}
    assert {("cps-vawg-action-plan-2017", "HBVFM.1"), ("cps-vawg-action-plan-2017", "FGM.1")} <= refs
    dates = [i["published"] for i in later]
    assert dates == sorted(dates) and all(d > "2016-03-01" for d in dates)
    assert all(i["relations"] and i["evidence"] for i in later)
    assert body["earlier"] == [] and body["same_time"] == []  # nothing in the graph comes before the 2016 strategy
    assert body["status"]["code"] == "picked-up" and body["status"]["judged_on"] == "2025-01-01"
    implementers = {(i["doc_id"], i["ref"]) for i in body["implemented_by"]}
    assert {("cps-vawg-action-plan-2017", r) for r in ("FGM.1", "FGM.2", "HBVFM.1")} <= implementers
    back = api.get("/lineage/cps-vawg-action-plan-2017/FGM.1").json()
    assert any(i["ref"] == "A93" and "implements" in i["relations"] for i in back["earlier"])


@pytest.mark.parametrize("accept", ["text/html", "text/turtle", "application/ld+json", "application/n-triples"])
def test_linked_data_answers_in_a_documented_content_type(api: httpx.Client, accept: str) -> None:
    """Regression (found by schemathesis): /id/… answered HTML while OpenAPI promised only JSON."""
    documented = api.get("/openapi.json").json()["paths"]["/id/{path}"]["get"]["responses"]["200"]["content"]
    resp = api.get("/id/outcome-code", headers={"Accept": accept})
    assert resp.status_code == 200
    assert resp.headers["content-type"].split(";")[0] in documented
