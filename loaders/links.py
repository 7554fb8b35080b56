"""Cross-document links computed over all statements: overlaps between commitments.

Explicit implements links and programme references are found per statement
in ``enrich``; this module looks across documents. The similarity method is in
``overlap_method`` (documented there); this module chooses what is compared
(commitments of different documents, never one with itself), turns the scores
into ``Overlap`` records, and writes them to RDF and JSON, deterministically.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from rdflib import XSD, Literal, URIRef
from rdflib.namespace import RDF

from vawg_kg.loaders.emit import GraphEmitter
from vawg_kg.iris import ID_BASE
from vawg_kg.loaders.enrich import EnrichedStatement
from vawg_kg.loaders.overlap_method import GENERIC_THEME_SLUG, METHOD, Item, OverlapModel, load_classifier, word_diff
from vawg_kg.ontology.terms import VAWG

__all__ = ["LinkReport", "Overlap", "emit_links", "entities_of", "items_of", "link_documents", "overlap_iri",
           "thresholds", "word_diff"]

GENERIC_THEME = f"{ID_BASE}theme/{GENERIC_THEME_SLUG}"
IMPLIED_LEAD_RULES = frozenset({"document-owner-we", "section-owner"})


@dataclass(frozen=True)
class Overlap:
    a: str  # commitment IRIs, a < b
    b: str
    doc_a: str
    doc_b: str
    score: float  # P(linked), calibrated on the labelled pairs
    kind: str  # "restates" | "related"
    shared_entities: tuple[str, ...]
    shared_phrases: tuple[str, ...]  # as written in the texts ("words in a / words in b" when they differ)
    p_restates: float = 0.0  # P(restates | linked)
    evidence: tuple[tuple[str, str], ...] = ()  # each shared phrase as written in a and in b
    method: str = METHOD

    def to_json(self) -> dict[str, Any]:
        return {"a": self.a, "b": self.b, "score": self.score, "p_restates": self.p_restates, "kind": self.kind,
                "shared_entities": list(self.shared_entities), "shared_phrases": list(self.shared_phrases),
                "evidence": [{"a": pa, "b": pb} for pa, pb in self.evidence], "method": self.method}


@dataclass
class LinkReport:
    overlaps: list[Overlap] = field(default_factory=list)
    candidates: int = 0
    commitments: int = 0

    def summary(self) -> dict[str, Any]:
        by_kind = Counter(o.kind for o in self.overlaps)
        by_pair = Counter(" | ".join(sorted((o.doc_a, o.doc_b))) for o in self.overlaps)
        return {
            "overlaps": len(self.overlaps),
            "by_kind": {k: by_kind.get(k, 0) for k in ("restates", "related")},
            "by_document_pair": dict(sorted(by_pair.items())),
            "candidates_scored": self.candidates,
            "commitments_compared": self.commitments,
            "method": METHOD,
            "thresholds": thresholds(),
        }

    def to_json(self) -> dict[str, Any]:
        return {"method": METHOD, "thresholds": thresholds(), "overlaps": [o.to_json() for o in self.overlaps]}


def thresholds() -> dict[str, float]:
    """The classifier's decision thresholds: P(linked) for a link, P(restates | linked) for restates."""
    c = load_classifier()
    return {"linked": c.link_threshold, "restates": c.restates_threshold}


def entities_of(st: EnrichedStatement) -> frozenset[str]:
    """The entities a commitment points to that count as overlap evidence."""
    # A lead implied by "we" is the document's author, true of every commitment in it: no evidence.
    leads = [lead for lead in st.leads if lead.rule not in IMPLIED_LEAD_RULES]
    links = [*st.legislation, *st.outcome_codes, *st.programmes, *leads, *st.partners,
             *(t for t in st.themes if t.iri != GENERIC_THEME)]
    return frozenset(link.iri for link in links)


def items_of(statements: Sequence[EnrichedStatement]) -> list[Item]:
    commitments = sorted((st for st in statements if st.is_commitment), key=lambda st: st.iri)
    return [Item(st.iri, st.doc_id, st.statement.text, entities_of(st),
                 frozenset(link.iri for link in st.implements), st.document.publisher) for st in commitments]


def link_documents(statements: list[EnrichedStatement]) -> LinkReport:
    items = items_of(statements)
    model = OverlapModel(items)
    candidates = model.candidates()
    overlaps = []
    for scored in model.overlaps(candidates):
        a, b = items[scored.a], items[scored.b]
        if scored.kind is None or a.doc_id == b.doc_id or a.iri == b.iri:
            continue
        overlaps.append(Overlap(a.iri, b.iri, a.doc_id, b.doc_id, scored.score, scored.kind,
                                scored.shared_entities, scored.shared_phrases, scored.restates, scored.evidence))
    overlaps.sort(key=lambda o: (o.a, o.b))
    return LinkReport(overlaps, len(candidates), len(items))


def overlap_iri(a: str, b: str) -> URIRef:
    first, second = sorted((a, b))
    digest = hashlib.sha1(f"{first}\x1f{second}".encode()).hexdigest()[:16]
    return URIRef(f"{ID_BASE}overlap/{digest}")


def emit_links(emitter: GraphEmitter, report: LinkReport) -> None:
    for o in report.overlaps:
        a, b = URIRef(o.a), URIRef(o.b)
        emitter.add(a, VAWG.overlapsWith, b)
        emitter.add(b, VAWG.overlapsWith, a)
        if o.kind == "restates":
            emitter.add(a, VAWG.restates, b)
            emitter.add(b, VAWG.restates, a)
        node = overlap_iri(o.a, o.b)
        emitter.add(node, RDF.type, VAWG.Overlap)
        emitter.add(node, VAWG.overlapOf, a)
        emitter.add(node, VAWG.overlapOf, b)
        emitter.add(node, VAWG.score, Literal(f"{o.score:.3f}", datatype=XSD.decimal))
        emitter.add(node, VAWG.overlapKind, Literal(o.kind))
        emitter.add(node, VAWG.method, Literal(o.method))
        for entity in o.shared_entities:
            emitter.add(node, VAWG.sharedEntity, URIRef(entity))
        for phrase in o.shared_phrases:
            emitter.add(node, VAWG.sharedPhrase, Literal(phrase))


