"""SPARQL 1.1 Protocol at ``GET|POST /sparql``, read-only.

Requests: ``GET ?query=``, ``POST`` form (``application/x-www-form-urlencoded``)
or ``POST application/sparql-query``. Status codes follow Oxigraph's server:
400 malformed (with the parser's line and column) or missing query, 403 any
update / LOAD / SERVICE / remote dataset, 415 other request bodies, 406 an
Accept the query form cannot be written in, 503 timeout, 413 row or byte
cap, 429 when the ad-hoc lane is full. The query text is made canonical
(``stores.sparql.guard.normalise``), then checked and run by a sandboxed
worker process (``stores.sparql.pool``) that has no network and is killed
at the deadline; the worker writes the answer in the negotiated format.
"""

from __future__ import annotations

from typing import Annotated, Any

import binascii
import re
from urllib.parse import parse_qsl

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from vawg_kg.errors import (BadRequestError, ForbiddenQueryError, QueryParseError, QueryTimeoutError,
                            ResultTooLargeError, StoreError, StoreUnavailableError, TooManyRequestsError, VawgError)
from vawg_kg.graph_api.errors import (NotAcceptableError, RequestTooLargeError, UnsupportedMediaTypeError, responses,
                                      vawg_error_response)
from vawg_kg.graph_api.negotiation import best, negotiate
from vawg_kg.stores.sparql.guard import normalise
from vawg_kg.iris import PREFIXES

router = APIRouter(tags=["sparql"])
#: the longest ``query`` a GET may carry (the route validates it; the fast path leaves longer ones to it)
MAX_GET_QUERY = 16384

RESULT_TYPES = {
    "application/sparql-results+json": "json", "application/json": "json",
    "application/sparql-results+xml": "xml", "application/xml": "xml", "text/xml": "xml",
    "text/csv": "csv", "text/tab-separated-values": "tsv",
}
GRAPH_TYPES = {
    "text/turtle": "turtle", "application/x-turtle": "turtle", "application/turtle": "turtle",
    "application/n-triples": "nt", "text/plain": "nt",
    "application/ld+json": "json-ld", "application/x-json+ld": "json-ld",
    "application/rdf+xml": "xml",
}
RESULT_OFFER = ["application/sparql-results+json", "application/sparql-results+xml", "text/csv",
                "text/tab-separated-values", "application/json", "application/xml", "text/xml"]
GRAPH_OFFER = ["text/turtle", "application/n-triples", "application/ld+json", "application/rdf+xml",
               *[t for t in GRAPH_TYPES if t not in ("text/turtle", "application/n-triples", "application/ld+json",
                                                     "application/rdf+xml")]]
UPDATE_MESSAGE = ("this endpoint is read-only: SPARQL updates (INSERT, DELETE, LOAD, CLEAR, CREATE, DROP, COPY, "
                  "MOVE, ADD) are refused")
ERRORS = responses(QueryParseError, ForbiddenQueryError, NotAcceptableError, UnsupportedMediaTypeError,
                   QueryTimeoutError, ResultTooLargeError, TooManyRequestsError, StoreUnavailableError, StoreError)
OK_DOC: dict[int | str, dict[str, Any]] = {200: {"description": "results in the negotiated format", "content": {
    t: {} for t in ("application/sparql-results+json", "application/sparql-results+xml", "text/csv",
                    "text/tab-separated-values", "text/turtle", "application/n-triples", "application/ld+json")}}}


def _graph_of(result: Any) -> Any:
    from rdflib import BNode, Graph, Literal, URIRef

    def term(cell: Any) -> Any:
        if cell.kind == "uri":
            return URIRef(cell.value)
        if cell.kind == "bnode":
            return BNode(cell.value)
        return Literal(cell.value, lang=cell.lang, datatype=URIRef(cell.datatype) if cell.datatype and not cell.lang
                       else None)

    graph = Graph()
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, ns)
    for s, p, o in result.cells:
        graph.add((term(s), term(p), term(o)))
    return graph


def _check_dataset(default_graphs: list[str], named_graphs: list[str]) -> None:
    for iri in [*default_graphs, *named_graphs]:
        if iri:
            raise ForbiddenQueryError(
                f"default-graph-uri / named-graph-uri <{iri[:200]}> is refused: this endpoint serves only its own "
                "default graph and does not fetch remote graphs", graph=iri[:200])


def _content_type(media: str, fmt: str) -> str:
    if fmt in ("csv", "tsv"):
        return f"{media}; charset=utf-8"
    return "application/n-triples" if media == "text/plain" else media


async def _document(service: Any, query: str | None, update: str | None, accept: str | None) -> tuple[bytes, str]:
    """The answer's bytes and Content-Type for a query, or the project error to report."""
    if update is not None:
        raise ForbiddenQueryError(UPDATE_MESSAGE)
    if query is None or not query.strip():
        raise BadRequestError("give a SPARQL query in the `query` parameter (GET or form POST) or as an "
                              "application/sparql-query body", parameter="query")
    limit = service.settings.max_query_chars
    if len(query) > limit:
        raise RequestTooLargeError(f"the query has {len(query)} characters; the limit is {limit} "
                                   "(VAWG_KG_MAX_QUERY_CHARS)", limit=limit)
    text = normalise(query)
    # Negotiate before running, so a 406 costs nothing; the form is known only to the worker's parse.
    result_media = best(accept, RESULT_OFFER)
    graph_media = best(accept, GRAPH_OFFER)
    if result_media is None and graph_media is None:
        negotiate(accept, RESULT_OFFER + GRAPH_OFFER)
    document = await service.sparql_document(text, RESULT_TYPES[result_media] if result_media else None,
                                             GRAPH_TYPES[graph_media] if graph_media else None)
    media = result_media if document.form in ("SELECT", "ASK") else graph_media
    assert media is not None
    return document.body, _content_type(media, document.format)


async def _answer(request: Request, query: str | None, update: str | None) -> Response:
    body, content_type = await _document(request.app.state.service, query, update, request.headers.get("accept"))
    return Response(body, media_type=content_type)


# Anything in a raw query string that the quick decoding below would read otherwise than
# Starlette's parse_qsl: a '%' not followed by two hex digits, '=', and any byte that is not
# printable ASCII (parse_qsl reads raw bytes as Latin-1).
_NOT_PLAIN = re.compile(rb"%(?![0-9A-Fa-f]{2})|=|[^\x21-\x7e]")


def query_parameter(query_string: bytes) -> str | None:
    """The value of ``query`` when it is the only parameter (else None), decoded as Starlette would.

    Percent-escapes are decoded by ``binascii`` (quoted-printable's ``=XX`` is the same
    escape): ~4 µs for a 900-byte query against ~60 µs for ``urllib.parse``. Strings it could
    read differently (see ``_NOT_PLAIN``) go through ``parse_qsl`` itself.
    """
    if not query_string.startswith(b"query=") or b"&" in query_string:
        return None
    raw = query_string[6:]
    if _NOT_PLAIN.search(raw):
        pairs = parse_qsl(query_string.decode("latin-1"), keep_blank_values=True)
        return pairs[0][1] if len(pairs) == 1 and pairs[0][0] == "query" else None
    return binascii.a2b_qp(raw.replace(b"+", b" ").replace(b"%", b"=")).decode("utf-8", "replace")


class SparqlFastPath:
    """``GET /sparql?query=…`` and nothing else in the query string, answered without FastAPI's routing.

    The same checks and the same worker as the route (``_document``); errors go through the app's own
    handler, so they read the same. Anything else (POST, other parameters, an over-long query: the
    route's own validation answers those) passes to the app. Installed inside the request guard and
    CORS, so their limits and headers apply as before.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or scope["path"] != "/sparql":
            await self.app(scope, receive, send)
            return
        query = query_parameter(scope["query_string"])
        if query is None or len(query) > MAX_GET_QUERY:
            await self.app(scope, receive, send)
            return
        accept = next((v.decode("latin-1") for k, v in scope["headers"] if k == b"accept"), None)
        try:
            body, content_type = await _document(scope["app"].state.service, query, None, accept)
        except VawgError as exc:
            response = await vawg_error_response(Request(scope, receive), exc)
            await response(scope, receive, send)
            return
        await send({"type": "http.response.start", "status": 200, "headers": [
            (b"content-length", str(len(body)).encode()), (b"content-type", content_type.encode("latin-1"))]})
        await send({"type": "http.response.body", "body": body})


@router.get("/sparql", responses={**ERRORS, **OK_DOC}, summary="SPARQL 1.1 query (GET)")
async def sparql_get(
    request: Request,
    query: Annotated[str | None, Query(description="the SPARQL query (SELECT, ASK, CONSTRUCT, DESCRIBE)",
                                       max_length=MAX_GET_QUERY)] = None,
    update: Annotated[str | None, Query(description="refused: the endpoint is read-only")] = None,
    default_graph_uri: Annotated[list[str], Query(alias="default-graph-uri")] = [],
    named_graph_uri: Annotated[list[str], Query(alias="named-graph-uri")] = [],
) -> Response:
    _check_dataset(default_graph_uri, named_graph_uri)
    return await _answer(request, query, update)


@router.post("/sparql", responses={**ERRORS, **OK_DOC}, summary="SPARQL 1.1 query (POST form or sparql-query)",
             openapi_extra={"requestBody": {"content": {
                 "application/sparql-query": {"schema": {"type": "string"}},
                 "application/x-www-form-urlencoded": {"schema": {"type": "object", "properties": {
                     "query": {"type": "string"}}}}}}})
async def sparql_post(request: Request) -> Response:
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    default_graphs = request.query_params.getlist("default-graph-uri")
    named_graphs = request.query_params.getlist("named-graph-uri")
    if ctype == "application/x-www-form-urlencoded":
        form = await request.form()
        default_graphs += [str(v) for v in form.getlist("default-graph-uri")]
        named_graphs += [str(v) for v in form.getlist("named-graph-uri")]
        _check_dataset(default_graphs, named_graphs)
        query = form.get("query")
        update = form.get("update")
        return await _answer(request, str(query) if query is not None else None,
                             str(update) if update is not None else None)
    if ctype == "application/sparql-update":
        raise ForbiddenQueryError(UPDATE_MESSAGE)
    if ctype == "application/sparql-query":
        _check_dataset(default_graphs, named_graphs)
        raw = await request.body()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise BadRequestError("the query body is not UTF-8") from exc
        return await _answer(request, text, None)
    raise UnsupportedMediaTypeError(
        f"POST /sparql takes application/x-www-form-urlencoded or application/sparql-query, not {ctype or 'no type'!r}",
        content_type=ctype[:100], supported=["application/x-www-form-urlencoded", "application/sparql-query"])
