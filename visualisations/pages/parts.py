"""Small HTML pieces the pages share: links to commitments, organisations, documents and laws, labels."""

from __future__ import annotations

from collections.abc import Iterable
from html import escape
from typing import Any
from urllib.parse import quote, urlencode

from vawg_kg.iris import ID_BASE
from vawg_kg.loaders.documents import bundled_by_id

CSS = ["/pages/static/pages.css"]
ORG_BASE = f"{ID_BASE}org/"
LEGISLATION_ID = "http://www.legislation.gov.uk/id/"

# The kind of each lineage link, in the user's words.
RELATION_LABELS = {"implements": "implements", "implemented_by": "implemented by", "restates": "restates",
                   "related": "related"}
STATUS_CLASS = {"picked-up": "ok", "related-only": "warn", "not-picked-up": "bad", "not-yet-due": "info"}


def e(value: Any) -> str:
    return escape("" if value is None else str(value))


def commitment_url(rec: dict[str, Any]) -> str:
    return f"/commitments/{quote(rec['doc_id'])}/{quote(rec['ref'])}"


def commitment_link(rec: dict[str, Any], text: str | None = None) -> str:
    if not rec.get("doc_id") or not rec.get("ref"):
        return e(rec.get("id"))
    return f'<a href="{commitment_url(rec)}">{e(text or rec["ref"])}</a>'


def org_slug(iri: str) -> str:
    return iri[len(ORG_BASE):] if iri.startswith(ORG_BASE) else iri


def org_link(ent: dict[str, Any]) -> str:
    written = ent.get("as_written")
    extra = f' <span class="muted">(as “{e(written)}”)</span>' if written and written != ent.get("name") else ""
    return f'<a href="/organisations/{quote(org_slug(ent["id"]))}">{e(ent.get("name") or ent["id"])}</a>{extra}'


def org_links(ents: Iterable[dict[str, Any]]) -> str:
    return ", ".join(org_link(x) for x in ents) or '<span class="muted">none named</span>'


def legislation_link(ent: dict[str, Any]) -> str:
    iri = ent["id"]
    url = "https://www.legislation.gov.uk/" + iri[len(LEGISLATION_ID):] if iri.startswith(LEGISLATION_ID) else iri
    return f'<a href="{e(url)}">{e(ent.get("name") or iri)}</a>'


def status_badge(code: str | None, label: str | None = None) -> str:
    if not code:
        return '<span class="muted">no status (not a commitment)</span>'
    return f'<span class="badge {STATUS_CLASS.get(code, "info")}" title="{e(label or code)}">{e(code)}</span>'


def relations(rels: Iterable[str]) -> str:
    return ", ".join(e(RELATION_LABELS.get(r, r)) for r in rels)


def query(base: str, **params: str | None) -> str:
    kept = {k: v for k, v in params.items() if v}
    return f"{base}?{urlencode(kept)}" if kept else base


def options(values: Iterable[tuple[str, str]], chosen: str | None, blank: str | None = None) -> str:
    out = [f'<option value="">{e(blank)}</option>'] if blank is not None else []
    for value, label in values:
        sel = " selected" if value == chosen else ""
        out.append(f'<option value="{e(value)}"{sel}>{e(label)}</option>')
    return "".join(out)


def table(headers: list[str], rows: list[list[str]], caption: str = "", cls: str = "stack") -> str:
    """``rows`` are already-escaped cells; below 800 px each row stacks, each cell labelled by its header."""
    head = "".join(f'<th scope="col">{e(h)}</th>' for h in headers)
    body = "".join("<tr>" + "".join(f'<td data-label="{e(h)}">{c}</td>' for h, c in zip(headers, row)) + "</tr>"
                   for row in rows)
    cap = f"<caption>{caption}</caption>" if caption else ""
    return f'<table class="{cls}">{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def doc_title(doc_id: str) -> str:
    info = bundled_by_id().get(doc_id)
    return info.title if info else doc_id


def doc_label(doc_id: str) -> str:
    """A short label for lists and selects: the title and its id."""
    info = bundled_by_id().get(doc_id)
    return f"{info.title} ({info.published.year})" if info else doc_id
