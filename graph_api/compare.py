"""Two documents compared: their overlapping commitments side by side (score, kind, evidence, word
diff) and, by theme, what each has that the other does not.

"Has no counterpart" means: no overlap and no stated implements link to any commitment of the
other document (the one lineage of ``loaders/lineage.py`` holds both kinds of link).
"""

from __future__ import annotations

from typing import Any

from vawg_kg.graph_api import details
from vawg_kg.graph_api.errors import InvalidParameterError
from vawg_kg.graph_api.service import GraphService, brief_of
from vawg_kg.loaders import lineage as lineage_mod

NO_THEME = {"id": None, "name": "(no theme)"}


def _linked_docs(service: GraphService, iri: str) -> set[str]:
    entry = service.lineage.get("commitments", {}).get(iri) or {}
    return {e["doc_id"] for side in lineage_mod.SIDES for e in entry.get(side, [])}


def _only(service: GraphService, doc: str, other: str) -> list[dict[str, Any]]:
    """Commitments of ``doc`` linked to nothing in ``other``, grouped by theme (a commitment under each theme)."""
    groups: dict[str, dict[str, Any]] = {}
    for i in sorted(service.idx["doc"][doc]):
        rec = service.records[i]
        if other in _linked_docs(service, rec["id"]):
            continue
        for theme in rec.get("themes") or [NO_THEME]:
            key = theme["name"]
            groups.setdefault(key, {"theme": theme, "commitments": []})["commitments"].append(brief_of(rec))
    return [groups[k] for k in sorted(groups, key=str.lower)]


def compare(service: GraphService, a: str, b: str) -> dict[str, Any]:
    for param, value in (("a", a), ("b", b)):
        if value not in service.idx["doc"]:
            raise InvalidParameterError(f"parameter {param!r}: {value!r} is not a document; use one of: "
                                        f"{', '.join(service.documents)}", parameter=param, value=value,
                                        allowed=service.documents)
    if a == b:
        raise InvalidParameterError("parameters 'a' and 'b' name the same document; choose two different ones",
                                    parameter="b", value=b, allowed=[d for d in service.documents if d != a])
    total, pairs = details.list_overlaps(service, a, b, 0.0, None, True, 0, 100_000)
    return {"a": a, "b": b, "overlaps": {"total": total, "items": pairs},
            "only_in_a": _only(service, a, b), "only_in_b": _only(service, b, a),
            "counts": {"a": len(service.idx["doc"][a]), "b": len(service.idx["doc"][b])}}
