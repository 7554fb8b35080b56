"""Run a named question with typed parameters on a SPARQL store or on Neo4j."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
import re
from urllib.parse import quote

from vawg_kg.errors import BadRequestError
from vawg_kg.iris import ID_BASE as DOCUMENT_IRI_BASE
from vawg_kg.queries import catalog
from vawg_kg.queries.catalog import NamedQuery, Parameter
from vawg_kg.stores.results import QueryResult
from vawg_kg.stores.sparql.pool import run_guarded
from vawg_kg.stores.base import IRI, Binding

# Characters that cannot appear in an IRI (RFC 3987); percent-encoded so a
# hostile value becomes a valid IRI that matches nothing, never a syntax error.
# '[' and ']' are legal only around an IPv6 host, which no vocabulary IRI has.
_IRI_SAFE = "".join(chr(c) for c in range(0x21, 0x7F) if chr(c) not in '<>"{}|\\^`[]')
_ABSOLUTE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://[^\s<>\"{}|\\^`]")


def to_iri(value: str) -> IRI:
    """A full IRI, ``id:path``, or a path under the instance base (``org/fcdo``)."""
    value = value.strip()
    if value.startswith("id:"):
        value = DOCUMENT_IRI_BASE + value[3:]
    elif not _ABSOLUTE.match(value):
        value = DOCUMENT_IRI_BASE + value.lstrip("/")
    return IRI(quote(value, safe=_IRI_SAFE))


def coerce(param: Parameter, raw: Any) -> Binding:
    try:
        if param.type == "iri":
            return to_iri(str(raw))
        if param.type == "integer":
            return int(raw)
        if param.type == "decimal":
            return float(raw)
    except (TypeError, ValueError):
        raise BadRequestError(f"parameter {param.name!r} must be {param.type}, not {raw!r}",
                              parameter=param.name) from None
    return str(raw)


def bind(query: NamedQuery, params: Mapping[str, Any] | None) -> dict[str, Binding]:
    """Check names, apply defaults, coerce types; unknown or missing required parameters are 400s."""
    params = dict(params or {})
    known = {p.name for p in query.parameters}
    unknown = sorted(set(params) - known)
    if unknown:
        raise BadRequestError(f"{query.name} has no parameter {', '.join(unknown)}; "
                              f"it takes: {', '.join(sorted(known)) or 'none'}", parameters=unknown)
    bound: dict[str, Binding] = {}
    for p in query.parameters:
        raw = params.get(p.name)
        if raw is None or raw == "":
            if p.default is not None:
                raw = p.default
            elif p.required:
                raise BadRequestError(f"{query.name} needs the parameter {p.name!r} ({p.type}): {p.description}",
                                      parameter=p.name)
            else:
                continue
        bound[p.name] = coerce(p, raw)
    return bound


def run_named(name: str, params: Mapping[str, Any] | None, store: Any, *, guarded: bool = False,
              timeout_s: float = 30.0, max_rows: int = 100_000, pool: Any = None) -> QueryResult:
    """Run ``name`` on ``store``: a SPARQL store (``select``) or a :class:`Neo4jStore` (``run``).

    ``guarded`` runs SPARQL through :func:`vawg_kg.stores.sparql.pool.run_guarded` (the API
    does, on its trusted ``pool``; saved queries are trusted text, but the timeout still helps).
    """
    query = catalog.get(name)
    bindings = bind(query, params)
    if hasattr(store, "run") and not hasattr(store, "select"):
        if query.cypher is None:
            raise BadRequestError(f"{name} has no Cypher version; run it with SPARQL", name=name)
        # Cypher needs every $parameter present: an optional one unset is null.
        cypher_params: dict[str, Any] = {p.name: None for p in query.parameters}
        cypher_params.update({k: str(v) if isinstance(v, IRI) else v for k, v in bindings.items()})
        result: QueryResult = store.run(query.cypher, cypher_params, timeout_s=timeout_s, max_rows=max_rows)
        return result
    if guarded:
        return run_guarded(store, query.sparql, timeout_s, max_rows, bindings=bindings, pool=pool)
    return store.select(query.sparql, bindings)
