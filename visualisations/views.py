"""Server-rendered HTML of the browser's pages. Every value from the data goes
through ``html.escape`` (or ``urlencode`` in a link); there is no inline script
or style, so the pages work under ``Content-Security-Policy: default-src 'self'``.
"""

from __future__ import annotations

from html import escape
from importlib import resources
from typing import Any
from urllib.parse import quote, urlencode

from vawg_kg.visualisations.graph_data import GraphData

NAV = (("/graph", "Browse"), ("/gaps", "Gaps"), ("/graph/coverage", "Coverage"), ("/docs", "API"))


def graph_page(mode: str = "full") -> str:
    """The browser's page; ``mode`` (full or summary, never from the request as written) tells its script
    which first view to draw."""
    page = (resources.files("vawg_kg.visualisations") / "templates" / "graph.html").read_text(encoding="utf-8")
    return page.replace('<html lang="en">', f'<html lang="en" data-mode="{escape(mode)}">', 1)


def _shell(title: str, body: str, current: str) -> str:
    nav = " ".join(f'<a href="{href}"{" aria-current=page" if href == current else ""}>{escape(label)}</a>'
                   for href, label in NAV)
    return ('<!doctype html><html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<title>{escape(title)} · VAWG commitments</title>'
            '<link rel="stylesheet" href="/graph/static/graph.css"></head>'
            f'<body class="page"><header class="top"><h1>{escape(title)}</h1><nav aria-label="Views">{nav}</nav>'
            f'</header><main id="main">{body}</main></body></html>')


def source_href(source: dict[str, Any] | None) -> str | None:
    if not source or not source.get("file"):
        return None
    return (f"/sources/{quote(str(source['file']), safe='')}?"
            f"{urlencode({'start': source['start'], 'end': source['end']})}#span")


def coverage_page(cov: dict[str, Any]) -> str:
    top = cov["max"] or 1
    head = "".join(f'<th scope="col" class="theme"><span>{escape(t["name"])}</span></th>' for t in cov["themes"])
    rows = []
    for doc in cov["documents"]:
        cells = []
        for t in cov["themes"]:
            n = cov["counts"].get(f'{doc["id"]}\t{t["id"]}', 0)
            level = 0 if n == 0 else 1 + min(7, int(7 * n / top))
            label = f'{n} commitments of {doc["title"]} on {t["name"]}'
            if n:
                href = "/graph?" + urlencode({"doc": doc["id"], "theme": t["value"]})
                cells.append(f'<td class="h{level}"><a href="{escape(href)}" aria-label="{escape(label)}">{n}</a></td>')
            else:
                cells.append(f'<td class="h0" aria-label="{escape(label)}">·</td>')
        rows.append(f'<tr><th scope="row"><a href="/graph?{escape(urlencode({"doc": doc["id"]}))}">'
                    f'{escape(doc["title"])}</a> <span class="muted">({escape(doc["published"][:4])}, '
                    f'{cov["totals"].get(doc["id"], 0)} commitments)</span></th>{"".join(cells)}</tr>')
    body = ('<p>How many commitments of each document (rows, oldest first) fall under each VAWG theme '
            '(columns). Darker means more; "·" means none — a gap. Click a number to see those commitments '
            'in the graph.</p>'
            '<div class="heat-wrap"><table class="heat"><caption>Commitments by document and theme</caption>'
            f'<thead><tr><th scope="col">Document</th>{head}</tr></thead><tbody>{"".join(rows)}</tbody>'
            '</table></div>')
    return _shell("Coverage: documents × themes", body, "/graph/coverage")


def _lineage_rows(rows: list[dict[str, Any]], focus: str) -> str:
    out = []
    for r in rows:
        src = source_href(r.get("source"))
        rel = "this commitment" if r["id"] == focus else r["relation"]
        if r.get("score") is not None and r["id"] != focus:
            rel += f' (score {r["score"]})'
        graph = "/graph?" + urlencode({"select": r["id"]})
        lineage = "/graph/lineage?" + urlencode({"id": r["id"]})
        links = [f'<a href="{escape(graph)}">show in graph</a>']
        if src:
            links.append(f'<a href="{escape(src)}">view in source</a>')
        if r["id"] != focus:
            links.append(f'<a href="{escape(lineage)}">its lineage</a>')
        out.append(f'<li class="{"focus" if r["id"] == focus else ""}"><p class="meta">'
                   f'<time datetime="{escape(r["published"] or "")}">{escape((r["published"] or "")[:7])}</time> · '
                   f'{escape(r["document"])} · <strong>{escape(r["ref"])}</strong> · <em>{escape(rel)}</em></p>'
                   f'<p class="text">{escape(r["text"])}</p><p class="links">{" · ".join(links)}</p></li>')
    return "".join(out)


def lineage_page(data: GraphData, iri: str) -> str:
    rec = data.by_id[iri]
    chain = data.lineage_of(iri)
    status = data.status(iri)
    body = (f'<p>The lineage of <strong>{escape(rec["doc_id"])} {escape(rec["ref"])}</strong> across documents, '
            'oldest document first (then document, then ref): the commitments it implements or that implement '
            'it (named explicitly by the later document), and those that restate it or are related to it '
            '(overlaps, with their scores). The same lineage as <code>GET /lineage/{id}</code> and the '
            'named query <code>lineage_of</code>.</p>')
    if status:
        body += (f'<p class="status">Status: <strong>{escape(str(status["label"]))}</strong> '
                 f'<span class="muted">(judged against {escape(str(status["judged_on"]))}, the latest '
                 'publication date in the corpus)</span></p>')
    body += f'<ol class="lineage">{_lineage_rows(chain, iri)}</ol>'
    if len(chain) == 1:
        body += '<p class="muted">No other commitment in the corpus implements, restates or relates to this one.</p>'
    return _shell(f'Lineage of {rec["ref"]}', body, "")
