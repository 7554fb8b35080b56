"""The organisation page: names over time, and what it leads and partners in, by document and status."""

from __future__ import annotations

from typing import Any

from vawg_kg.graph_api.html import page
from vawg_kg.visualisations.pages.parts import CSS, commitment_link, doc_title, e, status_badge, table


def _roles(items: list[dict[str, Any]], records: dict[str, dict[str, Any]], role: str) -> str:
    if not items:
        return f'<p class="muted">No commitment names it as {role}.</p>'
    by_doc: dict[str, list[dict[str, Any]]] = {}
    for item in items:
        by_doc.setdefault(item["doc_id"], []).append(item)
    out = []
    for doc in sorted(by_doc, key=lambda d: (records.get(by_doc[d][0]["id"], {}).get("doc_published", ""), d)):
        rows = []
        counts: dict[str, int] = {}
        for item in by_doc[doc]:
            rec = records.get(item["id"], {})
            status = rec.get("status")
            counts[status or "none"] = counts.get(status or "none", 0) + 1
            via = (f' <span class="muted">(named as {e(item["as"]["name_in_source"])}, a predecessor)</span>'
                   if item.get("via_predecessor") else "")
            rows.append([commitment_link(item), e(item.get("text")) + via, e(rec.get("deadline_raw") or ""),
                         status_badge(status)])
        summary = ", ".join(f"{n} {e(k)}" for k, n in sorted(counts.items()))
        out.append(f'<h3>{e(doc_title(doc))} <span class="muted">({len(rows)}: {summary})</span></h3>'
                   + table(["Ref", "Text", "Deadline", "Status"], rows))
    return "".join(out)


def render(org: dict[str, Any], records: dict[str, dict[str, Any]]) -> str:
    names = []
    for change in org.get("changes", []):
        froms = ", ".join(f'<a href="/organisations/{e(x["id"].rsplit("/", 1)[-1])}">{e(x["name"])}</a>'
                          for x in change["from"])
        tos = ", ".join(f'<a href="/organisations/{e(x["id"].rsplit("/", 1)[-1])}">{e(x["name"])}</a>'
                        for x in change["to"])
        names.append(f"<li><time>{e(change['date'])}</time>: {froms} → {tos} <span class=\"muted\">"
                     f"({e(change['label'])})</span></li>")
    other = [*org.get("acronyms", []), *org.get("alt_names", [])]
    in_sources = [n for n in org.get("names_in_sources", []) if n != org.get("name")]
    current = {True: "a current body", False: "no longer exists under this name", None: "not in the vocabulary"}
    body = (f'<p class="crumbs"><a href="/organisations">Organisations</a></p><h1>{e(org["name"])}</h1>'
            f"<dl class=\"facts\"><dt>Also known as</dt><dd>{e(', '.join(other)) or '—'}</dd>"
            f"<dt>Names the documents use</dt><dd>{e(', '.join(in_sources)) or '—'}</dd>"
            f"<dt>Today</dt><dd>{e(current.get(org.get('is_current')))}</dd></dl>"
            "<h2>Names over time</h2>"
            + (f'<ul id="names-over-time">{"".join(names)}</ul>' if names else
               '<p id="names-over-time" class="muted">No rename or merger recorded.</p>')
            + f'<h2 id="leads">Leads ({len(org.get("leads", []))})</h2>{_roles(org.get("leads", []), records, "lead")}'
            + f'<h2 id="partners">Partner in ({len(org.get("partners", []))})</h2>'
            + _roles(org.get("partners", []), records, "partner")
            + f'<p><a href="/organisations/{e(org["slug"])}?format=json">JSON</a></p>')
    return page(org["name"], body, css=CSS)


def render_list(items: list[dict[str, Any]]) -> str:
    rows = [[f'<a href="/organisations/{e(i["slug"])}">{e(i["name"])}</a>', e(", ".join(i.get("acronyms") or [])),
             e(i.get("leads")), e(i.get("partners"))]
            for i in sorted(items, key=lambda i: (-(i.get("leads") or 0) - (i.get("partners") or 0), i["name"]))
            if i.get("leads") or i.get("partners")]
    body = ("<h1>Organisations</h1><p>Every body that leads or partners in a commitment, most commitments first "
            "(the counts are as named; an organisation's page adds the bodies it replaced).</p>"
            + table(["Organisation", "Acronyms", "Leads", "Partner in"], rows))
    return page("Organisations", body, css=CSS)
