"""Write the graph as Turtle, N-Triples and JSON-LD, byte-identical across runs."""

from __future__ import annotations

import json
from pathlib import Path

from rdflib import Graph

DUMPS = {"vawg-kg.ttl": "turtle", "vawg-kg.nt": "nt", "vawg-kg.jsonld": "json-ld"}


def write_dumps(graph: Graph, folder: Path) -> None:
    (folder / "vawg-kg.ttl").write_text(graph.serialize(format="turtle"), encoding="utf-8")
    # N-Triples has no order of its own: sort the lines so the bytes are stable.
    lines = sorted(set(graph.serialize(format="nt").splitlines()) - {""})
    (folder / "vawg-kg.nt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    context = {prefix: str(ns) for prefix, ns in graph.namespaces() if prefix}
    data = json.loads(graph.serialize(format="json-ld", context=context, auto_compact=True))
    nodes = data.get("@graph", [data])
    nodes.sort(key=lambda node: str(node.get("@id", "")))
    for node in nodes:
        for value in node.values():
            if isinstance(value, list):
                value.sort(key=lambda v: json.dumps(v, sort_keys=True))
    data["@graph"] = nodes
    (folder / "vawg-kg.jsonld").write_text(
        json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8"
    )
