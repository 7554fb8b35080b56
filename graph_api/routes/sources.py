"""``GET /sources/{file}``: a bundled or added source document, as text or with a span highlighted.

Only names in the allow-list of source files are served; anything with a
path separator, ``..``, a drive or NUL is refused before any lookup.
"""

from __future__ import annotations

import re
from html import escape
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, Response

from vawg_kg.errors import BadRequestError, NotFoundError
from vawg_kg.graph_api.errors import InvalidParameterError, media, responses
from vawg_kg.graph_api.html import page, render_source
from vawg_kg.graph_api.negotiation import wants_html
from vawg_kg.graph_api.routes import service_of

router = APIRouter(tags=["sources"])
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,120}$")


def check_name(name: str) -> None:
    if "/" in name or "\\" in name or ".." in name or "\x00" in name or ":" in name or "%" in name:
        raise BadRequestError("a source file is named by its file name only (no folders, '..' or encoded "
                              "separators); see GET /sources for the list", file=name[:120])
    if not _NAME.match(name):
        raise NotFoundError(f"no source file {name[:120]!r}", file=name[:120])


@router.get("/sources", summary="The source files the viewer serves")
def list_sources(request: Request) -> dict[str, list[str]]:
    return {"files": sorted(service_of(request).source_files())}


@router.get("/sources/{file:path}", responses={**responses(BadRequestError, NotFoundError),
                                               **media("text/plain", "text/html")},
            summary="A source document as text, or as HTML with the span [start, end) highlighted")
def get_source(
    request: Request,
    file: str,
    start: Annotated[int | None, Query(ge=0, le=100_000_000)] = None,
    end: Annotated[int | None, Query(ge=0, le=100_000_000)] = None,
) -> Response:
    check_name(file)
    text = service_of(request).source_text(file)
    if start is None and end is None and not wants_html(request.headers.get("accept")):
        return PlainTextResponse(text)
    s = start if start is not None else 0
    e = end if end is not None else s
    if s > e or e > len(text):
        raise InvalidParameterError(f"span [{s}, {e}) is outside {file} (0–{len(text)} characters) or reversed",
                                    parameter="end" if e > len(text) else "start", start=s, end=e, length=len(text))
    service = service_of(request)
    owners = [r for r in service.records
              if r["source"]["file"] == file and r["source"]["start"] < max(e, s + 1) and r["source"]["end"] > s]
    back = " · ".join(f'<a href="/commitments/{quote(r["doc_id"])}/{quote(r["ref"])}">back to {escape(r["ref"])} '
                      f'({escape(r["doc_id"])})</a>' for r in owners[:5])
    body = (f"<h1>{escape(file)}</h1><p>{back + ' · ' if back else ''}characters {s}–{e} (Unicode code points, "
            f'end exclusive); <a href="#span">jump to the highlighted text</a> · '
            f'<a href="/sources/{quote(file)}">plain text</a></p>'
            '<p class="muted">Markup of the converted source (<code>**</code>, <code>&lt;b&gt;</code>, '
            "<code>#</code>) is shown as formatting; offsets are those of the file.</p>"
            f'<div class="source" id="source">{render_source(text, s, e)}</div>')
    return HTMLResponse(page(file, body, scripts=["/assets/source.js"]))


# Scrolls the highlight into the middle of the window (an external file: the CSP allows no inline script).
SOURCE_JS = """document.addEventListener("DOMContentLoaded", function () {
  var mark = document.getElementById("span");
  if (mark) { mark.scrollIntoView({block: "center"}); }
});
"""


@router.get("/assets/source.js", include_in_schema=False)
def source_js() -> Response:
    return Response(SOURCE_JS, media_type="text/javascript; charset=utf-8",
                    headers={"Cache-Control": "public, max-age=3600"})
