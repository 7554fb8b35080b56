"""The graph stores behind one small interface.

* :class:`OxigraphStore` — the embedded SPARQL store (pyoxigraph/RocksDB),
  persistent under ``BUILD_DIR/oxigraph``, opened read-only for serving;
* :class:`RdflibStore` — rdflib's in-memory graph and SPARQL engine over the
  same N-Triples, for parity tests and benchmarks;
* :class:`Neo4jStore` — Cypher against Neo4j, read transactions only.

Parameters are always passed as bindings — pyoxigraph ``substitutions``
(SEP-0007) or rdflib ``initBindings``, Neo4j query parameters — never pasted
into the query text. Wrap a string in :class:`IRI` to bind it as an IRI;
a plain ``str`` is bound as an ``xsd:string`` literal.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from vawg_kg.errors import BadRequestError, StoreError, StoreUnavailableError
from vawg_kg.loaders.neo4j_server import DEFAULT_DATABASE, ConnectionSettings, connection_settings
from vawg_kg.queries.results import XSD, Cell, QueryResult

NT_FILE = "vawg-kg.nt"
OXIGRAPH_DIR = "oxigraph"
STAMP_FILE = "loaded-from.json"


class IRI(str):
    """A binding value meant as an IRI, not a string literal."""


Binding = str | int | float | bool | IRI
Bindings = Mapping[str, Binding]
CellRow = tuple[Cell | None, ...]


@runtime_checkable
class GraphStore(Protocol):
    """A SPARQL-capable store."""

    name: str

    def select(self, query: str, bindings: Bindings | None = None) -> QueryResult:
        """Run a query and return every row (use ``run_guarded`` for untrusted queries)."""

    def stream(self, query: str, bindings: Bindings | None = None) -> tuple[list[str], Iterator[CellRow]]:
        """Variables and a lazy row iterator, so callers can stop early.

        ASK gives one row with variable ``ask``; CONSTRUCT/DESCRIBE give rows
        ``subject predicate object``.
        """


def _rows(store: GraphStore, query: str, bindings: Bindings | None) -> QueryResult:
    variables, rows = store.stream(query, bindings)
    return QueryResult(variables, list(rows))


def _bool_cell(value: bool) -> Cell:
    return Cell("literal", "true" if value else "false", f"{XSD}boolean")


# --- Oxigraph ------------------------------------------------------------------------

def _ox_term(value: Binding) -> Any:
    import pyoxigraph as ox

    if isinstance(value, IRI):
        try:
            return ox.NamedNode(str(value))
        except ValueError as exc:
            raise BadRequestError(f"not a valid IRI: {str(value)!r} ({exc})") from exc
    if isinstance(value, bool):
        return ox.Literal("true" if value else "false", datatype=ox.NamedNode(f"{XSD}boolean"))
    if isinstance(value, int):
        return ox.Literal(str(value), datatype=ox.NamedNode(f"{XSD}integer"))
    if isinstance(value, float):
        return ox.Literal(repr(value), datatype=ox.NamedNode(f"{XSD}decimal"))
    return ox.Literal(str(value))


def ox_cell(term: Any) -> Cell | None:
    import pyoxigraph as ox

    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return Cell("uri", term.value)
    if isinstance(term, ox.BlankNode):
        return Cell("bnode", term.value)
    if isinstance(term, ox.Literal):
        return Cell("literal", term.value, term.datatype.value, term.language)
    if isinstance(term, ox.Triple):  # an RDF 1.2 triple term (the graph has none; a query can make one)
        parts = (ox_cell(term.subject), ox_cell(term.predicate), ox_cell(term.object))
        cell_parts = (parts[0], parts[1], parts[2]) if None not in parts else None
        return Cell("triple", str(term), parts=cell_parts)  # type: ignore[arg-type]
    return Cell("literal", str(term))


def _file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


class OxigraphStore:
    name = "oxigraph"

    def __init__(self, store: Any, path: Path | None = None, read_only: bool = False) -> None:
        self.store = store
        self.path = path  # the RocksDB folder, when on disk (lets run_guarded use a worker process)
        self.read_only = read_only

    # construction -------------------------------------------------------------
    @staticmethod
    def store_dir(build_dir: Path) -> Path:
        return Path(build_dir) / OXIGRAPH_DIR

    @classmethod
    def load(cls, build_dir: Path) -> Path:
        """Bulk-load ``build_dir/vawg-kg.nt`` into a fresh folder and swap it in atomically.

        Usable as a build store hook (``hook(staged_build_dir)``). Readers that
        opened the previous folder keep it until they reopen.
        """
        import pyoxigraph as ox

        from vawg_kg.loaders import swap

        build_dir = Path(build_dir)
        nt = build_dir / NT_FILE
        if not nt.is_file():
            raise StoreError(f"{nt} does not exist; run `vawg-kg build --out {build_dir}` first")
        target = cls.store_dir(build_dir)
        swap.recover(target)
        staged = swap.staging_dir(target)
        try:
            store = ox.Store(str(staged))
            store.bulk_load(path=str(nt), format=ox.RdfFormat.N_TRIPLES)
            store.optimize()
            store.flush()
            del store  # release the RocksDB lock before the folder moves
            (staged / STAMP_FILE).write_text(json.dumps({"file": NT_FILE, "sha256": _file_digest(nt)}))
            swap.swap_in(staged, target)
        except Exception:
            import shutil

            shutil.rmtree(staged, ignore_errors=True)
            raise
        return target

    @classmethod
    def is_current(cls, build_dir: Path) -> bool:
        """True when the store folder exists and was loaded from the present N-Triples."""
        stamp = cls.store_dir(build_dir) / STAMP_FILE
        nt = Path(build_dir) / NT_FILE
        if not stamp.is_file() or not nt.is_file():
            return False
        try:
            return bool(json.loads(stamp.read_text()).get("sha256") == _file_digest(nt))
        except (OSError, ValueError):
            return False

    @classmethod
    def is_loaded(cls, build_dir: Path) -> bool:
        return (cls.store_dir(build_dir) / STAMP_FILE).is_file()

    @classmethod
    def open_read_only(cls, build_dir: Path) -> OxigraphStore:
        """Open the persisted store for serving; a write through it fails in RocksDB itself."""
        import pyoxigraph as ox

        path = cls.store_dir(build_dir)
        if not (path / STAMP_FILE).is_file():
            raise StoreUnavailableError(
                f"no Oxigraph store in {path}; run `vawg-kg build --out {build_dir}` "
                "(or `vawg-kg query` which loads it from the build output)")
        try:
            return cls(ox.Store.read_only(str(path)), path=path, read_only=True)
        except OSError as exc:
            raise StoreUnavailableError(f"cannot open the Oxigraph store in {path}: {exc}") from exc

    @classmethod
    def ensure(cls, build_dir: Path) -> OxigraphStore:
        """Open read-only, loading from the build output first when absent or stale."""
        if not cls.is_current(build_dir):
            cls.load(build_dir)
        return cls.open_read_only(build_dir)

    @classmethod
    def in_memory(cls, rdf_file: Path) -> OxigraphStore:
        import pyoxigraph as ox

        store = ox.Store()
        store.load(path=str(rdf_file))
        return cls(store)

    # queries ------------------------------------------------------------------
    def raw(self, query: str, bindings: Bindings | None = None) -> Any:
        """pyoxigraph's own result object (solutions, boolean or triples), errors as project errors."""
        import pyoxigraph as ox

        subs = {ox.Variable(k): _ox_term(v) for k, v in (bindings or {}).items()}
        try:
            return self.store.query(query, substitutions=subs or None)
        except SyntaxError as exc:
            from vawg_kg.errors import QueryParseError

            raise QueryParseError(f"SPARQL syntax error: {str(exc)[:500]}") from exc
        except OSError as exc:
            raise StoreError("the Oxigraph store could not be read", internal=str(exc)) from exc
        except RuntimeError as exc:
            # SEP-0007: a substituted variable must be in the SELECT projection
            raise BadRequestError(f"cannot bind the parameters: {str(exc)[:300]}") from exc

    def stream(self, query: str, bindings: Bindings | None = None) -> tuple[list[str], Iterator[CellRow]]:
        import pyoxigraph as ox

        result = self.raw(query, bindings)
        if isinstance(result, ox.QueryBoolean):
            return ["ask"], iter([(_bool_cell(bool(result)),)])
        if isinstance(result, ox.QuerySolutions):
            variables = [v.value for v in result.variables]
            return variables, (tuple(ox_cell(s[i]) for i in range(len(variables))) for s in result)
        return ["subject", "predicate", "object"], (
            (ox_cell(t.subject), ox_cell(t.predicate), ox_cell(t.object)) for t in result)

    def select(self, query: str, bindings: Bindings | None = None) -> QueryResult:
        return _rows(self, query, bindings)


# --- rdflib ------------------------------------------------------------------------

def _rdflib_term(value: Binding) -> Any:
    from rdflib import Literal, URIRef
    from rdflib.namespace import XSD as RXSD

    if isinstance(value, IRI):
        return URIRef(str(value))
    if isinstance(value, bool):
        return Literal(value)
    if isinstance(value, int):
        return Literal(value, datatype=RXSD.integer)
    if isinstance(value, float):
        return Literal(repr(value), datatype=RXSD.decimal)
    return Literal(str(value))


def _rdflib_cell(term: Any) -> Cell | None:
    from rdflib import BNode, Literal, URIRef

    if term is None:
        return None
    if isinstance(term, URIRef):
        return Cell("uri", str(term))
    if isinstance(term, BNode):
        return Cell("bnode", str(term))
    if isinstance(term, Literal):
        datatype = str(term.datatype) if term.datatype else (
            None if term.language else f"{XSD}string")
        if term.language:
            datatype = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
        return Cell("literal", str(term), datatype, term.language)
    return Cell("literal", str(term))


class RdflibStore:
    name = "rdflib"

    def __init__(self, graph: Any) -> None:
        self.graph = graph

    @classmethod
    def from_file(cls, rdf_file: Path) -> RdflibStore:
        from rdflib import Graph

        graph = Graph()
        graph.parse(str(rdf_file))
        return cls(graph)

    @classmethod
    def from_build(cls, build_dir: Path) -> RdflibStore:
        return cls.from_file(Path(build_dir) / NT_FILE)

    def stream(self, query: str, bindings: Bindings | None = None) -> tuple[list[str], Iterator[CellRow]]:
        init = {k: _rdflib_term(v) for k, v in (bindings or {}).items()}
        try:
            result = self.graph.query(query, initBindings=init)
        except Exception as exc:  # pyparsing.ParseException and rdflib's own errors
            from pyparsing import ParseException

            from vawg_kg.errors import QueryParseError

            if isinstance(exc, ParseException):
                raise QueryParseError(f"SPARQL syntax error at line {exc.lineno}, column {exc.col}: {exc.msg}",
                                      line=exc.lineno, column=exc.col) from exc
            raise StoreError(f"rdflib query error: {exc}") from exc
        if result.type == "ASK":
            return ["ask"], iter([(_bool_cell(bool(result.askAnswer)),)])
        if result.type == "SELECT":
            variables = [str(v) for v in result.vars]
            return variables, (tuple(_rdflib_cell(t) for t in row) for row in result)
        return ["subject", "predicate", "object"], (tuple(_rdflib_cell(t) for t in triple) for triple in result)

    def select(self, query: str, bindings: Bindings | None = None) -> QueryResult:
        return _rows(self, query, bindings)


# --- Neo4j -------------------------------------------------------------------------

class Neo4jStore:
    """Cypher on Neo4j through the one executor (``queries/cypher_exec.py``) that ``POST /cypher`` uses.

    Every query gets the same checks as the API's (text, then the ``EXPLAIN`` plan against a read-only
    allow-list), runs in a read transaction with a deadline and a row cap (and a byte cap when asked),
    and comes back as a :class:`QueryResult` of plain values (nodes by their IRI, dates as ISO strings).
    """

    name = "neo4j"

    def __init__(self, uri: str, user: str, password: str, database: str | None = None) -> None:
        # Imported here, like pyoxigraph and rdflib above: the SPARQL worker processes import this
        # module, and the Neo4j driver would add a third of a second and its memory to each of them.
        from vawg_kg.queries.cypher_exec import CypherExecutor

        self.uri = uri
        self.database = database or DEFAULT_DATABASE
        self.executor = CypherExecutor(ConnectionSettings(uri, user, password, self.database))

    @classmethod
    def from_settings(cls) -> Neo4jStore:
        """Connect with the project's Neo4j settings (``vawg-kg neo4j start`` writes them)."""
        settings = connection_settings()
        return cls(settings.uri, settings.user, settings.password, settings.database)

    def close(self) -> None:
        self.executor.close()

    def __enter__(self) -> Neo4jStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def run(self, cypher: str, params: Mapping[str, Any] | None = None, timeout_s: float = 30.0,
            max_rows: int = 100_000, max_bytes: int | None = None) -> QueryResult:
        from vawg_kg.queries.cypher_exec import CypherLimits, graph_value

        answer = self.executor.run(cypher, params, CypherLimits(timeout_s, max_rows, max_bytes), convert=graph_value)
        return QueryResult(answer.columns, plain=[tuple(row) for row in answer.rows])


def default_sparql_store(build_dir: Path | None = None) -> OxigraphStore:
    from vawg_kg.paths import default_build_dir

    return OxigraphStore.ensure(Path(build_dir) if build_dir else default_build_dir())


__all__ = ["IRI", "Binding", "Bindings", "GraphStore", "OxigraphStore", "RdflibStore", "Neo4jStore",
           "QueryResult", "Cell", "default_sparql_store", "NT_FILE", "OXIGRAPH_DIR"]

