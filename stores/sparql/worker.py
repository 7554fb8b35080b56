"""The SPARQL worker: a child process that checks and runs one query at a time, confined.

Started by ``stores.sparql.pool`` as ``python -P -m vawg_kg.stores.sparql.worker
STORE_DIR FD MEMORY_BYTES`` (``-P``: the current directory cannot shadow the
installed package). Before it opens the store it gives up the network
(``stores.sparql.sandbox``) and caps its own heap, then says ``ready`` (or
``failed`` with the reason) over the socket pair ``FD``.

Each request (:class:`WorkRequest`) is checked by ``stores.sparql.guard`` here,
inside the worker, so a query that is slow to parse is bounded by the same
deadline (the pool kills the worker) and no parser lock is held in the API.
Answers are either cells (for the API's own named queries and the CLI) or a
finished document in the requested format, written under a byte cap.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import IO, Any, cast

import pyoxigraph as ox

from vawg_kg.errors import QueryParseError, ResultNotRepresentableError, ResultTooLargeError, StoreError, VawgError
from vawg_kg.stores.sparql import sandbox
from vawg_kg.stores.results import XML_FORBIDDEN, Cell, CappedBuffer, result_chunks, too_many_bytes
from vawg_kg.stores.sparql.guard import ParsedQuery, check_read_only, explain_syntax_error
from vawg_kg.stores.oxigraph import OxigraphStore, ox_cell
from vawg_kg.iris import PREFIXES

ROW_BATCH = 500
#: the RDF formats a CONSTRUCT or DESCRIBE answer can be written in, by the API's short names
GRAPH_FORMATS = {"turtle": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES, "json-ld": ox.RdfFormat.JSON_LD,
                 "xml": ox.RdfFormat.RDF_XML}


@dataclass(frozen=True)
class WorkRequest:
    query: str  # canonical text (sparql_guard.normalise)
    bindings: dict[str, Any] = field(default_factory=dict)
    max_rows: int = 10_000
    max_bytes: int = 8 * 1024 * 1024
    #: "cells" for rows of Cells, or "document" for a finished result document
    output: str = "cells"
    result_format: str | None = None  # json | xml | csv | tsv (SELECT, ASK)
    graph_format: str | None = None  # turtle | nt | json-ld | xml (CONSTRUCT, DESCRIBE)
    allowed_graphs: tuple[str, ...] = ()
    #: False only in the test that proves the kernel sandbox holds with the guard switched off
    guard: bool = True


def too_many_rows(max_rows: int) -> ResultTooLargeError:
    return ResultTooLargeError(
        f"the query returns more than {max_rows} rows; add LIMIT or narrow the query", max_rows=max_rows)


def _capped(rows: Iterator[Any], max_rows: int) -> Iterator[Any]:
    for count, row in enumerate(rows):
        if count >= max_rows:
            raise too_many_rows(max_rows)
        yield row


# RDF/XML writes a predicate as an element name: it needs a local name that is an XML name.
_NCNAME_TAIL = ("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_0123456789.-")


def _rdfxml_writable(triple: Any) -> Any:
    predicate = triple.predicate.value
    tail = len(predicate)
    while tail > 0 and (predicate[tail - 1] in _NCNAME_TAIL or ord(predicate[tail - 1]) > 0x7F):
        tail -= 1
    while tail < len(predicate) and not (predicate[tail].isalpha() or predicate[tail] == "_"):
        tail += 1
    if tail >= len(predicate):
        raise ResultNotRepresentableError(
            f"the predicate <{predicate[:200]}> has no local name RDF/XML can write as an element; ask for "
            "Turtle, N-Triples or JSON-LD", predicate=predicate[:200])
    for term in (triple.subject, triple.object):
        value = getattr(term, "value", "")
        if isinstance(value, str) and XML_FORBIDDEN.search(value):
            raise ResultNotRepresentableError(
                "a value holds a character XML 1.0 cannot carry; ask for Turtle, N-Triples or JSON-LD")
    return triple


def _document(store: OxigraphStore, request: WorkRequest) -> tuple[str, str, bytes]:
    result = store.raw(request.query, request.bindings)
    sink = CappedBuffer(request.max_bytes)
    if isinstance(result, ox.QueryTriples):
        form = "CONSTRUCT"
        if request.graph_format is None:
            raise ResultNotRepresentableError("this query returns a graph; ask for Turtle, N-Triples, JSON-LD or "
                                              "RDF/XML (Accept)", form=form)
        triples: Iterator[Any] = _capped(iter(result), request.max_rows)
        if request.graph_format == "xml":
            triples = (_rdfxml_writable(t) for t in triples)
        ox.serialize(triples, cast(IO[bytes], sink), GRAPH_FORMATS[request.graph_format], prefixes=PREFIXES)
        return form, request.graph_format, sink.getvalue()
    if request.result_format is None:
        raise ResultNotRepresentableError("this query returns results; ask for SPARQL JSON, XML, CSV or TSV "
                                          "(Accept)")
    if isinstance(result, ox.QueryBoolean):
        chunks = result_chunks(request.result_format, [], [], boolean=bool(result))
        form = "ASK"
    elif request.result_format == "json":
        # Oxigraph's own SPARQL JSON writer: no Python object per term. It cannot stop at the row
        # cap, so the rows are counted afterwards (the byte cap still stops it as it writes).
        result.serialize(cast(IO[bytes], sink), ox.QueryResultsFormat.JSON)
        if len(json.loads(sink.getvalue())["results"]["bindings"]) > request.max_rows:
            raise too_many_rows(request.max_rows)
        return "SELECT", "json", sink.getvalue()
    else:
        variables = [v.value for v in result.variables]
        rows = (tuple(ox_cell(s[i]) for i in range(len(variables))) for s in result)
        chunks = result_chunks(request.result_format, variables, _capped(rows, request.max_rows))
        form = "SELECT"
    for chunk in chunks:
        sink.write(chunk)
    return form, request.result_format, sink.getvalue()


def _cells(store: OxigraphStore, request: WorkRequest, conn: Connection) -> None:
    variables, rows = store.stream(request.query, request.bindings)
    conn.send(("vars", variables))
    batch: list[tuple[Cell | None, ...]] = []
    for row in _capped(rows, request.max_rows):
        batch.append(row)
        if len(batch) >= ROW_BATCH:
            conn.send(("rows", batch))
            batch = []
    conn.send(("rows", batch))
    conn.send(("done",))


def answer(store: OxigraphStore, request: WorkRequest, conn: Connection) -> None:
    """Check and run one request, sending its answer (or its error) over ``conn``."""
    try:
        parsed = (check_read_only(request.query, request.allowed_graphs) if request.guard
                  else ParsedQuery(request.query, "SELECT", None, parsed=True))
        try:
            if request.output == "document":
                conn.send(("document", *_document(store, request)))
            else:
                _cells(store, request, conn)
        except (QueryParseError, StoreError) as exc:
            if parsed.parsed:
                raise
            raise explain_syntax_error(request.query, exc) from exc
    except VawgError as exc:
        conn.send(("error", type(exc).__name__, exc.message, exc.details, exc.internal))
    except MemoryError:
        conn.send(("error", "ResultTooLargeError", "the query needed more memory than a query worker may use; "
                   "narrow it or add LIMIT", {}, None))
    except Exception as exc:  # the store's own failure: its text goes to the log, not to the client
        conn.send(("error", "StoreError", "the store failed to run the query", {}, f"{type(exc).__name__}: {exc}"))


def serve(store_dir: str, conn: Connection, memory_bytes: int) -> None:
    try:
        layers = sandbox.confine_network()
        if not sandbox.network_is_closed():
            raise sandbox.SandboxError("the SPARQL worker could still open an internet socket after confinement")
        sandbox.limit_memory(memory_bytes)
        store = OxigraphStore(ox.Store.read_only(store_dir), path=Path(store_dir), read_only=True)
    except VawgError as exc:
        conn.send(("failed", exc.message))
        return
    except Exception as exc:
        conn.send(("failed", f"{type(exc).__name__}: {exc}"))
        return
    conn.send(("ready", layers))
    while True:
        try:
            request = conn.recv()
        except EOFError:
            return
        if request is None:
            return
        answer(store, request, conn)


def main(argv: list[str]) -> None:
    logging.basicConfig(level=logging.WARNING)
    serve(argv[1], Connection(int(argv[2])), int(argv[3]))


if __name__ == "__main__":
    main(sys.argv)


__all__ = ["WorkRequest", "answer", "serve", "too_many_bytes"]
