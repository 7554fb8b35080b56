"""``POST /cypher``: read-only Cypher against Neo4j, for real.

READ access mode is not enough (procedures can write; ``LOAD CSV`` reads
URLs inside a read transaction), and Community Edition has no roles. So the
query is ``EXPLAIN``-ed first and refused unless the plan's query type is
``r`` and no operator loads CSV or calls a procedure; then it runs in
``session.execute_read`` with a transaction timeout and a row cap, with the
parameters passed as parameters.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Request
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from vawg_kg.errors import (BadRequestError, ForbiddenQueryError, QueryParseError, QueryTimeoutError,
                            ResultTooLargeError, StoreError, StoreUnavailableError)
from vawg_kg.graph_api.errors import responses
from vawg_kg.queries.cypher_guard import FORBIDDEN_OPERATORS, _operators, check_plan  # noqa: F401

router = APIRouter(tags=["cypher"])

START_HINT = "start it with `vawg-kg neo4j start` (then `vawg-kg load-neo4j`)"


class CypherRequest(BaseModel):
    query: str = Field(min_length=1, max_length=20_000, description="a read-only Cypher query")
    parameters: dict[str, Any] = Field(default_factory=dict, description="query parameters ($name)")


def _driver(settings: Any) -> Any:
    try:
        from vawg_kg.loaders.neo4j_server import connection_settings
    except ImportError as exc:
        raise StoreUnavailableError(f"Neo4j support is not installed; {START_HINT}") from exc
    import neo4j

    cfg = connection_settings()
    get = (lambda k: cfg[k]) if isinstance(cfg, dict) else (lambda k: getattr(cfg, k))
    driver = neo4j.GraphDatabase.driver(get("uri"), auth=(get("user"), get("password")),
                                        connection_timeout=3.0, max_transaction_retry_time=0)
    try:
        database = get("database")
    except (KeyError, AttributeError):
        database = None
    return driver, database


def run_cypher(query: str, parameters: dict[str, Any], timeout_s: float, max_rows: int) -> dict[str, Any]:
    import neo4j
    from neo4j.exceptions import AuthError, ClientError, Neo4jError, ServiceUnavailable

    driver, database = _driver(None)
    try:
        with driver.session(database=database, default_access_mode=neo4j.READ_ACCESS) as session:
            try:
                summary = session.run(f"EXPLAIN {query}", parameters).consume()
            except ClientError as exc:
                if "Syntax" in (exc.code or ""):
                    raise QueryParseError(f"Cypher error: {exc.message}", code=exc.code) from exc
                raise BadRequestError(f"Cypher error: {exc.message}", code=exc.code) from exc
            check_plan(summary.query_type, _operators(summary.plan))

            @neo4j.unit_of_work(timeout=timeout_s)  # the server ends the transaction at the deadline
            def work(tx: Any) -> dict[str, Any]:
                result = tx.run(query, parameters)
                keys = list(result.keys())
                rows: list[list[Any]] = []
                for record in result:
                    if len(rows) >= max_rows:
                        raise ResultTooLargeError(f"the query returns more than {max_rows} rows; add LIMIT",
                                                  max_rows=max_rows)
                    rows.append([_plain(v) for v in record.values()])
                return {"columns": keys, "rows": rows}

            try:
                out = session.execute_read(work)
            except Neo4jError as exc:
                code = (exc.code or "").lower()
                if "timedout" in code or "timeout" in code or "terminated" in code:
                    raise QueryTimeoutError(f"the Cypher query ran longer than {timeout_s:g}s and was stopped",
                                            timeout_s=timeout_s) from exc
                if isinstance(exc, ClientError):
                    raise BadRequestError(f"Cypher error: {exc.message}", code=exc.code) from exc
                raise StoreError(f"Neo4j failed to run the query: {exc.message}", code=exc.code) from exc
            return {**out, "total": len(out["rows"])}
    except (ServiceUnavailable, ConnectionError, OSError) as exc:
        raise StoreUnavailableError(f"Neo4j is not reachable; {START_HINT}") from exc
    except OverflowError as exc:  # the driver cannot send an integer outside 64 bits
        raise BadRequestError(f"a parameter value cannot be sent to Neo4j ({exc}); integers must fit in 64 bits",
                              parameter="parameters") from exc
    except AuthError as exc:
        raise StoreUnavailableError("Neo4j refused the configured credentials; check `vawg-kg neo4j` settings") from exc
    finally:
        driver.close()


def _plain(value: Any) -> Any:
    import neo4j.graph as g

    if isinstance(value, g.Node):
        return {"id": value.element_id, "labels": sorted(value.labels), "properties": dict(value)}
    if isinstance(value, g.Relationship):
        return {"id": value.element_id, "type": value.type, "properties": dict(value)}
    if isinstance(value, g.Path):
        return {"nodes": [_plain(n) for n in value.nodes], "relationships": [_plain(r) for r in value.relationships]}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


@router.post("/cypher", responses=responses(QueryParseError, ForbiddenQueryError, QueryTimeoutError,
                                            ResultTooLargeError, StoreUnavailableError, StoreError),
             summary="Run a read-only Cypher query against Neo4j")
async def cypher(request: Request, body: Annotated[CypherRequest, Body()]) -> dict[str, Any]:
    settings = request.app.state.settings
    return await run_in_threadpool(run_cypher, body.query, body.parameters, settings.cypher_timeout_s,
                                   settings.cypher_max_rows)
