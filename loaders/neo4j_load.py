"""The built RDF graph → Neo4j, with every name taken from the ontology model.

Mapping (``vawg_kg.ontology.model`` decides every name; nothing is listed here):

* **Nodes**: every resource that is a subject, or the object of a
  relationship property, except the resources *folded* into their parent
  (below). Labels: ``Resource`` plus ``model.labels_for(rdf:type)`` (class
  local name and its vawg ancestors). Key: ``iri``. A blank node that is a
  node gets ``iri = "_:" + sha1 of its triples`` (stable across loads);
  the build emits none today.
* **Relationships**: a triple whose predicate has ``is_relationship`` becomes
  ``(s)-[:neo4j_rel_type]->(o)``; one per triple, so counts per type equal the
  RDF counts per property.
* **Properties**: a literal of a datatype property or of a reused property
  with a ``vawg:neo4jKey`` goes to ``neo4j_key``. A key with more than one
  value on any node is a list on every node (Neo4j lists; values sorted).
  ``xsd:date`` → Date, integers → Integer, decimals → Float, booleans → Boolean.
* **Folded** (object properties with ``vawg:neo4jRelationship false``): the
  value and what hangs from it are not nodes. ``hasSourceSpan`` becomes
  ``sourceFile``/``sourceStart``/``sourceEnd`` (+ ``sourceFragmentStarts``/
  ``sourceFragmentEnds`` for an interrupted span) on the statement, as the
  ontology's comment on it says; ``deadlinePeriod`` becomes
  ``deadlinePeriodStart``/``deadlinePeriodEnd``; any other folded property
  keeps the value's IRI under its local name.
* Predicates the ontology does not declare (``org:…``, ``skos:inScheme``…)
  are not loaded; :class:`LoadResult` counts them (``unmapped``) so a gap shows.

Failure: constraints and indexes are created first (schema changes cannot
share a transaction with writes); then one write transaction deletes every
``:Resource`` node and creates the new graph. Any failure — a bad value, a
dropped connection, the server killed — rolls it back, so the previous graph
stays queryable; a load twice gives the same counts. At this size (tens of
thousands of nodes) one transaction fits easily in a 1 GiB heap. For a graph
too large for one transaction, the design is a build-tagged swap: write the
new graph in batches of small transactions with a ``build`` property (and a
``:Staging`` label) next to the old one, then in one small transaction move
the ``Current`` marker (a ``(:LoadedBuild {current: true})`` node that
readers join on, or relabel), and only then delete the old build in batches;
readers filter on the current build id throughout.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from rdflib import RDF, BNode, Graph, Literal, Namespace, URIRef
from rdflib.term import Node

from vawg_kg.errors import NotFoundError, StoreError, StoreUnavailableError
from vawg_kg.ontology.model import OntologyModel, OntProperty, load_model

OA = Namespace("http://www.w3.org/ns/oa#")
TIME = Namespace("http://www.w3.org/2006/time#")
RESOURCE = "Resource"
BATCH = 1000
DELETE_BATCH = 10_000
LOAD_TX_TIMEOUT_S = 600.0
INDEXED_KEYS = ("ref", "docId")
GRAPH_FILES = ("vawg-kg.nt", "vawg-kg.ttl")

Progress = Callable[[str, int, int], None]  # (stage, done, total)


@dataclass
class NodeRow:
    iri: str
    labels: tuple[str, ...]
    props: dict[str, Any]


@dataclass
class RelRow:
    type: str
    start: str
    end: str


@dataclass
class GraphPlan:
    nodes: list[NodeRow]
    rels: list[RelRow]
    unmapped: Counter[str] = field(default_factory=Counter)

    def label_counts(self) -> Counter[str]:
        return Counter(label for n in self.nodes for label in n.labels)

    def rel_counts(self) -> Counter[str]:
        return Counter(r.type for r in self.rels)


@dataclass
class LoadResult:
    uri: str
    database: str
    source: str
    nodes: int
    relationships: int
    labels: dict[str, int]
    rel_types: dict[str, int]
    unmapped: dict[str, int]
    seconds: dict[str, float]


# --- RDF → property graph ------------------------------------------------------------

def graph_file(build_dir: Path) -> Path:
    for name in GRAPH_FILES:
        if (path := Path(build_dir) / name).is_file():
            return path
    raise NotFoundError(f"no built graph in {build_dir} ({' or '.join(GRAPH_FILES)}); "
                        f"run `vawg-kg build --out {build_dir}` first")


def read_graph(path: Path) -> Graph:
    fmt = "nt" if path.suffix == ".nt" else "turtle"
    return Graph().parse(path, format=fmt)


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
    """A key for a blank node from its triples (nested blank nodes by their own keys)."""
    parts = []
    for p, o in g.predicate_objects(node):
        if isinstance(o, BNode):
            o_text = "[cycle]" if o in seen else _bnode_key(g, o, seen | {node})
        else:
            o_text = o.n3()
        parts.append(f"{p.n3()} {o_text}")
    return "_:" + hashlib.sha1("\n".join(sorted(parts)).encode()).hexdigest()[:20]


class _Mapper:
    def __init__(self, g: Graph, model: OntologyModel) -> None:
        self.g = g
        self.model = model
        self.props: dict[Node, OntProperty | None] = {p: model.property_for(str(p)) for p in set(g.predicates())}
        self.keys: dict[Node, str] = {}

    def key(self, node: Node) -> str:
        if node not in self.keys:
            self.keys[node] = _bnode_key(self.g, node) if isinstance(node, BNode) else str(node)
        return self.keys[node]

    def is_rel(self, p: Node) -> bool:
        prop = self.props.get(p)
        return prop is not None and prop.is_relationship

    def folded(self) -> set[Node]:
        """Values of non-relationship object properties and what hangs only from them."""
        anchored: set[Node] = set()
        for s, p, o in self.g:
            if self.is_rel(p):
                anchored.update((s, o))
            elif p == RDF.type and self.model.class_for(str(o)) is not None:
                anchored.add(s)
        queue = [o for s, p, o in self.g
                 if (prop := self.props.get(p)) is not None and prop.kind == "object" and not prop.is_relationship
                 and not isinstance(o, Literal) and o not in anchored]
        folded: set[Node] = set()
        while queue:
            node = queue.pop()
            if node in folded:
                continue
            folded.add(node)
            queue.extend(o for p, o in self.g.predicate_objects(node)
                         if p != RDF.type and not isinstance(o, Literal) and o not in anchored)
        return folded

    def fold(self, prop: OntProperty, value: Node) -> dict[str, Any]:
        g = self.g
        if prop.local_name == "hasSourceSpan":
            out: dict[str, Any] = {}
            doc = g.value(value, OA.hasSource)
            source_file = g.value(doc, URIRef(self.model.term("sourceFile"))) if doc is not None else None
            if source_file is not None:
                out["sourceFile"] = str(source_file)
            for sel in g.objects(value, OA.hasSelector):
                if (sel, RDF.type, OA.TextPositionSelector) in g:
                    out["sourceStart"] = _literal_of(g, sel, OA.start)
                    out["sourceEnd"] = _literal_of(g, sel, OA.end)
            fragments = sorted((int(str(g.value(f, OA.start))), int(str(g.value(f, OA.end))))
                               for f in g.objects(value, URIRef(self.model.term("hasFragment"))))
            if fragments:
                out["sourceFragmentStarts"] = [a for a, _ in fragments]
                out["sourceFragmentEnds"] = [b for _, b in fragments]
            return out
        if prop.local_name == "deadlinePeriod":
            out = {}
            for time_prop, key in ((TIME.hasBeginning, "deadlinePeriodStart"), (TIME.hasEnd, "deadlinePeriodEnd")):
                instant = g.value(value, time_prop)
                day = g.value(instant, TIME.inXSDDate) if instant is not None else None
                if isinstance(day, Literal):
                    out[key] = _value(day)
            return out
        return {prop.local_name: self.key(value)}

    def plan(self) -> GraphPlan:
        g, model = self.g, self.model
        folded = self.folded()
        subjects = {s for s in g.subjects() if s not in folded}
        rel_objects = {o for s, p, o in g if self.is_rel(p)}
        values: dict[Node, dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))
        types: dict[Node, list[str]] = defaultdict(list)
        rels: list[RelRow] = []
        unmapped: Counter[str] = Counter()
        for s, p, o in g:
            if s in folded:
                continue
            if p == RDF.type:
                types[s].append(str(o))
                continue
            prop = self.props[p]
            if prop is None:
                unmapped[g.namespace_manager.normalizeUri(str(p))] += 1
            elif prop.is_relationship and not isinstance(o, Literal):
                rels.append(RelRow(prop.neo4j_rel_type or prop.local_name, self.key(s), self.key(o)))
            elif prop.kind == "object" and not isinstance(o, Literal):
                for key, val in self.fold(prop, o).items():
                    values[s][key].extend(val if isinstance(val, list) else [val])
            elif isinstance(o, Literal):
                values[s][prop.neo4j_key or prop.local_name].append(_value(o))
            else:
                unmapped[g.namespace_manager.normalizeUri(str(p))] += 1
        multi = {k for per in values.values() for k, vs in per.items() if len(vs) > 1}
        multi |= {"sourceFragmentStarts", "sourceFragmentEnds"}
        nodes = []
        for node in sorted(subjects | rel_objects, key=self.key):
            props: dict[str, Any] = {}
            for k, vs in values.get(node, {}).items():
                props[k] = _as_list(vs) if k in multi else vs[0]
            props["iri"] = self.key(node)
            labels = (RESOURCE, *[lab for lab in model.labels_for(sorted(types.get(node, []))) if lab != RESOURCE])
            nodes.append(NodeRow(self.key(node), labels, props))
        rels.sort(key=lambda r: (r.type, r.start, r.end))
        return GraphPlan(nodes, rels, unmapped)


def _as_list(values: list[Any]) -> list[Any]:
    kinds = {type(v) for v in values}
    if len(kinds) > 1:  # Neo4j lists are homogeneous
        values = [str(v) for v in values]
    if {type(v) for v in values} <= {bool, int, float, str, dt.date, dt.datetime}:
        return sorted(values)
    return values


def plan_graph(g: Graph, model: OntologyModel | None = None) -> GraphPlan:
    return _Mapper(g, model or load_model()).plan()


# --- writing -------------------------------------------------------------------------

def _label_expr(labels: Iterable[str]) -> str:
    return "".join(":`" + label.replace("`", "``") + "`" for label in labels)


def schema_statements(model: OntologyModel) -> list[str]:
    """Uniqueness of ``iri`` on every label, indexes on ``ref``/``docId`` for their domains."""
    labels = [RESOURCE, *sorted(c.neo4j_label for c in model.classes.values())]
    stmts = [f"CREATE CONSTRAINT vawg_{label}_iri IF NOT EXISTS FOR (n{_label_expr([label])}) REQUIRE n.iri IS UNIQUE"
             for label in labels]
    for key in INDEXED_KEYS:
        prop = model.datatype_properties.get(key)
        if prop is None:
            continue
        domain = {c.local_name for iri in prop.domain if (c := model.class_for(iri)) is not None}
        targets = sorted(c.neo4j_label for c in model.classes.values()
                         if c.local_name in domain or domain & set(model.ancestors(c.local_name)))
        stmts += [f"CREATE INDEX vawg_{label}_{key} IF NOT EXISTS FOR (n{_label_expr([label])}) ON (n.`{key}`)"
                  for label in targets]
    return stmts


def _batches(rows: list[Any], size: int) -> Iterator[list[Any]]:
    for i in range(0, len(rows), size):
        yield rows[i:i + size]


def _write(tx: Any, plan: GraphPlan, progress: Progress, batch: int) -> None:
    """Delete the old graph and create the new one, inside the caller's one transaction.

    Relationships are created between nodes found by the element ids that their
    ``CREATE`` returned, not by ``MATCH (:Resource {iri: …})``: inside a transaction
    that has just deleted and created tens of thousands of nodes, every index lookup
    must be merged with that transaction state, which made a replace at 50 documents
    take minutes against seconds into an empty database.
    """
    progress("delete", 0, 1)
    while True:
        record = tx.run(f"MATCH (n:{RESOURCE}) WITH n LIMIT $n DETACH DELETE n RETURN count(*) AS c",
                        n=DELETE_BATCH).single()
        if not record or record["c"] == 0:
            break
    progress("delete", 1, 1)
    by_labels: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
    for node in plan.nodes:
        by_labels[node.labels].append(node.props)
    element_ids: dict[str, str] = {}
    done, total = 0, len(plan.nodes)
    progress("nodes", 0, total)
    for labels, rows in sorted(by_labels.items()):
        for chunk in _batches(rows, batch):
            result = tx.run(f"UNWIND $rows AS row CREATE (n{_label_expr(labels)}) SET n = row "
                            "RETURN n.iri AS iri, elementId(n) AS id", rows=chunk)
            element_ids.update((r["iri"], r["id"]) for r in result)
            done += len(chunk)
            progress("nodes", done, total)
    by_type: dict[str, list[dict[str, str]]] = defaultdict(list)
    for rel in plan.rels:
        by_type[rel.type].append({"s": element_ids[rel.start], "o": element_ids[rel.end]})
    done, total = 0, len(plan.rels)
    progress("relationships", 0, total)
    for rel_type, rows in sorted(by_type.items()):
        for chunk in _batches(rows, batch):
            tx.run("UNWIND $rows AS row MATCH (a) WHERE elementId(a) = row.s MATCH (b) WHERE elementId(b) = row.o "
                   f"CREATE (a)-[:`{rel_type}`]->(b)", rows=chunk).consume()
            done += len(chunk)
            progress("relationships", done, total)


def _unavailable(exc: Exception, uri: str, user: str, database: str) -> StoreUnavailableError | None:
    """A connection, auth or database error as a message naming what to fix; None for other errors."""
    from neo4j.exceptions import AuthError, ClientError, ConfigurationError, ServiceUnavailable

    detail = " ".join(str(exc).split())  # one line: the driver's messages span several
    if isinstance(exc, AuthError):
        return StoreUnavailableError(
            f"Neo4j at {uri} refused user '{user}': wrong user name or password. Give --user/--password "
            "(or VAWG_KG_NEO4J_USER/VAWG_KG_NEO4J_PASSWORD); for the project's own server run "
            "`vawg-kg neo4j status`", uri=uri)
    if isinstance(exc, ClientError) and "DatabaseNotFound" in (exc.code or ""):
        return StoreUnavailableError(
            f"database '{database}' does not exist on {uri}. Neo4j Community has one user database, 'neo4j'; "
            "give --database neo4j (or create it on Enterprise/Aura)", uri=uri, database=database)
    if isinstance(exc, ServiceUnavailable | ConnectionError | OSError):
        return StoreUnavailableError(
            f"cannot reach Neo4j at {uri} ({detail}). Start the project's server with `vawg-kg neo4j start`, "
            "or check --uri (bolt://, neo4j:// or neo4j+s://host:port) and that the server is up", uri=uri)
    if isinstance(exc, ConfigurationError | ValueError):
        return StoreUnavailableError(
            f"'{uri}' is not a Neo4j URI ({detail}); use bolt://host:port, neo4j://host:port or neo4j+s://host", uri=uri)
    return None


def load(
    g: Graph,
    uri: str,
    user: str,
    password: str,
    database: str = "neo4j",
    *,
    progress: Progress | None = None,
    batch: int = BATCH,
    source: str = "(graph)",
    model: OntologyModel | None = None,
    retry_s: float = 30.0,
) -> LoadResult:
    """Replace the ``:Resource`` graph in ``database`` with ``g`` in one transaction."""
    import neo4j

    model = model or load_model()
    report: Progress = progress or (lambda stage, done, total: None)
    timings: dict[str, float] = {}
    started = time.monotonic()
    plan = plan_graph(g, model)
    timings["map"] = round(time.monotonic() - started, 2)
    try:
        driver = neo4j.GraphDatabase.driver(uri, auth=(user, password), connection_timeout=15,
                                            max_transaction_retry_time=retry_s)
    except Exception as exc:
        raise _unavailable(exc, uri, user, database) or StoreUnavailableError(str(exc)) from exc
    with driver:
        try:
            # Not retried: a refused URI, a wrong password or an unknown database fail at once.
            driver.verify_connectivity()
            with driver.session(database=database) as probe:
                probe.run("RETURN 1").consume()
            t0 = time.monotonic()
            stmts = schema_statements(model)
            for i, stmt in enumerate(stmts, 1):
                driver.execute_query(stmt, database_=database)
                report("schema", i, len(stmts))
            timings["schema"] = round(time.monotonic() - t0, 2)
            t0 = time.monotonic()
            with driver.session(database=database) as session:
                work = neo4j.unit_of_work(timeout=LOAD_TX_TIMEOUT_S)(
                    lambda tx: _write(tx, plan, report, batch))
                session.execute_write(work)
            timings["write"] = round(time.monotonic() - t0, 2)
            labels, rel_types = counts(driver, database)
        except Exception as exc:
            if (unavailable := _unavailable(exc, uri, user, database)) is not None:
                raise unavailable from exc
            if isinstance(exc, StoreError):
                raise
            raise StoreError(
                f"loading {source} into {uri} (database '{database}') failed and was rolled back; "
                f"the previous graph is unchanged: {type(exc).__name__}: {exc}", uri=uri) from exc
    timings["total"] = round(time.monotonic() - started, 2)
    return LoadResult(uri=uri, database=database, source=source, nodes=labels.get(RESOURCE, 0),
                      relationships=sum(rel_types.values()), labels=labels, rel_types=rel_types,
                      unmapped=dict(plan.unmapped), seconds=timings)


def counts(driver: Any, database: str) -> tuple[dict[str, int], dict[str, int]]:
    """Nodes per label and relationships per type among the loaded ``:Resource`` graph."""
    labels = {r["label"]: r["c"] for r in driver.execute_query(
        f"MATCH (n:{RESOURCE}) UNWIND labels(n) AS label RETURN label, count(*) AS c", database_=database).records}
    rels = {r["type"]: r["c"] for r in driver.execute_query(
        f"MATCH (:{RESOURCE})-[r]->(:{RESOURCE}) RETURN type(r) AS type, count(*) AS c", database_=database).records}
    return labels, rels


def load_build(build_dir: Path, uri: str, user: str, password: str, database: str = "neo4j",
               *, progress: Progress | None = None) -> LoadResult:
    """Load ``build_dir/vawg-kg.nt`` (or ``.ttl``)."""
    path = graph_file(build_dir)
    t0 = time.monotonic()
    g = read_graph(path)
    parse_s = round(time.monotonic() - t0, 2)
    result = load(g, uri, user, password, database, progress=progress, source=str(path))
    result.seconds = {"parse": parse_s, **result.seconds}
    return result
