"""The gaps view: one row per commitment with its reasons, filters by document, lead and reason (a form,
and the counts as links), the nearest candidates of each "not picked up", counts, and export links."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from vawg_kg.graph_api.html import page
from vawg_kg.visualisations.pages.parts import (CSS, commitment_link, doc_label, e, org_links, org_slug, options,
                                                query, status_badge, table)


def _reasons(row: dict[str, Any]) -> str:
    out = []
    for x in row["reasons"]:
        near = ""
        if x.get("nearest_candidates"):
            near = ('<br><span class="muted">nearest:</span> ' + ", ".join(
                f'{commitment_link(c) if c.get("ref") else e(c["id"])} '
                f'<span class="muted">({e(c.get("probability", c.get("score")))})</span>'
                for c in x["nearest_candidates"][:3]))
        out.append(f'<li><code>{e(x["code"])}</code> {e(x["label"])}{near}</li>')
    return f'<ul class="reasons">{"".join(out)}</ul>'


def render(answer: dict[str, Any], everything: dict[str, Any], chosen: dict[str, str | None],
           names: dict[str, str]) -> str:
    counts = answer["counts"]
    docs = [(d["doc_id"], doc_label(d["doc_id"])) for d in answer["corpus"]["documents"]]
    leads = [(org_slug(i), names.get(i, org_slug(i))) for i in everything["counts"]["by_lead"] if "://" in i]
    leads.sort(key=lambda kv: kv[1].lower())
    reasons = [(code, f"{code} — {label}") for code, label in answer["reasons"].items()]
    form = ('<form method="get" action="/gaps" class="filters" id="gap-filters">'
            f'<div class="field"><label for="f-doc">Document</label><select id="f-doc" name="doc_id">'
            f'{options(docs, chosen.get("doc_id"), "any document")}</select></div>'
            f'<div class="field"><label for="f-lead">Lead</label><select id="f-lead" name="lead">'
            f'{options(leads, chosen.get("lead"), "any lead")}</select></div>'
            f'<div class="field"><label for="f-reason">Reason</label><select id="f-reason" name="reason">'
            f'{options(reasons, chosen.get("reason"), "any reason")}</select></div>'
            '<button type="submit">Show gaps</button> <a href="/gaps">clear filters</a></form>')

    def link(**more: str) -> str:
        return query("/gaps", **{**chosen, **more})

    by_doc = [[f'<a href="{e(link(doc_id=d))}">{e(doc_label(d))}</a>', e(n)] for d, n in counts["by_document"].items()]
    by_lead = [[f'<a href="{e(link(lead=org_slug(i)))}">{e(names.get(i, i))}</a>' if "://" in i else e(i), e(n)]
               for i, n in list(counts["by_lead"].items())[:15]]
    by_reason = [[f'<a href="{e(link(reason=c))}"><code>{e(c)}</code></a> {e(answer["reasons"].get(c, ""))}', e(n)]
                 for c, n in counts["by_reason"].items()]
    rows = [[commitment_link(r), e(r["doc_id"]), org_links(r["leads"]),
             e(r.get("deadline_raw") or r.get("deadline") or "—"), status_badge(r.get("status")), e(r["text"]),
             _reasons(r)] for r in answer["items"]]
    params = {k: v for k, v in chosen.items() if v}
    export = (f'<p class="export">Export what is shown: <a href="/gaps?{e(urlencode({**params, "format": "csv"}))}">CSV'
              f'</a> · <a href="/gaps?{e(urlencode({**params, "format": "json"}))}">JSON</a></p>')
    shown = ", ".join(f"{k.replace('_id', '')} = {v}" for k, v in params.items()) or "none"
    corpus = answer["corpus"]
    body = ("<h1>Gaps</h1>"
            f'<p>{e(corpus["note"])} Judged against {e(corpus["judged_on"])}.</p>'
            f'{form}<p id="gap-summary" role="status"><strong>{answer["total"]}</strong> commitments with gaps '
            f"(filters: {e(shown)}).</p>{export}"
            '<div class="counts">'
            + table(["Document", "Commitments"], by_doc, caption="By document", cls="")
            + table(["Lead", "Commitments"], by_lead, caption="By lead (top 15)", cls="")
            + table(["Reason", "Commitments"], by_reason, caption="By reason", cls="")
            + "</div>"
            + table(["Ref", "Document", "Lead", "Deadline", "Status", "Text", "Reasons"], rows,
                    caption="One row per commitment", cls="stack gaps"))
    return page("Gaps", body, css=CSS)
