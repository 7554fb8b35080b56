"""Cross-document questions: ``/overlaps``, ``/gaps``, ``/lineage/{id}``, ``/coverage``."""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from vawg_kg.errors import NotFoundError, QueryTimeoutError, StoreUnavailableError
from vawg_kg.graph_api import details
from vawg_kg.graph_api.errors import InvalidParameterError, responses
from vawg_kg.graph_api.routes import service_of
from vawg_kg.queries import catalog

router = APIRouter(tags=["analysis"])


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


GAPS_OWN_PARAMETERS = frozenset({"kind", "limit", "offset"})  # the rest go to the gap queries


def _gap_queries() -> dict[str, Any]:
    found = {q.name: q for q in catalog.all() if q.name.startswith("gap_")}
    if not found:
        raise StoreUnavailableError("no gap queries (queries/gap_*.rq) are installed")
    return found


@router.get("/gaps", responses=responses(StoreUnavailableError, QueryTimeoutError),
            summary="Gaps (no owner, no date, not picked up, no reciprocal...) with reason codes, from the gap "
                    "named queries; other query-string parameters go to the gap queries that declare them")
def gaps(
    request: Request,
    kind: Annotated[str | None, Query(max_length=100, description=(
        "a gap kind: the query name without gap_ (no_lead, no_deadline, ...); all kinds when absent"))] = None,
    limit: Annotated[int, Query(ge=1, le=10_000, description="page size")] = 1000,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> dict[str, Any]:
    service = service_of(request)
    queries = _gap_queries()
    kinds = sorted(n.removeprefix("gap_") for n in queries)
    if kind is not None and kind.removeprefix("gap_") not in kinds:
        raise InvalidParameterError(f"parameter 'kind': {kind!r} is not a gap kind; use one of: {', '.join(kinds)}",
                                    parameter="kind", value=kind, allowed=kinds)
    selected = [n for n in sorted(queries) if kind is None or n == f"gap_{kind.removeprefix('gap_')}"]
    extra = {k: v for k, v in request.query_params.items() if k not in GAPS_OWN_PARAMETERS}
    declared = {p.name for n in selected for p in queries[n].parameters}
    unknown = sorted(set(extra) - declared)
    if unknown:
        raise InvalidParameterError(f"parameter {unknown[0]!r} is not taken by the selected gap queries; they take: "
                                    f"{', '.join(sorted(declared)) or 'none'}", parameter=unknown[0],
                                    allowed=sorted(declared))
    out = []
    for name in selected:
        params = {k: v for k, v in extra.items() if queries[name].parameter(k) is not None}
        for row in service.named_rows(name, params):
            out.append({"kind": name.removeprefix("gap_"), **row})
    return {"kinds": kinds, "questions": {n.removeprefix("gap_"): queries[n].question for n in selected},
            "total": len(out), "limit": limit, "offset": offset, "items": out[offset:offset + limit]}


@router.get("/lineage/{id:path}", responses=responses(NotFoundError),
            summary="What a commitment implements, what implements it, and what restates it")
def lineage(request: Request, id: str) -> dict[str, Any]:
    service = service_of(request)
    return details.lineage(service, service.resolve_statement(id))


@router.get("/coverage", summary="Document × theme matrix of commitment counts")
def coverage(request: Request) -> dict[str, Any]:
    return details.coverage(service_of(request))
