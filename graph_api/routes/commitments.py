"""``GET /commitments`` (filters, search, pagination, JSON/CSV/JSON-LD) and ``GET /commitments/{id}``."""

from __future__ import annotations

import json
from enum import Enum
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response

from vawg_kg.errors import NotFoundError, StoreUnavailableError
from vawg_kg.graph_api import details as detail_view
from vawg_kg.graph_api.errors import media, responses
from vawg_kg.graph_api.jsonld import records_to_jsonld
from vawg_kg.graph_api.routes import service_of
from vawg_kg.graph_api.service import Filters
from vawg_kg.loaders.records_json import records_to_csv

router = APIRouter(tags=["commitments"])


class ListFormat(str, Enum):
    json = "json"
    csv = "csv"
    jsonld = "jsonld"


Text = Annotated[str | None, Query(max_length=300)]


@router.get("/commitments", responses={**responses(StoreUnavailableError, NotFoundError),
                                       **media("application/json", "text/csv", "application/ld+json")},
            summary="Commitments, filtered (combinable), searched and paginated")
def list_commitments(
    request: Request,
    doc: Annotated[str | None, Query(max_length=100, description="document id, e.g. hmg-vawg-strategy-2016")] = None,
    lead: Annotated[str | None, Query(max_length=300, description=(
        "organisation slug, acronym, name or IRI; includes the bodies it replaced (FCDO → FCO, DFID)"))] = None,
    partner: Annotated[str | None, Query(max_length=300, description="as `lead`, for partners")] = None,
    theme: Annotated[str | None, Query(max_length=300, description="theme slug, name or IRI")] = None,
    legislation: Annotated[str | None, Query(max_length=300, description=(
        "ukpga/2015/9, ukpga/2015/9/section/76 or the legislation.gov.uk IRI; an Act matches its sections"))] = None,
    outcome_code: Annotated[str | None, Query(max_length=100, description="Home Office outcome code, e.g. 15")] = None,
    q: Annotated[str | None, Query(max_length=500, description="full-text search, ranked (BM25)")] = None,
    reference: Annotated[str | None, Query(max_length=20, description=(
        "how the legislation is cited: explicit (the Act's title), provision (a section), concept (an order, "
        "duty, scheme or review the Act creates) or crime-type (an offence it defines); with `legislation`, "
        "narrows that Act's commitments; alone, any legislation cited that way"))] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    format: Annotated[ListFormat, Query(description="json, csv or jsonld")] = ListFormat.json,
) -> Response:
    service = service_of(request)
    page = service.find(Filters(doc, lead, partner, theme, legislation, outcome_code, q, reference), limit, offset)
    headers = {"X-Total-Count": str(page.total)}
    if format is ListFormat.csv:

        return Response(records_to_csv(page.items), media_type="text/csv; charset=utf-8", headers=headers)
    if format is ListFormat.jsonld:
        return Response(json.dumps(records_to_jsonld(page.items), ensure_ascii=False),
                        media_type="application/ld+json", headers=headers)
    body: dict[str, Any] = {"total": page.total, "limit": page.limit, "offset": page.offset,
                            "filters": page.notes, "items": page.items}
    return JSONResponse(body, headers=headers)


@router.get("/commitments/{id:path}", responses=responses(NotFoundError),
            summary="One commitment: record, exact source text and offsets, overlaps, lineage")
def get_commitment(request: Request, id: str) -> dict[str, Any]:
    service = service_of(request)
    rec = service.resolve_statement(id)
    return detail_view.commitment_detail(service, rec)
