"""The ontology (``vawg.ttl``) loaded once into typed objects.

Everything that names the model — the Neo4j loader (labels, relationship
types, property keys), the API (field names), the reference docs — reads it
from here instead of keeping its own list of terms.
"""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from rdflib import OWL, RDF, RDFS, BNode, Graph, Literal as RDFLiteral, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, SKOS
from rdflib.plugins.parsers.notation3 import BadSyntax
from rdflib.term import Node

from vawg_kg.errors import OntologyError
from vawg_kg.iris import ID_BASE, ONTOLOGY_IRI, ONTOLOGY_NS

VAWG_NS = ONTOLOGY_NS
ONTOLOGY_FILE = Path(__file__).with_name("vawg.ttl")

PropertyKind = Literal["object", "datatype", "annotation"]

_ALIGNMENT_PREDICATES = (
    RDFS.subClassOf,
    RDFS.subPropertyOf,
    OWL.equivalentClass,
    OWL.equivalentProperty,
)
_PREFIXES = {
    ID_BASE: "id",
    str(OWL): "owl",
    str(RDF): "rdf",
    "http://www.w3.org/2001/XMLSchema#": "xsd",
    str(SKOS): "skos",
    str(DCTERMS): "dcterms",
    str(RDFS): "rdfs",
    "http://www.w3.org/ns/prov#": "prov",
    "http://www.w3.org/ns/org#": "org",
    "http://www.w3.org/2006/time#": "time",
    "http://www.w3.org/ns/oa#": "oa",
}


@dataclass(frozen=True)
class OntClass:
    iri: str
    local_name: str
    label: str
    comment: str
    parents: tuple[str, ...]
    neo4j_label: str


@dataclass(frozen=True)
class OntProperty:
    iri: str
    local_name: str
    kind: PropertyKind
    label: str
    comment: str
    domain: tuple[str, ...]
    range: tuple[str, ...]
    neo4j_rel_type: str | None
    neo4j_key: str | None
    api_field: str
    is_relationship: bool


@dataclass(frozen=True)
class OntologyModel:
    iri: str
    version: str
    source: str
    classes: dict[str, OntClass]
    object_properties: dict[str, OntProperty]
    datatype_properties: dict[str, OntProperty]
    annotation_properties: dict[str, OntProperty]
    external_properties: dict[str, OntProperty]

    @property
    def properties(self) -> dict[str, OntProperty]:
        """Every vawg property (object, datatype, annotation) by local name."""
        return {**self.annotation_properties, **self.datatype_properties, **self.object_properties}

    def declared_names(self) -> frozenset[str]:
        return frozenset(self.classes) | frozenset(self.properties)

    def term(self, local_name: str) -> str:
        """The IRI of a declared vawg term; OntologyError names the term and the nearest declared ones."""
        if local_name in self.classes:
            return self.classes[local_name].iri
        if local_name in self.properties:
            return self.properties[local_name].iri
        near = difflib.get_close_matches(local_name, sorted(self.declared_names()), n=3)
        hint = f" Did you mean {', '.join('vawg:' + n for n in near)}?" if near else ""
        raise OntologyError(
            f"vawg:{local_name} is not declared in {self.source}.{hint} "
            "Declare it there (with label, comment, domain, range and an alignment) before using it.",
            term=local_name,
        )

    def property_for(self, iri: str) -> OntProperty | None:
        for prop in (*self.properties.values(), *self.external_properties.values()):
            if prop.iri == str(iri):
                return prop
        return None

    def class_for(self, iri: str) -> OntClass | None:
        name = local_name_of(str(iri))
        cls = self.classes.get(name)
        return cls if cls is not None and cls.iri == str(iri) else None

    def ancestors(self, local_name: str) -> list[str]:
        """Declared vawg superclasses of a class, nearest first (the class itself excluded)."""
        seen: list[str] = []
        queue = list(self.classes[local_name].parents)
        while queue:
            parent = self.class_for(queue.pop(0))
            if parent is not None and parent.local_name not in seen and parent.local_name != local_name:
                seen.append(parent.local_name)
                queue.extend(parent.parents)
        return seen

    def labels_for(self, rdf_type_iris: Iterable[str]) -> list[str]:
        """Neo4j labels for a node: its vawg classes and their vawg ancestors, each once."""
        labels: list[str] = []
        for iri in rdf_type_iris:
            cls = self.class_for(str(iri))
            if cls is None:
                continue
            for name in (cls.neo4j_label, *self.ancestors(cls.local_name)):
                if name not in labels:
                    labels.append(name)
        return labels


def local_name_of(iri: str) -> str:
    return re.split(r"[#/]", iri)[-1]


def upper_snake(name: str) -> str:
    """``hasLead`` → ``HAS_LEAD``; ``docId`` → ``DOC_ID``."""
    return snake_case(name).upper()


def snake_case(name: str) -> str:
    """``deadlineText`` → ``deadline_text``; ``prefLabel`` → ``pref_label``."""
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", name)
    return spaced.lower()


def parse_turtle(path: Path) -> Graph:
    """Parse a Turtle file; a syntax error becomes an OntologyError naming file and line."""
    try:
        data = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise OntologyError(f"Cannot read {path}: {exc.strerror}. Reinstall the package or restore the file.") from exc
    try:
        return Graph().parse(data=data, format="turtle", publicID=path.as_uri())
    except BadSyntax as exc:
        raise OntologyError(
            f"{path}:{exc.lines + 1}: Turtle syntax error ({exc._why}). Fix that line and reload.",
            file=str(path),
            line=exc.lines + 1,
        ) from exc
    except Exception as exc:  # rdflib raises several unrelated types for malformed input
        raise OntologyError(f"{path}: cannot be parsed as Turtle: {exc}. Fix the file and reload.") from exc


@functools.cache
def load_model() -> OntologyModel:
    """The ontology, parsed and checked once per process."""
    return build_model(parse_turtle(ONTOLOGY_FILE), source=str(ONTOLOGY_FILE))


def build_model(graph: Graph, source: str) -> OntologyModel:
    """Read and check the ontology graph; OntologyError names the first term that breaks a rule."""
    reader = _Reader(graph, source)
    classes = {c.local_name: c for c in map(reader.ont_class, reader.vawg_subjects(OWL.Class))}
    kinds: tuple[tuple[PropertyKind, URIRef], ...] = (
        ("object", OWL.ObjectProperty),
        ("datatype", OWL.DatatypeProperty),
        ("annotation", OWL.AnnotationProperty),
    )
    props = {
        kind: {p.local_name: p for p in (reader.ont_property(s, kind) for s in reader.vawg_subjects(rdf_type))}
        for kind, rdf_type in kinds
    }
    external = [reader.external_property(s) for s in reader.external_subjects()]
    model = OntologyModel(
        iri=ONTOLOGY_IRI,
        version=reader.literal(URIRef(ONTOLOGY_IRI), OWL.versionInfo, "owl:versionInfo"),
        source=source,
        classes=classes,
        object_properties=props["object"],
        datatype_properties=props["datatype"],
        annotation_properties=props["annotation"],
        external_properties={p.neo4j_key or p.neo4j_rel_type or p.local_name: p for p in external},
    )
    reader.check_no_undeclared(model.declared_names())
    return model


class _Reader:
    def __init__(self, graph: Graph, source: str) -> None:
        self.g = graph
        self.source = source

    def fail(self, subject: Node, problem: str) -> OntologyError:
        name = curie(str(subject))
        return OntologyError(f"{self.source}: {name} {problem}", term=name)

    def vawg_subjects(self, rdf_type: URIRef) -> list[URIRef]:
        return sorted(
            s for s in self.g.subjects(RDF.type, rdf_type) if isinstance(s, URIRef) and str(s).startswith(VAWG_NS)
        )

    def external_subjects(self) -> list[URIRef]:
        """Terms of other vocabularies that carry a Neo4j mapping (a key or a relationship type)."""
        keys = (URIRef(VAWG_NS + "neo4jKey"), URIRef(VAWG_NS + "neo4jRelationshipType"))
        return sorted({s for key in keys for s in self.g.subjects(key, None)
                       if isinstance(s, URIRef) and not str(s).startswith(VAWG_NS)})

    def literal(self, subject: Node, predicate: URIRef, what: str) -> str:
        values = [str(o) for o in self.g.objects(subject, predicate) if isinstance(o, RDFLiteral)]
        if not values or not values[0].strip():
            raise self.fail(subject, f"has no {what}; add one.")
        if len(set(values)) > 1:
            raise self.fail(subject, f"has {len(values)} different values of {what}; keep one.")
        return values[0]

    def iris(self, subject: URIRef, predicate: URIRef, what: str) -> tuple[str, ...]:
        found: list[str] = []
        for obj in self.g.objects(subject, predicate):
            if isinstance(obj, URIRef):
                found.append(str(obj))
            elif isinstance(obj, BNode) and (obj, OWL.unionOf, None) in self.g:
                members = Collection(self.g, next(self.g.objects(obj, OWL.unionOf)))
                found.extend(str(m) for m in members)
            else:
                raise self.fail(subject, f"has a {what} that is neither an IRI nor an owl:unionOf of IRIs.")
        if not found:
            raise self.fail(subject, f"has no {what}; add rdfs:{what} (owl:Thing if anything goes).")
        return tuple(sorted(found))

    def check_aligned(self, subject: URIRef) -> None:
        aligned = any((subject, p, None) in self.g for p in _ALIGNMENT_PREDICATES)
        noted = (subject, URIRef(VAWG_NS + "alignmentNote"), None) in self.g
        if not (aligned or noted):
            raise self.fail(
                subject,
                "is neither aligned (rdfs:subClassOf / rdfs:subPropertyOf / owl:equivalentClass) "
                "nor has a vawg:alignmentNote saying why none fits; add one.",
            )

    def ont_class(self, subject: URIRef) -> OntClass:
        self.check_aligned(subject)
        name = local_name_of(str(subject))
        return OntClass(
            iri=str(subject),
            local_name=name,
            label=self.literal(subject, RDFS.label, "rdfs:label"),
            comment=self.literal(subject, RDFS.comment, "rdfs:comment (a definition)"),
            parents=tuple(sorted(str(o) for o in self.g.objects(subject, RDFS.subClassOf) if isinstance(o, URIRef))),
            neo4j_label=name,
        )

    def ont_property(self, subject: URIRef, kind: PropertyKind) -> OntProperty:
        self.check_aligned(subject)
        name = local_name_of(str(subject))
        is_rel = kind == "object" and self.neo4j_relationship(subject)
        typed = kind != "annotation"
        return OntProperty(
            iri=str(subject),
            local_name=name,
            kind=kind,
            label=self.literal(subject, RDFS.label, "rdfs:label"),
            comment=self.literal(subject, RDFS.comment, "rdfs:comment (a definition)"),
            domain=self.iris(subject, RDFS.domain, "domain") if typed else (),
            range=self.iris(subject, RDFS.range, "range") if typed else (),
            neo4j_rel_type=upper_snake(name) if is_rel else None,
            neo4j_key=name if kind == "datatype" else None,
            api_field=snake_case(name),
            is_relationship=is_rel,
        )

    def neo4j_relationship(self, subject: URIRef) -> bool:
        values = list(self.g.objects(subject, URIRef(VAWG_NS + "neo4jRelationship")))
        if len(values) != 1 or not isinstance(values[0], RDFLiteral) or not isinstance(values[0].toPython(), bool):
            raise self.fail(subject, "needs exactly one vawg:neo4jRelationship true or false (object properties only).")
        return bool(values[0].toPython())

    def external_property(self, subject: URIRef) -> OntProperty:
        """A property reused from another vocabulary: a literal one mapped to a Neo4j key
        (``vawg:neo4jKey``) or an object one mapped to a relationship type
        (``vawg:neo4jRelationshipType``)."""
        name = local_name_of(str(subject))
        is_rel = (subject, URIRef(VAWG_NS + "neo4jRelationshipType"), None) in self.g
        if is_rel:
            rel_type: str | None = self.literal(
                subject, URIRef(VAWG_NS + "neo4jRelationshipType"), "vawg:neo4jRelationshipType")
            key = None
        else:
            rel_type = None
            key = self.literal(subject, URIRef(VAWG_NS + "neo4jKey"), "vawg:neo4jKey")
        return OntProperty(
            iri=str(subject),
            local_name=name,
            kind="object" if is_rel else "annotation",
            label=curie(str(subject)),
            comment=self.literal(subject, URIRef(VAWG_NS + "usageNote"), "vawg:usageNote"),
            domain=(),
            range=(),
            neo4j_rel_type=rel_type,
            neo4j_key=key,
            api_field=snake_case(key or name),
            is_relationship=is_rel,
        )

    def check_no_undeclared(self, declared: frozenset[str]) -> None:
        """A vawg IRI used anywhere in the file must be declared in it (catches typos in domains, ranges, chains)."""
        for triple in self.g:
            for node in triple:
                if isinstance(node, URIRef) and str(node).startswith(VAWG_NS):
                    name = str(node)[len(VAWG_NS) :]
                    if name not in declared:
                        raise self.fail(node, "is used but not declared; declare it or fix the spelling.")


def curie(iri: str) -> str:
    """``vawg:hasLead``, ``id:org/cps``, ``skos:prefLabel``; an IRI with no known prefix as ``<iri>``."""
    if iri.startswith(VAWG_NS):
        return "vawg:" + iri[len(VAWG_NS) :]
    for ns, prefix in _PREFIXES.items():
        if iri.startswith(ns):
            return f"{prefix}:{iri[len(ns):]}"
    return f"<{iri}>"
