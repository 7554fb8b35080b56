"""Every part of the graph checked against the SHACL shapes on its own.

A document's part holds every triple of its nodes but one kind: what the corpus-wide
work adds to them (a commitment's overlaps and status, the reviewer of a judged
link). Those triples are made after every document is extracted, split by the
document their subject belongs to (an overlap node by its first commitment) into one
small *cross part* per document, plus one for what belongs to no document
(vocabulary, created organisations, reviewers).

Each part is checked alone, and what it cannot see is settled with what the other
parts hold:

* a node it points to outside itself has no triples in it, so it is never a focus
  node there (its triples are checked where they live); an ``sh:class`` constraint
  such a node fails in the part is met if its classes, taken from the part that holds
  them, include the class or a subclass of it (:func:`settle`);
* a node of a document's own part that has triples in a cross part too (a
  commitment's ``vawg:overlapsWith``) is typed there by a stub, and only the
  constraints on the properties cross parts add (the *cross paths*) are counted for it
  there; those are left out of the document part's results, where its values on those
  paths are absent.

So the parts together find exactly the violations one run over the whole graph finds
(``tests/test_streaming_build.py``). A document's part is checked where it is made (in
the worker that emits it) and a cross part when complete; the results are kept with
the part, so an unchanged part is not checked again.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Container, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import RDF, Graph, Literal, URIRef

from vawg_kg.loaders.document_parts import CacheDirs, Part, RawResult, check_alone, raw_results
from vawg_kg.loaders.emit import GraphEmitter
from vawg_kg.loaders.serialise import OxigraphTerms, write_part
from vawg_kg.ontology.validate import has_class

CORPUS = "_corpus"  # the cross part of what belongs to no document ("_" cannot start a doc id)

Result = tuple[str, "str | None", str]  # (focus, path, text)


@dataclass(frozen=True)
class CheckTask:
    name: str
    path: Path  # the cross part's sorted N-Triples
    stubs: list[str]  # rdf:type lines of its document-owned subjects
    outside: frozenset[str]  # the nodes it points to outside itself
    key: str
    cache: CacheDirs
    owned: frozenset[str] = frozenset()  # its subjects that have triples in a document's part


@dataclass
class Checked:
    path: Path
    results: list[RawResult]
    reused: bool


def _stub_lines(nodes: Iterable[str], types: Callable[[str], Iterable[str]]) -> list[str]:
    return sorted({f"<{node}> <{RDF.type}> <{cls}> .\n" for node in nodes for cls in types(node)})


@dataclass
class CrossPart:
    """One cross part: its N-Triples lines spooled to a file as they come (sorted when complete),
    with what its check needs to know of them."""

    spool: Path
    pending: list[str] = field(default_factory=list)
    subjects: set[str] = field(default_factory=set)
    objects: set[str] = field(default_factory=set)  # IRIs it points to (rdf:type's classes aside)
    types: dict[str, list[str]] = field(default_factory=dict)
    owned: set[str] = field(default_factory=set)  # its subjects that have triples in a document's part

    def flush(self) -> None:
        with open(self.spool, "a", encoding="utf-8", newline="\n") as out:
            out.writelines(self.pending)
        self.pending = []


SPOOL_LINES = 5_000


class CrossEmitter(GraphEmitter):
    """An emitter that files each triple straight into the cross part of its subject's document
    (:data:`CORPUS` for none), as an N-Triples line spooled to that part's file: the corpus-wide
    triples are never one graph, nor all in memory."""

    def __init__(self, owner_of: Callable[[str], str | None], in_document_part: Callable[[str], bool],
                 folder: Path) -> None:
        super().__init__()
        self._owner_of = owner_of
        self._in_document_part = in_document_part
        self._folder = folder
        self._terms = OxigraphTerms()
        self.parts: dict[str, CrossPart] = {}
        self.cross_paths: set[str] = set()  # the properties cross parts give document-owned nodes

    def add(self, s: URIRef, p: URIRef, o: URIRef | Literal) -> None:
        subject = str(s)
        owner = self._owner_of(subject) or CORPUS
        part = self.parts.get(owner)
        if part is None:
            part = self.parts[owner] = CrossPart(self._folder / f"spool-{owner}.nt")
        part.pending.append(self._terms.line(s, p, o))
        if len(part.pending) >= SPOOL_LINES:
            part.flush()
        part.subjects.add(subject)
        if self._in_document_part(subject):
            part.owned.add(subject)
            self.cross_paths.add(str(p))
        if p == RDF.type:
            types = part.types.setdefault(subject, [])
            if str(o) not in types:
                types.append(str(o))
        elif isinstance(o, URIRef):
            part.objects.add(str(o))


def cross_tasks(emitter: CrossEmitter, types: Callable[[str], Iterable[str]],
                cache: CacheDirs) -> tuple[list[CheckTask], frozenset[str]]:
    """A check per cross part (each part's file written, sorted, as it goes), and the cross paths."""
    tasks = []
    for name, part in sorted(emitter.parts.items()):
        part.flush()
        lines = sorted(set(part.spool.read_text(encoding="utf-8").splitlines(keepends=True)))
        part.spool.unlink()
        owned = frozenset(part.owned)
        outside = frozenset(part.objects - part.subjects)
        stubs = _stub_lines(owned, types)
        digest = hashlib.sha256(name.encode() + b"\0")
        for line in (*lines, "\0", *stubs):
            digest.update(line.encode())
        key = digest.hexdigest()[:32]
        path = cache.current / f"cross-{name}.{key}.nt"
        write_part(lines, path)
        tasks.append(CheckTask(name, path, stubs, outside, key, cache, owned))
    return tasks, frozenset(emitter.cross_paths)


def check(task: CheckTask) -> Checked:
    """A cross part's violations, checked alone (:func:`document_parts.check_alone`)."""
    found_name = f"{task.path.name}.{task.key}.check.json"
    found = task.cache.find(found_name)
    if found is not None:
        return Checked(task.path, raw_results(json.loads(found.read_text())), reused=True)
    data = Graph()
    data.parse(data=task.path.read_text(encoding="utf-8") + "".join(task.stubs), format="nt")
    results = check_alone(data, task.outside)
    (task.cache.current / found_name).write_text(json.dumps(results))
    return Checked(task.path, results, reused=False)


def settle(results: Iterable[RawResult], outside: Container[str], types: Callable[[str], Iterable[str]]) -> list[Result]:
    """A part's violations less the ``sh:class`` constraints a value outside the part (where it has no
    type) meets: its classes, from the part that holds them, include the class or a subclass of it."""
    return [(focus, path, text) for focus, path, text, value, required in results
            if not (required is not None and value is not None and value in outside and has_class(types(value), required))]


def violations(documents: Iterable[Part], cross: Iterable[tuple[CheckTask, Checked]],
               cross_paths: frozenset[str], types: Callable[[str], Iterable[str]]) -> list[str]:
    """The violations of the whole graph, from the parts' checks: a document-owned node's
    cross-path constraints counted from its cross part only, the others from its document's part."""
    cross = list(cross)
    extended = {s for task, _ in cross for s in task.owned}
    out = [text for part in documents for focus, path, text in settle(part.results, set(part.outside), types)
           if not (path in cross_paths and focus in extended)]
    out += [text for task, checked in cross for focus, path, text in settle(checked.results, task.outside, types)
            if focus not in task.owned or path in cross_paths]
    return out
