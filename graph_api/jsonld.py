"""Records → JSON-LD, with a context whose terms are checked against the ontology.

The record field names are the public contract (``vawg-kg commitments``);
this maps each onto the ontology term it stands for, and ``load_model().term``
refuses any term ``vawg.ttl`` does not declare.
"""

from __future__ import annotations

import functools
from typing import Any
from vawg_kg.ontology.model import load_model
from vawg_kg.iris import ONTOLOGY_NS

VAWG = ONTOLOGY_NS
# record field → (ontology local name, is an IRI-valued list of entities)
FIELDS: dict[str, tuple[str, bool]] = {
    "doc_id": ("docId", False), "ref": ("ref", False), "text": ("text", False),
    "deadline_raw": ("deadlineText", False), "deadline": ("deadline", False),
    "deadline_kind": ("deadlineKind", False), "strand": ("strand", False), "objectives": ("objective", False),
    "leads": ("hasLead", True), "partners": ("hasPartner", True), "themes": ("hasTheme", True),
    "legislation": ("citesLegislation", True), "outcome_codes": ("hasOutcomeCode", True),
    "programmes": ("refersToProgramme", True), "implements": ("implements", True),
}


@functools.lru_cache(maxsize=1)
def context() -> dict[str, Any]:

    model = load_model()
    ctx: dict[str, Any] = {"vawg": VAWG, "skos": "http://www.w3.org/2004/02/skos/core#",
                           "xsd": "http://www.w3.org/2001/XMLSchema#", "name": "skos:prefLabel",
                           "section": "vawg:sectionPath"}
    for field_name, (local, is_entity) in FIELDS.items():
        iri = model.term(local)
        entry: dict[str, Any] = {"@id": iri}
        if is_entity:
            entry["@type"] = "@id"
        elif local == "deadline":
            entry["@type"] = "xsd:date"
        ctx[field_name] = entry
    return ctx


def records_to_jsonld(records: list[dict[str, Any]]) -> dict[str, Any]:
    graph = []
    for rec in records:
        node: dict[str, Any] = {"@id": rec["id"], "@type": "vawg:Commitment" if rec.get("kind", "commitment")
                                == "commitment" else "vawg:StatedOutcome"}
        for field_name, (_, is_entity) in FIELDS.items():
            value = rec.get(field_name)
            if value in (None, [], ""):
                continue
            node[field_name] = [e["id"] for e in value] if is_entity else value
        node["section"] = " > ".join(rec.get("section") or [])
        graph.append(node)
    return {"@context": context(), "@graph": graph}
