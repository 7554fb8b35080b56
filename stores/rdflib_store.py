"""rdflib's in-memory graph and SPARQL engine over the same N-Triples, for parity tests and benchmarks."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pyparsing import ParseException
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import XSD as RXSD

from vawg_kg.errors import QueryParseError, StoreError
from vawg_kg.stores.base import NT_FILE, IRI, Binding, Bindings, CellRow, bool_cell, rows_of
from vawg_kg.stores.results import XSD, Cell, QueryResult

def _rdflib_term(value: Binding) -> Any:
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
            if isinstance(exc, ParseException):
                raise QueryParseError(f"SPARQL syntax error at line {exc.lineno}, column {exc.col}: {exc.msg}",
                                      line=exc.lineno, column=exc.col) from exc
            raise StoreError(f"rdflib query error: {exc}") from exc
        if result.type == "ASK":
            return ["ask"], iter([(bool_cell(bool(result.askAnswer)),)])
        if result.type == "SELECT":
            variables = [str(v) for v in result.vars]
            return variables, (tuple(_rdflib_cell(t) for t in row) for row in result)
        return ["subject", "predicate", "object"], (tuple(_rdflib_cell(t) for t in triple) for triple in result)

    def select(self, query: str, bindings: Bindings | None = None) -> QueryResult:
        return rows_of(self, query, bindings)
