"""Enriched statements → RDF, in the shape docs/data-model.md describes.

No blank nodes: every node has an IRI derived from its content, so two
builds of the same input give the same triples and the same bytes.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from typing import cast
from urllib.parse import quote

from rdflib import RDF, RDFS, XSD, Graph, Literal, Namespace, URIRef
from rdflib.term import Node
from rdflib.namespace import DCTERMS, PROV, SKOS, TIME

from vawg_kg.loaders.documents import DocumentInfo
from vawg_kg.iris import ID_BASE
from vawg_kg.loaders.enrich import EnrichedStatement, Link, org_iri
from vawg_kg.ontology.terms import VAWG

OA = Namespace("http://www.w3.org/ns/oa#")
ORG = Namespace("http://www.w3.org/ns/org#")
OGL = URIRef("http://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/")
QUOTE_CONTEXT = 32
STRUCTURE_KINDS = frozenset({"pillar", "priority"})


def _id(path: str) -> URIRef:
    return URIRef(ID_BASE + path)


def _hash(*parts: str) -> str:
    return hashlib.sha1("\x1f".join(parts).encode()).hexdigest()[:16]


def slugify(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug[:60].strip("-") or "untitled"


def doc_iri(doc_id: str) -> URIRef:
    return _id(f"doc/{doc_id}")


def section_iri(doc_id: str, path: tuple[str, ...]) -> URIRef:
    return _id(f"section/{doc_id}/" + "/".join(quote(slugify(p)) for p in path))


def extraction_iri(subject: URIRef, prop: URIRef, link: Link) -> URIRef:
    """The vawg:FieldExtraction node that records how ``link`` was set on ``subject``."""
    return _id(f"extraction/{_hash(str(subject), str(prop), link.iri, link.rule)}")


class GraphEmitter:
    """Accumulates triples for documents, sections, statements and their links."""

    def __init__(self) -> None:
        self.graph = Graph()
        for prefix, ns in (("vawg", VAWG.base), ("id", ID_BASE), ("oa", str(OA)), ("org", str(ORG)),
                           ("skos", str(SKOS)), ("prov", str(PROV)), ("dcterms", str(DCTERMS)),
                           ("time", str(TIME))):
            self.graph.bind(prefix, ns)
        self._sections: set[URIRef] = set()

    def add(self, s: URIRef, p: URIRef, o: URIRef | Literal) -> None:
        self.graph.add((s, p, o))

    def copy(self, triples: Iterable[tuple[Node, Node, Node]]) -> None:
        """Triples of another graph (the vocabulary, the ontology's status scheme), as they are."""
        for s, p, o in triples:
            self.add(cast(URIRef, s), cast(URIRef, p), cast("URIRef | Literal", o))

    def document(self, doc: DocumentInfo) -> URIRef:
        node = doc_iri(doc.doc_id)
        self.add(node, RDF.type, VAWG.PolicyDocument)
        self.add(node, VAWG.docId, Literal(doc.doc_id))
        self.add(node, VAWG.sourceFile, Literal(doc.file))
        self.add(node, DCTERMS.title, Literal(doc.title))
        self.add(node, DCTERMS.issued, Literal(doc.published.isoformat(), datatype=XSD.date))
        self.add(node, DCTERMS.license, OGL)
        self.add(node, VAWG.publishedBy, URIRef(org_iri(doc.publisher)))
        return node

    def organisation(self, iri: str, label: str) -> None:
        """An organisation the vocabulary did not know: created, never dropped."""
        node = URIRef(iri)
        self.add(node, RDF.type, VAWG.Organisation)
        self.add(node, SKOS.prefLabel, Literal(label))

    def section(self, doc_id: str, path: tuple[str, ...]) -> URIRef | None:
        if not path:
            return None
        node = section_iri(doc_id, path)
        if node not in self._sections:
            self._sections.add(node)
            self.add(node, RDF.type, VAWG.Section)
            self.add(node, RDFS.label, Literal(path[-1]))
            self.add(node, VAWG.inDocument, doc_iri(doc_id))
            parent = self.section(doc_id, path[:-1])
            if parent is not None:
                self.add(node, VAWG.parentSection, parent)
        return node

    def span(self, doc_id: str, source: str, st: EnrichedStatement) -> URIRef:
        span = st.statement.span
        node = _id(f"span/{doc_id}/{span.start}-{span.end}")
        self.add(node, RDF.type, OA.SpecificResource)
        self.add(node, OA.hasSource, doc_iri(doc_id))
        position = URIRef(f"{node}#position")
        self.add(node, OA.hasSelector, position)
        self.add(position, RDF.type, OA.TextPositionSelector)
        self.add(position, OA.start, Literal(span.start))
        self.add(position, OA.end, Literal(span.end))
        quote_node = URIRef(f"{node}#quote")
        self.add(node, OA.hasSelector, quote_node)
        self.add(quote_node, RDF.type, OA.TextQuoteSelector)
        self.add(quote_node, OA.exact, Literal(source[span.start:span.end]))
        self.add(quote_node, OA.prefix, Literal(source[max(0, span.start - QUOTE_CONTEXT):span.start]))
        self.add(quote_node, OA.suffix, Literal(source[span.end:span.end + QUOTE_CONTEXT]))
        for page in span.pages:
            self.add(node, VAWG.onPage, Literal(page, datatype=XSD.positiveInteger))
        if len(span.fragments) > 1:
            for i, (a, b) in enumerate(span.fragments, start=1):
                fragment = URIRef(f"{node}#fragment-{i}")
                self.add(node, VAWG.hasFragment, fragment)
                self.add(fragment, RDF.type, OA.TextPositionSelector)
                self.add(fragment, OA.start, Literal(a))
                self.add(fragment, OA.end, Literal(b))
        return node

    def extraction(self, subject: URIRef, prop: URIRef, link: Link) -> None:
        node = extraction_iri(subject, prop, link)
        self.add(subject, VAWG.hasExtraction, node)
        self.add(node, RDF.type, VAWG.FieldExtraction)
        self.add(node, VAWG.extractedProperty, prop)
        self.add(node, VAWG.extractedValue, URIRef(link.iri))
        self.add(node, VAWG.extractionRule, Literal(link.rule))
        if link.matched:
            self.add(node, VAWG.matchedText, Literal(link.matched))
        if link.reference and prop == VAWG.citesLegislation:
            self.add(node, VAWG.referenceKind, Literal(link.reference))
        elif link.reference and prop == VAWG.hasTheme:
            self.add(node, VAWG.themeSource, Literal(link.reference))

    def links(self, subject: URIRef, prop: URIRef, links: Iterable[Link]) -> None:
        for link in links:
            self.add(subject, prop, URIRef(link.iri))
            self.extraction(subject, prop, link)

    def deadline(self, subject: URIRef, st: EnrichedStatement) -> None:
        d = st.deadline
        if d is None or d.raw is None:
            return
        self.add(subject, VAWG.deadlineText, Literal(d.raw.strip()))
        self.add(subject, VAWG.deadlineKind, Literal(d.kind))
        if d.date is None:
            return
        self.add(subject, VAWG.deadline, Literal(d.date.isoformat(), datatype=XSD.date))
        self.extraction(subject, VAWG.deadline, Link(f"{subject}#deadline", d.iso or "", d.rule, d.matched))
        start = d.period_start or d.date
        interval = _id(f"interval/{start.isoformat()}_{d.date.isoformat()}")
        self.add(subject, VAWG.deadlinePeriod, interval)
        self.add(interval, RDF.type, TIME.Interval)
        for prop, day in ((TIME.hasBeginning, start), (TIME.hasEnd, d.date)):
            instant = _id(f"instant/{day.isoformat()}")
            self.add(interval, prop, instant)
            self.add(instant, RDF.type, TIME.Instant)
            self.add(instant, TIME.inXSDDate, Literal(day.isoformat(), datatype=XSD.date))

    def statement(self, source: str, st: EnrichedStatement) -> URIRef | None:
        node = URIRef(st.iri)
        ps = st.statement
        if ps.kind in STRUCTURE_KINDS:
            # Pillars and priorities are already the sections of their commitments.
            self.section(ps.doc_id, ps.section)
            return None
        klass = VAWG.Commitment if ps.kind == "commitment" else VAWG.StatedOutcome
        self.add(node, RDF.type, klass)
        self.add(node, VAWG.inDocument, doc_iri(ps.doc_id))
        self.add(node, VAWG.ref, Literal(ps.ref))
        self.add(node, VAWG.text, Literal(ps.text))
        if ps.section:
            self.add(node, VAWG.sectionPath, Literal(" > ".join(ps.section)))
            section = self.section(ps.doc_id, ps.section)
            if section is not None:
                self.add(node, VAWG.inSection, section)
        self.add(node, VAWG.hasSourceSpan, self.span(ps.doc_id, source, st))
        strand = ps.hints.get("strand")
        if isinstance(strand, str):
            self.add(node, VAWG.strand, Literal(strand))
        objectives = ps.hints.get("objectives")
        for objective in [objectives] if isinstance(objectives, str) else objectives or []:
            self.add(node, VAWG.objective, Literal(objective))
        self.links(node, VAWG.hasLead, st.leads)
        self.links(node, VAWG.hasPartner, st.partners)
        self.links(node, VAWG.hasTheme, st.themes)
        self.links(node, VAWG.citesLegislation, st.legislation)
        self.links(node, VAWG.hasOutcomeCode, st.outcome_codes)
        self.links(node, VAWG.refersToProgramme, st.programmes)
        self.links(node, VAWG.implements, st.implements)
        if st.contributes_to:
            self.add(node, VAWG.contributesTo, URIRef(st.contributes_to))
        self.deadline(node, st)
        return node

