"""``GET /id/{path}``: the local twin of ``https://w3id.org/vawg-kg/id/{path}``, dereferenceable.

The description is the IRI's DESCRIBE (Oxigraph: the concise bounded
description) from the read-only store; HTML for browsers, Turtle, JSON-LD or
N-Triples by Accept.
"""

from __future__ import annotations

import re
from html import escape

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from vawg_kg.errors import NotFoundError, StoreUnavailableError
from vawg_kg.graph_api.errors import NotAcceptableError, responses
from vawg_kg.graph_api.html import page
from vawg_kg.graph_api.negotiation import negotiate
from vawg_kg.graph_api.routes import service_of
from vawg_kg.graph_api.sparql import GRAPH_TYPES, _graph_of
from vawg_kg.iris import ID_BASE

router = APIRouter(tags=["linked data"])
_PATH = re.compile(r"^[A-Za-z0-9._~\-/%:]{1,300}$")
TYPES = ["text/html", "text/turtle", "application/ld+json", "application/n-triples"]


def _local(iri: str) -> str:
    return "/id/" + iri[len(ID_BASE):] if iri.startswith(ID_BASE) else iri


@router.get("/id/{path:path}", responses={
                **responses(NotFoundError, NotAcceptableError, StoreUnavailableError),
                200: {"description": "the resource's triples in the negotiated format",
                      "content": {media: {} for media in TYPES}}}, response_class=Response,
            summary="Dereference an instance IRI (HTML, Turtle, JSON-LD or N-Triples by Accept)")
async def describe(request: Request, path: str) -> Response:
    if not _PATH.match(path) or ".." in path:
        raise NotFoundError(f"no resource id/{path[:120]}", id=path[:120])
    iri = ID_BASE + path
    media = negotiate(request.headers.get("accept"), TYPES)
    service = service_of(request)
    # Safe to write into the query: _PATH admits no character that can end an IRI reference.
    result = await run_in_threadpool(service.sparql, f"DESCRIBE <{iri}>")
    if not len(result):
        raise NotFoundError(f"nothing in the graph is described as <{iri}>", id=iri)
    graph = _graph_of(result)
    if media != "text/html":
        return Response(graph.serialize(format=GRAPH_TYPES[media]), media_type=media)
    rows = []
    for s, p, o in sorted(graph, key=lambda t: (str(t[0]) != iri, str(t[1]), str(t[2]))):
        def cell(term: object) -> str:
            text = str(term)
            if text.startswith(("http://", "https://")):
                return f'<a href="{escape(_local(text))}">{escape(graph.namespace_manager.normalizeUri(term))}</a>'
            return escape(text)
        rows.append(f"<tr><td>{cell(s)}</td><td>{cell(p)}</td><td>{cell(o)}</td></tr>")
    body = (f"<h1>{escape(iri)}</h1><p>Also as <a href=\"?\">Turtle, JSON-LD or N-Triples</a> by Accept.</p>"
            f"<table><tr><th>subject</th><th>predicate</th><th>object</th></tr>{''.join(rows)}</table>")
    return HTMLResponse(page(iri, body))
