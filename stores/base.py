"""The stores' common interface: how a query's parameters are bound and what a store answers.

Parameters are always passed as bindings — pyoxigraph ``substitutions``
(SEP-0007) or rdflib ``initBindings``, Neo4j query parameters — never pasted
into the query text. Wrap a string in :class:`IRI` to bind it as an IRI;
a plain ``str`` is bound as an ``xsd:string`` literal.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Protocol, runtime_checkable

from vawg_kg.stores.results import XSD, Cell, QueryResult

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


def rows_of(store: GraphStore, query: str, bindings: Bindings | None) -> QueryResult:
    variables, rows = store.stream(query, bindings)
    return QueryResult(variables, list(rows))


def bool_cell(value: bool) -> Cell:
    return Cell("literal", "true" if value else "false", f"{XSD}boolean")
