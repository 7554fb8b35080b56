"""``GET /``: a small index page of the endpoints; ``/assets/style.css`` for the HTML pages."""

from __future__ import annotations

from html import escape

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from vawg_kg.graph_api.html import STYLE, page
from vawg_kg.graph_api.routes import service_of

router = APIRouter(tags=["meta"])

ENDPOINTS = (
    ("/docs", "OpenAPI documentation (interactive)"),
    ("/health", "graph version, counts, store reachability"),
    ("/commitments?lead=FCDO", "commitments, filtered by doc, lead, partner, theme, legislation, outcome_code, q"),
    ("/commitments/hmg-vawg-strategy-2016/A93", "one commitment with its exact source text, overlaps, lineage"),
    ("/organisations/fcdo", "an organisation: names over time, what it leads and partners in"),
    ("/overlaps?min_score=0.5", "overlapping commitments across documents, with word-level diffs"),
    ("/gaps", "commitments with no owner, no date, and other gaps, with reason codes"),
    ("/coverage", "document × theme matrix"),
    ("/queries", "named SPARQL/Cypher queries, each at its own URL"),
    ("/sparql", "SPARQL 1.1 Protocol endpoint (read-only)"),
    ("/ontology", "the ontology (HTML, or Turtle by Accept)"),
    ("/downloads/vawg-kg.ttl", "the graph as Turtle (also .nt and .jsonld)"),
    ("/graph", "the interactive graph browser"),
)


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def index(request: Request) -> HTMLResponse:
    service = service_of(request)
    rows = "".join(f'<li><a href="{escape(url)}"><code>{escape(url)}</code></a> — {escape(what)}</li>'
                   for url, what in ENDPOINTS)
    body = (f"<h1>VAWG commitments knowledge graph</h1><p>{len(service.records)} commitments from "
            f"{len(service.documents)} documents; graph version <code>{escape((service.version or '')[:12])}</code>."
            f"</p><ul>{rows}</ul><p>POST <code>/cypher</code> runs read-only Cypher against Neo4j.</p>")
    return HTMLResponse(page("vawg-kg", body))


@router.get("/assets/style.css", include_in_schema=False)
def style() -> Response:
    return Response(STYLE, media_type="text/css", headers={"Cache-Control": "public, max-age=3600"})
