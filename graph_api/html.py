"""The HTML pages' frame, the HTML error page and the rendered source view.

No inline script or style anywhere: the CSP is ``default-src 'self'``, so
styles come from ``/assets/style.css`` (``STYLE``) and each page's own files.
Every page has a skip link, a header with the site's places, one ``main``.
"""

from __future__ import annotations

import inspect
import json
import re
from collections.abc import Awaitable, Callable, Iterable
from html import escape
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from starlette.responses import Response

from vawg_kg.graph_api.negotiation import wants_html

# Colours: text #1b1b1b on #fff (17:1), links #0b4f8a (8.6:1), muted #4a4a4a (8.9:1), mark #fff3a3
# under #1b1b1b (15:1); every pair is above WCAG 2.2 AA's 4.5:1.
STYLE = """*{box-sizing:border-box}
body{font-family:system-ui,sans-serif;margin:0;line-height:1.5;color:#1b1b1b;background:#fff}
a{color:#0b4f8a}a:focus-visible,button:focus-visible,select:focus-visible,input:focus-visible,summary:focus-visible
{outline:3px solid #b35900;outline-offset:2px}
.skip{position:absolute;left:-999px}.skip:focus{left:1rem;top:.5rem;background:#fff;padding:.3rem;z-index:9}
header.site{background:#14365d;color:#fff;padding:.5rem 1rem}header.site a{color:#fff;margin-right:1rem}
header.site nav{display:flex;flex-wrap:wrap;gap:.25rem 0;align-items:center}header.site .home{font-weight:700}
main{max-width:72rem;margin:0 auto;padding:1rem}
pre{white-space:pre-wrap;overflow-wrap:anywhere;background:#f7f7f7;padding:1rem;border:1px solid #ccc}
mark{background:#fff3a3;color:#1b1b1b;outline:2px solid #8a6d00}
table{border-collapse:collapse;width:100%}td,th{border:1px solid #ccc;padding:.25rem .5rem;vertical-align:top;
text-align:left;overflow-wrap:break-word}th{background:#eef2f6}code{font-size:.95em;overflow-wrap:anywhere}
.muted{color:#4a4a4a}.error{border-left:6px solid #a4262c;padding:.5rem 1rem;background:#fdf3f4}
.source{white-space:pre-wrap;overflow-wrap:anywhere;font-family:Georgia,serif;tab-size:4;background:#fbfbf9;
padding:1rem;border:1px solid #ccc}
.source .b{font-weight:700}.source .i{font-style:italic}.source .sup{vertical-align:super;font-size:.75em}
.source .h1{font-size:1.6em;font-weight:700}.source .h2{font-size:1.35em;font-weight:700}
.source .h3,.source .h4,.source .h5,.source .h6{font-size:1.15em;font-weight:700}
@media (max-width:800px){main{padding:.5rem}table.stack,table.stack tbody,table.stack tr,table.stack td
{display:block;width:100%}table.stack thead{position:absolute;left:-9999px}table.stack tr{border:1px solid #ccc;
margin-bottom:.5rem}table.stack td{border:0;border-bottom:1px solid #eee}
table.stack td[data-label]::before{content:attr(data-label) ": ";font-weight:700}}
"""

NAV = (("/graph", "Graph"), ("/gaps", "Gaps"), ("/compare", "Compare documents"), ("/organisations", "Organisations"),
       ("/ontology", "Ontology"), ("/docs", "API"))


def page(title: str, body_html: str, css: Iterable[str] = (), scripts: Iterable[str] = ()) -> str:
    """``body_html`` must already be escaped; ``title`` is escaped here. ``css``/``scripts``: same-origin URLs."""
    links = "".join(f'<link rel="stylesheet" href="{escape(u)}">' for u in css)
    js = "".join(f'<script src="{escape(u)}" defer></script>' for u in scripts)
    nav = "".join(f'<a href="{u}">{escape(t)}</a>' for u, t in NAV)
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<link rel="stylesheet" href="/assets/style.css">{links}{js}</head><body>'
            '<a class="skip" href="#main">Skip to content</a>'
            f'<header class="site"><nav aria-label="Site"><a class="home" href="/">VAWG commitments</a>{nav}</nav>'
            f'</header><main id="main" tabindex="-1">{body_html}</main></body></html>')


# --- the source rendered: markup shown as formatting, never as characters --------------------------------------
# The same inline markup loaders/text.py strips from record text, plus Markdown headings at a line's start
# and Markdown's backslash escapes. Offsets stay those of the raw file: only the text between tokens is shown.
_TOKEN = re.compile(r"</?(?:b|i|strong|em|u|sup|sub)>|\*\*\*|\*\*|\\(?=[\\_*#\[\]()])|(?m:^#{1,6}[ \t]+)")
_STYLE_OF = {"b": "b", "strong": "b", "i": "i", "em": "i", "u": "i", "sup": "sup", "sub": "sup"}


def render_source(text: str, start: int, end: int) -> str:
    """The source as HTML runs (``<span class=…>``), markup tokens dropped, [start, end) in ``<mark>`` runs;
    the first marked run has ``id="span"`` (an empty span, or one starting inside a token, gets an empty
    anchor there). Every run closes before the next opens, so a highlight that crosses a heading or a
    bold stretch is still well-formed."""
    out: list[str] = []
    state: dict[str, Any] = {"heading": "", "anchored": False}
    toggled: set[str] = set()  # ** and *** switch bold (and italic) on and off
    tags: dict[str, int] = {"b": 0, "i": 0, "sup": 0}  # <b>…</b> and the like nest

    def anchor() -> None:
        if not state["anchored"]:
            out.append('<mark id="span"></mark>')
            state["anchored"] = True

    def emit(a: int, b: int) -> None:
        cuts = sorted({a, b, *(x for x in (start, end) if a < x < b)})
        for x, y in zip(cuts, cuts[1:]):
            if x == start and start == end:
                anchor()
            inside = start <= x < end
            for k, line in enumerate(text[x:y].split("\n")):
                if k:
                    out.append("\n")
                    state["heading"] = ""
                if not line:
                    continue
                styles = toggled | {k for k, n in tags.items() if n > 0} | ({state["heading"]} if state["heading"] else set())
                classes = " ".join(sorted(styles))
                cls = f' class="{classes}"' if classes else ""
                if inside:
                    ident = "" if state["anchored"] else ' id="span"'
                    state["anchored"] = True
                    out.append(f"<mark{ident}{cls}>{escape(line)}</mark>")
                else:
                    out.append(f"<span{cls}>{escape(line)}</span>" if cls else escape(line))

    pos = 0
    for m in _TOKEN.finditer(text):
        if m.start() > pos:
            emit(pos, m.start())
        if m.start() <= start < m.end() or (start == end == m.start()):
            anchor()
        tok = m.group(0)
        if tok.startswith("#"):
            state["heading"] = f"h{len(tok.rstrip())}"
        elif tok in ("**", "***"):
            toggled.symmetric_difference_update({"b"} if tok == "**" else {"b", "i"})
        elif tok.startswith("<"):
            name = _STYLE_OF[tok.strip("</>")]
            tags[name] = max(0, tags[name] + (-1 if tok.startswith("</") else 1))
        pos = m.end()
    if pos < len(text):
        emit(pos, len(text))
    if start == end == len(text):
        anchor()
    return "".join(out)


# --- errors as HTML for browsers ----------------------------------------------------------------------------------

def error_page(status: int, body: dict[str, Any]) -> str:
    details = body.get("details") or {}
    nearest = details.get("nearest") or []
    items = "".join(f'<li><a href="{escape(str(n.get("url", "")))}">{escape(str(n.get("label", "")))}</a> '
                    f'<span class="muted">{escape(", ".join(n.get("acronyms") or []))}</span></li>'
                    for n in nearest if isinstance(n, dict))
    near = f"<h2>Did you mean</h2><ul>{items}</ul>" if items else ""
    title = {404: "Not found", 422: "Not understood", 406: "Not available in that format"}.get(status, "Error")
    return page(f"{title} ({status})",
                f'<h1>{title}</h1><div class="error" role="alert"><p>{escape(str(body.get("message", "")))}</p></div>'
                f'{near}<p>Start again from <a href="/">the index</a>, <a href="/graph">the graph</a> or '
                f'<a href="/gaps">the gaps</a>.</p><p class="muted">Error code <code>{escape(str(body.get("error")))}'
                "</code>; JSON clients get this as JSON.</p>")


def _as_html(handler: Callable[..., Any]) -> Callable[[Request, Exception], Awaitable[Response]]:
    async def wrapped(request: Request, exc: Exception) -> Response:
        response = handler(request, exc)
        if inspect.isawaitable(response):
            response = await response
        assert isinstance(response, Response)
        if not wants_html(request.headers.get("accept")) or response.media_type != "application/json":
            return response
        try:
            body = json.loads(bytes(response.body))
        except ValueError:
            return response
        headers = {k: v for k, v in response.headers.items() if k.lower() in ("retry-after", "allow")}
        return HTMLResponse(error_page(response.status_code, body), status_code=response.status_code,
                            headers=headers)
    return wrapped


def install_html_errors(app: FastAPI) -> None:
    """Every error handler answers a browser (Accept preferring HTML) with an HTML page of the same status."""
    for key, handler in list(app.exception_handlers.items()):
        app.exception_handlers[key] = _as_html(handler)
