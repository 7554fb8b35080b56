"""``GET /health``: graph version, counts, and which stores answer."""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import urlparse

from fastapi import APIRouter, Request

from vawg_kg.errors import VawgError
from vawg_kg.stores.neo4j.server import connection_settings

from vawg_kg.graph_api.routes import service_of

router = APIRouter(tags=["meta"])


async def neo4j_reachable(timeout_s: float = 0.5) -> dict[str, Any]:
    """Whether the Bolt port from the project's connection settings accepts a TCP connection.

    No credentials are used, and the address is not shown (it is deployment detail).
    """
    try:
        uri = connection_settings().uri
    except VawgError as exc:  # not configured: the message says how to start it
        return {"reachable": False, "reason": exc.message}
    parsed = urlparse(uri)
    host, port = parsed.hostname or "127.0.0.1", parsed.port or 7687
    try:
        _, writer = await asyncio.wait_for(asyncio.open_connection(host, port), timeout_s)
    except (OSError, asyncio.TimeoutError):
        return {"reachable": False, "reason": "nothing answers on the Bolt port; run `vawg-kg neo4j start`"}
    writer.close()
    return {"reachable": True}


@router.get("/health", summary="Graph version, counts, store reachability and query lanes")
async def health(request: Request) -> dict[str, Any]:
    """Answered on the event loop: it never waits for a query worker or the thread pool."""
    service = service_of(request)
    docs = service.report.get("documents", {})
    return {
        "status": "ok",
        "graph_version": service.version,
        "counts": {
            "commitments": len(service.records),
            "stated_outcomes": len(service.outcomes),
            "overlaps": len(service.links.get("overlaps", []) or []),
            "triples": service.report.get("triples"),
            "documents": {d: row.get("commitments") for d, row in docs.items()} if docs else
            {d: len(ids) for d, ids in service.idx["doc"].items()},
        },
        "sparql_store": service.store_present(),
        "query_lanes": service.lanes_status(),
        "neo4j": await neo4j_reachable(),
    }
