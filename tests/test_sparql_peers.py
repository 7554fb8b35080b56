"""``/sparql`` answers like Oxigraph's own server on the same data, in every result format.

The project writes SPARQL results itself (``stores/results.py``: streamed, capped, refusing what a
format cannot carry), so a writer slip — a lost datatype, a CSV quote, an XML escape, a language
tag — would go unseen by tests that only read the project's own answers. Here the session build's
N-Triples are loaded into a real ``oxigraph serve-read-only`` on loopback, the same queries go to
both servers over real HTTP, and the answers are parsed by rdflib's result parsers (a third
implementation) and compared term by term: values, datatypes, language tags, unbound cells, row
order where the query orders, and variable order. CONSTRUCT answers are compared as graphs
(isomorphism). Blank node labels are the only thing allowed to differ.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.query import Result

from tests.api_server import RunningServer
from tests.oxigraph_server import OxigraphServer, start_oxigraph, stop_oxigraph

PREFIXES = """PREFIX vawg: <https://w3id.org/vawg-kg/ontology#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX prov: <http://www.w3.org/ns/prov#>
"""

# Values a writer can get wrong: separators and quotes of each format, line ends, non-ASCII,
# markup characters, language tags with regions, every numeric type, booleans, dates, odd IRIs.
AWKWARD_VALUES = r'''VALUES ?v {
  "plain" "a,b" "say \"hi\"" "line\nbreak" "cr\rreturn" "tab\there" "back\\slash" " lead and trail "
  "<b>&amp;</b> & <" "é ü ß 中文 🙂" "" "x"@en "x"@en-GB "colour"@en-gb
  1 -0 007 1.50 0.0 1.0e3 -2.5E-3 "NaN"^^xsd:double "INF"^^xsd:double true false
  "2021-03-01"^^xsd:date "2021-03-01T10:00:00Z"^^xsd:dateTime "P1Y"^^xsd:duration "12"^^xsd:gYear
  "abc"^^<http://example.org/custom#type> <http://example.org/a?b=c&d=e#f> <urn:isbn:0-486> <http://example.org/é>
}'''

SELECTS = {
    "documents ordered": PREFIXES + "PREFIX dcterms: <http://purl.org/dc/terms/> SELECT ?doc ?title ?date WHERE { ?doc a vawg:PolicyDocument "
    "OPTIONAL { ?doc dcterms:title ?title } OPTIONAL { ?doc dcterms:issued ?date } } ORDER BY ?doc",
    "counts per document": PREFIXES + "SELECT ?doc (COUNT(?c) AS ?n) WHERE { ?c vawg:inDocument ?doc } "
    "GROUP BY ?doc ORDER BY DESC(?n) ?doc",
    "every predicate with a count": "SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p ORDER BY ?p",
    "datatypes and languages in the data": "SELECT DISTINCT ?dt ?lang WHERE { ?s ?p ?o FILTER isLiteral(?o) "
    "BIND(DATATYPE(?o) AS ?dt) BIND(LANG(?o) AS ?lang) } ORDER BY ?dt ?lang",
    "a sample of every literal kind": "SELECT ?s ?p ?o WHERE { { SELECT ?dt (SAMPLE(?x) AS ?o) WHERE "
    "{ ?y ?q ?x FILTER isLiteral(?x) BIND(DATATYPE(?x) AS ?dt) } GROUP BY ?dt } ?s ?p ?o } ORDER BY ?s ?p ?o LIMIT 40",
    "long texts with commas and curly quotes": PREFIXES + "SELECT ?c ?text WHERE { ?c vawg:text ?text "
    "FILTER(CONTAINS(?text, '\u2019') || CONTAINS(?text, ',')) } ORDER BY ?c LIMIT 50",
    "optional leaves cells unbound": PREFIXES + "SELECT ?c ?deadline WHERE { ?c a vawg:Commitment "
    "OPTIONAL { ?c vawg:deadline ?deadline } } ORDER BY ?c LIMIT 60",
    "awkward values": "PREFIX xsd: <http://www.w3.org/2001/XMLSchema#> SELECT ?v WHERE { " + AWKWARD_VALUES + " }",
    "awkward values computed": "PREFIX xsd: <http://www.w3.org/2001/XMLSchema#> SELECT ?v ?s ?l ?d ?n WHERE { "
    + AWKWARD_VALUES + " BIND(STR(?v) AS ?s) BIND(LANG(?v) AS ?l) BIND(DATATYPE(?v) AS ?d) BIND(?v + 1 AS ?n) }",
    "blank nodes": "SELECT ?b ?x WHERE { VALUES ?x { 1 2 3 } BIND(BNODE() AS ?b) }",
    "empty result": PREFIXES + "SELECT ?c WHERE { ?c a vawg:NoSuchClass }",
    "no variables bound": "SELECT ?a ?b WHERE { OPTIONAL { <http://example.org/none> ?a ?b } }",
    "group_concat with separators": PREFIXES + "SELECT ?doc (GROUP_CONCAT(?ref; SEPARATOR='\\t|\\n') AS ?refs) "
    "WHERE { ?c vawg:inDocument ?doc ; vawg:ref ?ref } GROUP BY ?doc ORDER BY ?doc",
    "variables in projection order": "SELECT ?z ?a ?m WHERE { BIND(1 AS ?a) BIND('m' AS ?m) BIND(<http://z> AS ?z) }",
}
ASKS = {
    "true": PREFIXES + "ASK { ?c a vawg:Commitment }",
    "false": PREFIXES + "ASK { ?c a vawg:NoSuchClass }",
}
CONSTRUCTS = {
    "one commitment": PREFIXES + "CONSTRUCT { ?c ?p ?o } WHERE { ?c vawg:ref 'A93' ; ?p ?o }",
    "awkward literals": "PREFIX xsd: <http://www.w3.org/2001/XMLSchema#> CONSTRUCT { <http://example.org/s> "
    "<http://example.org/p> ?v } WHERE { " + AWKWARD_VALUES + " FILTER(!isIRI(?v)) }",
    "blank nodes": "CONSTRUCT { _:b <http://example.org/p> ?x } WHERE { VALUES ?x { 1 2 } }",
}

SELECT_FORMATS = {"json": "application/sparql-results+json", "xml": "application/sparql-results+xml",
                  "tsv": "text/tab-separated-values"}
GRAPH_FORMATS = {"nt": "application/n-triples", "turtle": "text/turtle"}


@pytest.fixture(scope="module")
def peer(api_build_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[OxigraphServer]:
    server = start_oxigraph(tmp_path_factory.mktemp("oxigraph-peer"), load=api_build_dir / "vawg-kg.nt",
                            read_only=True)
    try:
        yield server
    finally:
        stop_oxigraph(server)


def _ask(url: str, query: str, accept: str) -> httpx.Response:
    response = httpx.post(url, content=query.encode(), timeout=60,
                          headers={"Content-Type": "application/sparql-query", "Accept": accept})
    assert response.status_code == 200, f"{url}: {response.status_code} {response.text[:500]}"
    return response


def both(api_server: RunningServer, peer: OxigraphServer, query: str, accept: str) -> tuple[bytes, bytes]:
    ours = _ask(f"{api_server.url}/sparql", query, accept)
    theirs = _ask(f"{peer.url}/query", query, accept)
    assert ours.headers["content-type"].split(";")[0] == accept
    return ours.content, theirs.content


def _term(term: Any) -> Any:
    """A term for comparison: blank nodes all alike (their labels are the servers' own)."""
    if isinstance(term, BNode):
        return ("bnode",)
    if isinstance(term, Literal):
        return ("literal", str(term), str(term.datatype) if term.datatype else None, term.language)
    if isinstance(term, URIRef):
        return ("iri", str(term))
    return term


def _rows(body: bytes, fmt: str) -> tuple[list[str], list[tuple[Any, ...]]]:
    result = Result.parse(io.BytesIO(body), format=fmt)
    variables = [str(v) for v in result.vars or []]
    return variables, [tuple(_term(row.get(v)) for v in (result.vars or [])) for row in result.bindings]


def _ordered(query: str) -> bool:
    return "ORDER BY" in query.upper()


@pytest.mark.parametrize("name", sorted(SELECTS))
@pytest.mark.parametrize("fmt", sorted(SELECT_FORMATS))
def test_select_answers_like_oxigraph_server(api_server: RunningServer, peer: OxigraphServer,
                                            name: str, fmt: str) -> None:
    query = SELECTS[name]
    ours, theirs = both(api_server, peer, query, SELECT_FORMATS[fmt])
    our_vars, our_rows = _rows(ours, fmt)
    their_vars, their_rows = _rows(theirs, fmt)
    assert our_vars == their_vars
    if not _ordered(query):
        our_rows, their_rows = sorted(our_rows, key=repr), sorted(their_rows, key=repr)
    assert len(our_rows) == len(their_rows)
    for ours_row, theirs_row in zip(our_rows, their_rows, strict=True):
        assert ours_row == theirs_row


def _csv_rows(body: bytes) -> list[list[str]]:
    # A one-column row holding "" may be written as an empty line or as "": both read as one empty cell.
    return [row or [""] for row in csv.reader(io.StringIO(body.decode("utf-8"), newline=""))]


@pytest.mark.parametrize("name", sorted(SELECTS))
def test_csv_cells_match_oxigraph_server(api_server: RunningServer, peer: OxigraphServer, name: str) -> None:
    """CSV carries lexical values only: the cells (read by a CSV reader) must be the same strings."""
    query = SELECTS[name]
    ours, theirs = both(api_server, peer, query, "text/csv")
    our_rows, their_rows = _csv_rows(ours), _csv_rows(theirs)
    assert our_rows[:1] == their_rows[:1]  # the header
    if "BNODE" in query:  # labels are each server's own; check the shape and the other cells
        our_rows = [[c if not c.startswith("_:") else "_:" for c in r] for r in our_rows]
        their_rows = [[c if not c.startswith("_:") else "_:" for c in r] for r in their_rows]
    body_ours, body_theirs = our_rows[1:], their_rows[1:]
    if not _ordered(query):
        body_ours, body_theirs = sorted(body_ours), sorted(body_theirs)
    assert body_ours == body_theirs


@pytest.mark.parametrize("name", sorted(ASKS))
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_ask_answers_like_oxigraph_server(api_server: RunningServer, peer: OxigraphServer, name: str, fmt: str) -> None:
    ours, theirs = both(api_server, peer, ASKS[name], SELECT_FORMATS[fmt])
    assert Result.parse(io.BytesIO(ours), format=fmt).askAnswer is (name == "true")
    assert Result.parse(io.BytesIO(ours), format=fmt).askAnswer == Result.parse(io.BytesIO(theirs), format=fmt).askAnswer


@pytest.mark.parametrize("name", sorted(CONSTRUCTS))
@pytest.mark.parametrize("fmt", sorted(GRAPH_FORMATS))
def test_construct_graphs_are_isomorphic(api_server: RunningServer, peer: OxigraphServer, name: str, fmt: str) -> None:
    ours, theirs = both(api_server, peer, CONSTRUCTS[name], GRAPH_FORMATS[fmt])
    our_graph = Graph().parse(data=ours.decode("utf-8"), format=fmt)
    their_graph = Graph().parse(data=theirs.decode("utf-8"), format=fmt)
    assert len(our_graph) == len(their_graph) > 0
    assert isomorphic(our_graph, their_graph)


def test_the_battery_reaches_the_awkward_cases(api_server: RunningServer, peer: OxigraphServer) -> None:
    """The comparison is only as good as what it compares: the data and the VALUES really hold the
    cases (texts with commas and curly quotes; in VALUES: line ends, quotes, language tags, non-ASCII, several datatypes, unbound cells)."""
    _, texts = _rows(both(api_server, peer, SELECTS["long texts with commas and curly quotes"],
                          SELECT_FORMATS["json"])[0], "json")
    assert any("," in row[1][1] for row in texts) and any("\u2019" in row[1][1] for row in texts)
    _, values = _rows(both(api_server, peer, SELECTS["awkward values"], SELECT_FORMATS["json"])[0], "json")
    kinds = {row[0][2] for row in values if row[0][0] == "literal"}
    assert {"http://www.w3.org/2001/XMLSchema#integer", "http://www.w3.org/2001/XMLSchema#decimal",
            "http://www.w3.org/2001/XMLSchema#double", "http://www.w3.org/2001/XMLSchema#date"} <= kinds
    assert any(row[0][3] == "en-gb" or row[0][3] == "en-GB" for row in values)
    _, unbound = _rows(both(api_server, peer, SELECTS["optional leaves cells unbound"], SELECT_FORMATS["json"])[0],
                       "json")
    assert any(row[1] is None for row in unbound) and any(row[1] is not None for row in unbound)
