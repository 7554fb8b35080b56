"""Write the graph as Turtle, N-Triples and JSON-LD, byte-identical across runs.

Serialisation goes through pyoxigraph (Rust): about fifty times faster than
rdflib's writers on this graph (0.05 s against 2.6 s for Turtle), and with
the triples sorted first its output is stable byte for byte.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph

DUMPS = {
    "vawg-kg.ttl": ox.RdfFormat.TURTLE,
    "vawg-kg.nt": ox.RdfFormat.N_TRIPLES,
    "vawg-kg.jsonld": ox.RdfFormat.JSON_LD,
}


# The prefixes the dumps declare (rdflib binds dozens more by default).
PREFIXES = frozenset({"vawg", "id", "oa", "org", "skos", "prov", "dcterms", "time", "rdf", "rdfs", "xsd", "owl"})


def to_oxigraph_triples(graph: Graph) -> list[ox.Triple]:
    data = graph.serialize(format="nt", encoding="utf-8")
    triples = list(ox.parse(data, format=ox.RdfFormat.N_TRIPLES))
    triples.sort(key=str)
    return triples


def write_dumps(graph: Graph, folder: Path) -> None:
    triples = to_oxigraph_triples(graph)
    prefixes = {prefix: str(ns) for prefix, ns in sorted(graph.namespaces()) if prefix in PREFIXES}
    for name, fmt in DUMPS.items():
        kwargs = {"prefixes": prefixes} if fmt is not ox.RdfFormat.N_TRIPLES else {}
        ox.serialize(triples, output=folder / name, format=fmt, **kwargs)
