"""Views built from several indexes: a commitment's detail, overlaps, lineage, coverage."""

from __future__ import annotations

from collections import defaultdict
from typing import Any
from urllib.parse import quote

from vawg_kg.graph_api.errors import InvalidParameterError
from vawg_kg.graph_api.service import GraphService, brief_of
from vawg_kg.loaders.links import word_diff


def source_url(file: str, start: int, end: int) -> str:
    return f"/sources/{quote(file)}?start={start}&end={end}"


def source_view(service: GraphService, rec: dict[str, Any]) -> dict[str, Any]:
    src = rec["source"]
    text = service.source_text(src["file"])
    fragments = src.get("fragments") or [[src["start"], src["end"]]]
    return {
        "file": src["file"], "start": src["start"], "end": src["end"],
        "fragments": [{"start": a, "end": b, "text": text[a:b]} for a, b in fragments],
        "exact": text[src["start"]:src["end"]],
        "url": source_url(src["file"], src["start"], src["end"]),
    }


def _word_diff(a: str, b: str) -> list[dict[str, str]]:

    return word_diff(a, b)


def overlaps_of(service: GraphService, iri: str, with_diff: bool = True) -> list[dict[str, Any]]:
    out = []
    for ov in service.overlaps_by_iri.get(iri, ()):
        other_iri = ov["b"] if ov["a"] == iri else ov["a"]
        other = service.by_iri.get(other_iri)
        item = {"with": brief_of(other) if other else {"id": other_iri}, "score": ov.get("score"),
                "kind": ov.get("kind"), "shared_entities": ov.get("shared_entities", []),
                "shared_phrases": ov.get("shared_phrases", []), "method": ov.get("method")}
        if with_diff and other:
            item["word_diff"] = _word_diff(service.by_iri[iri]["text"], other["text"])
        out.append(item)
    return sorted(out, key=lambda o: -(o["score"] or 0))


def lineage(service: GraphService, rec: dict[str, Any]) -> dict[str, Any]:
    """What this commitment implements (earlier actions) and what implements it (later ones), transitively."""
    def walk(start: str, step: Any) -> list[dict[str, Any]]:
        seen: dict[str, int] = {}
        frontier = [(start, 0)]
        while frontier:
            node, depth = frontier.pop(0)
            for nxt in step(node):
                if nxt not in seen and nxt != start:
                    seen[nxt] = depth + 1
                    frontier.append((nxt, depth + 1))
        items = []
        for iri, depth in seen.items():
            other = service.by_iri.get(iri)
            items.append({**(brief_of(other) if other else {"id": iri}), "depth": depth})
        return items

    def implements(iri: str) -> list[str]:
        r = service.by_iri.get(iri)
        return [e["id"] for e in (r.get("implements") or [])] if r else []

    def implemented_by(iri: str) -> list[str]:
        return service.implemented_by.get(iri, [])

    overlaps = overlaps_of(service, rec["id"], with_diff=False)
    restates = [o for o in overlaps if o["kind"] == "restates"]
    return {"id": rec["id"], "implements": walk(rec["id"], implements),
            "implemented_by": walk(rec["id"], implemented_by),
            "restated_by": [{**o["with"], "score": o["score"]} for o in restates],
            **in_date_order(service, rec, implements(rec["id"]), implemented_by(rec["id"]), overlaps)}


def in_date_order(service: GraphService, rec: dict[str, Any], implements: list[str], implemented_by: list[str],
                  overlaps: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """"What became of it": the commitments linked to ``rec`` by implements (either way) or by
    an overlap, split by their documents' publication dates into ``earlier`` (what it continues)
    and ``later`` (what became of it), each in date order."""
    relations: dict[str, list[str]] = {}
    for iri in implements:
        relations.setdefault(iri, []).append("implements")
    for iri in implemented_by:
        relations.setdefault(iri, []).append("implemented_by")
    for o in overlaps:
        relations.setdefault(o["with"]["id"], []).append(f"overlap:{o['kind']}")
    earlier: list[dict[str, Any]] = []
    later: list[dict[str, Any]] = []
    mine = rec.get("doc_published") or ""
    for iri, rels in relations.items():
        other = service.by_iri.get(iri)
        if other is None or iri == rec["id"]:
            continue
        item = {**brief_of(other), "published": other.get("doc_published"), "relations": sorted(rels)}
        (earlier if (other.get("doc_published") or "") < mine else later).append(item)
    key = lambda i: (i.get("published") or "", i.get("doc_id") or "", i.get("ref") or "")  # noqa: E731
    return {"earlier": sorted(earlier, key=key), "later": sorted(later, key=key)}


def commitment_detail(service: GraphService, rec: dict[str, Any]) -> dict[str, Any]:
    return {**rec, "source_text": source_view(service, rec), "source_url": source_view_url(rec),
            "overlaps": overlaps_of(service, rec["id"]), "lineage": lineage(service, rec)}


def source_view_url(rec: dict[str, Any]) -> str:
    src = rec["source"]
    return source_url(src["file"], src["start"], src["end"])


def list_overlaps(service: GraphService, doc_a: str | None, doc_b: str | None, min_score: float,
                  kind: str | None, with_diff: bool, offset: int = 0,
                  limit: int = 100) -> tuple[int, list[dict[str, Any]]]:
    """Overlaps matching the filters, best score first: (total, the page asked for)."""
    for param, value in (("doc_a", doc_a), ("doc_b", doc_b)):
        if value is not None and value not in service.idx["doc"]:
            raise InvalidParameterError(f"parameter {param!r}: {value!r} is not a document; use one of: "
                                        f"{', '.join(service.documents)}", parameter=param, value=value,
                                        allowed=service.documents)
    out = []
    for ov in service.overlaps_sorted:
        a, b = service.by_iri.get(ov["a"]), service.by_iri.get(ov["b"])
        if a is None or b is None:
            continue
        if (ov.get("score") or 0) < min_score or (kind and ov.get("kind") != kind):
            continue
        docs = (a["doc_id"], b["doc_id"])
        if doc_a and doc_a not in docs:
            continue
        if doc_b and doc_b not in docs:
            continue
        if doc_a and doc_b and doc_a != doc_b and set(docs) != {doc_a, doc_b}:
            continue
        if doc_a and b["doc_id"] == doc_a and a["doc_id"] != doc_a:
            a, b = b, a  # the doc_a side first
        out.append((ov, a, b))
    total = len(out)

    # Only the requested page is rendered (and diffed): the filter above is cheap,
    # rendering every overlap of a large graph per request was not.
    def render(ov: dict[str, Any], a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
        item = {"a": brief_of(a), "b": brief_of(b), "score": ov.get("score"), "kind": ov.get("kind"),
                "evidence": {"shared_entities": ov.get("shared_entities", []),
                             "shared_phrases": ov.get("shared_phrases", []), "method": ov.get("method")}}
        if with_diff:
            item["word_diff"] = _word_diff(a["text"], b["text"])
        return item

    return total, [render(*row) for row in out[offset:offset + limit]]


def coverage_of(records: list[dict[str, Any]], documents: list[str]) -> dict[str, Any]:
    """The document x theme matrix (``GET /coverage`` and the browser's heat map): commitments per
    theme and document, the documents a theme is missing in, and per document the total and unthemed."""
    matrix: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    themes: dict[str, str] = {}
    totals: dict[str, int] = {d: 0 for d in documents}
    unthemed: dict[str, int] = {d: 0 for d in documents}
    for rec in records:
        totals[rec["doc_id"]] = totals.get(rec["doc_id"], 0) + 1
        if not rec.get("themes"):
            unthemed[rec["doc_id"]] = unthemed.get(rec["doc_id"], 0) + 1
        for t in rec.get("themes") or []:
            themes.setdefault(t["id"], t["name"])
            matrix[t["id"]][rec["doc_id"]] += 1
    rows = []
    for iri in sorted(themes, key=lambda i: themes[i].lower()):
        counts = {d: matrix[iri].get(d, 0) for d in documents}
        rows.append({"theme": {"id": iri, "name": themes[iri]}, "counts": counts,
                     "missing_in": [d for d, n in counts.items() if n == 0]})
    return {"documents": documents, "rows": rows, "unthemed": unthemed, "totals": totals}


def coverage(service: GraphService) -> dict[str, Any]:
    return coverage_of(service.records, service.documents)
