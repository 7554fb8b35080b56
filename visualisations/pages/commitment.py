"""The commitment page: text and section, the source excerpt with the span highlighted, who, when,
which law, status and gap flags, what became of it (the one lineage) and the judgement history."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from vawg_kg.graph_api import details
from vawg_kg.graph_api.html import page, render_source
from vawg_kg.graph_api.service import GraphService
from vawg_kg.paths import package_dir
from vawg_kg.visualisations.pages.parts import (CSS, commitment_link, doc_title, e, legislation_link, org_links,
                                                relations, status_badge, table)

EXCERPT = 700  # characters of source either side of the span, widened to whole lines


def judgements_file() -> Path:
    return package_dir("data") / "judgements.jsonl"


def judgements_of(rec: dict[str, Any], path: Path | None = None) -> list[dict[str, Any]]:
    """Reviewers' decisions touching ``rec`` (``data/judgements.jsonl``: {a, b, relation, decision, by, at, why},
    ``a``/``b`` an IRI or ``doc_id/ref``), oldest first; none when the file is absent."""
    path = path or judgements_file()
    if not path.is_file():
        return []
    names = {rec["id"], f"{rec['doc_id']}/{rec['ref']}"}
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except ValueError:
            continue
        if isinstance(row, dict) and ({str(row.get("a")), str(row.get("b"))} & names or
                                      any(str(row.get(k, "")).endswith("/" + f"{rec['doc_id']}/{rec['ref']}")
                                          for k in ("a", "b"))):
            out.append(row)
    return sorted(out, key=lambda r: str(r.get("at", "")))


def excerpt(service: GraphService, rec: dict[str, Any]) -> str:
    src = rec["source"]
    text = service.source_text(src["file"])
    lo = text.rfind("\n", 0, max(0, src["start"] - EXCERPT)) + 1
    hi = text.find("\n", min(len(text), src["end"] + EXCERPT))
    hi = len(text) if hi < 0 else hi
    return render_source(text[lo:hi], src["start"] - lo, src["end"] - lo)


def _evidence(items: list[dict[str, Any]], names: dict[str, str]) -> str:
    out = []
    for ev in items:
        rel = ev.get("relation", "")
        if "stated_by" in ev:
            out.append(f"{e(doc_title(ev['stated_by']))} names {e(ev.get('names'))} ({relations([rel])})")
        elif "score" in ev:
            bits = [f"score {e(ev['score'])}"]
            if ev.get("shared_phrases"):
                bits.append("shared phrases: " + e("; ".join(ev["shared_phrases"])))
            if ev.get("shared_entities"):
                bits.append("shared: " + e(", ".join(names.get(x, x.rsplit("/", 1)[-1]) for x in ev["shared_entities"])))
            out.append(f"{relations([rel])} by text ({'; '.join(bits)})")
        else:
            out.append(e(json.dumps(ev, ensure_ascii=False)))
    return "<ul>" + "".join(f"<li>{x}</li>" for x in out) + "</ul>" if out else ""


def lineage_table(service: GraphService, lin: dict[str, Any]) -> str:
    rows = []
    for side, when in (("earlier", "earlier"), ("same_time", "same date"), ("later", "later")):
        for item in lin.get(side, []):
            rows.append([e(item.get("published")), e(when), e(doc_title(item.get("doc_id", ""))),
                         commitment_link(item), f'<span class="kind">{relations(item["relations"])}</span>',
                         e(item.get("text")), _evidence(item.get("evidence", []), service.names)])
    if not rows:
        return '<p>No later, earlier or same-date commitment in the corpus is linked to this one.</p>'
    return table(["Date", "When", "Document", "Ref", "Kind", "Text", "Evidence"], rows,
                 caption="Linked commitments in date order", cls="stack lineage")


def render(service: GraphService, rec: dict[str, Any], gap_reasons: list[dict[str, Any]]) -> str:
    lin = details.lineage(service, rec)
    status = lin.get("status") or {}
    src = rec["source"]
    facts = [
        ("Document", f"{e(doc_title(rec['doc_id']))} <code>{e(rec['doc_id'])}</code>"),
        ("Section", e(" › ".join(rec.get("section") or [])) or '<span class="muted">none</span>'),
        ("Lead", org_links(rec.get("leads") or [])),
        ("Partners", org_links(rec.get("partners") or [])),
        ("Deadline", (f"{e(rec.get('deadline'))} " if rec.get("deadline") else "")
         + (f"(source: “{e(rec.get('deadline_raw'))}”)" if rec.get("deadline_raw") else
            '<span class="muted">no date in the source</span>')
         + (f" <span class=\"muted\">{e(rec.get('deadline_kind'))}</span>" if rec.get("deadline_kind") else "")),
        ("Legislation", ", ".join(legislation_link(x) for x in rec.get("legislation") or [])
         or '<span class="muted">none named</span>'),
        ("Themes", e(", ".join(t["name"] for t in rec.get("themes") or [])) or '<span class="muted">none</span>'),
        ("Status", f'<span id="status">{status_badge(status.get("code"), status.get("label"))}</span> '
                   f"{e(status.get('label'))}" + (f" (judged against {e(lin.get('judged_on'))})"
                                                   if lin.get("judged_on") else "")),
        ("Gap flags", '<ul id="gap-flags">' + "".join(f'<li><code>{e(g["code"])}</code> {e(g["label"])}</li>'
                                                      for g in gap_reasons) + "</ul>" if gap_reasons
         else '<span id="gap-flags" class="muted">none</span>'),
    ]
    dl = "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in facts)
    nearest = ""
    if lin.get("nearest_candidates"):
        rows = [[commitment_link(c) if c.get("ref") else e(c["id"]), e(c.get("text")), e(c.get("probability",
                c.get("score"))), e(c.get("kind"))] for c in lin["nearest_candidates"]]
        nearest = ("<h2>Nearest candidates (not picked up)</h2><p>The closest later commitments, below the overlap "
                   "threshold:</p>" + table(["Ref", "Text", "Score", "Kind"], rows))
    judged = judgements_of(rec)
    history = ""
    if judged:
        rows = [[e(j.get("at")), e(j.get("by")), e(j.get("a")), e(j.get("relation")), e(j.get("b")),
                 e(j.get("decision")), e(j.get("why"))] for j in judged]
        history = '<h2 id="judgements">Judgement history</h2>' + table(
            ["When", "By", "A", "Relation", "B", "Decision", "Why"], rows)
    body = (f'<p class="crumbs"><a href="/graph">Graph</a> › {e(doc_title(rec["doc_id"]))}</p>'
            f'<h1>{e(rec["ref"])} <span class="muted">— {e(rec["doc_id"])}</span></h1>'
            f'<blockquote class="text" id="text">{e(rec["text"])}</blockquote>'
            f'<dl class="facts">{dl}</dl>'
            f'<h2>In the source</h2><div class="source excerpt" id="excerpt">{excerpt(service, rec)}</div>'
            f'<p><a id="full-source" href="{e(details.source_url(src["file"], src["start"], src["end"]))}">Open the '
            f'full source at this span</a> · <a href="/graph?select={e(rec["doc_id"])}/{e(rec["ref"])}">Show in the '
            f'graph</a> · <a href="/commitments/{e(rec["doc_id"])}/{e(rec["ref"])}?format=json">JSON</a></p>'
            f'<h2 id="lineage">What became of it</h2>{lineage_table(service, lin)}{nearest}{history}')
    return page(f"{rec['ref']} — {doc_title(rec['doc_id'])}", body, css=CSS)
