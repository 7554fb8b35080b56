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
from vawg_kg.loaders.overlap_method import (
    GENERIC_THEME_SLUG,
    METHOD,
    RELATED_THRESHOLD,
    RESTATES_THRESHOLD,
    Item,
    OverlapModel,
    kind_of,
    word_diff,
)
from vawg_kg.ontology.terms import VAWG

__all__ = ["LinkReport", "Overlap", "emit_links", "entities_of", "link_documents", "overlap_iri", "word_diff"]

GENERIC_THEME = f"{ID_BASE}theme/{GENERIC_THEME_SLUG}"
IMPLIED_LEAD_RULES = frozenset({"document-owner-we", "section-owner"})


@dataclass(frozen=True)
class Overlap:
    a: str  # commitment IRIs, a < b
    b: str
    doc_a: str
    doc_b: str
    score: float
    kind: str  # "restates" | "related"
    shared_entities: tuple[str, ...]
    shared_phrases: tuple[str, ...]
    method: str = METHOD

    def to_json(self) -> dict[str, Any]:
        return {"a": self.a, "b": self.b, "score": self.score, "kind": self.kind,
                "shared_entities": list(self.shared_entities), "shared_phrases": list(self.shared_phrases),
                "method": self.method}


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
            "thresholds": {"related": RELATED_THRESHOLD, "restates": RESTATES_THRESHOLD},
        }

    def to_json(self) -> dict[str, Any]:
        return {"method": METHOD,
                "thresholds": {"related": RELATED_THRESHOLD, "restates": RESTATES_THRESHOLD},
                "overlaps": [o.to_json() for o in self.overlaps]}


def entities_of(st: EnrichedStatement) -> frozenset[str]:
    """The entities a commitment points to that count as overlap evidence."""
    # A lead implied by "we" is the document's author, true of every commitment in it: no evidence.
    leads = [lead for lead in st.leads if lead.rule not in IMPLIED_LEAD_RULES]
    links = [*st.legislation, *st.outcome_codes, *st.programmes, *leads, *st.partners,
             *(t for t in st.themes if t.iri != GENERIC_THEME)]
    return frozenset(link.iri for link in links)


def items_of(statements: Sequence[EnrichedStatement]) -> list[Item]:
    commitments = sorted((st for st in statements if st.is_commitment), key=lambda st: st.iri)
    return [Item(st.iri, st.doc_id, st.statement.text, entities_of(st)) for st in commitments]


def link_documents(statements: list[EnrichedStatement]) -> LinkReport:
    items = items_of(statements)
    model = OverlapModel(items)
    candidates = model.candidates()
    overlaps = []
    for scored in model.overlaps(candidates):
        kind = kind_of(scored.score)
        a, b = items[scored.a], items[scored.b]
        if kind is None or a.doc_id == b.doc_id or a.iri == b.iri:
            continue
        overlaps.append(Overlap(a.iri, b.iri, a.doc_id, b.doc_id, scored.score, kind,
                                scored.shared_entities, scored.shared_phrases))
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


# ---------------------------------------------------------------------- evaluation
LABELLED_PAIRS = "tests/labelled/overlap_pairs.jsonl"


@dataclass(frozen=True)
class LabelledPair:
    a: str  # "<doc_id>/<ref>"
    b: str
    label: str  # "restates" | "related" | "none"
    split: str  # "tune" | "heldout"
    note: str = ""


def load_labelled(path: str | None = None) -> list[LabelledPair]:
    import json
    from pathlib import Path

    file = Path(path) if path else Path(__file__).resolve().parents[1] / LABELLED_PAIRS
    rows = [json.loads(line) for line in file.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [LabelledPair(r["a"], r["b"], r["label"], r["split"], r.get("note", "")) for r in rows]


def pair_scores(statements: Sequence[EnrichedStatement], pairs: Sequence[LabelledPair]) -> dict[tuple[str, str], float]:
    """The score the pipeline gives each labelled pair: 0 when blocking never proposes it."""
    commitments = sorted((st for st in statements if st.is_commitment), key=lambda st: st.iri)
    items = items_of(commitments)
    model = OverlapModel(items)
    index = {f"{st.doc_id}/{st.ref}": k for k, st in enumerate(commitments)}
    missing = sorted({key for p in pairs for key in (p.a, p.b) if key not in index})
    if missing:
        raise KeyError(f"labelled pairs name commitments the parsers do not emit: {', '.join(missing)}")
    candidates = set(model.candidates())
    out = {}
    for p in pairs:
        i, j = sorted((index[p.a], index[p.b]))
        out[(p.a, p.b)] = model.score_pair(i, j).score if (i, j) in candidates else 0.0
    return out


def evaluate(scores: dict[tuple[str, str], float], pairs: Sequence[LabelledPair], split: str | None,
             related: float = RELATED_THRESHOLD, restates: float = RESTATES_THRESHOLD) -> dict[str, Any]:
    """Precision/recall/F1 of 'overlaps' (restates or related) against the labels, and kind agreement."""
    tp = fp = fn = tn = kind_ok = 0
    for p in pairs:
        if split is not None and p.split != split:
            continue
        s = scores[(p.a, p.b)]
        predicted = "restates" if s >= restates else "related" if s >= related else "none"
        gold_pos, pred_pos = p.label != "none", predicted != "none"
        tp += gold_pos and pred_pos
        fp += pred_pos and not gold_pos
        fn += gold_pos and not pred_pos
        tn += not gold_pos and not pred_pos
        kind_ok += gold_pos and pred_pos and predicted == p.label
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"split": split or "all", "tp": tp, "fp": fp, "fn": fn, "tn": tn,
            "precision": round(precision, 3), "recall": round(recall, 3), "f1": round(f1, 3),
            "kind_agreement": round(kind_ok / tp, 3) if tp else None}
