"""``vawg-kg query``: SPARQL on the embedded Oxigraph store, Cypher on Neo4j, or a named question."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, Optional

import typer
from rich.console import Console
from rich.table import Table

from vawg_kg.cli.app import app, reports_errors
from vawg_kg.errors import BadRequestError
from vawg_kg.graph_api.service import GraphService
from vawg_kg.graph_api.settings import Settings
from vawg_kg.paths import default_build_dir
from vawg_kg.queries import catalog
from vawg_kg.queries.runner import run_named
from vawg_kg.stores.neo4j.store import Neo4jStore
from vawg_kg.stores.oxigraph import OxigraphStore
from vawg_kg.stores.results import FORMATTERS, QueryResult
from vawg_kg.stores.sparql.pool import run_guarded


class OutputFormat(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"
    tsv = "tsv"


def _text_or_file(value: str) -> str:
    """A path to a query file, or the query itself."""
    if "\n" not in value and len(value) < 4096:
        path = Path(value)
        try:
            if path.is_file():
                return path.read_text(encoding="utf-8")
        except OSError:
            pass
    return value


def _params(pairs: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise BadRequestError(f"--param takes NAME=VALUE, not {pair!r}")
        out[key.strip()] = value
    return out


def _named_params(name: str, pairs: list[str], build_dir: Path) -> dict[str, Any]:
    """``--param`` values resolved as the API resolves them: an organisation by slug, acronym or former
    name, a theme by slug or label; a name that names nothing is an error listing the nearest names."""
    catalog.get(name)  # an unknown question is reported before the build is read
    return GraphService(build_dir, Settings.from_env()).named_params(_params(pairs))


def _print(result: object, fmt: OutputFormat) -> None:

    assert isinstance(result, QueryResult)
    if fmt is not OutputFormat.table:
        sys.stdout.write(FORMATTERS[fmt.value](result))
        return
    table = Table(*result.variables, show_lines=False)
    for row in result.rows:
        table.add_row(*("" if v is None else str(v) for v in row))
    out = Console()
    out.print(table)
    out.print(f"{len(result)} row(s)", style="dim")


@app.command()
@reports_errors
def query(
    sparql: Annotated[Optional[str], typer.Option("--sparql", help="SPARQL query text or file")] = None,
    cypher: Annotated[Optional[str], typer.Option("--cypher", help="Cypher query text or file (Neo4j)")] = None,
    named: Annotated[Optional[str], typer.Option("--named", help="A named question from queries/ (see --list)")] = None,
    param: Annotated[Optional[list[str]], typer.Option("--param", help="NAME=VALUE for --named (repeatable)")] = None,
    on_neo4j: Annotated[bool, typer.Option("--neo4j", help="Run --named on Neo4j (its .cypher) instead of Oxigraph")] = False,
    fmt: Annotated[OutputFormat, typer.Option("--format", help="table, or SPARQL 1.1 json/csv/tsv results")] = OutputFormat.table,
    build_dir: Annotated[Path, typer.Option("--build-dir", help="Build output holding vawg-kg.nt")] = default_build_dir(),
    timeout: Annotated[float, typer.Option("--timeout", help="Seconds before the query is stopped")] = 60.0,
    max_rows: Annotated[int, typer.Option("--max-rows", help="Refuse results larger than this")] = 100_000,
    list_named: Annotated[bool, typer.Option("--list", help="List the named questions and their parameters")] = False,
) -> None:
    """Query the graph: SPARQL on the embedded store (loaded from the build output if absent), Cypher on Neo4j."""
    if list_named:
        table = Table("name", "question", "parameters", "cypher")
        for q in catalog.all():
            params = ", ".join(f"{p.name} ({p.type}{'' if p.required else ', optional'})" for p in q.parameters)
            table.add_row(q.name, q.question, params or "-", "yes" if q.cypher else "")
        Console().print(table)
        return
    chosen = [x for x in (sparql, cypher, named) if x is not None]
    if len(chosen) != 1:
        raise BadRequestError("give exactly one of --sparql, --cypher or --named (or --list)")
    if param and not named:
        raise BadRequestError("--param goes with --named; put literal values in the query text otherwise")

    named_params = _named_params(named, param or [], build_dir) if named else {}
    if cypher is not None or (named and on_neo4j):
        with Neo4jStore.from_settings() as neo:
            if named:
                result = run_named(named, named_params, neo, timeout_s=timeout, max_rows=max_rows)
            else:
                result = neo.run(_text_or_file(cypher or ""), {}, timeout_s=timeout, max_rows=max_rows)
        _print(result, fmt)
        return

    store = OxigraphStore.ensure(build_dir)
    if named:
        result = run_named(named, named_params, store, guarded=True, timeout_s=timeout, max_rows=max_rows)
    else:
        # The command line is the user's own machine, but the same guard keeps
        # a pasted query from writing or reaching out.
        result = run_guarded(store, _text_or_file(sparql or ""), timeout, max_rows)
    _print(result, fmt)
