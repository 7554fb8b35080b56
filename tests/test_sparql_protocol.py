"""SPARQL 1.1 Protocol at /sparql over real HTTP, with SPARQLWrapper as the client.

Status rules (as Oxigraph's server): 400 malformed (with line/column), 403
update / LOAD / SERVICE / remote dataset, 415 other request bodies, 406 an
Accept the query form cannot be written in.
"""

from __future__ import annotations

import csv
import io
import json
import socket
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from rdflib import Graph, URIRef
from SPARQLWrapper import CSV, JSON, JSONLD, POST, POSTDIRECTLY, TSV, TURTLE, XML, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

VAWG = "https://w3id.org/vawg-kg/ontology#"
A76 = "https://w3id.org/vawg-kg/id/commitment/hmg-vawg-strategy-2016/A76"
SELECT = f"""PREFIX vawg: <{VAWG}>
SELECT ?ref ?text WHERE {{ <{A76}> vawg:ref ?ref ; vawg:text ?text }}"""
ASK = f"PREFIX vawg: <{VAWG}> ASK {{ <{A76}> vawg:citesLegislation ?law }}"
CONSTRUCT = f"PREFIX vawg: <{VAWG}> CONSTRUCT {{ <{A76}> vawg:ref ?r }} WHERE {{ <{A76}> vawg:ref ?r }}"


def client(url: str, query: str, fmt: str, method: str | None = None) -> Any:
    sw = SPARQLWrapper(f"{url}/sparql")
    sw.setQuery(query)
    sw.setReturnFormat(fmt)
    sw.setOnlyConneg(True)
    if method:
        sw.setMethod(POST)
        if method == POSTDIRECTLY:
            sw.setRequestMethod(POSTDIRECTLY)
    return sw.query()


@pytest.mark.parametrize("method", [None, "form", POSTDIRECTLY])
def test_select_json_via_get_form_and_direct_post(api_server: Any, method: str | None) -> None:
    result = client(api_server.url, SELECT, JSON, method).convert()
    row = result["results"]["bindings"][0]
    assert row["ref"]["value"] == "A76" and "coercive" in row["text"]["value"]


def test_select_xml_csv_tsv(api_server: Any) -> None:
    xml = client(api_server.url, SELECT, XML).convert()  # a DOM document
    assert "A76" in xml.toxml()
    text = client(api_server.url, SELECT, CSV).convert().decode()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows[0]["ref"] == "A76"
    tsv = client(api_server.url, SELECT, TSV).convert().decode()
    assert tsv.splitlines()[0] == "?ref\t?text" and '"A76"' in tsv


def test_ask_json_and_xml(api_server: Any) -> None:
    assert client(api_server.url, ASK, JSON).convert()["boolean"] is True
    assert "<boolean>true</boolean>" in client(api_server.url, ASK, XML).convert().toxml()


@pytest.mark.parametrize("fmt, rdf_format", [(TURTLE, "turtle"), (JSONLD, "json-ld"), (XML, "xml")])
def test_construct_formats(api_server: Any, fmt: str, rdf_format: str) -> None:
    result = client(api_server.url, CONSTRUCT, fmt)
    converted = result.convert()
    graph = converted if isinstance(converted, Graph) else Graph().parse(
        data=converted.decode() if isinstance(converted, bytes) else converted, format=rdf_format)
    assert (URIRef(A76), URIRef(VAWG + "ref"), None) in graph


def test_construct_n_triples_and_describe(api: httpx.Client) -> None:
    resp = api.get("/sparql", params={"query": CONSTRUCT}, headers={"accept": "application/n-triples"})
    assert resp.headers["content-type"].startswith("application/n-triples")
    assert len(Graph().parse(data=resp.text, format="nt")) == 1
    resp = api.get("/sparql", params={"query": f"DESCRIBE <{A76}>"}, headers={"accept": "text/turtle"})
    assert (URIRef(A76), URIRef(VAWG + "text"), None) in Graph().parse(data=resp.text, format="turtle")


def _error(resp: httpx.Response, status: int) -> dict[str, Any]:
    assert resp.status_code == status, resp.text
    body: dict[str, Any] = resp.json()
    assert set(body) == {"error", "message", "details"}
    return body


def test_malformed_is_400_with_position(api_server: Any, api: httpx.Client) -> None:
    bad = "SELECT ?s WHERE {\n  ?s ?p \n"
    body = _error(api.get("/sparql", params={"query": bad}), 400)
    assert body["error"] == "query_parse_error" and "line" in body["message"]
    assert body["details"]["line"] >= 1 and body["details"]["column"] >= 1
    with pytest.raises(QueryBadFormed):
        client(api_server.url, bad, JSON)


def test_missing_query_is_400(api: httpx.Client) -> None:
    _error(api.get("/sparql"), 400)


@pytest.mark.parametrize("query", [
    "INSERT DATA { <urn:a> <urn:b> <urn:c> }",
    "DELETE WHERE { ?s ?p ?o }",
    "LOAD <http://example.org/data.ttl>",
    "CLEAR DEFAULT",
    "DROP ALL",
])
def test_updates_are_403(api: httpx.Client, query: str) -> None:
    assert _error(api.get("/sparql", params={"query": query}), 403)["error"] == "forbidden_query"
    _error(api.post("/sparql", data={"update": query}), 403)
    _error(api.post("/sparql", content=query, headers={"content-type": "application/sparql-update"}), 403)
    _error(api.post("/sparql", content=query, headers={"content-type": "application/sparql-query"}), 403)


def test_unsupported_content_type_is_415(api: httpx.Client) -> None:
    for ctype in ("text/plain", "application/json", "multipart/form-data; boundary=x"):
        _error(api.post("/sparql", content=SELECT, headers={"content-type": ctype}), 415)


def test_unacceptable_accept_is_406(api: httpx.Client) -> None:
    _error(api.get("/sparql", params={"query": SELECT}, headers={"accept": "text/turtle"}), 406)
    _error(api.get("/sparql", params={"query": CONSTRUCT}, headers={"accept": "application/sparql-results+json"}), 406)


class Listener:
    """A loopback TCP listener that counts the connections it receives."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            conn.close()


@pytest.fixture()
def listener() -> Iterator[Listener]:
    lst = Listener()
    try:
        yield lst
    finally:
        lst.stop.set()
        lst.thread.join(2)
        lst.sock.close()


def test_service_from_and_load_never_connect(api: httpx.Client, listener: Listener) -> None:
    remote = f"http://127.0.0.1:{listener.port}/sparql"
    queries = [
        f"SELECT * WHERE {{ SERVICE <{remote}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ ?a ?b ?c OPTIONAL {{ SERVICE SILENT <{remote}> {{ ?s ?p ?o }} }} }}",
        f"ASK {{ FILTER EXISTS {{ SERVICE <{remote}> {{ ?s ?p ?o }} }} }}",
        f"SELECT * FROM <{remote}> WHERE {{ ?s ?p ?o }}",
        f"SELECT * FROM NAMED <{remote}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
        f"LOAD <{remote}>",
    ]
    for query in queries:
        _error(api.get("/sparql", params={"query": query}), 403)
        _error(api.post("/sparql", content=query, headers={"content-type": "application/sparql-query"}), 403)
    _error(api.get("/sparql", params={"query": SELECT, "default-graph-uri": remote}), 403)
    _error(api.get("/sparql", params={"query": SELECT, "named-graph-uri": remote}), 403)
    assert listener.connections == 0


def test_row_cap_and_timeout(api_build_dir: Any, tmp_path_factory: pytest.TempPathFactory) -> None:
    from tests.api_server import start_server, stop_server

    server = start_server(api_build_dir, tmp_path_factory.mktemp("api-limits"),
                          {"VAWG_KG_MAX_ROWS": "100", "VAWG_KG_QUERY_TIMEOUT": "1.5"})
    try:
        with httpx.Client(base_url=server.url, timeout=60) as http:
            resp = http.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"})
            assert _error(resp, 413)["error"] == "result_too_large"
            assert http.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 100"}).status_code == 200
            slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
            body = _error(http.get("/sparql", params={"query": slow}), 503)
            assert body["error"] == "query_timeout"
            # the server still answers after killing the runaway query
            assert http.get("/health").status_code == 200
            assert json.loads(http.get("/sparql", params={"query": ASK}).text)["boolean"] is True
    finally:
        stop_server(server)


# --- the GET fast path (graph_api.sparql.SparqlFastPath) answers as the routes do -----------------

@pytest.mark.parametrize("accept", ["application/sparql-results+json", "text/csv", "text/tab-separated-values",
                                    "application/sparql-results+xml", "*/*"])
def test_get_fast_path_gives_the_post_routes_bytes(api: httpx.Client, accept: str) -> None:
    got = api.get("/sparql", params={"query": SELECT}, headers={"accept": accept})
    posted = api.post("/sparql", content=SELECT, headers={"content-type": "application/sparql-query",
                                                           "accept": accept})
    assert got.status_code == posted.status_code == 200
    assert got.content == posted.content
    assert got.headers["content-type"] == posted.headers["content-type"]
    assert got.headers["content-length"] == str(len(got.content))
    assert got.headers.get("x-request-id") and got.headers.get("x-content-type-options") == \
        posted.headers.get("x-content-type-options")  # the request guard's headers still apply


@pytest.mark.parametrize("query,status", [("SELECT ?s WHERE {\n  ?s ?p \n", 400),
                                          ("INSERT DATA { <urn:a> <urn:b> <urn:c> }", 403),
                                          ("SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }", 403)])
def test_get_fast_path_errors_read_as_the_routes(api: httpx.Client, query: str, status: int) -> None:
    got = _error(api.get("/sparql", params={"query": query}), status)
    posted = _error(api.post("/sparql", content=query, headers={"content-type": "application/sparql-query"}),
                    status)
    assert got == posted


def test_get_with_other_parameters_still_goes_through_the_route(api: httpx.Client) -> None:
    # default-graph-uri is the route's to refuse; an unknown parameter is ignored as before
    _error(api.get("/sparql", params={"query": SELECT, "default-graph-uri": "http://example.org/g"}), 403)
    both = api.get("/sparql", params={"query": SELECT, "unused": "1"},
                   headers={"accept": "application/sparql-results+json"})
    alone = api.get("/sparql", params={"query": SELECT}, headers={"accept": "application/sparql-results+json"})
    assert both.status_code == 200 and both.content == alone.content
    over = "SELECT * WHERE { ?s ?p ?o } #" + "x" * 16400
    assert api.post("/sparql", data={"query": over}).status_code in (200, 413)


def test_the_fast_paths_query_decoding_is_starlettes() -> None:
    import random
    import urllib.parse

    from starlette.datastructures import QueryParams

    from vawg_kg.graph_api.sparql import query_parameter

    rng = random.Random(20)
    alphabet = "aZ09 #?&=+%/:;<>{}\"'\\\n\r\t\u00e9\u2028\U0001f600-_.~"
    for i in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        encoded = urllib.parse.urlencode({"query": text}).encode()
        if i % 3 == 1:  # hand-made strings: bad escapes, raw bytes, other parameters
            encoded = rng.choice([b"query=", b"query=%", b"query=a%zz", b"query=%e9", b"query=\xc3\xa9",
                                  b"query=a=b", b"query=a&x=1", b"x=1", b"qu%65ry=a", b"query=%2B+%20"]) + encoded[6:]
        params = QueryParams(encoded.decode("latin-1"))
        items = params.multi_items()
        expected = items[0][1] if len(items) == 1 and items[0][0] == "query" else None
        got = query_parameter(encoded)
        assert got is None or got == expected, (encoded, got, expected)
        if encoded.startswith(b"query=") and b"&" not in encoded:
            assert got == expected, (encoded, got, expected)
