"""``GET /health``: graph version, counts, and which stores answer."""

from __future__ import annotations

import socket
from typing import Any
from urllib.parse import urlparse

from fastapi import APIRouter, Request

from vawg_kg.errors import VawgError

from vawg_kg.graph_api.routes import service_of

router = APIRouter(tags=["meta"])


def neo4j_reachable(timeout_s: float = 0.5) -> dict[str, Any]:
    """A TCP connect to the Bolt port from the project's connection settings (no credentials are used)."""
    try:
        from vawg_kg.loaders.neo4j_server import connection_settings
    except ImportError:
        return {"reachable": False, "reason": "the Neo4j module is not installed"}
    try:
        cfg = connection_settings()
        uri = cfg["uri"] if isinstance(cfg, dict) else getattr(cfg, "uri")
        parsed = urlparse(uri)
        host, port = parsed.hostname or "127.0.0.1", parsed.port or 7687
        with socket.create_connection((host, port), timeout=timeout_s):
            return {"reachable": True, "uri": f"{parsed.scheme}://{host}:{port}"}
    except OSError:
        return {"reachable": False, "reason": "nothing listens on the Bolt port; run `vawg-kg neo4j start`"}
    except VawgError as exc:  # not configured: the message says how to start it
        return {"reachable": False, "reason": exc.message}


@router.get("/health", summary="Graph version, counts and store reachability")
def health(request: Request) -> dict[str, Any]:
    service = service_of(request)
    try:
        service.store()
        sparql = True
    except Exception:
        sparql = False
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
        "sparql_store": sparql,
        "neo4j": neo4j_reachable(),
    }
