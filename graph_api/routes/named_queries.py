"""Named queries, datasette-style: ``GET /queries`` lists them; ``GET|POST /queries/{name}`` runs one.

Parameters come from the query string (GET) or a JSON object (POST) and are
bound by ``queries.runner`` (substituted as RDF terms, never pasted into text).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Request
from fastapi.responses import JSONResponse, Response

from vawg_kg.errors import (BadRequestError, NotFoundError, QueryTimeoutError, ResultTooLargeError,
                            StoreUnavailableError)
from vawg_kg.graph_api.errors import media, responses
from vawg_kg.graph_api.routes import service_of
from vawg_kg.queries import catalog
from vawg_kg.stores.results import to_sparql_csv

router = APIRouter(tags=["named queries"])
RESERVED = {"format"}


def _describe(q: Any) -> dict[str, Any]:
    return {"name": q.name, "question": q.question, "url": f"/queries/{q.name}",
            "parameters": [{"name": p.name, "type": p.type, "description": p.description, "required": p.required,
                            "default": p.default} for p in q.parameters],
            "example": dict(q.example), "has_cypher": q.cypher is not None}


@router.get("/queries", summary="The named queries (question, parameters, example)")
def list_queries() -> dict[str, Any]:
    return {"queries": [_describe(q) for q in catalog.all()]}


def _run(request: Request, name: str, params: dict[str, Any], fmt: str) -> Response:

    query = catalog.get(name)
    service = service_of(request)
    params = service.named_params(params)
    if fmt == "csv":
        result = service.run_named(name, params)
        return Response(to_sparql_csv(result), media_type="text/csv; charset=utf-8")
    rows = service.named_rows(name, params)
    columns = list(rows[0]) if rows else []
    return JSONResponse({"name": name, "question": query.question, "parameters": params,
                         "columns": columns, "total": len(rows), "rows": rows})


ERRORS = {**responses(NotFoundError, BadRequestError, QueryTimeoutError, ResultTooLargeError, StoreUnavailableError),
          **media("application/json", "text/csv")}


@router.get("/queries/{name}", responses=ERRORS, summary="Run a named query; its parameters go in the query string")
def run_get(request: Request, name: str,
            format: Annotated[str, Query(pattern="^(json|csv)$", description="json or csv")] = "json") -> Response:
    params = {k: v for k, v in request.query_params.items() if k not in RESERVED}
    return _run(request, name, params, format)


@router.post("/queries/{name}", responses=ERRORS, summary="Run a named query with parameters as a JSON object")
def run_post(request: Request, name: str,
             params: Annotated[dict[str, str | int | float] | None, Body(description="parameter values")] = None,
             format: Annotated[str, Query(pattern="^(json|csv)$")] = "json") -> Response:
    return _run(request, name, dict(params or {}), format)
