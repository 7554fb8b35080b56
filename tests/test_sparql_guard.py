"""The read-only SPARQL guard: each refusal with its status, and the stops.

Statuses as Oxigraph's server uses them: 400 malformed (with line and
column), 403 for writes and for reaching out (SERVICE, LOAD, remote FROM).
The SERVICE test binds a real loopback listener and checks that nothing
ever connects to it, on both stores.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import rdflib
from hypothesis import given
from hypothesis import strategies as st

from vawg_kg.errors import ForbiddenQueryError, QueryParseError, QueryTimeoutError, ResultTooLargeError
from vawg_kg.stores.sparql.guard import check_read_only, screen
from vawg_kg.stores.sparql.pool import run_guarded
from vawg_kg.stores.oxigraph import OxigraphStore
from vawg_kg.stores.rdflib_store import RdflibStore

MINI = Path(__file__).parent / "fixtures" / "mini-graph.ttl"
# A sorted 3-way cross product: ~96^3 rows, seconds (Oxigraph) to minutes (rdflib) of work.
RUNAWAY = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?c ?f ?i"


@pytest.fixture(scope="module")
def disk_store(tmp_path_factory: pytest.TempPathFactory) -> OxigraphStore:
    folder = tmp_path_factory.mktemp("oxi")
    rdflib.Graph().parse(MINI).serialize(folder / "vawg-kg.nt", format="nt", encoding="utf-8")
    return OxigraphStore.ensure(folder)


@pytest.fixture(scope="module", params=["oxigraph-disk", "oxigraph-memory", "rdflib"])
def store(request: pytest.FixtureRequest, disk_store: OxigraphStore) -> object:
    if request.param == "oxigraph-disk":
        return disk_store
    if request.param == "oxigraph-memory":
        return OxigraphStore.in_memory(MINI)
    return RdflibStore.from_file(MINI)


@pytest.fixture()
def listener() -> Iterator[tuple[socket.socket, int]]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    sock.setblocking(False)
    yield sock, sock.getsockname()[1]
    sock.close()


def _accepted(sock: socket.socket) -> bool:
    try:
        conn, _ = sock.accept()
    except BlockingIOError:
        return False
    conn.close()
    return True


UPDATES = [
    "INSERT DATA { <http://example.org/a> <http://example.org/b> <http://example.org/c> }",
    "DELETE WHERE { ?s ?p ?o }",
    "DELETE { ?s ?p ?o } INSERT { ?s ?p 1 } WHERE { ?s ?p ?o }",
    "LOAD <http://127.0.0.1:9/data.ttl>",
    "CLEAR ALL",
    "CREATE GRAPH <http://example.org/g>",
    "DROP DEFAULT",
    "COPY DEFAULT TO <http://example.org/g>",
    "PREFIX ex: <http://example.org/>\nINSERT DATA { ex:a ex:b ex:c } ;\nDROP ALL",
]


@pytest.mark.parametrize("update", UPDATES)
def test_updates_are_403(update: str) -> None:
    with pytest.raises(ForbiddenQueryError) as info:
        check_read_only(update)
    assert info.value.status == 403 and "read-only" in info.value.message


SERVICES = [
    "SELECT * WHERE { SERVICE <{url}> { ?s ?p ?o } }",
    "SELECT * WHERE { ?s ?p ?o OPTIONAL { SERVICE SILENT <{url}> { ?s ?q ?r } } }",
    "ASK { FILTER EXISTS { SERVICE <{url}> { ?s ?p ?o } } }",
    "SELECT * WHERE { { SELECT ?s WHERE { SERVICE <{url}> { ?s ?p ?o } } } }",
    "CONSTRUCT { ?s ?p ?o } WHERE { { ?s ?p ?o } UNION { SERVICE <{url}> { ?s ?p ?o } } }",
    "SELECT * WHERE { BIND(<{url}> AS ?e) SERVICE ?e { ?s ?p ?o } }",
]


@pytest.mark.parametrize("template", SERVICES)
def test_service_is_403_and_nothing_connects(template: str, store: object,
                                             listener: tuple[socket.socket, int]) -> None:
    sock, port = listener
    query = template.replace("{url}", f"http://127.0.0.1:{port}/sparql")
    with pytest.raises(ForbiddenQueryError) as info:
        run_guarded(store, query, timeout_s=5)
    assert info.value.status == 403 and "SERVICE" in info.value.message
    time.sleep(0.2)
    assert not _accepted(sock), "the SERVICE endpoint was contacted"


def test_the_listener_would_see_an_unguarded_request(listener: tuple[socket.socket, int]) -> None:
    """Shows the test above can fail: unguarded, rdflib does connect."""
    import threading

    sock, port = listener
    graph = RdflibStore.from_file(MINI)
    query = f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}"

    def unguarded() -> None:
        try:
            graph.select(query)
        except Exception:
            pass  # the listener closes the connection without answering

    threading.Thread(target=unguarded, daemon=True).start()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if _accepted(sock):
            return
        time.sleep(0.05)
    pytest.fail("rdflib did not contact the SERVICE endpoint, so the refusal test proves nothing")


@pytest.mark.parametrize("clause", ["FROM", "FROM NAMED"])
def test_remote_from_is_403(clause: str, store: object, listener: tuple[socket.socket, int]) -> None:
    sock, port = listener
    query = f"SELECT * {clause} <http://127.0.0.1:{port}/graph.ttl> WHERE {{ ?s ?p ?o }}"
    with pytest.raises(ForbiddenQueryError) as info:
        run_guarded(store, query, timeout_s=5)
    assert info.value.status == 403 and info.value.details["graph"].endswith("/graph.ttl")
    assert not _accepted(sock)


def test_from_a_graph_the_store_holds_is_allowed() -> None:
    parsed = check_read_only("SELECT * FROM <urn:g> WHERE { ?s ?p ?o }", allowed_graphs=["urn:g"])
    assert parsed.from_graphs == ("urn:g",)


@pytest.mark.parametrize(("query", "line", "column"), [
    ("SELECT * WHERE {\n  ?s ?p }", 2, 3),
    ("PREFIX ex: <http://example.org/>\nSELECT ?s WHERE { ?s ex:p ?o \n FILTER( }", 3, 2),
    ("SELEKT * WHERE { ?s ?p ?o }", 1, 1),
])
def test_malformed_is_400_with_position(query: str, line: int, column: int, store: object) -> None:
    with pytest.raises(QueryParseError) as info:
        run_guarded(store, query, timeout_s=5)
    err = info.value
    assert err.status == 400
    assert err.details["line"] == line and err.details["column"] <= column + 20
    assert f"line {line}" in err.message


def test_undeclared_prefix_is_400(store: object) -> None:
    with pytest.raises(QueryParseError) as info:
        run_guarded(store, "SELECT * WHERE { ?s nope:p ?o }", timeout_s=5)
    assert info.value.status == 400


@pytest.mark.parametrize("full", [False, True])
def test_forms(full: bool) -> None:
    assert check_read_only("ASK { ?s ?p ?o }", full=full).form == "ASK"
    assert check_read_only("CONSTRUCT WHERE { ?s ?p ?o }", full=full).form == "CONSTRUCT"
    assert check_read_only("DESCRIBE <http://example.org/a>", full=full).form == "DESCRIBE"
    assert check_read_only("PREFIX ask: <http://example.org/select#>\n# CONSTRUCT\n"
                           "SELECT ('DESCRIBE' AS ?x) WHERE { ?s ask:p ?o }", full=full).form == "SELECT"


RISKY = ["SERVICE", "FROM", "INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD",
         "WITH", "USING"]


@given(word=st.sampled_from(RISKY), case=st.lists(st.booleans(), min_size=7, max_size=7),
       where=st.sampled_from(["{w} ", "'{w}'", '"""{w}"""', "<http://x/{w}>", "# {w}\n", "?{w} ", "ex:{w} ",
                              "}}{w}<", "{w}{{"]))
def test_the_screen_never_clears_a_query_that_holds_a_risky_word(word: str, case: list[bool], where: str) -> None:
    """Whatever the case and wherever the word sits (code, string, IRI, comment), the
    full parse decides; only queries without any of these words skip it."""
    spelled = "".join(c.upper() if up else c.lower() for c, up in zip(word, case * 2, strict=False))
    query = "SELECT * WHERE { ?s ?p ?o " + where.format(w=spelled) + " }"
    assert screen(query) is None


@pytest.mark.parametrize("escaped", ["SERV\\u0049CE", "SERV\\U00000049CE", "\\u0053ERVICE"])
def test_an_escaped_keyword_takes_the_full_parse(escaped: str, listener: tuple[socket.socket, int]) -> None:
    sock, port = listener
    query = f"SELECT * WHERE {{ {escaped} <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}"
    assert screen(query) is None
    with pytest.raises((ForbiddenQueryError, QueryParseError)):
        run_guarded(RdflibStore.from_file(MINI), query, timeout_s=5)
    assert not _accepted(sock)


def test_screened_named_queries_keep_their_form() -> None:
    from vawg_kg.queries import catalog

    texts = [q.sparql for q in catalog.all() if q.sparql]
    assert texts
    for text in texts:
        screened = screen(text)
        if screened is not None:
            assert screened.form == check_read_only(text, full=True).form


def test_row_cap(store: object) -> None:
    with pytest.raises(ResultTooLargeError) as info:
        run_guarded(store, "SELECT * WHERE { ?s ?p ?o }", max_rows=10)
    assert info.value.status == 413
    assert len(run_guarded(store, "SELECT * WHERE { ?s ?p ?o } LIMIT 10", max_rows=10)) == 10


def test_timeout(store: object) -> None:
    started = time.monotonic()
    with pytest.raises(QueryTimeoutError) as info:
        run_guarded(store, RUNAWAY, timeout_s=1.0)
    assert info.value.status == 503
    assert time.monotonic() - started < 5


def test_the_disk_store_keeps_answering_after_a_killed_query(disk_store: OxigraphStore) -> None:
    with pytest.raises(QueryTimeoutError):
        run_guarded(disk_store, RUNAWAY, timeout_s=0.5)
    rows = run_guarded(disk_store, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").rows
    assert rows == [(len(rdflib.Graph().parse(MINI)),)]


def test_the_serving_store_refuses_writes_itself(disk_store: OxigraphStore) -> None:
    import pyoxigraph as ox

    with pytest.raises((OSError, RuntimeError), match="read-write|read.only"):
        disk_store.store.update("INSERT DATA { <http://example.org/a> <http://example.org/b> 1 }")
    assert disk_store.read_only and isinstance(disk_store.store, ox.Store)


def test_concurrent_parsing_gives_no_spurious_errors() -> None:
    """Regression: rdflib's SPARQL parser is not thread-safe; under concurrent API load
    valid queries came back as 400 "malformed". The guard serialises parsing."""
    import threading

    errors: list[str] = []

    def worker(n: int) -> None:
        for i in range(40):
            try:
                check_read_only("PREFIX v: <https://w3id.org/vawg-kg/ontology#> "
                                f"SELECT ?c WHERE {{ ?c v:ref ?r FILTER(?r = 'A{n}-{i}') }} LIMIT 5", full=True)
            except Exception as exc:  # noqa: BLE001 - any error is the failure
                errors.append(repr(exc))

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
