"""``/docs`` (Swagger UI) and ``/redoc`` with their assets served from this server, so they work offline.

The assets come from the ``fastapi-offline`` package (pinned in pyproject.toml), which ships
Swagger UI's bundle and CSS and ReDoc's standalone script; only its files are used, by name.
"""

from __future__ import annotations

from pathlib import Path

import fastapi_offline
from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse

from vawg_kg.errors import NotFoundError

router = APIRouter(include_in_schema=False)
ASSETS = Path(fastapi_offline.__file__).parent / "static"
TYPES = {"swagger-ui-bundle.js": "text/javascript; charset=utf-8", "swagger-ui.css": "text/css; charset=utf-8",
         "redoc.standalone.js": "text/javascript; charset=utf-8", "favicon.png": "image/png"}


@router.get("/docs")
def swagger(request: Request) -> HTMLResponse:
    return get_swagger_ui_html(openapi_url="/openapi.json", title=f"{request.app.title} — API",
                               swagger_js_url="/docs/assets/swagger-ui-bundle.js",
                               swagger_css_url="/docs/assets/swagger-ui.css",
                               swagger_favicon_url="/docs/assets/favicon.png")


@router.get("/redoc")
def redoc(request: Request) -> HTMLResponse:
    return get_redoc_html(openapi_url="/openapi.json", title=f"{request.app.title} — API reference",
                          redoc_js_url="/docs/assets/redoc.standalone.js",
                          redoc_favicon_url="/docs/assets/favicon.png", with_google_fonts=False)


@router.get("/docs/assets/{name}")
def asset(name: str) -> FileResponse:
    if name not in TYPES:  # an allow-list by name: the request never becomes part of a path
        raise NotFoundError(f"no documentation asset {name[:80]!r}", file=name[:80])
    return FileResponse(ASSETS / name, media_type=TYPES[name], headers={"Cache-Control": "public, max-age=86400"})


@router.get("/favicon.ico")
def favicon() -> FileResponse:
    """The site's icon (browsers ask for it on every page; a 404 there is a console error)."""
    return FileResponse(ASSETS / "favicon.png", media_type="image/png",
                        headers={"Cache-Control": "public, max-age=86400"})
