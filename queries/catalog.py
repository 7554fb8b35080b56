"""The named questions: ``queries/NAME.rq`` and, where offered, ``NAME.cypher``.

Each file opens with a comment block::

    # question: Which commitments ...?
    # parameters: org (iri) — the organisation
    #             doc_id (string, optional) — restrict to one document
    #             min_score (decimal, default=0) — lowest score

    # example: org=org/fcdo; doc_id=hmg-vawg-strategy-2016

(``# parameters: none`` when there are none; the example values are used for
the expected-results files and the docs). Types: ``iri``, ``string``,
``integer``, ``decimal``. SPARQL binds ``?name`` by substitution (so each
parameter must appear in the SELECT projection); Cypher uses ``$name``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from vawg_kg.errors import NotFoundError, VawgError
from vawg_kg.paths import queries_dir

PARAM_TYPES = ("iri", "string", "integer", "decimal")
_PARAM = re.compile(
    r"^(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s*\((?P<type>\w+)(?:\s*,\s*(?P<mod>optional|default=[^)]*))?\)\s*[—-]+\s*(?P<doc>.+)$")


class CatalogError(VawgError):
    """A named query file has a missing or malformed header."""

    code = "catalog_error"
    exit_code = 3


@dataclass(frozen=True)
class Parameter:
    name: str
    type: str
    description: str
    required: bool = True
    default: str | None = None


@dataclass(frozen=True)
class NamedQuery:
    name: str
    question: str
    parameters: tuple[Parameter, ...]
    sparql: str
    cypher: str | None = None
    example: dict[str, str] = field(default_factory=dict, compare=False)
    sparql_path: Path | None = field(default=None, compare=False)
    cypher_path: Path | None = field(default=None, compare=False)

    def parameter(self, name: str) -> Parameter | None:
        return next((p for p in self.parameters if p.name == name), None)


def parse_example(text: str) -> dict[str, str]:
    for line in text.splitlines():
        body = line.strip().lstrip("#/").strip()
        if body.startswith("example:"):
            pairs = [p.partition("=") for p in body.removeprefix("example:").split(";") if p.strip()]
            return {k.strip(): v.strip() for k, _, v in pairs}
        if not line.strip().startswith(("#", "//")):
            break
    return {}


def parse_header(text: str, path: Path) -> tuple[str, tuple[Parameter, ...]]:
    question: str | None = None
    params: list[Parameter] = []
    in_params = False
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped.startswith(("#", "//")):
            break
        body = stripped.lstrip("#/").strip()
        if body.startswith("question:"):
            question = body.removeprefix("question:").strip()
            in_params = False
            continue
        if body.startswith("example:"):
            in_params = False
            continue
        if body.startswith("parameters:"):
            body = body.removeprefix("parameters:").strip()
            in_params = True
            if body.lower() == "none":
                continue
        elif not in_params or not body:
            continue
        match = _PARAM.match(body)
        if not match:
            raise CatalogError(f"{path}:{number}: cannot read the parameter {body!r}; "
                               "write `name (type[, optional|default=V]) — meaning`")
        if match["type"] not in PARAM_TYPES:
            raise CatalogError(f"{path}:{number}: parameter type {match['type']!r} is not one of {PARAM_TYPES}")
        mod = match["mod"] or ""
        default = mod.removeprefix("default=").strip() if mod.startswith("default=") else None
        params.append(Parameter(match["name"], match["type"], match["doc"].strip(),
                                required=not mod, default=default))
    if not question:
        raise CatalogError(f"{path}:1: the header has no `# question:` line")
    return question, tuple(params)


def load_catalog(folder: Path) -> dict[str, NamedQuery]:
    found: dict[str, NamedQuery] = {}
    for rq in sorted(folder.glob("*.rq")):
        sparql = rq.read_text(encoding="utf-8")
        question, params = parse_header(sparql, rq)
        cypher_path = rq.with_suffix(".cypher")
        cypher = None
        if cypher_path.is_file():
            cypher = cypher_path.read_text(encoding="utf-8")
            c_question, c_params = parse_header(cypher, cypher_path)
            if [p.name for p in c_params] != [p.name for p in params]:
                raise CatalogError(f"{cypher_path}:1: parameters {[p.name for p in c_params]} differ from "
                                   f"{rq.name}'s {[p.name for p in params]}")
        example = parse_example(sparql)
        unknown = set(example) - {p.name for p in params}
        if unknown:
            raise CatalogError(f"{rq}:1: the example names unknown parameters {sorted(unknown)}")
        found[rq.stem] = NamedQuery(rq.stem, question, params, sparql, cypher, example, rq,
                                    cypher_path if cypher else None)
    for orphan in sorted(folder.glob("*.cypher")):
        if orphan.stem not in found:
            raise CatalogError(f"{orphan}: a Cypher query needs its SPARQL twin {orphan.stem}.rq")
    return found


@lru_cache(maxsize=1)
def _default() -> dict[str, NamedQuery]:
    return load_catalog(queries_dir())


def all() -> list[NamedQuery]:  # noqa: A001 - the catalog's natural name
    return list(_default().values())


def names() -> list[str]:
    return list(_default())


def get(name: str) -> NamedQuery:
    try:
        return _default()[name]
    except KeyError:
        raise NotFoundError(f"no named query {name!r}; known: {', '.join(_default())}", name=name) from None
