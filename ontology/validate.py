"""Check data against the SHACL shapes, and the ontology against itself.

``validate_graph`` is the gate every build passes through; ``check_consistency``
runs an OWL RL closure (owlrl) over the ontology and its vocabularies.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from collections.abc import Iterable, Sequence
from pathlib import Path

import owlrl
from pyshacl import validate as shacl_validate
from rdflib import OWL, RDF, RDFS, BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH
from rdflib.term import Node

from vawg_kg.errors import OntologyError, ValidationError
from vawg_kg.ontology.model import ONTOLOGY_FILE, curie, parse_turtle

SHAPES_FILE = ONTOLOGY_FILE.with_name("shapes.ttl")
VOCABULARIES_DIR = ONTOLOGY_FILE.with_name("vocabularies")
MAX_LISTED = 20

# owlrl adds each inconsistency it meets to the graph as a message with this predicate.
_OWLRL_ERROR_TEXT = URIRef("http://www.daml.org/2002/03/agents/agent-ont#error")


@functools.cache
def shapes_graph() -> Graph:
    return parse_turtle(SHAPES_FILE)


@functools.cache
def ontology_graph() -> Graph:
    return parse_turtle(ONTOLOGY_FILE)


def validate_graph(data: Graph, *, inplace: bool = False, shapes: Sequence[URIRef] | None = None) -> None:
    """Raise ValidationError listing each SHACL violation as '<focus node> <path>: <message>'.

    ``inplace=True`` lets pyshacl mix the ontology into ``data`` itself instead of a
    copy: for a caller that owns a throwaway graph, it halves the memory of
    validating a large graph. ``shapes`` limits the run to those node shapes; None
    uses them all.
    """
    found = shacl_results(data, inplace=inplace, shapes=shapes)
    if found:
        raise violation_error(r.text for r in found)


@dataclass(frozen=True)
class ShaclResult:
    """One violation: its focus node, the property path (None for a node constraint) and its text;
    for an ``sh:class`` constraint, the value node that failed it and the class it must have."""

    focus: Node
    path: Node | None
    text: str
    value: Node | None = None
    required_class: Node | None = None


def has_class(types: Iterable[str], required: str) -> bool:
    """Whether a node of these classes has ``required`` (one of them or a superclass, by the ontology)."""
    return any(required in superclasses(t) for t in types)


@functools.cache
def superclasses(cls: str) -> frozenset[str]:
    return frozenset(str(c) for c in ontology_graph().transitive_objects(URIRef(cls), RDFS.subClassOf))


def shacl_results(data: Graph, *, inplace: bool = False,
                  shapes: Sequence[URIRef] | None = None) -> list[ShaclResult]:
    """Every SHACL violation of ``data`` (empty when it conforms); see :func:`validate_graph`."""
    # inference="none": the ontology is mixed into the data graph as the class
    # hierarchy, which is all sh:targetClass / sh:class need; RDFS inference
    # would add nothing the shapes check and costs several times the run time.
    conforms, results, _text = shacl_validate(
        data,
        shacl_graph=shapes_graph(),
        ont_graph=ontology_graph(),
        inference="none",
        allow_warnings=True,
        inplace=inplace,
        use_shapes=[str(s) for s in shapes] if shapes else None,
    )
    if conforms:
        return []
    assert isinstance(results, Graph)
    out = []
    for r in results.subjects(RDF.type, SH.ValidationResult):
        focus = results.value(r, SH.focusNode)
        assert focus is not None
        required = None
        if results.value(r, SH.sourceConstraintComponent) == SH.ClassConstraintComponent:
            required = shapes_graph().value(results.value(r, SH.sourceShape), SH["class"])
        out.append(ShaclResult(focus, results.value(r, SH.resultPath), _describe(data, results, r),
                               results.value(r, SH.value), required))
    return out


def violation_error(violations: Iterable[str]) -> ValidationError:
    """One error listing the violations (sorted, the first MAX_LISTED in the message)."""
    problems = sorted(set(violations))
    listed = problems[:MAX_LISTED]
    more = len(problems) - len(listed)
    tail = f"\n  and {more} more" if more else ""
    return ValidationError(
        f"The graph violates {len(problems)} SHACL constraint(s) of {SHAPES_FILE.name}:\n  "
        + "\n  ".join(listed)
        + tail
        + "\nFix the parser, linker or vocabulary that produced these nodes and rebuild.",
        violations=problems,
    )


def _describe(data: Graph, results: Graph, result: Node) -> str:
    focus = results.value(result, SH.focusNode)
    path = results.value(result, SH.resultPath)
    message = results.value(result, SH.resultMessage)
    value = results.value(result, SH.value)
    if message is None:
        message = Literal(f"violates {short(results.value(result, SH.sourceConstraintComponent))}")
    node = locate(data, focus)
    where = f"{node} {_path_text(results, path)}" if path is not None else node
    found = f" (found {short(value)})" if value is not None and value != focus else ""
    return f"{where}: {message}{found}"


def locate(data: Graph, node: Node | None, hops: int = 3) -> str:
    """A blank node is shown by the way to it from the nearest IRI, e.g. 'id:span/x/1-2 oa:hasSelector [...]'."""
    if not isinstance(node, BNode) or hops == 0:
        return short(node)
    for subject, predicate in sorted(data.subject_predicates(node)):
        return f"{locate(data, subject, hops - 1)} {short(predicate)} [...]"
    return short(node)


def _path_text(g: Graph, path: Node) -> str:
    if isinstance(path, BNode) and (path, RDF.first, None) in g:
        return "/".join(_path_text(g, p) for p in Collection(g, path))
    if isinstance(path, BNode):
        inverse = g.value(path, SH.inversePath)
        if inverse is not None:
            return "^" + _path_text(g, inverse)
    return short(path)


def short(node: Node | None) -> str:
    """A node as a reader writes it: prefixed name where a prefix is known, else <iri>."""
    if node is None:
        return "(none)"
    if isinstance(node, URIRef):
        return curie(str(node))
    if isinstance(node, BNode):
        return f"_:{node}"
    text = str(node)
    return repr(text if len(text) <= 60 else text[:57] + "...")


def vocabulary_files() -> list[Path]:
    return sorted(VOCABULARIES_DIR.glob("*.ttl")) if VOCABULARIES_DIR.is_dir() else []


def check_consistency() -> None:
    """OWL RL closure over the ontology and vocabularies; OntologyError on any contradiction."""
    graph = Graph()
    graph += ontology_graph()
    files = [ONTOLOGY_FILE, *vocabulary_files()]
    for path in files[1:]:
        graph += parse_turtle(path)
    errors = consistency_errors(graph)
    if errors:
        raise OntologyError(
            f"The ontology and vocabularies ({', '.join(p.name for p in files)}) are inconsistent under OWL RL:\n  "
            + "\n  ".join(errors[:MAX_LISTED])
            + "\nFix the types or axioms named above.",
            errors=errors,
        )


def consistency_errors(graph: Graph) -> list[str]:
    """Contradictions owlrl finds in a copy of ``graph`` (the input is left unchanged)."""
    closed = Graph()
    closed += graph
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False).expand(closed)
    errors = [str(m) for m in closed.objects(None, _OWLRL_ERROR_TEXT)]
    errors += [f"{short(s)} is a member of owl:Nothing" for s in closed.subjects(RDF.type, OWL.Nothing)]
    return sorted(set(errors))


__all__ = ["ShaclResult", "has_class", "check_consistency", "consistency_errors", "shacl_results", "violation_error",
           "validate_graph", "vocabulary_files", "short"]
