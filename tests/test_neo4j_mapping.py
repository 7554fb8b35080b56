"""The streaming mapper gives the same property graph as the rdflib mapper it replaced.

``reference_plan`` below is the previous ``_Mapper`` of ``stores/neo4j/load.py`` (commit
86c787b), kept as the oracle: it walks a whole rdflib graph. The loader now reads the
N-Triples file in one pass (``plan_graph(path)``) or an rdflib graph through the same pass
(``plan_graph(graph)``); both must give the oracle's nodes (key, labels, every property
value and its Python type), relationships and unmapped counts — on the real build and on
the hand-written graph of ``test_neo4j_load.py``. No server is needed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter, defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from rdflib import RDF, BNode, Graph, Literal, Namespace, URIRef
from rdflib.term import Node

from tests.test_neo4j_load import small_graph
from vawg_kg.errors import StoreError
from vawg_kg.stores.neo4j import load as neo4j_load
from vawg_kg.stores.neo4j.load import RESOURCE, RawLiteral
from vawg_kg.ontology.model import OntologyModel, OntProperty, load_model

OA = Namespace("http://www.w3.org/ns/oa#")
TIME = Namespace("http://www.w3.org/2006/time#")


# --- the oracle: the rdflib mapper as it was -------------------------------------------

def _value(lit: Literal) -> Any:
    value = lit.toPython()
    if isinstance(value, bool | int | float | str | dt.datetime | dt.date):
        return value
    if isinstance(value, Decimal):
        return float(value)
    return str(lit)


def _literal_of(g: Graph, subject: Node, predicate: URIRef) -> Any:
    value = g.value(subject, predicate)
    return _value(value) if isinstance(value, Literal) else None


def _bnode_key(g: Graph, node: BNode, seen: frozenset[Node] = frozenset()) -> str:
    parts = []
    for p, o in g.predicate_objects(node):
        o_text = ("[cycle]" if o in seen else _bnode_key(g, o, seen | {node})) if isinstance(o, BNode) else o.n3()
        parts.append(f"{p.n3()} {o_text}")
    return "_:" + hashlib.sha1("\n".join(sorted(parts)).encode()).hexdigest()[:20]


def _as_list(values: list[Any]) -> list[Any]:
    if len({type(v) for v in values}) > 1:
        values = [str(v) for v in values]
    if {type(v) for v in values} <= {bool, int, float, str, dt.date, dt.datetime}:
        return sorted(values)
    return values


def reference_plan(g: Graph, model: OntologyModel) -> tuple[list[Any], list[Any], dict[str, int]]:
    props_of: dict[Node, OntProperty | None] = {p: model.property_for(str(p)) for p in set(g.predicates())}
    keys: dict[Node, str] = {}

    def key(node: Node) -> str:
        if node not in keys:
            keys[node] = _bnode_key(g, node) if isinstance(node, BNode) else str(node)
        return keys[node]

    def is_rel(p: Node) -> bool:
        prop = props_of.get(p)
        return prop is not None and prop.is_relationship

    anchored: set[Node] = set()
    for s, p, o in g:
        if is_rel(p):
            anchored.update((s, o))
        elif p == RDF.type and model.class_for(str(o)) is not None:
            anchored.add(s)
    queue = [o for s, p, o in g if (prop := props_of.get(p)) is not None and prop.kind == "object"
             and not prop.is_relationship and not isinstance(o, Literal) and o not in anchored]
    folded: set[Node] = set()
    while queue:
        node = queue.pop()
        if node not in folded:
            folded.add(node)
            queue.extend(o for p, o in g.predicate_objects(node)
                         if p != RDF.type and not isinstance(o, Literal) and o not in anchored)

    def fold(prop: OntProperty, value: Node) -> dict[str, Any]:
        if prop.local_name == "hasSourceSpan":
            out: dict[str, Any] = {}
            doc = g.value(value, OA.hasSource)
            source_file = g.value(doc, URIRef(model.term("sourceFile"))) if doc is not None else None
            if source_file is not None:
                out["sourceFile"] = str(source_file)
            for sel in g.objects(value, OA.hasSelector):
                if (sel, RDF.type, OA.TextPositionSelector) in g:
                    out["sourceStart"] = _literal_of(g, sel, OA.start)
                    out["sourceEnd"] = _literal_of(g, sel, OA.end)
            fragments = sorted((int(str(g.value(f, OA.start))), int(str(g.value(f, OA.end))))
                               for f in g.objects(value, URIRef(model.term("hasFragment"))))
            if fragments:
                out["sourceFragmentStarts"] = [a for a, _ in fragments]
                out["sourceFragmentEnds"] = [b for _, b in fragments]
            pages = sorted(int(str(p)) for p in g.objects(value, URIRef(model.term("onPage"))))
            if pages:
                out["sourcePages"] = pages
            return out
        if prop.local_name == "deadlinePeriod":
            out = {}
            for time_prop, name in ((TIME.hasBeginning, "deadlinePeriodStart"), (TIME.hasEnd, "deadlinePeriodEnd")):
                instant = g.value(value, time_prop)
                day = g.value(instant, TIME.inXSDDate) if instant is not None else None
                if isinstance(day, Literal):
                    out[name] = _value(day)
            return out
        return {prop.local_name: key(value)}

    subjects = {s for s in g.subjects() if s not in folded}
    rel_objects = {o for s, p, o in g if is_rel(p)}
    values: dict[Node, dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))
    types: dict[Node, list[str]] = defaultdict(list)
    rels: list[tuple[str, str, str]] = []
    unmapped: Counter[str] = Counter()
    for s, p, o in g:
        if s in folded:
            continue
        if p == RDF.type:
            types[s].append(str(o))
            continue
        prop = props_of[p]
        if prop is None:
            unmapped[g.namespace_manager.normalizeUri(str(p))] += 1
        elif prop.is_relationship and not isinstance(o, Literal):
            rels.append((prop.neo4j_rel_type or prop.local_name, key(s), key(o)))
        elif prop.kind == "object" and not isinstance(o, Literal):
            for k, val in fold(prop, o).items():
                values[s][k].extend(val if isinstance(val, list) else [val])
        elif isinstance(o, Literal):
            values[s][prop.neo4j_key or prop.local_name].append(_value(o))
        else:
            unmapped[g.namespace_manager.normalizeUri(str(p))] += 1
    multi = {k for per in values.values() for k, vs in per.items() if len(vs) > 1}
    multi |= {"sourceFragmentStarts", "sourceFragmentEnds", "sourcePages"}
    nodes = []
    for node in sorted(subjects | rel_objects, key=key):
        props = {k: _as_list(vs) if k in multi else vs[0] for k, vs in values.get(node, {}).items()}
        props["iri"] = key(node)
        labels = (RESOURCE, *[lab for lab in model.labels_for(sorted(types.get(node, []))) if lab != RESOURCE])
        nodes.append((key(node), labels, _typed(props)))
    return nodes, sorted(rels), dict(unmapped)


# --- comparing ------------------------------------------------------------------------

def _typed(props: dict[str, Any]) -> dict[str, Any]:
    """Every value with its type, so 1 and True and 1.0 differ."""
    return {k: [(type(x).__name__, x) for x in v] if isinstance(v, list) else (type(v).__name__, v)
            for k, v in props.items()}


def plan_of(source: Graph | Path, model: OntologyModel) -> tuple[list[Any], list[Any], dict[str, int]]:
    plan = neo4j_load.plan_graph(source, model)
    return ([(n.iri, n.labels, _typed(n.props)) for n in plan.nodes],
            [tuple(r) for r in plan.rels], dict(plan.unmapped))


def assert_same_plan(want: tuple[list[Any], list[Any], dict[str, int]],
                     got: tuple[list[Any], list[Any], dict[str, int]]) -> None:
    assert [n[0] for n in got[0]] == [n[0] for n in want[0]]  # the same nodes, in key order
    for mine, theirs in zip(got[0], want[0]):
        assert mine == theirs
    assert got[1] == want[1]
    assert got[2] == want[2]


@pytest.mark.parametrize("name", ["vawg-kg.nt", "vawg-kg.ttl"])
def test_real_build_file_gives_the_previous_plan(build_dir: Path, name: str) -> None:
    model = load_model()
    g = Graph().parse(build_dir / name, format="nt" if name.endswith(".nt") else "turtle")
    want = reference_plan(g, model)
    assert len(want[0]) > 1000 and len(want[1]) > 5000
    assert_same_plan(want, plan_of(build_dir / name, model))
    assert_same_plan(want, plan_of(g, model))


def test_hand_written_graph_gives_the_previous_plan(tmp_path: Path) -> None:
    """Spans with fragments, periods, language tags, lists of labels, an unmapped predicate."""
    model = load_model()
    g = small_graph()
    path = tmp_path / "small.nt"
    g.serialize(path, format="nt", encoding="utf-8")
    want = reference_plan(g, model)
    assert_same_plan(want, plan_of(g, model))
    assert_same_plan(want, plan_of(path, model))


def test_blank_nodes_get_the_same_content_keys(tmp_path: Path) -> None:
    model = load_model()
    vawg = Namespace("https://w3id.org/vawg-kg/ontology#")
    g = small_graph(2)
    org = BNode()
    g.add((URIRef("https://w3id.org/vawg-kg/id/commitment/hmg-vawg-strategy-2016/A1"), vawg.hasPartner, org))
    g.add((org, RDF.type, vawg.Organisation))
    g.add((org, URIRef("http://www.w3.org/2004/02/skos/core#prefLabel"), Literal("A body", lang="en")))
    path = tmp_path / "blank.nt"
    g.serialize(path, format="nt", encoding="utf-8")
    want = reference_plan(g, model)
    assert any(n[0].startswith("_:") for n in want[0])
    assert_same_plan(want, plan_of(path, model))


def test_plain_n_triples_lines_split_as_oxigraph_parses_them(tmp_path: Path) -> None:
    """Escapes, language tags, datatypes and blank nodes by the fast path; odd spacing,
    comments and a missing final newline through Oxigraph's parser; a repeated line once."""
    lines = [
        '<http://e/s> <http://e/p> "a \\"quoted\\" \\\\ line\\nbreak \\u00e9\\U0001F600" .\n',
        '<http://e/s> <http://e/p> "Plain"@EN-gb .\n',
        '<http://e/s> <http://e/p> "Plain"@EN-gb .\n',
        '<http://e/s> <http://e/p> "7"^^<http://www.w3.org/2001/XMLSchema#integer> .\n',
        '_:b1 <http://e/p> _:b2 .\n',
        '<http://e/s>\t<http://e/p>   <http://e/o> . # a comment\n',
        '# only a comment\n',
        '\n',
        '<http://e/s> <http://e/q> "last line, no newline" .',
    ]
    path = tmp_path / "odd.nt"
    path.write_text("".join(lines), encoding="utf-8")
    got = list(neo4j_load.file_triples(path))
    assert got == [
        ("http://e/s", "http://e/p", RawLiteral('a "quoted" \\ line\nbreak \u00e9\U0001F600',
                                                "http://www.w3.org/2001/XMLSchema#string")),
        ("http://e/s", "http://e/p", RawLiteral("Plain", str(RDF.langString), "en-gb")),
        ("http://e/s", "http://e/p", RawLiteral("7", "http://www.w3.org/2001/XMLSchema#integer")),
        ("_:b1", "http://e/p", "_:b2"),
        ("http://e/s", "http://e/p", "http://e/o"),
        ("http://e/s", "http://e/q", RawLiteral("last line, no newline", "http://www.w3.org/2001/XMLSchema#string")),
    ]


def test_a_bad_line_names_the_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.nt"
    path.write_text('<http://e/s> <http://e/p> "ok" .\n<http://e/s> <http://e/p> "unterminated .\n', encoding="utf-8")
    with pytest.raises(StoreError, match=r"bad\.nt, line 2: not N-Triples"):
        list(neo4j_load.file_triples(path))
