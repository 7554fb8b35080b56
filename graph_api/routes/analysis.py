"""Cross-document questions: ``/overlaps``, ``/gaps``, ``/lineage/{id}``, ``/coverage``."""

from __future__ import annotations

from enum import Enum
import csv
import io
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from vawg_kg.errors import NotFoundError, QueryTimeoutError, StoreUnavailableError
from vawg_kg.graph_api import details
from vawg_kg.graph_api.compare import compare as compare_documents
from vawg_kg.graph_api.errors import InvalidParameterError, media, responses
from vawg_kg.graph_api.routes import service_of
from vawg_kg.queries import catalog

router = APIRouter(tags=["analysis"])


GapsFormat = Literal["json", "csv"]


class OverlapKind(str, Enum):
    restates = "restates"
    related = "related"


@router.get("/overlaps", responses=responses(), summary="Overlapping commitments across documents, with evidence")
def overlaps(
    request: Request,
    doc_a: Annotated[str | None, Query(max_length=100, description="one side's document id")] = None,
    doc_b: Annotated[str | None, Query(max_length=100, description="the other side's document id")] = None,
    min_score: Annotated[float, Query(ge=0.0, le=1.0)] = 0.0,
    kind: Annotated[OverlapKind | None, Query()] = None,
    diff: Annotated[bool, Query(description="include the word-level diff of the two texts")] = False,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> dict[str, Any]:
    service = service_of(request)
    total, items = details.list_overlaps(service, doc_a, doc_b, min_score, kind.value if kind else None, diff,
                                         offset, limit)
    return {"total": total, "limit": limit, "offset": offset, "method": service.links.get("method"),
            "thresholds": service.links.get("thresholds"), "items": items}


GAPS_OWN_PARAMETERS = frozenset({"kind", "reason", "doc_id", "lead", "limit", "offset", "format"})  # the rest go to the queries

# What each reason code says the evidence shows. Never "not implemented": the corpus is a few
# documents, and a body's own later documents may not be among them.
REASONS: dict[str, str] = {
    "NO_LEAD": "no lead named in the source",
    "LEAD_ONLY_IMPLIED": "lead only implied by \"we\" in a document written for several bodies",
    "NO_DEADLINE": "no date in the source",
    "NOT_PICKED_UP_IN_CORPUS": "not picked up by a later document in the corpus",
    "NO_RECIPROCAL": "a partner body's own document in the corpus says nothing back",
}
# Reason codes before issue 16, and what became of them.
RENAMED: dict[str, str] = {
    "HMG_NOT_IMPLEMENTED": "NOT_PICKED_UP_IN_CORPUS (with doc_id=hmg-vawg-strategy-2016)",
    "DEADLINE_PASSED_NOT_PICKED_UP": "NOT_PICKED_UP_IN_CORPUS (one row per commitment; deadline_passed says "
                                     "whether its deadline passed before the date judged against)",
}
# Columns that identify a row, not a reason's detail.
ROW_COLUMNS = frozenset({"doc_id", "commitment", "ref", "text", "reason"})


def _gap_queries() -> dict[str, Any]:
    found = {q.name: q for q in catalog.all() if q.name.startswith("gap_")}
    if not found:
        raise StoreUnavailableError("no gap queries (queries/gap_*.rq) are installed")
    return found


@router.get("/gaps", responses={**responses(StoreUnavailableError, QueryTimeoutError, NotFoundError),
                              **media("application/json", "text/csv")},
            summary="Gaps, one row per commitment with all its reasons (no lead, no date, not picked up by a "
                    "later document in the corpus, no reciprocal), the nearest candidates of each not picked "
                    "up, counts per reason, document and lead, and the corpus they were computed over; "
                    "themes one document covers and another does not are listed apart")
def gaps(
    request: Request,
    kind: Annotated[str | None, Query(max_length=100, description=(
        "a gap kind: the query name without gap_ (no_lead, no_deadline, not_picked_up, ...); all when absent"))] = None,
    reason: Annotated[str | None, Query(max_length=100, description="only rows with this reason code")] = None,
    doc_id: Annotated[str | None, Query(max_length=100, description="only commitments of this document")] = None,
    lead: Annotated[str | None, Query(max_length=300, description=(
        "only commitments led by this organisation (slug, acronym, former name or IRI)"))] = None,
    limit: Annotated[int, Query(ge=1, le=10_000, description="page size")] = 1000,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
    format: Annotated[GapsFormat, Query(description="json, or csv (one line per commitment, reasons joined)")] = (
        "json"),
) -> Any:
    extra = {k: v for k, v in request.query_params.items() if k not in GAPS_OWN_PARAMETERS}
    answer = gaps_answer(request, kind, reason, doc_id, lead, limit, offset, extra)
    if format == "csv":
        return Response(gaps_csv(answer["items"]), media_type="text/csv; charset=utf-8",
                        headers={"X-Total-Count": str(answer["total"])})
    return answer


def gaps_csv(items: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["doc_id", "ref", "text", "leads", "deadline", "deadline_raw", "status", "reasons",
                     "nearest_candidates", "commitment"])
    for r in items:
        nearest = [c.get("ref") or c["id"] for x in r["reasons"] for c in x.get("nearest_candidates", [])]
        writer.writerow([r["doc_id"], r["ref"], r["text"], " | ".join(le["name"] for le in r["leads"]),
                         r.get("deadline") or "", r.get("deadline_raw") or "", r.get("status") or "",
                         " | ".join(x["code"] for x in r["reasons"]), " | ".join(nearest), r["commitment"]])
    return out.getvalue()


def gaps_answer(request: Request, kind: str | None, reason: str | None, doc_id: str | None, lead: str | None,
                limit: int = 1000, offset: int = 0, query_parameters: dict[str, str] | None = None) -> dict[str, Any]:
    """The gaps answer (``GET /gaps``'s JSON), for the route and the HTML gaps view alike;
    ``query_parameters`` go to the gap queries that declare them."""
    service = service_of(request)
    queries = _gap_queries()
    kinds = sorted(n.removeprefix("gap_") for n in queries)
    if kind is not None and kind.removeprefix("gap_") not in kinds:
        raise InvalidParameterError(f"parameter 'kind': {kind!r} is not a gap kind; use one of: {', '.join(kinds)}",
                                    parameter="kind", value=kind, allowed=kinds)
    if reason is not None and reason not in REASONS:
        raise InvalidParameterError(f"parameter 'reason': {reason!r} is not a reason code; use one of: "
                                    f"{', '.join(sorted(REASONS))}", parameter="reason", value=reason,
                                    allowed=sorted(REASONS))
    if doc_id is not None and doc_id not in service.idx["doc"]:
        raise InvalidParameterError(f"parameter 'doc_id': {doc_id!r} is not a document; use one of: "
                                    f"{', '.join(service.documents)}", parameter="doc_id", value=doc_id,
                                    allowed=service.documents)
    selected = [n for n in sorted(queries) if kind is None or n == f"gap_{kind.removeprefix('gap_')}"]
    extra = dict(query_parameters or {})
    declared = {p.name for n in selected for p in queries[n].parameters} - GAPS_OWN_PARAMETERS
    unknown = sorted(set(extra) - declared)
    if unknown:
        raise InvalidParameterError(f"parameter {unknown[0]!r} is not taken by the selected gap queries; they take: "
                                    f"{', '.join(sorted(declared | {'doc_id', 'lead', 'reason'})) or 'none'}",
                                    parameter=unknown[0], allowed=sorted(declared | {"doc_id", "lead", "reason"}))
    extra = service.named_params(extra)
    answer = service.lineage
    entries = answer.get("commitments", {})
    lead_iri = service.orgs.resolve(lead, "lead") if lead else None
    rows: dict[str, dict[str, Any]] = {}
    themes: list[dict[str, Any]] = []
    for name in selected:
        params = {k: v for k, v in extra.items() if queries[name].parameter(k) is not None}
        if doc_id is not None and queries[name].parameter("doc_id") is not None:
            params["doc_id"] = doc_id
        for row in service.named_rows(name, params):
            if not row.get("commitment"):  # a document-level gap (a theme one document covers, another not)
                themes.append({"kind": name.removeprefix("gap_"), **row})
                continue
            rec = service.by_iri.get(row["commitment"])
            if rec is None or (doc_id is not None and rec["doc_id"] != doc_id):
                continue
            if lead_iri is not None and lead_iri not in {e["id"] for e in rec.get("leads") or []}:
                continue
            item = rows.setdefault(rec["id"], {
                "commitment": rec["id"], "doc_id": rec["doc_id"], "ref": rec["ref"], "text": rec["text"],
                "leads": rec.get("leads") or [], "deadline": rec.get("deadline"),
                "deadline_raw": rec.get("deadline_raw"), "status": rec.get("status"), "reasons": []})
            code = str(row.get("reason"))
            detail = {k: v for k, v in row.items() if k not in ROW_COLUMNS and v is not None}
            same = next((r for r in item["reasons"] if r["code"] == code), None)
            if same is None:
                same = {"code": code, "label": REASONS.get(code, code), "kind": name.removeprefix("gap_"),
                        "evidence": []}
                if code == "NOT_PICKED_UP_IN_CORPUS":
                    judged = answer.get("judged_on")
                    same["judged_on"] = judged
                    same["deadline_passed"] = bool(rec.get("deadline") and judged and rec["deadline"] <= judged)
                    same["later_documents"] = [d["doc_id"] for d in answer.get("corpus", [])
                                               if d["published"] > rec["doc_published"]]
                    same["nearest_candidates"] = details.lineage(service, rec).get("nearest_candidates", [])
                item["reasons"].append(same)
            if detail and detail not in same["evidence"]:
                same["evidence"].append(detail)
    items = [r for r in rows.values() if reason is None or any(x["code"] == reason for x in r["reasons"])]
    items.sort(key=lambda r: entries.get(r["commitment"], {}).get("order", 0))
    by_reason: dict[str, int] = {}
    by_document: dict[str, int] = {}
    by_lead: dict[str, int] = {}
    for r in items:
        for x in r["reasons"]:
            by_reason[x["code"]] = by_reason.get(x["code"], 0) + 1
        by_document[r["doc_id"]] = by_document.get(r["doc_id"], 0) + 1
        for le in r["leads"] or [{"id": "(no lead)"}]:
            by_lead[le["id"]] = by_lead.get(le["id"], 0) + 1
    return {"corpus": {"documents": answer.get("corpus", []), "judged_on": answer.get("judged_on"),
                       "note": "Gaps are computed over these documents only: a commitment not picked up here may "
                               "be picked up by a document outside the corpus."},
            "kinds": kinds, "reasons": REASONS, "renamed": RENAMED,
            "questions": {n.removeprefix("gap_"): queries[n].question for n in selected},
            "counts": {"commitments": len(items), "by_reason": dict(sorted(by_reason.items())),
                       "by_document": dict(sorted(by_document.items())),
                       "by_lead": dict(sorted(by_lead.items(), key=lambda kv: (-kv[1], kv[0])))},
            "total": len(items), "limit": limit, "offset": offset, "items": items[offset:offset + limit],
            "themes_not_covered": themes}


@router.get("/lineage/{id:path}", responses=responses(NotFoundError),
            summary="What a commitment implements, what implements it, and what restates it")
def lineage(request: Request, id: str) -> dict[str, Any]:
    service = service_of(request)
    return details.lineage(service, service.resolve_statement(id))


@router.get("/compare", responses=responses(),
            summary="Two documents compared: overlapping commitments side by side with evidence and word diff, "
                    "and by theme what each has that the other does not")
def compare(
    request: Request,
    a: Annotated[str, Query(max_length=100, description="one document id, e.g. cps-vawg-action-plan-2017")],
    b: Annotated[str, Query(max_length=100, description="the other document id, e.g. cps-vawg-strategy-2025")],
) -> dict[str, Any]:
    return compare_documents(service_of(request), a, b)


@router.get("/coverage", summary="Document × theme matrix of commitment counts")
def coverage(request: Request) -> dict[str, Any]:
    return details.coverage(service_of(request))
