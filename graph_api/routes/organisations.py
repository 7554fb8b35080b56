"""``GET /organisations/{id}``: names over time, and what the body leads and partners in (incl. as its predecessors)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from vawg_kg.errors import NotFoundError
from vawg_kg.graph_api.errors import responses
from vawg_kg.graph_api.routes import service_of
from vawg_kg.graph_api.service import brief_of
from vawg_kg.graph_api.orgs import vocabulary

router = APIRouter(tags=["organisations"])


@router.get("/organisations", summary="Every organisation the graph knows, with counts")
def list_organisations(request: Request) -> dict[str, Any]:

    service = service_of(request)
    iris = sorted({o.iri for o in vocabulary().organisations.values()} | set(service.orgs.names_in_source))
    items = [{**service.orgs.info(i), "leads": len(service.idx["leads"].get(i, ())),
              "partners": len(service.idx["partners"].get(i, ()))} for i in iris]
    return {"total": len(items), "items": items}


@router.get("/organisations/{id:path}", responses=responses(NotFoundError),
            summary="An organisation: names over time and its commitments (directly and via predecessors)")
def get_organisation(request: Request, id: str) -> dict[str, Any]:
    service = service_of(request)
    iri = service.orgs.resolve(id, "id")
    lineage = service.orgs.with_predecessors(iri)

    def roles(key: str) -> list[dict[str, Any]]:
        out = []
        for org in lineage:
            for i in sorted(service.idx[key].get(org, ())):
                rec = service.records[i]
                name = next((e["name"] for e in rec[key] if e["id"] == org), None)
                out.append({**brief_of(rec), "as": {"id": org, "name_in_source": name}, "via_predecessor": org != iri})
        return out

    return {
        **service.orgs.info(iri),
        "predecessors": [service.orgs.brief(p) for p in service.orgs.predecessors(iri)],
        "successors": [service.orgs.brief(s) for s in service.orgs.successors(iri)],
        "changes": service.orgs.changes(iri),
        "leads": roles("leads"),
        "partners": roles("partners"),
    }
