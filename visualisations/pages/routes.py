"""The server-rendered pages, at the same URLs as the JSON API, by content negotiation.

Every route here is a ``HtmlOnlyRoute`` (``graph_api.negotiation``): it matches only a request whose
Accept prefers HTML (and that has no ``format=`` parameter), so an API client's request falls through
to the API's own route on the same path and gets the same bytes as before. ``graph_api.app`` mounts
this router before the API's. Data comes from the API's own functions (``graph_api.details``,
``graph_api.compare``, the gaps and organisation routes), so a page and its JSON twin cannot disagree.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from vawg_kg.errors import NotFoundError
from vawg_kg.graph_api.compare import compare as compare_documents
from vawg_kg.graph_api.negotiation import HtmlOnlyRoute
from vawg_kg.graph_api.routes import service_of
from vawg_kg.graph_api.routes.analysis import gaps_answer
from vawg_kg.graph_api.routes.organisations import get_organisation, list_organisations
from vawg_kg.visualisations.pages import commitment, compare, gaps, ontology, organisation
from vawg_kg.visualisations.pages.parts import commitment_url

router = APIRouter(route_class=HtmlOnlyRoute, include_in_schema=False)
static_router = APIRouter(include_in_schema=False)
STATIC_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}
Text = Annotated[str | None, Query(max_length=300)]


def _html(body: str) -> HTMLResponse:
    return HTMLResponse(body, headers={"Vary": "Accept"})


def _gap_reasons(request: Request, rec: dict[str, Any]) -> list[dict[str, Any]]:
    if rec.get("kind") != "commitment":
        return []
    answer = gaps_answer(request, None, None, rec["doc_id"], None, 10_000, 0)
    row = next((r for r in answer["items"] if r["commitment"] == rec["id"]), None)
    return row["reasons"] if row else []


def _commitment_page(request: Request, ident: str) -> HTMLResponse:
    service = service_of(request)
    rec = service.resolve_statement(ident)
    return _html(commitment.render(service, rec, _gap_reasons(request, rec)))


@router.get("/commitments/{id:path}")
def commitment_page(request: Request, id: str) -> HTMLResponse:
    return _commitment_page(request, id)


@router.get("/id/commitment/{path:path}")
def commitment_iri_page(request: Request, path: str) -> HTMLResponse:
    return _commitment_page(request, path)


@router.get("/lineage/{id:path}")
def lineage_page(request: Request, id: str) -> Response:
    rec = service_of(request).resolve_statement(id)
    return RedirectResponse(f"{commitment_url(rec)}#lineage", status_code=303)


def _organisation_page(request: Request, ident: str) -> HTMLResponse:
    service = service_of(request)
    return _html(organisation.render(get_organisation(request, ident), service.by_iri))


@router.get("/organisations")
def organisations_page(request: Request) -> HTMLResponse:
    return _html(organisation.render_list(list_organisations(request)["items"]))


@router.get("/organisations/{id:path}")
def organisation_page(request: Request, id: str) -> HTMLResponse:
    return _organisation_page(request, id)


@router.get("/id/org/{slug}")
def organisation_iri_page(request: Request, slug: str) -> HTMLResponse:
    return _organisation_page(request, slug)


@router.get("/gaps")
def gaps_page(request: Request, doc_id: Text = None, lead: Text = None, reason: Text = None) -> HTMLResponse:
    service = service_of(request)
    doc_id, lead, reason = doc_id or None, lead or None, reason or None
    answer = gaps_answer(request, None, reason, doc_id, lead, 10_000, 0)
    everything = gaps_answer(request, None, None, None, None, 10_000, 0) if (doc_id or lead or reason) else answer
    lead_slug = service.orgs.resolve(lead, "lead").rsplit("/", 1)[-1] if lead else None
    chosen = {"doc_id": doc_id, "lead": lead_slug, "reason": reason}
    return _html(gaps.render(answer, everything, chosen, service.names))


@router.get("/compare")
def compare_page(request: Request, a: Text = None, b: Text = None) -> HTMLResponse:
    service = service_of(request)
    a, b = a or None, b or None
    answer = compare_documents(service, a, b) if a and b else None
    return _html(compare.render(service.documents, answer, a, b, service.names))


@router.get("/overlaps")
def overlaps_page(request: Request, doc_a: Text = None, doc_b: Text = None) -> Response:
    """Overlaps between two documents are the compare view's first table."""
    target = f"/compare?a={doc_a}&b={doc_b}" if doc_a and doc_b else "/compare"
    return RedirectResponse(target, status_code=303)


@router.get("/ontology")
def ontology_page() -> HTMLResponse:
    return _html(ontology.page_and_css()[0])


@static_router.get("/pages/static/ontology.css")
def ontology_css() -> Response:
    return Response(ontology.page_and_css()[1], media_type=STATIC_TYPES[".css"],
                    headers={"Cache-Control": "public, max-age=3600"})


def _own_static() -> dict[str, Path]:
    folder = Path(str(resources.files("vawg_kg.visualisations.pages") / "static"))
    return {p.name: p for p in folder.iterdir() if p.suffix in STATIC_TYPES}


@static_router.get("/pages/static/{name}")
def static(name: str) -> FileResponse:
    path = _own_static().get(name)  # an allow-list by name: the request never becomes part of a path
    if path is None:
        raise NotFoundError(f"no static file {name[:80]!r}", file=name[:80])
    return FileResponse(path, media_type=STATIC_TYPES[path.suffix], headers={"Cache-Control": "no-cache"})


router.include_router(static_router)
