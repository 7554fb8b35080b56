"""Organisations for the API: resolve what a user typed (slug, acronym, name
or IRI) to one organisation, and widen it to the bodies it replaced.

Names, acronyms, renames and mergers come from the organisation vocabulary
(``vawg_kg.ontology.vocabulary``: ``find_organisation``, ``predecessors``,
``successors``, ``changes``); the records add the names the documents
actually use, so "FCO" in a lead column is reported as written.
"""

from __future__ import annotations

import functools
from typing import Any

from vawg_kg.iris import ID_BASE
from vawg_kg.graph_api.nearest import Named, unknown
from vawg_kg.ontology.vocabulary import load_vocabulary

ORG_BASE = f"{ID_BASE}org/"


def slug_of(iri: str) -> str:
    return iri[len(ORG_BASE):] if iri.startswith(ORG_BASE) else iri


@functools.lru_cache(maxsize=1)
def vocabulary() -> Any:
    return load_vocabulary()


class OrgDirectory:
    def __init__(self, records: list[dict[str, Any]]) -> None:
        self.names_in_source: dict[str, set[str]] = {}
        for rec in records:
            for key in ("leads", "partners"):
                for ent in rec.get(key) or []:
                    self.names_in_source.setdefault(ent["id"], set()).add(ent["name"])

    def _org(self, iri: str) -> Any:
        return vocabulary().organisations.get(slug_of(iri))

    def info(self, iri: str) -> dict[str, Any]:
        org = self._org(iri)
        names = sorted(self.names_in_source.get(iri, ()))
        if org is None:  # an organisation the build met but the vocabulary does not list
            return {"id": iri, "slug": slug_of(iri), "name": names[0] if names else slug_of(iri), "acronyms": [],
                    "alt_names": [], "is_current": None, "in_vocabulary": False, "names_in_sources": names}
        return {"id": iri, "slug": org.slug, "name": org.name, "acronyms": list(org.acronyms),
                "alt_names": list(org.alt_labels), "is_current": org.is_current, "in_vocabulary": True,
                "names_in_sources": names}

    def resolve(self, value: str, param: str = "id") -> str:
        """An organisation IRI for a slug, acronym, former name or IRI; else 404 listing the nearest names."""
        raw = value.strip()
        if raw.startswith(ORG_BASE) and (slug_of(raw) in vocabulary().organisations or raw in self.names_in_source):
            return raw
        if raw.startswith("org/"):  # the IRI's path, as /id/org/… shows it: a slug, exactly
            iri = ORG_BASE + raw[len("org/"):]
            if slug_of(iri) in vocabulary().organisations or iri in self.names_in_source:
                return iri
            raise unknown(param, "organisation", value, self.candidates(), "home-office, HO, FCDO, cps")
        org = vocabulary().find_organisation(slug_of(raw))
        if org is not None:
            return str(org.iri)
        for iri, names in self.names_in_source.items():  # names only the documents use
            if raw.lower() in {n.lower() for n in names} or raw.lower() == slug_of(iri):
                return iri
        raise unknown(param, "organisation", value, self.candidates(), "home-office, HO, FCDO, cps")

    def candidates(self) -> list[Named]:
        """Every organisation, by slug, name, acronyms and other names (for the nearest matches)."""
        out = [Named(str(o.iri), o.slug, o.name, (*o.acronyms, *o.hidden_labels), tuple(o.alt_labels),
                     f"/organisations/{o.slug}") for o in vocabulary().organisations.values()]
        known = {n.iri for n in out}
        out += [Named(iri, slug_of(iri), sorted(names)[0], (), tuple(sorted(names)), f"/organisations/{slug_of(iri)}")
                for iri, names in self.names_in_source.items() if iri not in known]
        return out

    def with_predecessors(self, iri: str) -> list[str]:
        """``iri`` first, then every body it replaced, transitively (FCDO → FCO, DFID)."""
        return [iri, *(ORG_BASE + s for s in vocabulary().predecessors(slug_of(iri)))]

    def predecessors(self, iri: str) -> list[str]:
        return [ORG_BASE + s for s in vocabulary().predecessors(slug_of(iri))]

    def successors(self, iri: str) -> list[str]:
        return [ORG_BASE + s for s in vocabulary().successors(slug_of(iri))]

    def changes(self, iri: str) -> list[dict[str, Any]]:
        """Rename and merger events that produced or replaced ``iri``, oldest first."""
        slug = slug_of(iri)
        out = []
        for ch in vocabulary().changes.values():
            if slug in ch.original or slug in ch.resulting:
                out.append({"id": ch.iri, "label": ch.label, "date": ch.date.isoformat(),
                            "from": [self._brief(s) for s in ch.original],
                            "to": [self._brief(s) for s in ch.resulting]})
        return sorted(out, key=lambda e: e["date"])

    def _brief(self, slug: str) -> dict[str, Any]:
        org = vocabulary().organisations.get(slug)
        return {"id": ORG_BASE + slug, "name": org.name if org else slug}

    def brief(self, iri: str) -> dict[str, Any]:
        return self._brief(slug_of(iri))
