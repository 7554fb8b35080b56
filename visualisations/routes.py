"""The graph browser's routes, mounted by ``graph_api.app``.

``GET /graph`` the interactive page; ``GET /graph/data`` its nodes and edges. A large graph (more
than ``graph_summary.SUMMARY_ABOVE`` commitments) opens on a summary instead (``?overview=full`` or
``?overview=summary`` chooses): ``GET /graph/data/summary`` its aggregates, ``GET /graph/data/expand``
one aggregate's neighbourhood, ``GET /graph/data/table`` a page of the table (the response cache
answers these again, being under ``/graph/data``);
``GET /graph/search`` the commitments ``q`` finds, best first (the API's search,
``graph_api/search.py``); ``GET /graph/static/{name}`` its JavaScript and CSS and vis-network's;
``GET /graph/coverage`` the document x theme heat map; ``GET /graph/lineage``
one commitment across documents in date order. "View in source" links to the
API's ``GET /sources/{file}?start=&end=``, which highlights the span.

Why vis-network: it is pinned through PyPI (the ``pyvis`` dependency ships
vis-network 9.1.2, served from the installed package, so nothing comes from a
CDN and the page works on a closed network), it draws on a canvas, and with
precomputed positions and physics off it renders the ~400 nodes and ~3,000
edges of the full graph at once and stays responsive; it also has the
selection, focus and hover API the side panel needs.

Every page is static HTML plus files under ``/graph/static``: no inline script
or style, so the API's ``Content-Security-Policy: default-src 'self'`` holds.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, Response

from vawg_kg.errors import NotFoundError
from vawg_kg.graph_api.errors import InvalidParameterError, responses
from vawg_kg.graph_api.routes import service_of
from vawg_kg.graph_api.search import MATCH_MODES
from vawg_kg.paths import default_build_dir
from vawg_kg.iris import ID_BASE
from vawg_kg.graph_api.service import Filters
from vawg_kg.visualisations import graph_data, graph_summary, views

router = APIRouter(tags=["graph browser"])

STATIC_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}


def build_dir_of(request: Request) -> Path:
    """The build folder the API serves (``app.state.service.build_dir``), else ``app.state.build_dir``."""
    service = getattr(request.app.state, "service", None)
    folder = getattr(service, "build_dir", None) or getattr(request.app.state, "build_dir", None)
    return Path(folder) if folder else default_build_dir()


def _own_static() -> dict[str, Path]:
    folder = Path(str(resources.files("vawg_kg.visualisations") / "static"))
    return {p.name: p for p in folder.iterdir() if p.suffix in STATIC_TYPES}


def _vis_static() -> dict[str, Path]:
    """vis-network's files from the installed pyvis package (pinned in pyproject.toml)."""
    import pyvis

    folder = Path(pyvis.__file__).parent / "lib" / "vis-9.1.2"
    return {p.name: p for p in (folder / "vis-network.min.js", folder / "vis-network.css") if p.is_file()}


def _html(body: str) -> HTMLResponse:
    return HTMLResponse(body, headers={"Cache-Control": "no-cache"})


OVERVIEWS = ("full", "summary")


@router.get("/graph", response_class=HTMLResponse, summary="The interactive graph browser")
def graph_page(request: Request,
               overview: Annotated[str | None, Query(max_length=40, description="full: every commitment at once; "
                                                     "summary: documents, themes and organisations, expanded on "
                                                     "demand. Otherwise (absent or another word) the summary above "
                                                     f"{graph_summary.SUMMARY_ABOVE} commitments")] = None
               ) -> HTMLResponse:
    data = graph_data.cached(build_dir_of(request))
    mode = overview if overview in OVERVIEWS else "summary" if graph_summary.opens_on_summary(data) else "full"
    return _html(views.graph_page(mode))


def _json(body: bytes) -> Response:
    return Response(body, media_type="application/json", headers={"Cache-Control": "no-cache"})


@router.get("/graph/data", summary="Nodes and edges of the browser's graph, with positions")
def graph_payload(request: Request) -> Response:
    return _json(graph_data.cached_payload(build_dir_of(request), "full", graph_data.GraphData.payload))


@router.get("/graph/data/summary", summary="The summary view: documents, themes and lead organisations with counts")
def graph_summary_payload(request: Request) -> Response:
    return _json(graph_data.cached_payload(build_dir_of(request), "summary", graph_summary.summary))


@router.get("/graph/data/expand", responses=responses(),
            summary="One summary node's neighbourhood: a document's commitments, or a theme's or organisation's")
def graph_expand(request: Request,
                 node: Annotated[str, Query(max_length=400, description="d:<document id> or a:<theme or "
                                            "organisation IRI>")]) -> Response:
    data = graph_data.cached(build_dir_of(request))
    return _json(graph_data.as_json(graph_summary.expand(data, node)))


@router.get("/graph/data/table", responses=responses(NotFoundError),
            summary="A page of the table: the commitments the filters and search select, sorted")
def graph_table(request: Request,
                offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
                limit: Annotated[int, Query(ge=1, le=200)] = 25,
                q: Annotated[str | None, Query(max_length=500)] = None,
                match: Annotated[str, Query(description="all (default) or any of the words")] = "all",
                sort: Annotated[str, Query(max_length=40, description="a column key, - before it for "
                                           "descending")] = "",
                doc: Annotated[str | None, Query(max_length=200)] = None,
                lead: Annotated[str | None, Query(max_length=300)] = None,
                partner: Annotated[str | None, Query(max_length=300)] = None,
                theme: Annotated[str | None, Query(max_length=300)] = None,
                legislation: Annotated[str | None, Query(max_length=300)] = None,
                outcome_code: Annotated[str | None, Query(max_length=300)] = None) -> Response:
    if match not in MATCH_MODES:
        raise InvalidParameterError(f"parameter 'match': {match[:20]!r} is not a match mode; use all or any",
                                    parameter="match", value=match[:20], allowed=list(MATCH_MODES))
    data = graph_data.cached(build_dir_of(request))
    filters = Filters(doc or None, lead or None, partner or None, theme or None, legislation or None,
                      outcome_code or None, q if q and q.strip() else None)
    return _json(graph_data.as_json(graph_summary.table(service_of(request), data, filters, match, sort,
                                                        offset, limit)))


@router.get("/graph/search", responses=responses(),
            summary="The commitments a search finds, best first (what the API's q finds)")
def graph_search(request: Request,
                 q: Annotated[str, Query(max_length=500, description="words; every word must match by default")],
                 match: Annotated[str, Query(description="all (default) or any of the words")] = "all") -> dict[str, Any]:
    if match not in MATCH_MODES:
        raise InvalidParameterError(f"parameter 'match': {match[:20]!r} is not a match mode; use all or any",
                                    parameter="match", value=match[:20], allowed=list(MATCH_MODES))
    service = service_of(request)
    ranked = service.search.ranked(q, match) if q.strip() else []
    return {"q": q, "match": match, "ids": [service.records[i]["id"] for i, _ in ranked],
            "scores": [score for _, score in ranked]}


@router.get("/graph/static/{name}", responses={404: {"description": "no such static file"}}, summary="The browser's JavaScript and CSS, and vis-network's")
def graph_static(name: str) -> FileResponse:
    files = {**_vis_static(), **_own_static()}
    path = files.get(name)  # an allow-list by name: the request never becomes part of a path
    if path is None:
        raise NotFoundError(f"no static file {name[:80]!r}", file=name[:80])
    return FileResponse(path, media_type=STATIC_TYPES[path.suffix], headers={"Cache-Control": "no-cache"})


@router.get("/graph/coverage", response_class=HTMLResponse, summary="Document x theme heat map")
def coverage_page(request: Request) -> HTMLResponse:
    data = graph_data.cached(build_dir_of(request))
    return _html(views.coverage_page(data.coverage()))


@router.get("/graph/lineage", response_class=HTMLResponse, responses={404: {"description": "no such commitment"}},
            summary="One commitment across documents, in date order")
def lineage_page(request: Request,
                 id: Annotated[str, Query(max_length=300, description="commitment IRI or doc_id/ref")]) -> HTMLResponse:
    data = graph_data.cached(build_dir_of(request))
    iri = id if id in data.by_id else ID_BASE + "commitment/" + id.strip("/")
    if iri not in data.by_id:
        raise NotFoundError(f"no commitment {id[:120]!r}; give its IRI or doc_id/ref, "
                            "e.g. hmg-vawg-strategy-2016/A93", id=id[:120])
    return _html(views.lineage_page(data, iri))


def warm(build_dir: Path) -> None:
    """Compute what the first view needs ahead of the first request (the API calls this at start): the
    summary of a large graph, the whole network of a small one."""
    if (build_dir / "commitments.json").exists():
        if graph_summary.opens_on_summary(graph_data.cached(build_dir)):
            graph_data.cached_payload(build_dir, "summary", graph_summary.summary)
        else:
            graph_data.cached_payload(build_dir, "full", graph_data.GraphData.payload)
