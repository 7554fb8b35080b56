"""Namespaces for code: ``from vawg_kg.ontology.terms import VAWG, ID``.

``VAWG`` is strict: ``VAWG.hasLead`` is an IRI only if ``vawg.ttl`` declares
``vawg:hasLead``; a typo raises OntologyError at the line that makes it,
instead of writing a term nobody declared into the graph.
"""

from __future__ import annotations

from collections.abc import Iterator

from rdflib import Namespace, URIRef

from vawg_kg.ontology.model import VAWG_NS, load_model
from vawg_kg.iris import ID_BASE

ID = Namespace(ID_BASE)


class StrictNamespace:
    """Attribute or item access gives the URIRef of a declared term; anything else is an OntologyError."""

    def __init__(self, base: str) -> None:
        self._base = base
        # The emitter asks for the same few dozen terms millions of times at scale.
        self._terms: dict[str, URIRef] = {}

    @property
    def base(self) -> str:
        """The namespace IRI (for binding the prefix); not a term."""
        return self._base

    def __getattr__(self, name: str) -> URIRef:
        if name.startswith("__"):
            # Keep Python's protocols (copy, pickle, hasattr on dunders) working normally.
            raise AttributeError(name)
        return self[name]

    def __getitem__(self, name: str) -> URIRef:
        term = self._terms.get(name)
        if term is None:
            term = self._terms[name] = URIRef(load_model().term(name))
        return term

    def __contains__(self, name: object) -> bool:
        if isinstance(name, URIRef | str) and str(name).startswith(self._base):
            name = str(name)[len(self._base) :]
        return isinstance(name, str) and name in load_model().declared_names()

    def __iter__(self) -> Iterator[URIRef]:
        return (URIRef(self._base + n) for n in sorted(load_model().declared_names()))

    def __str__(self) -> str:
        return self._base

    def __repr__(self) -> str:
        return f"StrictNamespace({self._base!r})"


VAWG = StrictNamespace(VAWG_NS)

__all__ = ["ID", "VAWG", "VAWG_NS", "StrictNamespace"]
