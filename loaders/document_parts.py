"""One document's share of the build, done in a worker process and kept for the next build.

Two steps per document, each cached in the build folder (``parts/``) under a key made
of what it depends on, so an unchanged document is not done again:

* :func:`extract`: parse and enrich. Key: the code version, the document's metadata
  and its text.
* :func:`emit_part`: the document's triples as a sorted N-Triples part, checked against
  the SHACL shapes. Key: the extract key and the links decided outside the document
  (its implements links after the reviewers' judgements, the organisations created
  from the whole corpus).

The part records the classes of its nodes and the nodes it points to outside itself,
so that it can be checked against the SHACL shapes on its own (:mod:`part_checks`).
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import pickle
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from importlib import metadata
from pathlib import Path
from typing import Any

from rdflib import RDF, Graph, URIRef

import vawg_kg
from vawg_kg import loaders, ontology
from vawg_kg.errors import SourceError
from vawg_kg.loaders.documents import DocumentInfo
from vawg_kg.loaders.emit import GraphEmitter
from vawg_kg.loaders.enrich import EnrichedStatement, Enricher
from vawg_kg.loaders.overlap_text import TextAnalysis, default_analyser
from vawg_kg.loaders.parsers import parser_for
from vawg_kg.loaders.readers import pages_of
from vawg_kg.loaders.records import ParsedDocument
from vawg_kg.loaders.serialise import sorted_lines, write_part
from vawg_kg.ontology.validate import shacl_results

PARTS_DIR = "parts"
_LIBRARIES = ("rdflib", "pyoxigraph", "pyshacl")


@functools.cache
def code_version() -> str:
    """A digest of the code and model the parts are made by (the package's core, loaders and
    ontology, and the versions of the RDF libraries): a part made by other code is not reused."""
    digest = hashlib.sha256()
    for package in (vawg_kg, loaders, ontology):
        root = Path(package.__file__ or "").parent
        for path in sorted(root.rglob("*")):
            if path.suffix in {".py", ".ttl", ".json"} and path.is_file() and "__pycache__" not in path.parts:
                digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    for library in _LIBRARIES:
        digest.update(f"{library}={metadata.version(library)}".encode())
    return digest.hexdigest()


def key_of(*parts: object) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:32]


@dataclass(frozen=True)
class CacheDirs:
    """Where earlier builds left their parts (read) and where this build keeps them (write)."""

    previous: Path | None
    current: Path

    def find(self, name: str) -> Path | None:
        """``name`` in this build's folder, hard-linked (or copied) from the previous one if it is there."""
        here = self.current / name
        if here.exists():
            return here
        if self.previous is None:
            return None
        before = self.previous / name
        if not before.exists():
            return None
        try:
            os.link(before, here)
        except OSError:
            here.write_bytes(before.read_bytes())
        return here


@dataclass
class SourceDocument:
    info: DocumentInfo
    path: Path
    text: str
    original: Path | None = None  # the file as given, when ``text`` was extracted from it


def parse_document(doc: SourceDocument) -> ParsedDocument:
    try:
        parsed = parser_for(doc.info.shape).parse(doc.text, doc.info.doc_id, doc.info.file)
    except SourceError as exc:
        if doc.path.name == doc.info.file:
            raise
        # An added document is stored as <doc-id><suffix>; name the file the user gave too.
        raise SourceError(f"{exc.message} (in {doc.path})", **exc.details) from None
    for statement in parsed.statements:
        statement.check_against(doc.text)
        if doc.info.page_starts:
            statement.span = replace(statement.span,
                                     pages=pages_of(doc.info.page_starts, statement.span.fragments))
    return parsed


def coverage_of(doc: SourceDocument, parsed: ParsedDocument) -> dict[str, Any]:
    total = len(doc.text.splitlines())
    roles: dict[str, int] = {}
    for role in parsed.line_roles.values():
        roles[role] = roles.get(role, 0) + 1
    unclaimed = parsed.unclaimed_lines(total)
    uncertain = [{"line": u.line, "text": u.text, "cue": u.cue,
                  **({"page": pages_of(doc.info.page_starts, ((u.start, u.start + 1),))[0]}
                     if doc.info.page_starts else {})}
                 for u in parsed.uncertain]
    return {"lines": total, "roles": dict(sorted(roles.items())), "unclaimed": unclaimed[:200],
            "unclaimed_count": len(unclaimed), "uncertain": uncertain[:500], "uncertain_count": len(uncertain)}


@dataclass
class Extracted:
    """A document parsed and enriched, with what the build reports of it."""

    statements: list[EnrichedStatement]
    coverage: dict[str, Any]
    unknown_organisations: dict[str, str]  # iri → label, in the order the document names them
    analyses: dict[str, TextAnalysis] = field(default_factory=dict)  # each commitment's text as the overlap model reads it
    reused: bool = False


@dataclass(frozen=True)
class ExtractTask:
    info: DocumentInfo
    path: Path
    text: str
    key: str
    cache: CacheDirs


@functools.cache
def _enricher_vocabulary() -> Any:
    return Enricher().vocab


def extract(task: ExtractTask) -> Extracted:
    name = f"{task.info.doc_id}.{task.key}.extract.pickle"
    cached = task.cache.find(name)
    if cached is not None:
        # written by this package into the build folder, under a key that includes the code version
        out: Extracted = pickle.loads(cached.read_bytes())
        out.reused = True
        return out
    doc = SourceDocument(task.info, task.path, task.text)
    parsed: ParsedDocument = parse_document(doc)
    enricher = Enricher(_enricher_vocabulary())
    statements = [enricher.enrich(st, task.info) for st in parsed.statements]
    analyser = default_analyser()
    analyses = {st.statement.text: analyser.analysis(st.statement.text) for st in statements if st.is_commitment}
    out = Extracted(statements, coverage_of(doc, parsed), dict(enricher.unknown_organisations), analyses)
    (task.cache.current / name).write_bytes(pickle.dumps(out, protocol=pickle.HIGHEST_PROTOCOL))
    return out


@dataclass
class Part:
    """A document's triples (``path``, sorted N-Triples) and what the build needs to know of them."""

    path: Path
    key: str
    meta: Path  # JSON: "types", each typed node of the part → its classes (read by :func:`types_of`)
    outside: list[str]  # the nodes it points to that have no triples in it
    triples: int
    results: list[RawResult]  # its SHACL violations, checked alone (see part_checks)
    reused: bool = False


@dataclass(frozen=True)
class EmitTask:
    info: DocumentInfo
    text: str
    statements: list[EnrichedStatement]
    key: str
    cache: CacheDirs
    unknown_organisations: frozenset[str] = field(default_factory=frozenset)


def emit_key(extract_key: str, statements: Sequence[EnrichedStatement], unknown_organisations: Iterable[str]) -> str:
    implements = [(st.iri, [(link.iri, link.rule, link.matched, link.reference) for link in st.implements])
                  for st in statements if st.implements]
    return key_of(extract_key, implements, sorted(unknown_organisations))


def emit_part(task: EmitTask) -> Part:
    stem = f"{task.info.doc_id}.{task.key}"
    nt, meta = task.cache.find(f"{stem}.nt"), task.cache.find(f"{stem}.json")
    if nt is not None and meta is not None:
        found = json.loads(meta.read_text())
        return Part(nt, task.key, meta, found["outside"], found["triples"], raw_results(found["results"]),
                    reused=True)
    emitter = GraphEmitter()
    emitter.document(task.info)
    for st in task.statements:
        emitter.statement(task.text, st)
    graph = emitter.graph
    lines = sorted_lines(graph)
    path = task.cache.current / f"{stem}.nt"
    write_part(lines, path)
    types: dict[str, list[str]] = {}
    for s, o in graph.subject_objects(RDF.type):
        types.setdefault(str(s), []).append(str(o))
    subjects = set(graph.subjects())
    outside = sorted({str(o) for p, o in graph.predicate_objects()
                      if isinstance(o, URIRef) and p != RDF.type and o not in subjects})
    results = check_alone(graph, frozenset(outside))  # last: pyshacl mixes the ontology into the graph
    meta = task.cache.current / f"{stem}.json"
    meta.write_text(json.dumps({"types": types, "outside": outside, "triples": len(lines), "results": results},
                               sort_keys=True))
    return Part(path, task.key, meta, outside, len(lines), results)


RawResult = tuple[str, "str | None", str, "str | None", "str | None"]  # focus, path, text, value, class required


def check_alone(graph: Graph, outside: frozenset[str]) -> list[RawResult]:
    """A part's SHACL violations, the part checked on its own: a node outside it has no triples in it,
    so it is never a focus; an ``sh:class`` it fails is settled later with its classes
    (:func:`part_checks.settle`). ``graph`` gets the ontology mixed into it."""
    return sorted({(str(r.focus), _str(r.path), r.text, _str(r.value), _str(r.required_class))
                   for r in shacl_results(graph, inplace=True) if str(r.focus) not in outside},
                  key=lambda r: (r[2], r[0], r[3] or ""))


def raw_results(rows: Iterable[Sequence[str | None]]) -> list[RawResult]:
    return [(str(f), p, str(t), v, c) for f, p, t, v, c in rows]


def _str(node: object) -> str | None:
    return None if node is None else str(node)


def types_of(part: Part) -> dict[str, list[str]]:
    """Each typed node of the part → its classes."""
    found: dict[str, list[str]] = json.loads(part.meta.read_text())["types"]
    return found
