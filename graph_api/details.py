"""Views built from several indexes: a commitment's detail, overlaps, lineage, coverage."""

from __future__ import annotations

from collections import defaultdict
from typing import Any
from urllib.parse import quote

from vawg_kg.graph_api.errors import InvalidParameterError
from vawg_kg.graph_api.service import GraphService, brief_of
from vawg_kg.loaders import lineage as lineage_mod
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


def _judgement(ov: dict[str, Any]) -> dict[str, Any]:
    """A judged overlap's judgement (who, when, why, the model's score then), as links.json has it."""
    return {"judgement": ov["judgement"]} if ov.get("judgement") else {}


def overlaps_of(service: GraphService, iri: str, with_diff: bool = True) -> list[dict[str, Any]]:
    out = []
    for ov in service.overlaps_by_iri.get(iri, ()):
        other_iri = ov["b"] if ov["a"] == iri else ov["a"]
        other = service.by_iri.get(other_iri)
        item = {"with": brief_of(other) if other else {"id": other_iri}, "score": ov.get("score"),
                "kind": ov.get("kind"), "shared_entities": ov.get("shared_entities", []),
                "shared_phrases": ov.get("shared_phrases", []), "method": ov.get("method"),
                "origin": ov.get("origin", "machine"), **_judgement(ov)}
        if with_diff and other:
            item["word_diff"] = _word_diff(service.by_iri[iri]["text"], other["text"])
        out.append(item)
    return sorted(out, key=lambda o: -(o["score"] or 0))


def status_of(answer: dict[str, Any], code: str) -> dict[str, Any]:
    """A status code as the API shows it: code, concept IRI, label and the date judged against."""
    known = answer.get("statuses", {}).get(code, {})
    return {"code": code, "iri": known.get("iri", lineage_mod.status_iri(code)),
            "label": known.get("label", lineage_mod.STATUSES.get(code, code)), "judged_on": answer.get("judged_on")}


def lineage(service: GraphService, rec: dict[str, Any]) -> dict[str, Any]:
    """The build's one lineage of ``rec`` (``loaders/lineage.py``): earlier, same-time and later
    commitments linked to it directly by implements (either way), restates or related, in the
    corpus order (date, document, ref), each with its relations and evidence; and its status."""
    answer = service.lineage
    entry = answer.get("commitments", {}).get(rec["id"])
    if entry is None:  # an outcome statement, or a record the lineage does not know
        return {"id": rec["id"], "status": None, "judged_on": answer.get("judged_on"), "earlier": [],
                "same_time": [], "later": [], "implements": [], "implemented_by": [], "restated_by": [],
                "related": []}

    def item(e: dict[str, Any]) -> dict[str, Any]:
        other = service.by_iri.get(e["id"])
        return {**(brief_of(other) if other else {"id": e["id"]}), "published": e["published"],
                "relations": e["relations"], "evidence": e["evidence"]}

    sides = {side: [item(e) for e in entry[side]] for side in lineage_mod.SIDES}
    every = [i for side in lineage_mod.SIDES for i in sides[side]]

    def having(relation: str) -> list[dict[str, Any]]:
        return [i for i in every if relation in i["relations"]]

    out = {"id": rec["id"], "status": status_of(answer, entry["status"]), "judged_on": answer.get("judged_on"),
           "order": answer.get("order"), **sides,
           "implements": having("implements"), "implemented_by": having("implemented_by"),
           "restated_by": having("restates"), "related": having("related")}
    if "nearest_candidates" in entry:
        out["nearest_candidates"] = [{**c, **({"ref": service.by_iri[c["id"]]["ref"],
                                               "text": service.by_iri[c["id"]]["text"]}
                                              if c["id"] in service.by_iri else {})}
                                     for c in entry["nearest_candidates"]]
    return out


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
                             "shared_phrases": ov.get("shared_phrases", []), "method": ov.get("method")},
                "origin": ov.get("origin", "machine"), **_judgement(ov)}
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
