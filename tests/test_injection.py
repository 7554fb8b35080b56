"""Injection and exposure, over real HTTP against ``vawg-kg serve`` (tests/api_server.py).

* Hostile strings in every filter of ``GET /commitments`` and every parameter
  of every named query get the answer a benign value that matches nothing
  gets (same status, same error code, same rows), never a 5xx and never a
  different query: text parameters (``q``, ``phrase``, ``pattern``) are checked
  against what their words or pattern select in the records.
* The source viewer refuses every path outside the bundled sources.
* Markup in a commitment's text (from a real build with an added document)
  is data in JSON and escaped in every HTML page.
* Body and query-string limits, CORS closed, no stack trace or file path in
  any error body, security headers on HTML.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from tests.api_server import RunningServer, start_server, stop_server
from vawg_kg.graph_api.search import tokens

HOSTILE = [
    '"', "'", '"}', "'}", "#", "\n}", "} UNION {", "') OR 1=1", "' OR '1'='1", "\u0000", "a\u0000b",
    "}} ; DROP ALL ; {{", "\"} } ; INSERT DATA { <urn:x> <urn:y> <urn:z> } #", "?s ?p ?o", "$org", "{org}",
    "<http://127.0.0.1:9/>", "org/home-office> . ?x ?y ?z . <", "org/home-office>\n}", "\r\n\r\n",
    "\\", "\\u0022", "%22%7D", "..%2f..%2f", "<script>alert(1)</script>", "\u202e\u2066", "ünïcødé 中文 🙂",
    "x" * 290, "'" * 290, "MATCH (n) DETACH DELETE n //", "1 OR 1=1", "*", "(", ")", "[", ".*",
]
FILTERS = ("doc", "lead", "partner", "theme", "legislation", "outcome_code", "q")


def benign_like(value: str) -> str:
    """A harmless value of the same length that matches nothing."""
    return ("zqxj" * (len(value) // 4 + 1))[: max(len(value), 4)]


def no_leak(resp: httpx.Response) -> None:
    assert resp.status_code < 500, (resp.status_code, resp.text[:300])
    if resp.status_code >= 400:
        text = resp.text
        for marker in ("Traceback", "File \"", "/work/", "site-packages", "/tmp/", "/root/", "vawg_kg/"):
            assert marker not in text, (marker, text[:500])
        assert not re.search(r"\.py\W{1,3}line \d", text), text[:500]


def shape(resp: httpx.Response) -> tuple[int, str | None]:
    body = resp.json()
    return resp.status_code, body.get("error") if resp.status_code >= 400 else None


def ids(resp: httpx.Response) -> list[str]:
    return [item["id"] for item in resp.json()["items"]]


# --- GET /commitments filters -------------------------------------------------------------------

@pytest.mark.parametrize("name", FILTERS)
def test_hostile_filter_values_answer_like_benign_ones(api: httpx.Client, name: str) -> None:
    for value in HOSTILE:
        resp = api.get("/commitments", params={name: value, "limit": 1000})
        no_leak(resp)
        if name != "q":
            benign = api.get("/commitments", params={name: benign_like(value), "limit": 1000})
            assert shape(resp) == shape(benign), (name, value, resp.text[:300])
            if resp.status_code == 200:
                assert ids(resp) == ids(benign), (name, value)
            continue
        # q is full-text search: punctuation is no syntax, only the words count
        words = " ".join(tokens(value))
        no_words = "!!!" if value.strip() else " "  # punctuation only finds nothing; blank is refused
        same = api.get("/commitments", params={"q": words or no_words, "limit": 1000})
        assert shape(resp) == shape(same), (value, resp.text[:300])
        if resp.status_code == 200:
            assert ids(resp) == ids(same), (value, words)


def test_hostile_filter_combined_with_a_real_one_changes_nothing(api: httpx.Client) -> None:
    real = api.get("/commitments", params={"lead": "home-office", "limit": 1000})
    assert real.status_code == 200 and real.json()["total"] > 0
    for value in ("home-office' OR 1=1", "home-office\"}", "home-office\n}", "home-office#"):
        resp = api.get("/commitments", params={"lead": value, "limit": 1000})
        # a name naming nothing: 404 with the nearest names (issue 18), never a widened answer
        assert resp.status_code == 404 and resp.json()["details"]["parameter"] == "lead", value


# --- named queries ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def named_queries(api: httpx.Client) -> list[dict[str, Any]]:
    listing: list[dict[str, Any]] = api.get("/queries").json()["queries"]
    assert listing
    return listing


@pytest.fixture(scope="module")
def all_records(api: httpx.Client) -> list[dict[str, Any]]:
    body = api.get("/commitments", params={"limit": 1000}).json()
    assert body["total"] <= 1000
    items: list[dict[str, Any]] = body["items"]
    return items


def _rows_without(resp: httpx.Response, param: str) -> list[Any]:
    """Rows with the echoed parameter column left out (queries that SELECT their own parameter)."""
    body = resp.json()
    return [{k: v for k, v in row.items() if k != param} for row in body["rows"]]


def _check_phrase(resp: httpx.Response, value: str, records: list[dict[str, Any]], doc_id: str | None) -> None:
    got = {row["commitment"] for row in resp.json()["rows"]}
    want = {r["id"] for r in records if value.lower() in r["text"].lower() and (doc_id is None or r["doc_id"] == doc_id)}
    assert got == want, (value, sorted(got ^ want)[:5])


def _check_pattern(resp: httpx.Response, value: str, records: list[dict[str, Any]]) -> None:
    rows = resp.json()["rows"]
    try:
        pattern = re.compile(value, re.IGNORECASE)
    except re.error:
        assert rows == [], (value, rows[:2])  # an invalid pattern matches nothing; the query is unchanged
        return
    for row in rows:
        where = row["text"] if row["matched_in"] == "text" else row.get("section") or ""
        assert pattern.search(where), (value, row)
    if "\u0000" not in value:
        text_hits = {r["id"] for r in records if pattern.search(r["text"])}
        assert text_hits <= {row["commitment"] for row in rows}, value


def test_hostile_named_query_parameters(api: httpx.Client, named_queries: list[dict[str, Any]],
                                        all_records: list[dict[str, Any]]) -> None:
    tried = 0
    for query in named_queries:
        for param in query["parameters"]:
            for value in HOSTILE:
                params = {**query["example"], param["name"]: value}
                url = f"/queries/{query['name']}"
                resp = api.get(url, params=params)
                no_leak(resp)
                posted = api.post(url, json=params)
                no_leak(posted)
                assert posted.status_code == resp.status_code, (query["name"], param["name"], value)
                tried += 2
                if query["name"] == "commitments_mentioning" and param["name"] == "phrase":
                    _check_phrase(resp, value, all_records, params.get("doc_id"))
                    continue
                if query["name"] == "evidence_led_prosecutions" and param["name"] == "pattern":
                    _check_pattern(resp, value, all_records)
                    continue
                benign = api.get(url, params={**params, param["name"]: benign_like(value)})
                assert shape(resp) == shape(benign), (query["name"], param["name"], value, resp.text[:300])
                if resp.status_code == 200:
                    assert _rows_without(resp, param["name"]) == _rows_without(benign, param["name"]), \
                        (query["name"], param["name"], value)
                    assert _rows_without(posted, param["name"]) == _rows_without(resp, param["name"])
    print(f"named-query injection: {tried} requests")


# --- the source viewer -----------------------------------------------------------------------------

TRAVERSALS = [
    "../pyproject.toml", "../../../../etc/passwd", "..%2fpyproject.toml", "%2e%2e%2fpyproject.toml",
    "%2e%2e/%2e%2e/etc/passwd", "%252e%252e%252fpyproject.toml", "%25252e%25252e%25252fetc%25252fpasswd",
    "..%5cpyproject.toml", "..\\..\\pyproject.toml", "%5c..%5cpyproject.toml", "....//....//etc/passwd",
    "/etc/passwd", "%2fetc%2fpasswd", "//etc/passwd", "C:%5cWindows%5cwin.ini", "C:/Windows/win.ini",
    "file:///etc/passwd", "hmg-vawg-strategy-2016.md%00.txt", "hmg-vawg-strategy-2016.md/../../pyproject.toml",
    "%c0%ae%c0%ae%c0%afpyproject.toml", "\uff0e\uff0e\uff0fpyproject.toml", "%2e", "%2e%2e", "~", "~root/.bashrc",
    "SOURCES.md", "sources.sha256", "__init__.py", "LICENCE.md",
]


@pytest.mark.parametrize("path", TRAVERSALS)
def test_source_viewer_refuses_paths_outside_the_sources(api_server: RunningServer, path: str) -> None:
    with httpx.Client() as raw:  # the raw path, not normalised by the client
        for accept in ("text/plain", "text/html"):
            resp = raw.send(raw.build_request("GET", f"{api_server.url}/sources/{path}", headers={"accept": accept}))
            assert resp.status_code in (400, 404), (path, resp.status_code, resp.text[:200])
            no_leak(resp)
            for secret in ("root:x:0", "[project]", "[fonts]", "Open Government Licence"):
                assert secret not in resp.text, (path, secret)
            assert not re.search(r"[0-9a-f]{64}", resp.text), path  # a line of sources.sha256


def test_source_viewer_serves_the_sources(api: httpx.Client) -> None:
    files = api.get("/sources").json()["files"]
    assert "hmg-vawg-strategy-2016.md" in files
    for name in files:
        assert "/" not in name and ".." not in name
    assert api.get("/sources/hmg-vawg-strategy-2016.md").status_code == 200


# --- markup in a commitment ----------------------------------------------------------------------

MARKUP = '<script>alert("pwned")</script><img src=x onerror=alert(2)>'
MARKUP_DOC = (f"Markup test plan\n\nWe will:\n\n- Publish {MARKUP} guidance on stalking by March 2026.\n"
              "- Fund refuges & train staff \"in <b>every</b> area\".\n")


@pytest.fixture(scope="module")
def markup_server(build_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """A real build (copied from the session's, plus one added document whose text holds markup)."""
    from vawg_kg.loaders.build import build_graph
    from vawg_kg.stores.oxigraph import OxigraphStore

    base = tmp_path_factory.mktemp("markup")
    out = base / "build"
    shutil.copytree(build_dir, out)
    source = base / "markup-plan.txt"
    source.write_text(MARKUP_DOC, encoding="utf-8")
    build_graph(out, extra_sources=[(source, "markup-plan")], store_hooks=[OxigraphStore.load])
    server = start_server(out, base)
    try:
        yield server
    finally:
        stop_server(server)


def test_markup_in_a_commitment_is_data_in_json_and_escaped_in_html(markup_server: RunningServer) -> None:
    with httpx.Client(base_url=markup_server.url, timeout=60) as client:
        body = client.get("/commitments", params={"doc": "markup-plan"})
        assert body.headers["content-type"].startswith("application/json")
        assert body.headers["x-content-type-options"] == "nosniff"
        items = body.json()["items"]
        hit = next(i for i in items if MARKUP in i["text"])
        assert json.loads(body.text)["items"][items.index(hit)]["text"] == hit["text"]  # the value, unchanged
        ref = hit["ref"]
        pages = [
            client.get(f"/id/commitment/markup-plan/{ref}", headers={"accept": "text/html"}),
            client.get("/sources/markup-plan.txt", params={"start": hit["source"]["start"],
                                                           "end": hit["source"]["end"]}),
            client.get(f"/commitments/{quote(hit['id'], safe='')}", headers={"accept": "text/html"}),
        ]
        for page in pages:
            assert page.status_code == 200, page.text[:300]
            if not page.headers["content-type"].startswith("text/html"):
                assert page.headers["content-type"].startswith("application/"), page.headers["content-type"]
                assert page.json()
                continue
            assert "<script>alert" not in page.text and "<img src=x" not in page.text, page.text[:2000]
            assert "&lt;script&gt;alert(" in page.text
            assert "default-src 'self'" in page.headers["content-security-policy"]
        plain = client.get("/sources/markup-plan.txt")
        assert plain.headers["content-type"].startswith("text/plain") and MARKUP in plain.text
        assert plain.headers["x-content-type-options"] == "nosniff"
        csv_text = client.get("/commitments", params={"doc": "markup-plan", "format": "csv"})
        assert csv_text.headers["content-type"].startswith("text/csv")


# --- limits, CORS, error bodies, headers -------------------------------------------------------------

def test_query_string_and_body_limits(api: httpx.Client) -> None:
    resp = api.get("/commitments", params={"q": "a" * 17_000})
    assert resp.status_code == 414 and resp.json()["error"] == "uri_too_long"
    resp = api.get("/sparql", params={"query": "ASK {}" + " " * 17_000})
    assert resp.status_code == 414
    big = "ASK {}" + " " * (300 * 1024)
    for kwargs in ({"content": big.encode(), "headers": {"content-type": "application/sparql-query"}},
                   {"data": {"query": big}},
                   {"json": {"org": "x" * (300 * 1024)}}):
        url = "/queries/commitments_by_lead" if "json" in kwargs else "/sparql"
        resp = api.post(url, **kwargs)  # type: ignore[arg-type]
        assert resp.status_code == 413 and resp.json()["error"] == "request_too_large", (url, resp.status_code)


def test_streamed_body_without_length_is_limited(api_server: RunningServer) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(64):
            yield b"x" * 8192  # 512 KiB, no Content-Length

    with httpx.Client(timeout=30) as client:
        resp = client.post(f"{api_server.url}/sparql", content=chunks(),
                           headers={"content-type": "application/sparql-query"})
    assert resp.status_code == 413, resp.text[:200]


def test_header_size_limit_is_a_clean_refusal(api_server: RunningServer) -> None:
    with httpx.Client(timeout=30) as client:
        try:
            resp = client.get(f"{api_server.url}/health", headers={"x-big": "a" * 200_000})
        except httpx.HTTPError:
            return  # the server closed the connection: refused without reading it
    assert resp.status_code in (400, 413, 431), resp.status_code


@pytest.mark.parametrize(("method", "path"), [("GET", "/commitments"), ("OPTIONS", "/commitments"),
                                              ("OPTIONS", "/sparql"), ("POST", "/sparql"), ("GET", "/graph"),
                                              ("GET", "/health"), ("OPTIONS", "/cypher")])
def test_cors_closed_for_a_foreign_origin(api: httpx.Client, method: str, path: str) -> None:
    headers = {"origin": "https://evil.example", "access-control-request-method": "POST",
               "access-control-request-headers": "content-type"}
    resp = api.request(method, path, headers=headers, data={"query": "ASK {}"} if method == "POST" else None)
    for name in ("access-control-allow-origin", "access-control-allow-credentials", "access-control-allow-methods"):
        assert name not in resp.headers, (method, path, name)


ERROR_REQUESTS = [
    ("GET", "/commitments", {"params": {"limit": "x"}}),
    ("GET", "/commitments/does/not/exist", {}),
    ("GET", "/organisations/nope", {}),
    ("GET", "/sources/../../etc/passwd", {}),
    ("GET", "/queries/nope", {}),
    ("GET", "/queries/commitments_by_lead", {"params": {"bogus": "1"}}),
    ("POST", "/sparql", {"data": {"query": "SELECT * WHERE { ?s ?p }"}}),
    ("POST", "/sparql", {"data": {"query": "DROP ALL"}}),
    ("POST", "/sparql", {"content": b"\xff\xfe\x00", "headers": {"content-type": "application/sparql-query"}}),
    ("POST", "/sparql", {"content": b"ASK {}", "headers": {"content-type": "application/x-evil"}}),
    ("GET", "/sparql", {"params": {"query": "ASK {}"}, "headers": {"accept": "image/png"}}),
    ("POST", "/cypher", {"content": b"{not json", "headers": {"content-type": "application/json"}}),
    ("POST", "/queries/commitments_by_lead", {"content": b"[[[", "headers": {"content-type": "application/json"}}),
    ("GET", "/downloads/../../pyproject.toml", {}),
    ("GET", "/id/commitment/%00", {"headers": {"accept": "text/turtle"}}),
    ("DELETE", "/commitments", {}),
    ("PUT", "/sparql", {"content": b"x"}),
]


@pytest.mark.parametrize(("method", "path", "kwargs"), ERROR_REQUESTS)
def test_error_bodies_have_no_stack_trace_or_path(api_server: RunningServer, method: str, path: str,
                                                  kwargs: dict[str, Any]) -> None:
    with httpx.Client(timeout=30) as client:
        resp = client.request(method, api_server.url + path, **kwargs)
    assert 400 <= resp.status_code < 600, resp.status_code
    assert resp.status_code != 500, resp.text[:500]
    no_leak(resp)
    if resp.headers.get("content-type", "").startswith("application/json"):
        assert set(resp.json()) == {"error", "message", "details"}


HTML_PAGES = ["/", "/graph", "/ontology", "/id/commitment/hmg-vawg-strategy-2016/A76",
              "/sources/hmg-vawg-strategy-2016.md?start=0&end=20", "/no/such/page", "/docs"]


@pytest.mark.parametrize("path", HTML_PAGES)
def test_security_headers_on_html(api: httpx.Client, path: str) -> None:
    resp = api.get(path, headers={"accept": "text/html"})
    assert resp.headers["x-content-type-options"] == "nosniff"
    assert resp.headers["x-frame-options"] == "DENY"
    assert resp.headers["referrer-policy"] == "no-referrer"
    if resp.headers.get("content-type", "").startswith("text/html"):
        csp = resp.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in csp and "default-src 'self'" in csp
        assert "unsafe-eval" not in csp
        if path != "/docs":
            assert "unsafe-inline" not in csp
        assert "http" not in csp  # every asset, /docs's included, comes from this server
