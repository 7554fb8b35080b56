"""The FastAPI application: ``create_app(build_dir, settings)``.

Composition only: settings, the service (loaded once), the error handler
map, the request guard and the routers. No route logic lives here.
"""

from __future__ import annotations

import importlib
import logging
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from vawg_kg.graph_api import errors
from vawg_kg.graph_api.html import install_html_errors
from vawg_kg.graph_api.response_cache import ResponseCache
from vawg_kg.graph_api.security import GuardMiddleware, trusted_hosts
from vawg_kg.graph_api.service import GraphService
from vawg_kg.graph_api.settings import Settings
from vawg_kg.graph_api.sparql import SparqlFastPath

log = logging.getLogger("vawg_kg.graph_api")

ROUTERS = (
    "vawg_kg.graph_api.routes.index",
    "vawg_kg.graph_api.routes.api_docs",
    "vawg_kg.graph_api.routes.health",
    "vawg_kg.graph_api.routes.commitments",
    "vawg_kg.graph_api.routes.sources",
    "vawg_kg.graph_api.routes.organisations",
    "vawg_kg.graph_api.routes.analysis",
    "vawg_kg.graph_api.routes.named_queries",
    "vawg_kg.graph_api.routes.downloads",
    "vawg_kg.graph_api.routes.linked_data",
    "vawg_kg.graph_api.sparql",
    "vawg_kg.graph_api.cypher",
)

# Answers computed from the build alone (not /health, /cypher, /sparql, nor the
# file downloads, which honour Range): served again from memory, with ETags.
CACHED_PATHS = ("/commitments", "/organisations", "/overlaps", "/gaps", "/coverage", "/lineage", "/queries",
                "/id", "/compare", "/ontology", "/ontology.ttl", "/graph/data", "/graph/coverage", "/graph/lineage")

DESCRIPTION = """Commitments on violence against women and girls from five UK public documents,
as a knowledge graph with provenance to the source character.

Every error is `{"error": code, "message": text, "details": {...}}`. The SPARQL endpoint follows the
SPARQL 1.1 Protocol and is read-only; `/cypher` is read-only against Neo4j."""


def create_app(build_dir: Path, settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings.from_env()
    logging.getLogger("neo4j").setLevel(logging.WARNING)  # the driver's DEBUG lines would flood the server log
    app = FastAPI(title="vawg-kg", version="0.1.0", description=DESCRIPTION,
                  docs_url=None, redoc_url=None)  # served offline by routes/api_docs.py
    app.state.settings = settings
    app.state.service = GraphService(Path(build_dir), settings)
    errors.install(app)
    install_html_errors(app)
    # The HTML pages first: their routes answer only requests preferring HTML and let others through.
    _mount_optional(app, "vawg_kg.visualisations.pages.routes", "/commitments/{id} etc. answer JSON only")
    for name in ROUTERS:
        module = importlib.import_module(name)
        app.include_router(module.router)
    _mount_browser(app, Path(build_dir))
    errors.document_request_limits(app)
    # Innermost: plain GET /sparql skips FastAPI's routing (graph_api.sparql.SparqlFastPath).
    app.add_middleware(SparqlFastPath)
    # Inside the others: CORS headers and the request limits still apply to cached answers.
    app.add_middleware(ResponseCache, prefixes=CACHED_PATHS, max_bytes=settings.response_cache_bytes,
                       version=app.state.service.version or "")
    if settings.cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=list(settings.cors_origins), allow_methods=["GET", "POST"],
                           allow_headers=["Accept", "Content-Type"], allow_credentials=False)
    # Added last = outermost: limits apply before CORS or any route reads the request.
    app.add_middleware(GuardMiddleware, max_body_bytes=settings.max_body_bytes,
                       max_query_string=settings.max_query_string,
                       allowed_hosts=trusted_hosts(settings.host, settings.trusted_hosts))
    app.router.add_event_handler("shutdown", app.state.service.close)
    return app


def _mount_optional(app: FastAPI, name: str, without: str) -> Any:
    """Include the router of ``name``, a module of a room above this one, when it is installed."""
    try:
        module = importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.startswith("vawg_kg.visualisations"):
            log.info("%s not installed; %s", name, without)
            return None
        raise
    app.include_router(module.router)
    return module


def _mount_browser(app: FastAPI, build_dir: Path) -> None:
    """The interactive graph browser (``/graph``) is another package's router; mount it when installed."""
    module = _mount_optional(app, "vawg_kg.visualisations.routes", "/graph is absent")
    if module is None:
        return
    # Computed now rather than on the first visit, so the first /graph renders as fast as the next.
    module.warm(build_dir)
