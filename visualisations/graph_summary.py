"""The browser's first view of a large graph, its expansions, and its table, a page at a time.

A graph of hundreds of documents is tens of thousands of commitments: too many to send or draw at
once. ``summary`` is what ``/graph`` draws first instead: one node per document (with its commitment
count), per theme and per lead organisation (with theme and organisation as the node kinds
``graph_data.ENTITY_KINDS`` gives those record fields), and edges weighted by counts: document-theme,
document-lead and document-document overlaps (each document's strongest few). Its size grows with
documents, themes and organisations, not with commitments. ``expand`` returns one aggregate's
neighbourhood (a document's commitments, or the commitments of a theme or organisation) when the
user opens it; ``table`` a page of the commitments the filters and the search select, sorted on the
server, so the page never holds every commitment.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from typing import Any

from vawg_kg.graph_api.errors import InvalidParameterError
from vawg_kg.graph_api.service import FILTER_FIELDS, Filters, GraphService
from vawg_kg.visualisations.graph_data import ENTITY_KINDS, GraphData, sunflower, filter_value

# Above this many commitments /graph opens on the summary; at or below it, on the whole graph.
SUMMARY_ABOVE = 1000
# The record fields drawn as aggregates: themes, and organisations as leads (what a lead filter selects).
AGGREGATE_FIELDS = ("themes", "leads")
AGGREGATE_KINDS = {fld: kind for fld, kind in ENTITY_KINDS if fld in AGGREGATE_FIELDS}
TOP_OVERLAPS = 4  # document-document overlap edges kept per document in the summary (its strongest)
TOP_LINKS = 3  # document-theme and document-lead edges kept per document and kind (its strongest)
EXPAND_LIMIT = 300  # commitments an expanded theme or organisation draws; the table lists them all
TEXT_PREVIEW = 160
SORT_KEYS = ("ref", "text", "document", "lead", "partners", "deadline", "status", "themes", "score")


def opens_on_summary(data: GraphData) -> bool:
    return len(data.records) > SUMMARY_ABOVE


def _aggregates(data: GraphData) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """Themes and lead organisations, each once, most commitments first, with their counts and their
    places (``_layout``); computed once per build."""
    if "aggregates" not in data.memo:
        aggs, index = _count_aggregates(data)
        docs = [dict(d) for d in data.documents]
        middle = _layout(docs, aggs)
        data.memo["aggregates"] = (aggs, index, docs, middle)
    aggs, index, _, _ = data.memo["aggregates"]
    return aggs, index


def _placed_documents(data: GraphData) -> tuple[list[dict[str, Any]], float]:
    _aggregates(data)
    _, _, docs, middle = data.memo["aggregates"]
    return docs, middle


def _count_aggregates(data: GraphData) -> tuple[list[dict[str, Any]], dict[str, int]]:
    counts: Counter[tuple[str, str]] = Counter()
    names: dict[str, str] = {}
    for rec in data.records:
        for fld in AGGREGATE_FIELDS:
            for ent in {e["id"]: e for e in rec.get(fld) or []}.values():
                counts[(fld, ent["id"])] += 1
                names.setdefault(ent["id"], ent["name"])
    rows = sorted(counts.items(), key=lambda kv: (AGGREGATE_FIELDS.index(kv[0][0]), -kv[1], names[kv[0][1]].lower()))
    out: list[dict[str, Any]] = []
    for (fld, iri), n in rows:
        kind = AGGREGATE_KINDS[fld]
        out.append({"id": iri, "kind": kind, "field": fld, "name": names[iri], "value": filter_value(kind, iri),
                    "count": n})
    return out, {a["field"] + "\t" + a["id"]: i for i, a in enumerate(out)}


def _layout(docs: list[dict[str, Any]], aggs: list[dict[str, Any]]) -> float:
    """Documents in a disc (oldest in the middle), the aggregates in a smaller disc to its right (themes
    innermost; a wide page moves them into labelled columns there); returns the documents' radius."""
    radius = 150.0 * math.sqrt(len(docs) + 1)
    for doc, (x, y) in zip(docs, sunflower(len(docs), 0.0, 0.0, 150.0)):
        doc["x"], doc["y"] = x, y
    right = radius + 400.0 + 70.0 * math.sqrt(len(aggs) + 1)
    for agg, (x, y) in zip(aggs, sunflower(len(aggs), right, 0.0, 70.0)):
        agg["x"], agg["y"] = x, y
    return radius


def summary(data: GraphData) -> dict[str, Any]:
    aggs, agg_index = _aggregates(data)
    placed, _ = _placed_documents(data)
    doc_index = {d["id"]: i for i, d in enumerate(placed)}
    per_doc: Counter[str] = Counter(r["doc_id"] for r in data.records)
    docs = [{"id": d["id"], "title": d["title"], "published": d["published"], "color": d["color"],
             "count": per_doc[d["id"]], "x": d["x"], "y": d["y"]} for d in placed]
    links: Counter[tuple[int, int]] = Counter()
    for rec in data.records:
        for fld in AGGREGATE_FIELDS:
            for iri in {e["id"] for e in rec.get(fld) or []}:
                links[(doc_index[rec["doc_id"]], agg_index[fld + "\t" + iri])] += 1
    # Each document's strongest few themes and leads: every edge of 500 documents would be ~18,000 lines.
    by_doc_kind: dict[tuple[int, str], list[tuple[int, int]]] = defaultdict(list)
    for (d, a), n in links.items():
        by_doc_kind[(d, aggs[a]["kind"])].append((n, a))
    strong = sorted((d, a, n) for (d, _), rows in by_doc_kind.items()
                    for n, a in sorted(rows, key=lambda r: (-r[0], r[1]))[:TOP_LINKS])
    pairs: Counter[tuple[int, int]] = Counter()
    for ov in data.overlaps:
        one, two = data.by_id.get(ov.get("a", "")), data.by_id.get(ov.get("b", ""))
        if one is None or two is None or one["doc_id"] == two["doc_id"]:
            continue
        i, j = sorted((doc_index[one["doc_id"]], doc_index[two["doc_id"]]))
        pairs[(i, j)] += 1
    strongest: dict[int, list[tuple[int, tuple[int, int]]]] = defaultdict(list)
    for pair, n in pairs.items():
        for end in pair:
            strongest[end].append((n, pair))
    kept = {pair for rows in strongest.values() for _, pair in sorted(rows, key=lambda r: (-r[0], r[1]))[:TOP_OVERLAPS]}
    return {"mode": "summary",
            "totals": {"documents": len(docs), "commitments": len(data.records), "overlaps": len(data.overlaps),
                       "document_pairs_overlapping": len(pairs)},
            "documents": docs, "aggregates": aggs,
            "links": [list(row) for row in strong], "links_total": len(links), "top_links": TOP_LINKS,
            "overlaps": [[i, j, pairs[(i, j)]] for i, j in sorted(kept)],
            "top_overlaps": TOP_OVERLAPS, "expand_limit": EXPAND_LIMIT,
            "filter_fields": FILTER_FIELDS, "sort_keys": list(SORT_KEYS),
            "statuses": {k: v.get("label") for k, v in data.lineage.get("statuses", {}).items()},
            "judged_on": data.lineage.get("judged_on")}


def expand(data: GraphData, node: str) -> dict[str, Any]:
    """The neighbourhood of one summary node: ``d:<doc_id>`` (the document's commitments and its overlap
    counts with every other document) or ``a:<IRI>`` (a theme's or lead organisation's commitments,
    the first ``EXPAND_LIMIT`` in corpus order), each commitment placed in a disc of ``radius`` around 0, 0."""
    aggs, agg_index = _aggregates(data)
    docs, _ = _placed_documents(data)
    doc_by_id = {d["id"]: d for d in docs}
    overlaps: list[list[Any]] = []
    if node.startswith("d:") and node[2:] in doc_by_id:
        centre = doc_by_id[node[2:]]
        if "by_doc" not in data.memo:
            data.memo["by_doc"] = _ids_by_doc(data)
        recs = [data.by_id[i] for i in data.memo["by_doc"].get(centre["id"], [])]
        others: Counter[str] = Counter()
        for rec in recs:
            for ov in data.overlaps_of(rec["id"]):
                other = data.by_id.get(ov["b"] if ov["a"] == rec["id"] else ov["a"])
                if other is not None and other["doc_id"] != centre["id"]:
                    others[other["doc_id"]] += 1
        overlaps = [[d, n] for d, n in sorted(others.items(), key=lambda kv: (-kv[1], kv[0]))]
    elif node.startswith("a:") and any(a["id"] == node[2:] for a in aggs):
        iri = node[2:]
        fields = [a["field"] for a in aggs if a["id"] == iri]
        recs = [r for r in data.records if any(e["id"] == iri for f in fields for e in r.get(f) or [])]
    else:
        raise InvalidParameterError(f"parameter 'node': {node[:120]!r} is not a node of the summary; give d:<document "
                                    "id> or a:<theme or organisation IRI>", parameter="node", value=node[:120])
    total, all_recs = len(recs), recs
    recs = sorted(recs, key=lambda r: data._date_key(r["id"]))[:EXPAND_LIMIT]
    disc = 26.0 * math.sqrt(len(recs) + 1) + 60.0
    # The disc is centred on 0, 0: the page places it (left of the documents, below those opened before).
    commitments = []
    for rec, (x, y) in zip(recs, sunflower(len(recs), 0.0, 0.0, 26.0, inner=40.0)):
        entry = data.entry(rec["id"]) or {}
        commitments.append({
            "id": rec["id"], "doc_id": rec["doc_id"], "ref": rec["ref"], "x": x, "y": y,
            "text": rec["text"] if len(rec["text"]) <= TEXT_PREVIEW else rec["text"][:TEXT_PREVIEW - 1] + "…",
            "aggregates": sorted({agg_index[f + "\t" + e["id"]] for f in AGGREGATE_FIELDS for e in rec.get(f) or []}),
            "status": entry.get("status")})
    named: Counter[int] = Counter(agg_index[f + "\t" + iri] for rec in all_recs for f in AGGREGATE_FIELDS
                                  for iri in {e["id"] for e in rec.get(f) or []})
    return {"node": node, "total": total, "commitments": commitments, "overlaps": overlaps,
            "radius": round(disc, 1),
            "aggregates": [[a, n] for a, n in sorted(named.items(), key=lambda kv: (-kv[1], kv[0]))]}


def _ids_by_doc(data: GraphData) -> dict[str, list[str]]:
    out: dict[str, list[str]] = defaultdict(list)
    for rec in data.records:
        out[rec["doc_id"]].append(rec["id"])
    return out


def _natural(value: str) -> tuple[Any, ...]:
    """Case-insensitive order with numbers by value (A9 before A10), as the page's collator sorts."""
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part)
                 for part in re.split(r"(\d+)", value.lower()) if part)


def _names(rec: dict[str, Any], fld: str) -> list[str]:
    return [str(e["name"]) for e in rec.get(fld) or []]


def table(service: GraphService, data: GraphData, filters: Filters, match: str, sort: str,
          offset: int, limit: int) -> dict[str, Any]:
    """One page of the commitments the filters select (the API's ``/commitments`` filters, so the same
    counts), searched with ``filters.q`` (all or any of its words, best first), sorted by ``sort``
    (a column key; ``-`` before it for descending; blanks last either way)."""
    desc = sort.startswith("-")
    key = sort[1:] if desc else sort
    if key and key not in SORT_KEYS:
        raise InvalidParameterError(f"parameter 'sort': {sort[:40]!r} is not a column; use one of: "
                                    f"{', '.join(SORT_KEYS)}, with - before it for descending",
                                    parameter="sort", value=sort[:40], allowed=list(SORT_KEYS))
    q = (filters.q or "").strip()
    narrowed = any(v for k, v in filters.__dict__.items() if k != "q")
    selected = (service.find(Filters(**{**filters.__dict__, "q": None}), len(service.records), 0).items if narrowed
                else service.records)
    scores: dict[str, float] = {}
    rows = selected
    if q:
        ranked = service.search.ranked(q, match)
        scores = {service.records[i]["id"]: s for i, s in ranked}
        position = {rec["id"] for rec in selected} if narrowed else None
        rows = [service.records[i] for i, _ in ranked if position is None or service.records[i]["id"] in position]
    docs = {d["id"]: d for d in data.documents}

    def status(rec: dict[str, Any]) -> str:  # the status code as words ("not-picked-up": not picked up)
        return str((data.entry(rec["id"]) or {}).get("status") or "").replace("-", " ")

    if key:
        texts = {
            "ref": lambda r: (service.position[r["id"]],),
            "text": lambda r: _natural(r["text"]),
            "document": lambda r: (docs.get(r["doc_id"], {}).get("published", ""), service.position[r["id"]]),
            "lead": lambda r: _natural("; ".join(_names(r, "leads"))),
            "partners": lambda r: _natural("; ".join(_names(r, "partners"))),
            "deadline": lambda r: _natural(r.get("deadline") or ("9998 " + r["deadline_raw"] if r.get("deadline_raw")
                                                                  else "9999")),
            "status": lambda r: _natural(status(r)),
            "themes": lambda r: _natural("; ".join(_names(r, "themes"))),
            "score": lambda r: (-scores.get(r["id"], 0.0),),
        }[key]
        blank = {"lead": "leads", "partners": "partners", "themes": "themes"}.get(key)
        filled = [r for r in rows if not blank or r.get(blank)]
        empty = [r for r in rows if blank and not r.get(blank)]
        filled.sort(key=texts, reverse=desc)
        rows = filled + empty
    page = rows[offset:offset + limit]
    return {"total": len(rows), "offset": offset, "limit": limit, "sort": sort, "q": q, "match": match,
            "rows": [{"id": r["id"], "doc_id": r["doc_id"], "ref": r["ref"], "text": r["text"],
                      "leads": _names(r, "leads"), "partners": _names(r, "partners"),
                      "themes": _names(r, "themes"), "deadline": r.get("deadline"),
                      "deadline_raw": r.get("deadline_raw"), "status": (data.entry(r["id"]) or {}).get("status"),
                      "score": scores.get(r["id"])} for r in page]}
