"""Compare two documents: a form to choose them; their overlapping commitments side by side with the
word diff and evidence; and, by theme, what each has that the other does not."""

from __future__ import annotations

from typing import Any

from vawg_kg.graph_api.html import page
from vawg_kg.visualisations.pages.parts import CSS, commitment_link, doc_label, doc_title, e, options, table


def form(documents: list[str], a: str | None, b: str | None) -> str:
    docs = [(d, doc_label(d)) for d in documents]
    return ('<form method="get" action="/compare" class="filters" id="compare-form">'
            f'<div class="field"><label for="c-a">First document</label><select id="c-a" name="a" required>'
            f'{options(docs, a, "choose…")}</select></div>'
            f'<div class="field"><label for="c-b">Second document</label><select id="c-b" name="b" required>'
            f'{options(docs, b, "choose…")}</select></div><button type="submit">Compare</button></form>')


def diff_html(ops: list[dict[str, str]]) -> str:
    out = []
    for op in ops:
        if op["op"] == "delete":
            out.append(f'<del>{e(op["text"])}</del>')
        elif op["op"] == "insert":
            out.append(f'<ins>{e(op["text"])}</ins>')
        else:
            out.append(e(op["text"]))
    return " ".join(out)


def _evidence(ev: dict[str, Any], names: dict[str, str]) -> str:
    bits = []
    if ev.get("shared_phrases"):
        bits.append("phrases: " + e("; ".join(ev["shared_phrases"])))
    if ev.get("shared_entities"):
        bits.append("shared: " + e(", ".join(names.get(x, x.rsplit("/", 1)[-1]) for x in ev["shared_entities"])))
    if ev.get("method"):
        bits.append(f'<span class="muted">{e(ev["method"])}</span>')
    return "<br>".join(bits)


def _only(groups: list[dict[str, Any]], doc: str, other: str) -> str:
    if not groups:
        return f"<p>Every commitment of {e(doc_title(doc))} is linked to one in {e(doc_title(other))}.</p>"
    out = []
    for g in groups:
        items = "".join(f"<li>{commitment_link(c)} {e(c.get('text'))}</li>" for c in g["commitments"])
        out.append(f'<details><summary>{e(g["theme"]["name"])} ({len(g["commitments"])})</summary>'
                   f"<ul>{items}</ul></details>")
    return "".join(out)


def render(documents: list[str], answer: dict[str, Any] | None, a: str | None, b: str | None,
           names: dict[str, str]) -> str:
    body = ["<h1>Compare two documents</h1>", form(documents, a, b)]
    if answer is not None:
        a, b = answer["a"], answer["b"]
        pairs = answer["overlaps"]["items"]
        rows = [[f'{commitment_link(p["a"])} {e(p["a"].get("text"))}', f'{commitment_link(p["b"])} {e(p["b"].get("text"))}',
                 f'<span class="kind">{e(p.get("kind"))}</span> {e(p.get("score"))}',
                 f'<p class="diff">{diff_html(p.get("word_diff", []))}</p>', _evidence(p.get("evidence", {}), names)]
                for p in pairs]
        only_a = sum(len(g["commitments"]) for g in answer["only_in_a"])
        only_b = sum(len(g["commitments"]) for g in answer["only_in_b"])
        body += [f'<p id="compare-summary" role="status"><strong>{answer["overlaps"]["total"]}</strong> overlapping '
                 f"pairs between {e(doc_title(a))} ({answer['counts']['a']} commitments) and {e(doc_title(b))} "
                 f"({answer['counts']['b']}). Word diff: <del>only in the first</del>, <ins>only in the second</ins>."
                 f' <a href="/compare?a={e(a)}&amp;b={e(b)}&amp;format=json">JSON</a></p>',
                 "<h2>Overlapping commitments</h2>",
                 table([doc_title(a), doc_title(b), "Kind and score", "Word diff", "Evidence"], rows,
                       cls="stack pairs") if rows else "<p>No overlapping commitments.</p>",
                 f'<h2>Only in {e(doc_title(a))} ({only_a})</h2>', _only(answer["only_in_a"], a, b),
                 f'<h2>Only in {e(doc_title(b))} ({only_b})</h2>', _only(answer["only_in_b"], b, a)]
    return page("Compare documents", "".join(body), css=CSS)
