"""Cross-document links computed over all statements: overlaps between commitments.

Explicit implements links and programme references are found per statement
in ``enrich``; this module looks across documents. The similarity method is in
``overlap_method`` (documented there); this module chooses what is compared
(commitments of different documents, never one with itself), turns the scores
into ``Overlap`` records, applies the reviewers' judgements over the model's
decisions (``judgements``: a confirmed overlap is always there with the judged
kind and ``origin: judged``, a rejected one never), keeps every scored candidate
pair (``candidates.json``: what ``vawg-kg review`` walks and the lineage's
nearest candidates read), and writes them to RDF and JSON, deterministically.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from rdflib import XSD, Literal, URIRef
from rdflib.namespace import PROV, RDF, RDFS

from vawg_kg.loaders.emit import GraphEmitter
from vawg_kg.iris import ID_BASE
from vawg_kg.loaders.enrich import EnrichedStatement
from vawg_kg.loaders.judgements import Decisions, Judgement
from vawg_kg.loaders.overlap_method import (GENERIC_THEME_SLUG, METHOD, Item, OverlapModel, Scored, load_classifier,
                                            word_diff)
from vawg_kg.ontology.terms import VAWG

__all__ = ["Candidate", "LinkReport", "Overlap", "emit_judgement", "emit_links", "entities_of", "items_of",
           "link_documents", "overlap_iri", "phrases_of", "thresholds", "word_diff"]

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
    judgement: Judgement | None = None  # set when a reviewer confirmed it (origin "judged")

    @property
    def origin(self) -> str:
        return "judged" if self.judgement is not None else "machine"

    def to_json(self) -> dict[str, Any]:
        out = {"a": self.a, "b": self.b, "score": self.score, "p_restates": self.p_restates, "kind": self.kind,
               "shared_entities": list(self.shared_entities), "shared_phrases": list(self.shared_phrases),
               "evidence": [{"a": pa, "b": pb} for pa, pb in self.evidence], "method": self.method,
               "origin": self.origin}
        if self.judgement is not None:
            out["judgement"] = self.judgement.provenance()
        return out


@dataclass(frozen=True, slots=True)  # slots: a corpus keeps millions of them
class Candidate:
    """A candidate pair the model scored (linked or not), with its evidence: ``candidates.json``."""

    a: str
    b: str
    doc_a: str
    doc_b: str
    probability: float  # P(linked)
    p_restates: float
    kind: str | None  # the model's decision: "restates" | "related" | None (below the link threshold)
    shared_entities: tuple[str, ...]
    shared_phrases: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {"a": self.a, "b": self.b, "doc_a": self.doc_a, "doc_b": self.doc_b, "probability": self.probability,
                "p_restates": self.p_restates, "kind": self.kind, "shared_entities": list(self.shared_entities),
                "shared_phrases": list(self.shared_phrases)}


@dataclass
class LinkReport:
    overlaps: list[Overlap] = field(default_factory=list)
    candidates: int = 0
    commitments: int = 0
    scored: list[Candidate] = field(default_factory=list)
    judged: dict[str, int] = field(default_factory=dict)

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
            "by_origin": {k: sum(o.origin == k for o in self.overlaps) for k in ("machine", "judged")},
            "judgements_applied": dict(self.judged),
        }

    def to_json(self) -> dict[str, Any]:
        return {**json_head(), "overlaps": [o.to_json() for o in self.overlaps]}

    def candidates_json(self) -> dict[str, Any]:
        return {**json_head(), "candidates": [c.to_json() for c in self.scored]}


def json_head() -> dict[str, Any]:
    """What ``links.json`` and ``candidates.json`` say besides their list: the method and its thresholds."""
    return {"method": METHOD, "thresholds": thresholds()}


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


def link_documents(statements: list[EnrichedStatement], decisions: Decisions | None = None,
                   on_scored: Callable[[Candidate], None] | None = None) -> LinkReport:
    """The model's overlaps over the candidate pairs, with the reviewers' decisions applied over them.
    ``on_scored`` takes each scored candidate as it is made, in (a, b) order, instead of the report
    keeping them all (a large corpus scores millions)."""
    items = items_of(statements)
    model = OverlapModel(items)
    candidates = model.candidates()
    overlaps: dict[tuple[str, str], Overlap] = {}
    scored_out = []
    for scored in model.iter_scored(candidates):
        a, b = items[scored.a], items[scored.b]
        if a.doc_id == b.doc_id or a.iri == b.iri:
            continue
        evidence = scored.evidence or model.evidence(scored.a, scored.b)
        candidate = Candidate(a.iri, b.iri, a.doc_id, b.doc_id, scored.score, scored.restates, scored.kind,
                              scored.shared_entities, phrases_of(evidence))
        if on_scored is None:
            scored_out.append(candidate)
        else:
            on_scored(candidate)
        if scored.kind is not None:
            overlaps[(a.iri, b.iri)] = _overlap(items, scored, scored.kind, evidence)
    judged = _apply(decisions, model, items, overlaps) if decisions is not None else {}
    scored_out.sort(key=lambda c: (c.a, c.b))
    return LinkReport(sorted(overlaps.values(), key=lambda o: (o.a, o.b)), len(candidates), len(items), scored_out, judged)


def phrases_of(evidence: Sequence[tuple[str, str]]) -> tuple[str, ...]:
    """Shared phrases for display: the words once when both texts write them alike, else "in a / in b"."""
    return tuple(pa if pa.casefold() == pb.casefold() else f"{pa} / {pb}" for pa, pb in evidence)


def _overlap(items: Sequence[Item], scored: Scored, kind: str, evidence: tuple[tuple[str, str], ...],
             judgement: Judgement | None = None) -> Overlap:
    a, b = items[scored.a], items[scored.b]
    return Overlap(a.iri, b.iri, a.doc_id, b.doc_id, scored.score, kind, scored.shared_entities, phrases_of(evidence),
                   scored.restates, evidence, judgement=judgement)


def _apply(decisions: Decisions, model: OverlapModel, items: Sequence[Item],
           overlaps: dict[tuple[str, str], Overlap]) -> dict[str, int]:
    """Confirmed overlaps in (with the judged kind, scored by the model even if it never proposed them),
    rejected ones out. Both commitments exist: :func:`judgements.decide` set stale ones aside."""
    index = {it.iri: k for k, it in enumerate(items)}
    counts = {"confirmed": 0, "rejected": 0, "confirmed_already_linked": 0, "rejected_not_linked": 0}
    for (first, second), j in sorted(decisions.overlaps.items()):
        if j.decision == "rejected":
            counts["rejected"] += 1
            if overlaps.pop((first, second), None) is None:
                counts["rejected_not_linked"] += 1
            continue
        counts["confirmed"] += 1
        counts["confirmed_already_linked"] += (first, second) in overlaps
        scored = model.score_pair(index[first], index[second])
        evidence = scored.evidence or model.evidence(scored.a, scored.b)
        overlaps[(first, second)] = _overlap(items, scored, j.relation, evidence, j)
    return counts


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
        emitter.add(node, VAWG.linkOrigin, Literal(o.origin))
        if o.judgement is not None:
            emit_judgement(emitter, node, o.judgement)
        for entity in o.shared_entities:
            emitter.add(node, VAWG.sharedEntity, URIRef(entity))
        for phrase in o.shared_phrases:
            emitter.add(node, VAWG.sharedPhrase, Literal(phrase))




def emit_reviewer(emitter: GraphEmitter, node: URIRef, j: Judgement, *, by: URIRef, at: URIRef) -> None:
    """The reviewer of a judgement (a prov:Agent) linked to ``node`` by ``by``, the time of the
    judgement by ``at``, and the reviewer's reason."""
    reviewer = URIRef(j.reviewer_iri)
    emitter.add(reviewer, RDF.type, PROV.Agent)
    emitter.add(reviewer, RDFS.label, Literal(j.by))
    emitter.add(node, by, reviewer)
    emitter.add(node, at, Literal(j.at_iso, datatype=XSD.dateTime))
    if j.why:
        emitter.add(node, VAWG.judgementReason, Literal(j.why))


def emit_judgement(emitter: GraphEmitter, node: URIRef, j: Judgement) -> None:
    """PROV of a judged link: attributed to the reviewer, generated at the time of the judgement."""
    emit_reviewer(emitter, node, j, by=PROV.wasAttributedTo, at=PROV.generatedAtTime)
