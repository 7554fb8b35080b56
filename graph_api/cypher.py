"""``POST /cypher``: read-only Cypher against Neo4j, through the one executor (``stores/neo4j/executor.py``).

The executor refuses administration commands, writes, ``LOAD CSV``, procedure calls and any plan
operator outside its read-only allow-list (403); it runs at most ``cypher_concurrency`` queries at once
with ``query_queue`` more waiting (429 beyond), stops each at ``cypher_timeout_s`` (503, the wait for a
lane included), and stops an answer at ``cypher_max_rows`` rows or ``max_result_bytes`` bytes (413).
The app keeps one executor (its drivers and connection pools) for as long as the connection settings
stay the same, and one set of lanes for its life.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Request
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from vawg_kg.errors import (ForbiddenQueryError, QueryParseError, QueryTimeoutError, ResultTooLargeError, StoreError,
                            StoreUnavailableError, TooManyRequestsError)
from vawg_kg.graph_api.errors import responses
from vawg_kg.graph_api.settings import Settings
from vawg_kg.stores.neo4j.server import connection_settings
from vawg_kg.stores.lanes import Lane
from vawg_kg.stores.neo4j.executor import CypherExecutor, CypherLimits

router = APIRouter(tags=["cypher"])


class CypherRequest(BaseModel):
    query: str = Field(min_length=1, max_length=20_000, description="a read-only Cypher query")
    parameters: dict[str, Any] = Field(default_factory=dict, description="query parameters ($name)")


def executor(state: Any, settings: Settings) -> CypherExecutor:
    """The app's executor for the present connection settings (a new one when they change, e.g. a restart)."""
    lanes = getattr(state, "cypher_lanes", None)
    if lanes is None:
        lanes = state.cypher_lanes = Lane("Cypher", settings.cypher_concurrency, settings.query_queue)
    connection = connection_settings()
    current: CypherExecutor | None = getattr(state, "cypher_executor", None)
    if current is None or current.settings != connection:
        if current is not None:
            current.close()
        current = state.cypher_executor = CypherExecutor(connection, lanes)
    return current


@router.post("/cypher", responses=responses(QueryParseError, ForbiddenQueryError, QueryTimeoutError,
                                            ResultTooLargeError, TooManyRequestsError, StoreUnavailableError,
                                            StoreError),
             summary="Run a read-only Cypher query against Neo4j")
async def cypher(request: Request, body: Annotated[CypherRequest, Body()]) -> dict[str, Any]:
    settings: Settings = request.app.state.settings
    limits = CypherLimits(settings.cypher_timeout_s, settings.cypher_max_rows, settings.max_result_bytes)
    answer = await run_in_threadpool(executor(request.app.state, settings).run, body.query, body.parameters, limits)
    return {"columns": answer.columns, "rows": answer.rows, "total": len(answer.rows)}
