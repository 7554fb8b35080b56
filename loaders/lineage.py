"""One lineage and one status per commitment, computed once at build time.

Everything that answers "what became of this commitment, and what did it continue?" reads
this module's answer: the build writes it to ``lineage.json`` (and the status, judged date and
publication order onto the graph); the API (``GET /commitments/{id}``, ``GET /lineage/{id}``),
the browser's panel and lineage page, and the named query ``lineage_of`` (SPARQL and Cypher,
reading the stored links and order) give the same entries in the same order.

**Links.** A commitment's lineage is every commitment linked to it directly by ``implements``
(either way: ``implements`` = this one names the other, ``implemented_by`` = the other names
this one) or by an overlap (``restates`` or ``related``). Each entry carries its relations and
their evidence (the overlap's score, method, shared entities and phrases; for ``implements``
the ref the implementing document names).

**Direction.** By the two documents' publication dates: ``earlier``, ``same_time`` (the same
date, including the same document) or ``later``. Never by document id.

**Order** (defined once, :func:`order_key`): publication date, then document id, then ref in
natural order (``A2`` < ``A10``, ``P1.O2.3`` < ``P1.O10.1``). The build stores each
commitment's position in this order as ``vawg:lineageOrder`` so the queries sort the same way.

**Status** (the SKOS scheme ``lineage-status`` in ``ontology/vawg.ttl``), judged against the
latest publication date in the corpus (``judged_on``):

* ``picked-up`` — a later commitment implements or restates it;
* ``related-only`` — later documents have related work only (overlaps of kind ``related``);
* ``not-yet-due`` — nothing later picks it up, but nothing could yet: no document in the corpus
  is later than its own, or its deadline falls after ``judged_on``;
* ``not-picked-up`` — no later document in the corpus picks it up, and it was due: a later
  document exists and its deadline (if any) is on or before ``judged_on``. This says what the
  corpus shows, not that the commitment was not delivered: the lead's own later documents may
  simply not be in the corpus.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

from vawg_kg.iris import ID_BASE
from vawg_kg.loaders.enrich import EnrichedStatement
from vawg_kg.loaders.records_json import record_of

STATUS_BASE = f"{ID_BASE}lineage-status/"
STATUS_SCHEME = f"{ID_BASE}lineage-status"
# code -> English label; the concepts themselves are declared in ontology/vawg.ttl.
STATUSES: dict[str, str] = {
    "picked-up": "picked up (implemented or restated) by a later document in the corpus",
    "related-only": "related work only in later documents of the corpus",
    "not-picked-up": "not picked up by any later document in the corpus",
    "not-yet-due": "not yet due (no later document yet, or deadline after the date judged against)",
}
PICKING_UP = frozenset({"implemented_by", "restates"})
RELATIONS = ("implements", "implemented_by", "restates", "related")  # the order relations are listed in
SIDES = ("earlier", "same_time", "later")
NEAREST = 3  # candidates listed for a commitment nothing later picks up


def status_iri(code: str) -> str:
    return STATUS_BASE + code


def ref_key(ref: str) -> tuple[tuple[int, Any], ...]:
    """A ref in natural order: runs of digits compare as numbers, the rest as text."""
    return tuple((0, int(tok)) if tok.isdigit() else (1, tok) for tok in re.findall(r"\d+|[^\d]+", ref))


def order_key(published: str, doc_id: str, ref: str) -> tuple[Any, ...]:
    """The one order lineages, gaps and queries use: publication date, document, ref (natural)."""
    return (published, doc_id, ref_key(ref))


def corpus_order(records: Sequence[Mapping[str, Any]]) -> list[str]:
    """Every commitment's IRI in :func:`order_key` order (the build stores the position)."""
    return [r["id"] for r in sorted(records, key=lambda r: order_key(r["doc_published"], r["doc_id"], r["ref"]))]


def _evidence_of_overlap(ov: Mapping[str, Any]) -> dict[str, Any]:
    out = {"relation": str(ov.get("kind") or "related"), "score": ov.get("score"), "method": ov.get("method"),
           "origin": ov.get("origin") or "machine", "shared_entities": list(ov.get("shared_entities") or []),
           "shared_phrases": list(ov.get("shared_phrases") or [])}
    if ov.get("judgement"):
        out["judgement"] = ov["judgement"]
    return out


def compute(records: Sequence[Mapping[str, Any]], overlaps: Iterable[Mapping[str, Any]],
            candidates: Mapping[str, Sequence[Mapping[str, Any]]] | None = None,
            judged_implements: Mapping[tuple[str, str], Mapping[str, Any]] | None = None) -> dict[str, Any]:
    """The build's ``lineage.json``: per commitment its status and its earlier, same-time and later
    entries in :func:`order_key` order, plus the corpus it was judged over. ``judged_implements``:
    (implemented, implementer) → the judgement of an implements link a reviewer confirmed."""
    head, entries = compute_by_commitment(records, overlaps, candidates, judged_implements)
    return {**head, "commitments": dict(entries(corpus_order(records)))}


def compute_by_commitment(
    records: Sequence[Mapping[str, Any]], overlaps: Iterable[Mapping[str, Any]],
    candidates: Mapping[str, Sequence[Mapping[str, Any]]] | None = None,
    judged_implements: Mapping[tuple[str, str], Mapping[str, Any]] | None = None,
) -> tuple[dict[str, Any], Callable[[Iterable[str]], Iterator[tuple[str, dict[str, Any]]]]]:
    """:func:`compute` as its head (all but ``commitments``) and a function making the commitments'
    entries one at a time in the order asked: a corpus's entries need not all be in memory at once."""
    by_id = {r["id"]: r for r in records}
    order = corpus_order(records)
    position = {iri: i for i, iri in enumerate(order)}
    published = {r["doc_id"]: r["doc_published"] for r in records}
    judged_on = max(published.values(), default="")
    links: dict[str, dict[str, list[dict[str, Any]]]] = defaultdict(lambda: defaultdict(list))

    def add(this: str, other: str, evidence: dict[str, Any]) -> None:
        if this != other and this in by_id and other in by_id:
            links[this][other].append(evidence)

    for rec in records:
        for target in rec.get("implements") or []:
            judgement = (judged_implements or {}).get((target["id"], rec["id"]))
            by_document = judgement is None or bool(judgement.get("stated_by_document"))
            stated: dict[str, Any] = {"stated_by": rec["doc_id"] if by_document else None, "names": target.get("name"),
                                      "origin": "judged" if judgement else "document"}
            if judgement:
                stated["judgement"] = dict(judgement)
            add(rec["id"], target["id"], {"relation": "implements", **stated})
            add(target["id"], rec["id"], {"relation": "implemented_by", **stated})
    for ov in overlaps:
        ev = _evidence_of_overlap(ov)
        add(str(ov.get("a")), str(ov.get("b")), ev)
        add(str(ov.get("b")), str(ov.get("a")), ev)

    def entries(iris: Iterable[str]) -> Iterator[tuple[str, dict[str, Any]]]:
        for iri in iris:
            rec = by_id[iri]
            own = rec["doc_published"]
            sides: dict[str, list[dict[str, Any]]] = {s: [] for s in SIDES}
            for other in sorted(links.get(iri, {}), key=position.__getitem__):
                o = by_id[other]
                evidence = sorted(links[iri][other], key=lambda e: RELATIONS.index(e["relation"]))
                when = o["doc_published"]
                side = "later" if when > own else "earlier" if when < own else "same_time"
                sides[side].append({"id": other, "doc_id": o["doc_id"], "ref": o["ref"], "published": when,
                                    "relations": [e["relation"] for e in evidence], "evidence": evidence})
            later_relations = {r for e in sides["later"] for r in e["relations"]}
            has_later_document = any(p > own for p in published.values())
            deadline = rec.get("deadline")
            if later_relations & PICKING_UP:
                status = "picked-up"
            elif later_relations:
                status = "related-only"
            elif not has_later_document or (deadline is not None and deadline > judged_on):
                status = "not-yet-due"
            else:
                status = "not-picked-up"
            entry: dict[str, Any] = {"id": iri, "order": position[iri], "status": status, **sides}
            if status == "not-picked-up":
                entry["nearest_candidates"] = list((candidates or {}).get(iri, []))[:NEAREST]
            yield iri, entry

    documents = sorted(published.items(), key=lambda kv: (kv[1], kv[0]))
    head = {"judged_on": judged_on,
            "corpus": [{"doc_id": d, "published": p} for d, p in documents],
            "statuses": {code: {"iri": status_iri(code), "label": label} for code, label in STATUSES.items()},
            "order": ["published", "doc_id", "ref (natural)"]}
    return head, entries


def nearest_candidates(candidates: Iterable[Mapping[str, Any]], published: Mapping[str, str],
                       overlaps: Iterable[Mapping[str, Any]] = (), rejected: Iterable[tuple[str, str]] = (),
                       k: int = NEAREST) -> dict[str, list[dict[str, Any]]]:
    """For each commitment, the ``k`` best-scored overlap candidates (the blocking's pairs, linked or
    not, as the build scored them once: ``candidates.json``) in later documents, with their scores, so
    a reader can check a "not picked up". ``kind`` is the build's final decision on the pair: the
    overlap's kind when linked (by the model or a reviewer), "rejected by a reviewer", or "below threshold"."""
    nearest = NearestCandidates(published, k)
    for c in candidates:
        nearest.add(c)
    return nearest.result(overlaps, rejected)


class NearestCandidates:
    """:func:`nearest_candidates`, fed a candidate at a time as the build scores them."""

    def __init__(self, published: Mapping[str, str], k: int = NEAREST) -> None:
        self.published = published
        self.k = k
        self.best: dict[str, list[tuple[float, str, Mapping[str, Any]]]] = defaultdict(list)

    def add(self, c: Mapping[str, Any]) -> None:
        published, k = self.published, self.k
        a, b = str(c["a"]), str(c["b"])
        if c.get("doc_a") == c.get("doc_b") or a not in published or b not in published:
            return
        for this, other in ((a, b), (b, a)):
            if published[other] > published[this]:
                found = self.best[this]
                found.append((float(c["probability"]), other, c))
                if len(found) > 2 * k:  # keep only the best few: a corpus scores millions of pairs
                    found.sort(key=lambda s: (-s[0], s[1]))
                    del found[k:]

    def result(self, overlaps: Iterable[Mapping[str, Any]] = (),
               rejected: Iterable[tuple[str, str]] = ()) -> dict[str, list[dict[str, Any]]]:
        linked = {frozenset((str(o["a"]), str(o["b"]))): str(o["kind"]) for o in overlaps}
        refused = {frozenset(pair) for pair in rejected}
        out: dict[str, list[dict[str, Any]]] = {}
        for iri, found in self.best.items():
            found.sort(key=lambda s: (-s[0], s[1]))
            rows = []
            for score, other, c in found[:self.k]:
                pair = frozenset((iri, other))
                kind = linked.get(pair) or ("rejected by a reviewer" if pair in refused else "below threshold")
                rows.append({"id": other, "doc_id": c["doc_b"] if other == c["b"] else c["doc_a"],
                             "score": round(score, 3), "kind": kind,
                             "shared_entities": list(c.get("shared_entities") or []),
                             "shared_phrases": list(c.get("shared_phrases") or [])})
            out[iri] = rows
        return out


def lineage(iri: str, statements: Sequence[EnrichedStatement], report: Any) -> dict[str, list[dict[str, Any]]]:
    """One commitment's entries from in-memory statements and a ``LinkReport`` (the tests' entry point)."""
    records = [record_of(st) for st in statements if st.is_commitment]
    answer = compute(records, report.to_json()["overlaps"])["commitments"]
    if iri not in answer:
        raise KeyError(f"no commitment {iri}")
    return {side: answer[iri][side] for side in SIDES}


def rows_of(entry: Mapping[str, Any]) -> list[tuple[str, str, tuple[str, ...]]]:
    """A lineage as comparable rows (direction, other, relations), in order: what the agreement test compares."""
    return [(side, e["id"], tuple(e["relations"])) for side in SIDES for e in entry[side]]
