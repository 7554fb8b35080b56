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
  ``sourceFragmentEnds`` for an interrupted span, ``sourcePages`` for a span of an added PDF) on the statement, as the
  ontology's comment on it says; ``deadlinePeriod`` becomes
  ``deadlinePeriodStart``/``deadlinePeriodEnd``; any other folded property
  keeps the value's IRI under its local name.
* Predicates the ontology does not declare (``org:…``, ``skos:inScheme``…)
  are not loaded; :class:`LoadResult` counts them (``unmapped``) so a gap shows.
* A triple counts once. An rdflib graph is a set; in an N-Triples file a line repeated
  right after itself (the duplicates of a sorted file, as the build writes it) is read once,
  while a repeat further down would repeat the value. A literal object of a relationship
  property becomes a property value (the rdflib mapper also made it a node).

Reading: :func:`load_build` streams ``vawg-kg.nt`` (plain N-Triples lines split in Python,
anything else through Oxigraph's parser) into one pass that keeps per resource only its
types and converted values, plus the relationship ends: about 150 bytes a triple where an
rdflib graph took 1.7 KB (500 documents, 7.2 M triples: 28 s and 1.0 GB peak against minutes
and 12 GB). An rdflib graph passed to :func:`load` goes through the same mapper;
``tests/test_neo4j_mapping.py`` checks both give the previous mapper's plan, node for node.

Writing: a staged swap, in three steps.

1. **Stage**: the new graph is written in committed batches (5,000 nodes, 20,000
   relationships a transaction, two transactions in flight so that Python packs one batch
   while the server writes the other) as nodes with the one label ``VawgStaging`` and the final
   properties, joined by relationships of their final types. Nothing links a staged node to
   a current one and no reader's pattern names that label, so every query that starts from
   a label — every query in ``queries/``, :func:`counts` — sees only the current graph.
   A node batch answers with one list of the new nodes' ids (``id(n)``: an integer, where an
   element id is a 40-character string to pack and parse; a record a row cost more Python time
   than the packing); relationships go as one flat list of ids per batch, by one query with a
   dynamic type (one plan), and each batch's count is checked against what was sent.
2. **Swap**: one transaction moves the labels: the current ``:Resource`` nodes lose theirs
   (``VawgRetired`` instead) and the staged nodes take theirs (``SET n:$(labels)``, Cypher
   5.26). Only labels change, so this transaction is small next to the graph (500
   documents: 1.3 M nodes relabelled in 14-22 s).
3. **Delete** the retired graph in committed batches.

``LoadResult.seconds["live"]`` is when the swap committed (readers see the new graph from
then on); ``total`` includes the deletion after it. Where the time goes (100 synthetic
documents, 190 k nodes+relationships, warm server): map 1.5-2 s of Python; staging, the swap
and the deletion are the server's work, spread over its storage engine (record reads, commit,
transaction log, locks, G1 collections: no one hot spot in a flight recording), about 30 µs of
server CPU per node or relationship for a replace, which writes each item about three times
(created, relabelled, deleted). Concurrent deletion (``IN 2 CONCURRENT TRANSACTIONS``)
deadlocks on shared relationships, and deleting relationships and nodes in two concurrent
passes cost more CPU than the batches below. What would make a replace several times
faster is writing only the difference from the current graph (see benchmarks/RESULTS.md,
"Session 4: Neo4j load").

A failure or interrupt before the swap commits leaves the current graph as it was; the
staged nodes are deleted at once when the server still answers, else by the next load's
first step, which deletes whatever ``VawgStaging``/``VawgRetired`` nodes exist. A failure
after the swap leaves the new graph live and the rest of the old one for the next load.

Why not one transaction (what this loader did up to 50 documents): its whole state and the
commit's record changes must fit the server's heap at once. Measured at 500 documents
(633 k nodes, 3.1 M relationships) on Neo4j 5.26 Community: into an empty database the
commit needed 8.4 GB of heap (it failed at the 6 GB heap's transaction limit, 70 %); the
replace (delete and create) died of ``OutOfMemoryError`` at commit with a 10 GB heap; off-heap
transaction state (``db.tx_state.memory_allocation=OFF_HEAP``) did not help (the commit
builds its records on the heap). Staged, the same replace runs in a 4 GB heap; its one
large transaction is the swap, which relabels every node of both graphs (1.3 M at 500
documents: more than the 1.4 GB transaction limit of a 2 GB heap).

What the swap gives up: during a load (and after an interrupted one, until the next) the
database also holds unlabelled staged nodes and their relationships. A pattern that names
no label — ``MATCH (n)``, ``MATCH ()-[r:HAS_LEAD]->()``, ``MATCH (n {iri: …})`` — sees
them; one transaction would have hidden them. One load at a time: a second load's first step
deletes the first one's staged nodes.

Limits: the loader holds about 150 bytes a triple (1.0 GB at 7.2 M triples; 4 GB would be
about 28 M); the swap's one transaction grows with the nodes of both graphs (a 2 GB heap is
too small at 633 k + 633 k nodes, 4 GB holds them); staging and deleting are bounded by
their batches. The deletion of the old graph (48-58 s at 500 documents) is part of a replace.

Indexes: ``iri`` on every label and ``ref``/``docId`` on their domains, as range indexes
(:func:`schema_statements` says why not uniqueness constraints); schema changes run first,
in their own transactions.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import re
import threading
import time
from collections import Counter, defaultdict, deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, NamedTuple, cast

from rdflib import RDF, BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import NamespaceManager
from rdflib.term import Node

from vawg_kg.errors import NotFoundError, StoreError, StoreUnavailableError
from vawg_kg.ontology.model import OntologyModel, OntProperty, load_model

OA = Namespace("http://www.w3.org/ns/oa#")
TIME = Namespace("http://www.w3.org/2006/time#")
RESOURCE = "Resource"
STAGING = "VawgStaging"  # the next graph, while it is written
RETIRED = "VawgRetired"  # the previous graph, once swapped out, until it is deleted
BATCH = 5000  # node rows a transaction while staging
REL_BATCH_FACTOR = 4  # relationship rows a transaction: BATCH times this
SWAP_BATCH = 20_000
WORKERS = 2  # staging transactions in flight at once
DELETE_BATCH = 10_000
BATCH_TX_TIMEOUT_S = 300.0
SWAP_TX_TIMEOUT_S = 1800.0
INDEXED_KEYS = ("ref", "docId")
GRAPH_FILES = ("vawg-kg.nt", "vawg-kg.ttl")

Progress = Callable[[str, int, int], None]  # (stage, done, total)


class NodeRow(NamedTuple):
    iri: str
    labels: tuple[str, ...]
    props: dict[str, Any]


class RelRow(NamedTuple):
    type: str
    start: str
    end: str


@dataclass
class GraphPlan:
    """Nodes sorted by key; relationships per type as ``[start, end, start, end, …]`` keys,
    in the order of their triples (two strings a relationship, not a row object each)."""

    nodes: list[NodeRow]
    rel_ends: dict[str, list[str]]
    unmapped: Counter[str] = field(default_factory=Counter)
    triples: int = 0

    @property
    def rels(self) -> list[RelRow]:
        """Every relationship as a row, sorted (type, start, end): for tests and small graphs."""
        return sorted(RelRow(t, ends[i], ends[i + 1]) for t, ends in self.rel_ends.items()
                      for i in range(0, len(ends), 2))

    def label_counts(self) -> Counter[str]:
        return Counter(label for n in self.nodes for label in n.labels)

    def rel_counts(self) -> Counter[str]:
        return Counter({t: len(ends) // 2 for t, ends in self.rel_ends.items() if ends})

    def relationship_count(self) -> int:
        return sum(len(ends) // 2 for ends in self.rel_ends.values())


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
    notes: list[str] = field(default_factory=list)


# --- RDF → property graph ------------------------------------------------------------

XSD_NS = "http://www.w3.org/2001/XMLSchema#"
XSD_STRING = XSD_NS + "string"
RDF_LANG_STRING = str(RDF.langString)
RDF_TYPE = str(RDF.type)
OA_HAS_SOURCE, OA_HAS_SELECTOR, OA_START, OA_END = (str(OA[n]) for n in ("hasSource", "hasSelector", "start", "end"))
OA_POSITION_SELECTOR = str(OA.TextPositionSelector)
TIME_BEGINNING, TIME_END, TIME_DATE = (str(TIME[n]) for n in ("hasBeginning", "hasEnd", "inXSDDate"))
_TEXT_TYPES = frozenset({None, XSD_STRING, RDF_LANG_STRING})
_INTEGER = re.compile(r"[+-]?[0-9]+\Z")
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)\Z")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")


class RawLiteral(NamedTuple):
    """A literal as written: the mapper converts it to a Neo4j value (:func:`literal_value`)."""

    lexical: str
    datatype: str | None = None
    language: str | None = None


# A resource is its IRI, or "_:" + label for a blank node (no absolute IRI starts with "_").
Triple = tuple[str, str, "str | RawLiteral"]


def graph_file(build_dir: Path) -> Path:
    for name in GRAPH_FILES:
        if (path := Path(build_dir) / name).is_file():
            return path
    raise NotFoundError(f"no built graph in {build_dir} ({' or '.join(GRAPH_FILES)}); "
                        f"run `vawg-kg build --out {build_dir}` first")


def read_graph(path: Path) -> Graph:
    """The whole file as an rdflib graph (about 1.7 KB a triple: for small graphs and tests;
    :func:`load_build` streams the file instead)."""
    fmt = "nt" if path.suffix == ".nt" else "turtle"
    return Graph().parse(path, format=fmt)


def file_triples(path: Path, prefixes: dict[str, str] | None = None) -> Iterator[Triple]:
    """The triples of an N-Triples (``.nt``) or Turtle file, as a stream.

    N-Triples lines in the plain form a serialiser writes (``<s> <p> <o> .``, ``"text"``,
    ``"1"^^<datatype>``, ``"text"@lang``, ``_:label``; one space between terms) are split in
    Python, three times faster than building Oxigraph's term objects; any other line goes
    through Oxigraph's parser, which raises on bad syntax. A line repeated right after itself
    (a sorted file's duplicate triple) is read once. Turtle goes through Oxigraph's parser,
    and its prefixes are put in ``prefixes``.
    """
    import pyoxigraph as ox

    if path.suffix != ".nt":
        parser = ox.parse(path=path, format=ox.RdfFormat.TURTLE, base_iri=path.resolve().as_uri())
        yield from _oxigraph_triples(parser)
        if prefixes is not None:
            prefixes.update(parser.prefixes)
        return
    previous = ""
    with open(path, encoding="utf-8", newline="\n") as lines:
        for number, line in enumerate(lines, 1):
            if line == previous:
                continue
            previous = line
            triple = _plain_nt(line)
            if triple is not None:
                yield triple
                continue
            try:
                yield from _oxigraph_triples(ox.parse(input=line.encode(), format=ox.RdfFormat.N_TRIPLES))
            except SyntaxError as exc:
                raise StoreError(f"{path}, line {number}: not N-Triples: {exc}") from exc


def _plain_nt(line: str) -> Triple | None:
    """One N-Triples line in the plain form, or None for the full parser to read."""
    if not line.endswith(" .\n"):
        return None
    if line[0] == "<":
        i = line.find("> <", 1)
        subject = line[1:i]
    elif line.startswith("_:"):
        i = line.find(" <", 2) - 1
        subject = line[:i + 1]
    else:
        return None
    j = line.find("> ", i + 3)
    if i < 1 or j < 0:
        return None
    predicate, obj = line[i + 3:j], line[j + 2:-3]
    if "\\" in subject or "\\" in predicate or " " in subject or " " in predicate or not obj:
        return None
    first = obj[0]
    if first == "<":
        if obj[-1] != ">" or " " in obj or "\\" in obj:
            return None
        return subject, predicate, obj[1:-1]
    if first == "_":
        return (subject, predicate, obj) if obj[1] == ":" and " " not in obj else None
    if first != '"':
        return None
    k = obj.rfind('"')
    if k < 1:
        return None
    lexical, suffix = obj[1:k], obj[k + 1:]
    if "\\" in lexical:
        decoded = _unescape(lexical)
        if decoded is None:
            return None
        lexical = decoded
    elif '"' in lexical:
        return None
    if not suffix:
        return subject, predicate, RawLiteral(lexical, XSD_STRING)
    if suffix[0] == "@" and _LANGUAGE.match(suffix, 1):
        return subject, predicate, RawLiteral(lexical, RDF_LANG_STRING, suffix[1:].lower())
    if suffix.startswith("^^<") and suffix[-1] == ">" and " " not in suffix and "\\" not in suffix:
        return subject, predicate, RawLiteral(lexical, suffix[3:-1])
    return None


_ESCAPE = re.compile(r'\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))', re.DOTALL)
_LANGUAGE = re.compile(r"[a-zA-Z]+(?:-[a-zA-Z0-9]+)*\Z")
_ECHAR = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}


def _unescape(text: str) -> str | None:
    """An N-Triples string's escapes decoded; None when one is malformed or a quote is bare."""
    rest = _ESCAPE.sub("", text)
    if '"' in rest or "\\" in rest:
        return None
    try:
        return _ESCAPE.sub(_decode, text)
    except (KeyError, ValueError):
        return None


def _decode(match: re.Match[str]) -> str:
    if match.group(3) is not None:
        return _ECHAR[match.group(3)]
    return chr(int(match.group(1) or match.group(2), 16))


def _oxigraph_triples(parser: Iterable[Any]) -> Iterator[Triple]:
    import pyoxigraph as ox

    named, literal = ox.NamedNode, ox.Literal
    for quad in parser:
        s, o = quad.subject, quad.object
        if type(o) is literal:
            obj: str | RawLiteral = RawLiteral(o.value, o.datatype.value, o.language)
        else:
            obj = o.value if type(o) is named else "_:" + str(o.value)
        yield (s.value if type(s) is named else "_:" + str(s.value)), quad.predicate.value, obj


def graph_triples(g: Graph) -> Iterator[Triple]:
    def res(term: Node) -> str:
        return "_:" + str(term) if isinstance(term, BNode) else str(term)

    for s, p, o in g:
        obj = (RawLiteral(str(o), str(o.datatype) if o.datatype else None, o.language)
               if isinstance(o, Literal) else res(o))
        yield res(s), str(p), obj


def _value(lit: Literal) -> Any:
    value = lit.toPython()
    if isinstance(value, bool | int | float | str | dt.datetime | dt.date):
        return value
    if isinstance(value, Decimal):
        return float(value)
    return str(lit)


def _rdflib_term(term: str | RawLiteral) -> Node:
    if isinstance(term, RawLiteral):
        if term.language:
            return Literal(term.lexical, lang=term.language)
        return Literal(term.lexical, datatype=URIRef(term.datatype) if term.datatype else None)
    return BNode(term[2:]) if term.startswith("_:") else URIRef(term)


def literal_value(lit: RawLiteral) -> Any:
    """What rdflib's ``toPython`` gives (decimals as floats; ill-typed values as their text),
    without building an rdflib literal for the common datatypes."""
    lexical, datatype = lit.lexical, lit.datatype
    if datatype in _TEXT_TYPES:
        return lexical
    if datatype == XSD_NS + "integer" and _INTEGER.match(lexical):
        return int(lexical)
    if datatype == XSD_NS + "decimal" and _DECIMAL.match(lexical):
        return float(lexical)
    if datatype == XSD_NS + "boolean" and lexical in ("true", "false"):
        return lexical == "true"
    if datatype == XSD_NS + "date" and _DATE.match(lexical):
        with contextlib.suppress(ValueError):
            return dt.date.fromisoformat(lexical)
    return _value(cast(Literal, _rdflib_term(lit)))


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


_TYPE, _REL, _FOLD, _LITERAL, _UNMAPPED = range(5)
_ABSENT = object()


class _Many(list[Any]):
    """The values of a key that has more than one on a node (a plain value otherwise)."""


class _Mapper:
    """One pass over the triples keeps what the plan needs, compactly: per resource its types
    and converted literal values, the relationship triples, the links that may be folded and
    the few triples a fold reads (spans, selectors, periods). Resources are interned, so a
    resource named by a million triples is one string."""

    def __init__(self, model: OntologyModel) -> None:
        self.model = model
        # predicate → (what it maps to, its property, its Neo4j key or relationship type, the type's ends)
        self.actions: dict[str, tuple[int, OntProperty | None, str, list[str]]] = {RDF_TYPE: (_TYPE, None, "", [])}
        self.has_fragment, self.source_file = model.term("hasFragment"), model.term("sourceFile")
        self.on_page = model.term("onPage")
        self.fold_reads = frozenset({OA_HAS_SOURCE, OA_HAS_SELECTOR, OA_START, OA_END, TIME_BEGINNING, TIME_END,
                                     TIME_DATE, self.has_fragment, self.source_file, self.on_page})
        self.is_class: dict[str, bool] = {}
        self.canon: dict[str, str] = {}
        self.subjects: set[str] = set()
        self.types: dict[str, list[str]] = defaultdict(list)
        self.values: dict[str, dict[str, Any]] = {}
        self.rel_ends: dict[str, list[str]] = {}
        self.anchored: set[str] = set()
        self.links: dict[str, list[str]] = defaultdict(list)  # non-literal objects of non-relationship triples
        self.folds: list[tuple[str, OntProperty, str]] = []
        self.reads: dict[tuple[str, str], list[str | RawLiteral]] = defaultdict(list)
        self.unmapped: Counter[tuple[str, str]] = Counter()
        self.blank: dict[str, list[tuple[str, str | RawLiteral]]] = defaultdict(list)
        self.triples = 0

    def action(self, p: str) -> tuple[int, OntProperty | None, str, list[str]]:
        prop = self.model.property_for(p)
        if prop is None:
            act: tuple[int, OntProperty | None, str, list[str]] = (_UNMAPPED, None, "", [])
        elif prop.is_relationship:
            rel_type = prop.neo4j_rel_type or prop.local_name
            act = (_REL, prop, rel_type, self.rel_ends.setdefault(rel_type, []))
        else:
            act = (_FOLD if prop.kind == "object" else _LITERAL, prop, prop.neo4j_key or prop.local_name, [])
        self.actions[p] = act
        return act

    def read(self, triples: Iterable[Triple]) -> None:
        intern, actions, fold_reads = self.canon.setdefault, self.actions, self.fold_reads
        add_subject, anchor, values = self.subjects.add, self.anchored.add, self.values
        n = 0
        for s, p, o in triples:
            n += 1
            s = intern(s, s)
            add_subject(s)
            code, prop, name, ends = actions.get(p) or self.action(p)
            if s[0] == "_":
                self.blank[s].append((p, o))
            if p in fold_reads:
                self.reads[(s, p)].append(o if type(o) is RawLiteral else intern(o, o))  # type: ignore[arg-type]
            if type(o) is RawLiteral:
                if code == _TYPE:
                    self.types[s].append(o.lexical)
                elif prop is None:
                    self.unmapped[(s, p)] += 1
                else:
                    if code == _REL:
                        anchor(s)
                    value = o.lexical if o.datatype in _TEXT_TYPES else literal_value(o)
                    cell = values.get(s)
                    if cell is None:
                        values[s] = {name: value}
                    elif (old := cell.get(name, _ABSENT)) is _ABSENT:
                        cell[name] = value
                    elif type(old) is _Many:
                        old.append(value)
                    else:
                        cell[name] = _Many((old, value))
                continue
            o = intern(o, o)  # type: ignore[arg-type]
            if code == _REL:
                ends.append(s)
                ends.append(o)
                anchor(s)
                anchor(o)
            elif code == _TYPE:
                self.types[s].append(o)
                if (known := self.is_class.get(o)) is None:
                    known = self.is_class[o] = self.model.class_for(o) is not None
                if known:
                    anchor(s)
            else:
                self.links[s].append(o)
                if code == _FOLD:
                    self.folds.append((s, prop, o))  # type: ignore[arg-type]
                else:
                    self.unmapped[(s, p)] += 1
        self.triples += n

    def folded(self) -> set[str]:
        """Values of non-relationship object properties and what hangs only from them."""
        anchored, links = self.anchored, self.links
        queue = [o for _, _, o in self.folds if o not in anchored]
        folded: set[str] = set()
        while queue:
            node = queue.pop()
            if node in folded:
                continue
            folded.add(node)
            queue.extend(o for o in links.get(node, ()) if o not in anchored)
        return folded

    def first(self, s: str | RawLiteral | None, p: str) -> str | RawLiteral | None:
        values = self.reads.get((s, p)) if isinstance(s, str) else None
        return values[0] if values else None

    def fold(self, prop: OntProperty, value: str, key: Callable[[str], str]) -> dict[str, Any]:
        if prop.local_name == "hasSourceSpan":
            out: dict[str, Any] = {}
            doc = self.first(value, OA_HAS_SOURCE)
            source_file = self.first(doc, self.source_file) if doc is not None else None
            if source_file is not None:
                out["sourceFile"] = source_file.lexical if isinstance(source_file, RawLiteral) else source_file
            for sel in self.reads.get((value, OA_HAS_SELECTOR), ()):
                if isinstance(sel, str) and OA_POSITION_SELECTOR in self.types.get(sel, ()):
                    out["sourceStart"] = self._literal_of(sel, OA_START)
                    out["sourceEnd"] = self._literal_of(sel, OA_END)
            fragments = sorted((self._int_of(f, OA_START), self._int_of(f, OA_END))
                               for f in self.reads.get((value, self.has_fragment), ()))
            if fragments:
                out["sourceFragmentStarts"] = [a for a, _ in fragments]
                out["sourceFragmentEnds"] = [b for _, b in fragments]
            pages = sorted(int(p.lexical) for p in self.reads.get((value, self.on_page), ()) if isinstance(p, RawLiteral))
            if pages:
                out["sourcePages"] = pages
            return out
        if prop.local_name == "deadlinePeriod":
            out = {}
            for time_prop, name in ((TIME_BEGINNING, "deadlinePeriodStart"), (TIME_END, "deadlinePeriodEnd")):
                instant = self.first(value, time_prop)
                day = self.first(instant, TIME_DATE) if instant is not None else None
                if isinstance(day, RawLiteral):
                    out[name] = literal_value(day)
            return out
        return {prop.local_name: key(value)}

    def _literal_of(self, s: str, p: str) -> Any:
        value = self.first(s, p)
        return literal_value(value) if isinstance(value, RawLiteral) else None

    def _int_of(self, s: str | RawLiteral, p: str) -> int:
        value = self.first(s, p)
        return int(value.lexical if isinstance(value, RawLiteral) else str(value))

    def keys(self, nodes: Iterable[str]) -> dict[str, str]:
        """Blank nodes' keys (a hash of their triples, as :func:`_bnode_key`); IRIs are their own key."""
        blank = [n for n in nodes if n.startswith("_:")]
        if not blank:
            return {}
        g = Graph()
        for s, pos in self.blank.items():
            for p, o in pos:
                g.add((_rdflib_term(s), URIRef(p), _rdflib_term(o)))
        return {n: _bnode_key(g, cast(BNode, _rdflib_term(n))) for n in blank}

    def plan(self, names: NamespaceManager) -> GraphPlan:
        """The nodes (sorted by key) and relationships (by type, start, end); ``names`` abbreviates
        the predicates counted as unmapped."""
        model, values = self.model, self.values
        folded = self.folded()
        nodes = self.subjects - folded
        for ends in self.rel_ends.values():
            nodes.update(ends[1::2])
        blank_keys = self.keys(nodes)

        def key(node: str) -> str:
            return blank_keys.get(node, node)

        for s in folded:
            values.pop(s, None)
        for s, prop, o in sorted(self.folds, key=lambda f: (f[0], f[1].iri, f[2])):
            if s in folded:
                continue
            cell = values.setdefault(s, {})
            for name, val in self.fold(prop, o, key).items():
                old = cell.get(name, _ABSENT)
                many = _Many(() if old is _ABSENT else old if type(old) is _Many else (old,))
                many.extend(val if isinstance(val, list) else [val])
                cell[name] = many if len(many) > 1 else many[0]
        multi = {"sourceFragmentStarts", "sourceFragmentEnds", "sourcePages"}
        for cell in values.values():
            multi.update(name for name, val in cell.items() if type(val) is _Many)
        label_sets: dict[tuple[str, ...], tuple[str, ...]] = {}
        rows = []
        for node in sorted(nodes, key=key if blank_keys else None):
            props = values.pop(node, None) or {}
            for name, val in props.items():
                if type(val) is _Many:
                    props[name] = _as_list(list(val))
                elif name in multi:
                    props[name] = [val]
            iri = props["iri"] = key(node)
            types = tuple(sorted(set(self.types.get(node, ()))))
            if (labels := label_sets.get(types)) is None:
                labels = label_sets[types] = (RESOURCE, *[lab for lab in model.labels_for(types) if lab != RESOURCE])
            rows.append(NodeRow(iri, labels, props))
        rel_ends = {t: [key(n) for n in ends] if blank_keys else ends for t, ends in self.rel_ends.items() if ends}
        self.rel_ends = {}
        by_predicate: Counter[str] = Counter()
        for (s, p), count in self.unmapped.items():
            if s not in folded:
                by_predicate[p] += count
        unmapped = Counter({names.normalizeUri(p): count for p, count in by_predicate.items()})
        return GraphPlan(rows, rel_ends, unmapped, triples=self.triples)


_SORTABLE = frozenset({bool, int, float, str, dt.date, dt.datetime})


def _as_list(values: list[Any]) -> list[Any]:
    kinds = set(map(type, values))
    if len(kinds) > 1:  # Neo4j lists are homogeneous
        values, kinds = [str(v) for v in values], {str}
    if kinds <= _SORTABLE:
        values.sort()
    return values


def plan_graph(g: Graph | Path, model: OntologyModel | None = None) -> GraphPlan:
    """The property graph for an rdflib graph, or for a ``.nt``/``.ttl`` file read as a stream."""
    mapper = _Mapper(model or load_model())
    if isinstance(g, Graph):
        mapper.read(graph_triples(g))
        return mapper.plan(g.namespace_manager)
    prefixes: dict[str, str] = {}
    mapper.read(file_triples(Path(g), prefixes))
    names = Graph().namespace_manager  # as rdflib's parser leaves them: its defaults, then the file's
    for prefix, namespace in prefixes.items():
        names.bind(prefix, namespace, override=True, replace=True)
    return mapper.plan(names)


# --- writing -------------------------------------------------------------------------

def _label_expr(labels: Iterable[str]) -> str:
    return "".join(":`" + label.replace("`", "``") + "`" for label in labels)


def schema_statements(model: OntologyModel) -> list[str]:
    """Indexes on ``iri`` for every label, on ``ref``/``docId`` for their domains.

    Range indexes, not uniqueness constraints: inside the replace transaction every write
    checked against a uniqueness constraint is slower the more nodes that transaction has
    deleted (20,000 nodes: 0.65 s with indexes, 10-22 s with constraints; quadratic), and the
    plan's keys are unique by construction. :func:`legacy_constraints` names the
    constraints earlier versions created, which a load drops first.
    """
    labels = [RESOURCE, *sorted(c.neo4j_label for c in model.classes.values())]
    stmts = [f"CREATE INDEX vawg_{label}_iri IF NOT EXISTS FOR (n{_label_expr([label])}) ON (n.iri)"
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


def missing_indexes(driver: Any, database: str, stmts: list[str]) -> list[str]:
    """The ``CREATE INDEX name IF NOT EXISTS`` statements whose index name is not there yet
    (one ``SHOW INDEXES`` instead of a round trip a statement)."""
    names = {r["name"] for r in driver.execute_query("SHOW INDEXES YIELD name RETURN name", database_=database).records}
    return [stmt for stmt in stmts if stmt.split()[2] not in names]


def legacy_constraints(driver: Any, database: str) -> list[str]:
    """``DROP`` statements for the uniqueness constraints on ``iri`` that earlier loads created."""
    records = driver.execute_query("SHOW CONSTRAINTS YIELD name WHERE name STARTS WITH 'vawg_' AND name ENDS WITH '_iri' "
                                   "RETURN name", database_=database).records
    return [f"DROP CONSTRAINT `{r['name']}` IF EXISTS" for r in records]


class _Batches:
    """Committed write transactions of ``batch`` rows, ``workers`` at a time, each worker with its
    own session: while the server runs one batch, Python packs the next. Each query returns one
    record of one value (a list of ids, a count), so no per-row record is unpacked. Progress is
    reported from the caller's thread, in order, so an exception raised there stops the writing."""

    def __init__(self, driver: Any, database: str, workers: int) -> None:
        self.driver, self.database, self.workers = driver, database, max(1, workers)
        self.pool = ThreadPoolExecutor(self.workers, thread_name_prefix="vawg-neo4j-write")
        self.local = threading.local()
        self.sessions: list[Any] = []

    def _write(self, query: str, chunk: list[Any], params: dict[str, Any]) -> Any:
        import neo4j

        session = getattr(self.local, "session", None)
        if session is None:
            session = self.local.session = self.driver.session(database=self.database)
            self.sessions.append(session)

        def work(tx: Any) -> Any:
            record = tx.run(query, rows=chunk, **params).single(strict=True)
            return record[0]

        return session.execute_write(neo4j.unit_of_work(timeout=BATCH_TX_TIMEOUT_S)(work))

    def run(self, query: str, rows: list[Any], batch: int, progress: Progress, stage: str,
            done: int, total: int, *, step: int = 1, **params: Any) -> list[Any]:
        """``query`` over ``rows`` (as ``$rows``, ``batch`` × ``step`` items a transaction, a row
        being ``step`` items); each transaction's one value, in the order of ``rows``."""
        out: list[Any] = []
        pending: deque[tuple[int, Future[Any]]] = deque()
        size = batch * step
        try:
            for i in range(0, len(rows), size):
                chunk = rows[i:i + size]
                pending.append((len(chunk) // step, self.pool.submit(self._write, query, chunk, params)))
                while len(pending) >= self.workers or (pending and i + size >= len(rows)):
                    n, future = pending.popleft()
                    out.append(future.result())
                    done += n
                    progress(stage, done, total)
        except BaseException:
            for _, future in pending:
                future.cancel()
            raise
        return out

    def close(self) -> None:
        self.pool.shutdown(wait=True)
        for session in self.sessions:
            with contextlib.suppress(Exception):
                session.close()


def _stage(writer: _Batches, plan: GraphPlan, progress: Progress, batch: int) -> dict[tuple[str, ...], list[int]]:
    """Write the new graph under the ``VawgStaging`` label alone, in committed batches: no
    reader's pattern names that label, and nothing links a staged node to a current one.
    Returns the staged nodes' ids per label set (for the swap).

    Nodes go as lists of values, one query per set of keys (``CREATE (n {iri: row[0], …})``),
    not as maps: half the values to pack; each batch answers with its nodes' ids as one list,
    in the order of its rows. Relationships go as one flat list of start and end ids per type
    (``MATCH (a) WHERE id(a) = …``: an id seek), each batch answering with its count, which
    must be the batch's size (a missing end would drop a relationship silently). One query for
    every type (``CREATE (a)-[:$($type)]->(b)``, Cypher 5.26): one plan to make, not one a type,
    which counts on a server just started (its planner and JIT are cold)."""
    groups: dict[tuple[tuple[str, ...], tuple[str, ...]], list[list[Any]]] = defaultdict(list)
    for node in plan.nodes:
        keys = tuple(node.props)
        groups[(node.labels, keys)].append(list(node.props.values()))
    node_ids: dict[str, int] = {}
    staged: dict[tuple[str, ...], list[int]] = defaultdict(list)
    done, total = 0, len(plan.nodes)
    progress("nodes", 0, total)
    for (labels, keys), rows in sorted(groups.items()):
        iri = keys.index("iri")
        props = ", ".join(f"`{k.replace('`', '``')}`: row[{i}]" for i, k in enumerate(keys))
        created = writer.run(f"UNWIND $rows AS row CREATE (n:{STAGING} {{{props}}}) RETURN collect(id(n))",
                             rows, batch, progress, "nodes", done, total)
        ids = [i for chunk in created for i in chunk]
        if len(ids) != len(rows):
            raise StoreError(f"staging {len(rows)} nodes {labels} created {len(ids)}")
        node_ids.update(zip((row[iri] for row in rows), ids))
        staged[labels] += ids
        done += len(rows)
    del groups
    done, total = 0, plan.relationship_count()
    progress("relationships", 0, total)
    for rel_type, ends in sorted(plan.rel_ends.items()):
        flat = [node_ids[key] for key in ends]
        created = writer.run("UNWIND range(0, size($rows) - 2, 2) AS i "
                             "MATCH (a) WHERE id(a) = $rows[i] MATCH (b) WHERE id(b) = $rows[i + 1] "
                             "CREATE (a)-[:$($type)]->(b) RETURN count(*)",
                             flat, batch * REL_BATCH_FACTOR, progress, "relationships", done, total, step=2,
                             type=rel_type)
        if sum(created) != len(flat) // 2:
            raise StoreError(f"staging {len(flat) // 2} {rel_type} relationships created {sum(created)}")
        done += len(flat) // 2
    return dict(staged)


def _swap(tx: Any, staged: dict[tuple[str, ...], list[int]], progress: Progress) -> None:
    """One transaction: the current graph's nodes lose their labels (``VawgRetired`` instead),
    the staged nodes take theirs. Only labels change, so it is small next to the graph."""
    total = sum(map(len, staged.values()))
    progress("swap", 0, total)
    tx.run(f"MATCH (n:{RESOURCE}) REMOVE n:$(labels(n)) SET n:{RETIRED}").consume()
    done = 0
    for labels, ids in sorted(staged.items()):
        for i in range(0, len(ids), SWAP_BATCH):
            chunk = ids[i:i + SWAP_BATCH]
            tx.run(f"UNWIND $ids AS id MATCH (n) WHERE id(n) = id REMOVE n:{STAGING} SET n:$($labels)",
                   ids=chunk, labels=list(labels)).consume()
            done += len(chunk)
            progress("swap", done, total)


def _delete_label(session: Any, label: str, progress: Progress, stage: str) -> int:
    """Delete every node with ``label`` (and its relationships) in committed batches."""
    import neo4j

    def work(tx: Any) -> int:
        record = tx.run(f"MATCH (n:{label}) WITH n LIMIT $n DETACH DELETE n RETURN count(*) AS c",
                        n=DELETE_BATCH).single()
        return int(record["c"]) if record else 0

    deleted = 0
    progress(stage, 0, 0)
    while n := session.execute_write(neo4j.unit_of_work(timeout=BATCH_TX_TIMEOUT_S)(work)):
        deleted += n
        progress(stage, deleted, 0)
    return deleted


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
    g: Graph | Path,
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
    workers: int = WORKERS,
) -> LoadResult:
    """Replace the ``:Resource`` graph in ``database`` with ``g`` (an rdflib graph, or a
    ``.nt``/``.ttl`` file read as a stream): staged, then swapped in one transaction
    (see the module's docstring). ``batch`` is the node rows a staging transaction."""
    import neo4j

    model = model or load_model()
    report: Progress = progress or (lambda stage, done, total: None)
    timings: dict[str, float] = {}
    notes: list[str] = []
    started = time.monotonic()
    plan = plan_graph(g, model)
    timings["map"] = round(time.monotonic() - started, 2)
    try:
        driver = neo4j.GraphDatabase.driver(
            uri, auth=(user, password), connection_timeout=15, max_transaction_retry_time=retry_s,
            # id() is deprecated in Cypher 5 (elementId() replaces it) but still served; the loader
            # uses it for its own nodes' ids within one load, where it is an integer seek.
            notifications_disabled_classifications=[neo4j.NotificationDisabledClassification.DEPRECATION])
    except Exception as exc:
        raise _unavailable(exc, uri, user, database) or StoreUnavailableError(str(exc)) from exc
    with driver:
        try:
            # Not retried: a refused URI, a wrong password or an unknown database fail at once.
            driver.verify_connectivity()
            with driver.session(database=database) as probe:
                probe.run("RETURN 1").consume()
            t0 = time.monotonic()
            for stmt in legacy_constraints(driver, database):  # first: a constraint owns an index of its name
                driver.execute_query(stmt, database_=database)
            stmts = missing_indexes(driver, database, schema_statements(model))
            for i, stmt in enumerate(stmts, 1):
                driver.execute_query(stmt, database_=database)
                report("schema", i, len(stmts))
            timings["schema"] = round(time.monotonic() - t0, 2)
            with driver.session(database=database) as session:
                t0 = time.monotonic()
                _delete_label(session, STAGING, report, "clean")  # what an interrupted load left
                _delete_label(session, RETIRED, report, "clean")
                timings["clean"] = round(time.monotonic() - t0, 2)
                t0 = time.monotonic()
                writer = _Batches(driver, database, workers)
                try:
                    staged = _stage(writer, plan, report, batch)
                    timings["stage"] = round(time.monotonic() - t0, 2)
                    t0 = time.monotonic()
                    session.execute_write(neo4j.unit_of_work(timeout=SWAP_TX_TIMEOUT_S)(_swap), staged, report)
                    timings["swap"] = round(time.monotonic() - t0, 2)
                    timings["live"] = round(time.monotonic() - started, 2)  # readers see the new graph from here
                except Exception:
                    writer.close()
                    with contextlib.suppress(Exception):  # unreachable server: the next load cleans up
                        _delete_label(session, STAGING, report, "rollback")
                    raise
                finally:
                    writer.close()
                timings["write"] = round(timings["stage"] + timings["swap"], 2)
                t0 = time.monotonic()
                try:
                    _delete_label(session, RETIRED, report, "delete")
                except Exception as exc:  # the new graph is live; the next load deletes what is left
                    notes.append(f"the previous graph was swapped out but not all deleted ({type(exc).__name__}); "
                                 "the next load deletes the rest")
                timings["delete"] = round(time.monotonic() - t0, 2)
            t0 = time.monotonic()
            labels, rel_types = counts(driver, database)
            timings["count"] = round(time.monotonic() - t0, 2)
        except Exception as exc:
            if (unavailable := _unavailable(exc, uri, user, database)) is not None:
                raise unavailable from exc
            if isinstance(exc, StoreError):
                raise
            hint = ""
            if "OutOfMemory" in str(getattr(exc, "code", "") or ""):
                hint = (" (the swap relabels every node of the old and the new graph in one transaction: give the "
                        "server more heap (for the project's server: `VAWG_KG_NEO4J_HEAP=4g vawg-kg neo4j start`), "
                        "or raise dbms.memory.transaction.total.max)")
            raise StoreError(
                f"loading {source} into {uri} (database '{database}') failed and was rolled back; "
                f"the previous graph is unchanged: {type(exc).__name__}: {exc}{hint}", uri=uri) from exc
    timings["total"] = round(time.monotonic() - started, 2)
    return LoadResult(uri=uri, database=database, source=source, nodes=labels.get(RESOURCE, 0),
                      relationships=sum(rel_types.values()), labels=labels, rel_types=rel_types,
                      unmapped=dict(plan.unmapped), seconds=timings, notes=notes)


def counts(driver: Any, database: str) -> tuple[dict[str, int], dict[str, int]]:
    """Nodes per label and relationships per type among the loaded ``:Resource`` graph."""
    labels = {r["label"]: r["c"] for r in driver.execute_query(
        f"MATCH (n:{RESOURCE}) UNWIND labels(n) AS label RETURN label, count(*) AS c", database_=database).records}
    rels = {r["type"]: r["c"] for r in driver.execute_query(
        f"MATCH (:{RESOURCE})-[r]->(:{RESOURCE}) RETURN type(r) AS type, count(*) AS c", database_=database).records}
    return labels, rels


def load_build(build_dir: Path, uri: str, user: str, password: str, database: str = "neo4j",
               *, progress: Progress | None = None, batch: int = BATCH, workers: int = WORKERS) -> LoadResult:
    """Load ``build_dir/vawg-kg.nt`` (or ``.ttl``), streamed: the file is never an rdflib graph."""
    path = graph_file(build_dir)
    return load(path, uri, user, password, database, progress=progress, batch=batch, source=str(path),
                workers=workers)
