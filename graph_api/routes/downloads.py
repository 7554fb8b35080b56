"""Downloads of the graph dumps and the ontology (Turtle, or HTML documentation by Accept)."""

from __future__ import annotations

from enum import Enum

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, Response

from vawg_kg.errors import NotFoundError
from vawg_kg.graph_api.errors import NotAcceptableError, media, responses
from vawg_kg.graph_api.negotiation import negotiate
from vawg_kg.graph_api.routes import service_of
from vawg_kg.ontology.docs import render_html
from vawg_kg.ontology.model import ONTOLOGY_FILE

router = APIRouter(tags=["downloads"])


class Dump(str, Enum):
    ttl = "vawg-kg.ttl"
    nt = "vawg-kg.nt"
    jsonld = "vawg-kg.jsonld"


MEDIA = {Dump.ttl: "text/turtle", Dump.nt: "application/n-triples", Dump.jsonld: "application/ld+json"}


@router.get("/downloads/{file}", responses={**responses(NotFoundError),
                                            **media("text/turtle", "application/n-triples", "application/ld+json")}, summary="The whole graph as Turtle, N-Triples or JSON-LD")
def download(request: Request, file: Dump) -> FileResponse:
    path = service_of(request).build_dir / file.value
    if not path.is_file():
        raise NotFoundError(f"{file.value} is not in the build; rebuild with `vawg-kg build`", file=file.value)
    return FileResponse(path, media_type=MEDIA[file], filename=file.value)


_ONTOLOGY_TYPES = ["text/html", "text/turtle", "application/ld+json", "application/n-triples"]


@router.get("/ontology", responses={**responses(NotAcceptableError), **media(*_ONTOLOGY_TYPES)},
            summary="The ontology: HTML documentation for browsers, Turtle / JSON-LD / N-Triples by Accept")
def ontology(request: Request) -> Response:

    media = negotiate(request.headers.get("accept"), _ONTOLOGY_TYPES)
    if media == "text/html":

        return HTMLResponse(render_html())
    if media == "text/turtle":
        return Response(ONTOLOGY_FILE.read_text(encoding="utf-8"), media_type="text/turtle")
    from rdflib import Graph

    graph = Graph().parse(ONTOLOGY_FILE, format="turtle")
    return Response(graph.serialize(format="json-ld" if media == "application/ld+json" else "nt"), media_type=media)


@router.get("/ontology.ttl", include_in_schema=False)
def ontology_ttl() -> Response:

    return Response(ONTOLOGY_FILE.read_text(encoding="utf-8"), media_type="text/turtle")
