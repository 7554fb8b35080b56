"""SPARQL 1.1 Protocol at ``GET|POST /sparql``, read-only.

Requests: ``GET ?query=``, ``POST`` form (``application/x-www-form-urlencoded``)
or ``POST application/sparql-query``. Status codes follow Oxigraph's server:
400 malformed (with the parser's line and column) or missing query, 403 any
update / LOAD / SERVICE / remote dataset, 415 other request bodies, 406 an
Accept the query form cannot be written in, 503 timeout, 413 row cap.
Queries are checked by ``queries.sparql_guard`` *before* they reach the store
and run in a worker that is killed at the deadline.
"""

from __future__ import annotations

from typing import Annotated, Any
from xml.sax.saxutils import escape, quoteattr

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from vawg_kg.errors import (BadRequestError, ForbiddenQueryError, QueryParseError, QueryTimeoutError,
                            ResultTooLargeError, StoreError, StoreUnavailableError)
from vawg_kg.graph_api.errors import NotAcceptableError, UnsupportedMediaTypeError, responses
from vawg_kg.graph_api.negotiation import negotiate

router = APIRouter(tags=["sparql"])

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
UPDATE_MESSAGE = ("this endpoint is read-only: SPARQL updates (INSERT, DELETE, LOAD, CLEAR, CREATE, DROP, COPY, "
                  "MOVE, ADD) are refused")
ERRORS = responses(QueryParseError, ForbiddenQueryError, NotAcceptableError, UnsupportedMediaTypeError,
                   QueryTimeoutError, ResultTooLargeError, StoreUnavailableError, StoreError)
OK_DOC: dict[int | str, dict[str, Any]] = {200: {"description": "results in the negotiated format", "content": {
    t: {} for t in ("application/sparql-results+json", "application/sparql-results+xml", "text/csv",
                    "text/tab-separated-values", "text/turtle", "application/n-triples", "application/ld+json")}}}


def _xml_results(variables: list[str], rows: list[tuple[Any, ...]], boolean: bool | None = None) -> str:
    out = ['<?xml version="1.0"?>', '<sparql xmlns="http://www.w3.org/2005/sparql-results#">', "<head>"]
    out += [f"<variable name={quoteattr(v)}/>" for v in variables] + ["</head>"]
    if boolean is not None:
        out.append(f"<boolean>{'true' if boolean else 'false'}</boolean>")
    else:
        out.append("<results>")
        for row in rows:
            out.append("<result>")
            for var, cell in zip(variables, row):
                if cell is None:
                    continue
                if cell.kind == "uri":
                    term = f"<uri>{escape(cell.value)}</uri>"
                elif cell.kind == "bnode":
                    term = f"<bnode>{escape(cell.value)}</bnode>"
                else:
                    attr = (f" xml:lang={quoteattr(cell.lang)}" if cell.lang else
                            f" datatype={quoteattr(cell.datatype)}" if cell.datatype else "")
                    term = f"<literal{attr}>{escape(cell.value)}</literal>"
                out.append(f"<binding name={quoteattr(var)}>{term}</binding>")
            out.append("</result>")
        out.append("</results>")
    out.append("</sparql>")
    return "\n".join(out) + "\n"


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
    for prefix, ns in (("vawg", "https://w3id.org/vawg-kg/ontology#"), ("id", "https://w3id.org/vawg-kg/id/")):
        graph.bind(prefix, ns)
    for s, p, o in result.cells:
        graph.add((term(s), term(p), term(o)))
    return graph


def render(form: str, result: Any, accept: str | None) -> Response:
    """Serialise a guarded query result in the format the client accepts."""
    from vawg_kg.queries.results import to_sparql_csv, to_sparql_json, to_sparql_tsv

    if form in ("CONSTRUCT", "DESCRIBE"):
        media = negotiate(accept, ["text/turtle", "application/n-triples", "application/ld+json",
                                   "application/rdf+xml", *[t for t in GRAPH_TYPES if t not in (
                                       "text/turtle", "application/n-triples", "application/ld+json",
                                       "application/rdf+xml")]])
        graph = _graph_of(result)
        body = graph.serialize(format=GRAPH_TYPES[media])
        return Response(body, media_type=media if media != "text/plain" else "application/n-triples")
    offered = ["application/sparql-results+json", "application/sparql-results+xml", "text/csv",
               "text/tab-separated-values", "application/json", "application/xml", "text/xml"]
    media = negotiate(accept, offered)
    kind = RESULT_TYPES[media]
    if form == "ASK":
        value = bool(result.rows[0][0]) if len(result) else False
        if kind == "json":
            import json

            return Response(json.dumps({"head": {}, "boolean": value}), media_type=media)
        if kind == "xml":
            return Response(_xml_results([], [], value), media_type=media)
        return Response(f"_askResult\r\n{'true' if value else 'false'}\r\n" if kind == "csv" else
                        f"?_askResult\n{'true' if value else 'false'}\n", media_type=media)
    if kind == "json":
        return Response(to_sparql_json(result), media_type=media)
    if kind == "xml":
        return Response(_xml_results(result.variables, result.cells), media_type=media)
    if kind == "csv":
        return Response(to_sparql_csv(result), media_type="text/csv; charset=utf-8")
    return Response(to_sparql_tsv(result), media_type="text/tab-separated-values; charset=utf-8")


def _check_dataset(default_graphs: list[str], named_graphs: list[str]) -> None:
    for iri in [*default_graphs, *named_graphs]:
        if iri:
            raise ForbiddenQueryError(
                f"default-graph-uri / named-graph-uri <{iri[:200]}> is refused: this endpoint serves only its own "
                "default graph and does not fetch remote graphs", graph=iri[:200])


async def _answer(request: Request, query: str | None, update: str | None) -> Response:
    if update is not None:
        raise ForbiddenQueryError(UPDATE_MESSAGE)
    if query is None or not query.strip():
        raise BadRequestError("give a SPARQL query in the `query` parameter (GET or form POST) or as an "
                              "application/sparql-query body", parameter="query")
    from vawg_kg.queries.sparql_guard import check_read_only, screen

    service = request.app.state.service
    parsed = screen(query) or await run_in_threadpool(check_read_only, query)
    accept = request.headers.get("accept")
    # negotiate before running, so a 406 costs nothing
    if parsed.form in ("CONSTRUCT", "DESCRIBE"):
        negotiate(accept, list(GRAPH_TYPES))
    else:
        negotiate(accept, list(RESULT_TYPES))
    result = await run_in_threadpool(service.sparql, query)
    return render(parsed.form, result, accept)


@router.get("/sparql", responses={**ERRORS, **OK_DOC}, summary="SPARQL 1.1 query (GET)")
async def sparql_get(
    request: Request,
    query: Annotated[str | None, Query(description="the SPARQL query (SELECT, ASK, CONSTRUCT, DESCRIBE)",
                                       max_length=16384)] = None,
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
