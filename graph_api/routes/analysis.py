"""Cross-document questions: ``/overlaps``, ``/gaps``, ``/lineage/{id}``, ``/coverage``."""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from vawg_kg.errors import NotFoundError, StoreUnavailableError
from vawg_kg.graph_api import details
from vawg_kg.graph_api.errors import InvalidParameterError, responses
from vawg_kg.graph_api.routes import service_of

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
    items = details.list_overlaps(service, doc_a, doc_b, min_score, kind.value if kind else None, diff)
    return {"total": len(items), "limit": limit, "offset": offset, "method": service.links.get("method"),
            "thresholds": service.links.get("thresholds"), "items": items[offset:offset + limit]}


def _gap_queries() -> dict[str, Any]:
    try:
        from vawg_kg.queries import catalog
    except ImportError as exc:
        raise StoreUnavailableError("the named-query catalogue (vawg_kg.queries.catalog) is not available "
                                    "in this install") from exc
    found = {q.name: q for q in catalog.all() if q.name.startswith("gap_")}
    if not found:
        raise StoreUnavailableError("no gap queries (queries/gap_*.rq) are installed")
    return found


@router.get("/gaps", responses=responses(StoreUnavailableError),
            summary="Gaps (no owner, no date, unanswered partners...) from the gap named queries, with reason codes")
def gaps(
    request: Request,
    kind: Annotated[str | None, Query(max_length=100, description="a gap kind (the query name without gap_)")] = None,
) -> dict[str, Any]:
    from vawg_kg.queries.runner import run_named

    service = service_of(request)
    queries = _gap_queries()
    kinds = sorted(n.removeprefix("gap_") for n in queries)
    if kind is not None and kind not in kinds and f"gap_{kind}" not in queries:
        raise InvalidParameterError(f"parameter 'kind': {kind!r} is not a gap kind; use one of: {', '.join(kinds)}",
                                    parameter="kind", value=kind, allowed=kinds)
    out = []
    for name in sorted(queries):
        short = name.removeprefix("gap_")
        if kind is not None and kind not in (short, name):
            continue
        result = run_named(name, {}, service.store(), guarded=True, timeout_s=service.settings.query_timeout_s,
                           max_rows=service.settings.max_rows)
        for row in result.records():
            out.append({"kind": short, "reason": row.get("reason", short), **row})
    return {"kinds": kinds, "total": len(out), "items": out}


@router.get("/lineage/{id:path}", responses=responses(NotFoundError),
            summary="What a commitment implements, what implements it, and what restates it")
def lineage(request: Request, id: str) -> dict[str, Any]:
    service = service_of(request)
    return details.lineage(service, service.resolve_statement(id))


@router.get("/coverage", summary="Document × theme matrix of commitment counts")
def coverage(request: Request) -> dict[str, Any]:
    return details.coverage(service_of(request))
