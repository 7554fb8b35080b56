"""What became of a commitment, and what it continued, from the build's statements and overlaps.

The same answer as the named query ``queries/lineage_of.rq`` on the graph,
computed in Python for callers that hold the statements (today only the tests;
the API and the browser compute their own — one lineage is the analysis issue's work):
the commitments linked to ``iri`` by ``implements`` (either way) or by an
overlap, split into earlier and later by their documents' publication dates
and ordered by date, document and ref.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from vawg_kg.loaders.enrich import EnrichedStatement
from vawg_kg.loaders.links import LinkReport


def lineage(iri: str, statements: Sequence[EnrichedStatement], report: LinkReport) -> dict[str, list[dict[str, Any]]]:
    by_iri = {st.iri: st for st in statements if st.is_commitment}
    if iri not in by_iri:
        raise KeyError(f"no commitment {iri}")
    relations: dict[str, set[str]] = {}

    def add(other: str, relation: str) -> None:
        if other != iri and other in by_iri:
            relations.setdefault(other, set()).add(relation)

    for link in by_iri[iri].implements:
        add(link.iri, "implements")
    for st in by_iri.values():
        if any(link.iri == iri for link in st.implements):
            add(st.iri, "implemented_by")
    for o in report.overlaps:
        if iri in (o.a, o.b):
            add(o.b if o.a == iri else o.a, "restates" if o.kind == "restates" else "overlaps")
    own = by_iri[iri].document.published
    out: dict[str, list[dict[str, Any]]] = {"earlier": [], "later": [], "same_time": []}
    for other, rels in relations.items():
        st = by_iri[other]
        when = st.document.published
        side = "later" if when > own else "earlier" if when < own else "same_time"
        out[side].append({"iri": other, "doc_id": st.doc_id, "ref": st.ref, "issued": when.isoformat(),
                          "relations": sorted(rels), "text": st.statement.text})
    for rows in out.values():
        rows.sort(key=lambda r: (r["issued"], r["doc_id"], r["ref"]))
    return out
