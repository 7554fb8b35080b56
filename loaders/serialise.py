"""Write the graph as Turtle, N-Triples and JSON-LD, byte-identical across runs.

The build writes each document's triples (and the corpus-wide ones) as a *part*:
N-Triples lines, sorted. The dumps are assembled from the parts by a streaming
merge, so no process ever holds the whole graph: ``vawg-kg.nt`` is the merged
lines (duplicates dropped), and Turtle and JSON-LD are written by pyoxigraph
(Rust) from that file in the same order. Sorting N-Triples lines is sorting the
triples by their N-Triples text, so the dumps are the same bytes however the
triples were split into parts.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Iterator
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal
from rdflib.term import Node

NT_DUMP = "vawg-kg.nt"
DUMPS = {
    "vawg-kg.ttl": ox.RdfFormat.TURTLE,
    "vawg-kg.jsonld": ox.RdfFormat.JSON_LD,
}


# The prefixes the dumps declare (rdflib binds dozens more by default).
PREFIXES = frozenset({"vawg", "id", "oa", "org", "skos", "prov", "dcterms", "time", "rdf", "rdfs", "xsd", "owl"})


class OxigraphTerms:
    """rdflib terms → Oxigraph terms, each IRI converted once (keyed by plain str: rdflib's
    term hashing is Python code). Five times faster than writing N-Triples with rdflib and
    parsing them back, and the same triples."""

    def __init__(self) -> None:
        self._iris: dict[str, ox.NamedNode] = {}

    def iri(self, term: Node) -> ox.NamedNode:
        key = str(term)
        made = self._iris.get(key)
        if made is None:
            made = self._iris[key] = ox.NamedNode(key)
        return made

    def node(self, term: Node) -> ox.NamedNode | ox.BlankNode:
        return ox.BlankNode(str(term)) if isinstance(term, BNode) else self.iri(term)

    def literal(self, term: Literal) -> ox.Literal:
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=self.iri(term.datatype))
        return ox.Literal(str(term))

    def triple(self, s: Node, p: Node, o: Node) -> ox.Triple:
        return ox.Triple(self.node(s), self.iri(p), self.literal(o) if isinstance(o, Literal) else self.node(o))

    def line(self, s: Node, p: Node, o: Node) -> str:
        """The triple as an N-Triples line, as pyoxigraph writes it."""
        return f"{self.triple(s, p, o)} .\n"


def to_oxigraph_triples(graph: Graph) -> list[ox.Triple]:
    """The graph's triples as Oxigraph terms (unsorted)."""
    terms = OxigraphTerms()
    return [terms.triple(s, p, o) for s, p, o in graph]


def sorted_lines(graph: Graph) -> list[str]:
    """The graph as N-Triples lines (each ending in a newline), sorted and without duplicates."""
    return sorted({f"{t} .\n" for t in to_oxigraph_triples(graph)})


def write_part(lines: Iterable[str], path: Path) -> None:
    with open(path, "w", encoding="utf-8", newline="\n") as out:
        out.writelines(lines)


def _lines(path: Path) -> Iterator[str]:
    with open(path, encoding="utf-8", newline="\n") as part:
        yield from part


def merge_parts(parts: Iterable[Path], out: Path) -> int:
    """Merge sorted N-Triples parts into one sorted file without duplicates; the number of triples.
    Streaming: one line of each part in memory at a time."""
    count = 0
    last = None
    with open(out, "w", encoding="utf-8", newline="\n") as nt:
        for line in heapq.merge(*(_lines(p) for p in parts)):
            if line != last:
                nt.write(line)
                count += 1
                last = line
    return count


def prefixes_of(graph: Graph) -> dict[str, str]:
    return {prefix: str(ns) for prefix, ns in sorted(graph.namespaces()) if prefix in PREFIXES}


def write_dumps_from_nt(folder: Path, prefixes: dict[str, str]) -> None:
    """Turtle and JSON-LD beside ``folder/vawg-kg.nt``, streamed from it in its order."""
    for name, fmt in DUMPS.items():
        ox.serialize(ox.parse(path=folder / NT_DUMP, format=ox.RdfFormat.N_TRIPLES), output=folder / name,
                     format=fmt, prefixes=prefixes)


def write_dumps(graph: Graph, folder: Path) -> None:
    """A whole in-memory graph's dumps (small graphs: tests, exports)."""
    write_part(sorted_lines(graph), folder / NT_DUMP)
    write_dumps_from_nt(folder, prefixes_of(graph))
