"""``vawg-kg build`` and ``vawg-kg commitments``."""

from __future__ import annotations

import json
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, Optional

import typer
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from vawg_kg.cli.app import app, console, reports_errors
from vawg_kg.errors import BadRequestError, NotFoundError
from vawg_kg.paths import default_build_dir
from vawg_kg.loaders.build import StoreHook, build_graph
from vawg_kg.loaders.records_json import records_to_csv
from vawg_kg.stores.oxigraph import OxigraphStore

STAGES = ("read", "parse", "enrich", "link", "emit", "validate", "serialise", "store")


def store_hooks() -> list[StoreHook]:

    return [OxigraphStore.load]


@app.command()
@reports_errors
def build(
    out: Annotated[Path, typer.Option("--out", help="Output folder (swapped in only when the build validates)")] = default_build_dir(),
    source: Annotated[Optional[list[Path]], typer.Option("--source", help="Add a document of another shape (generic parser)")] = None,
    doc_id: Annotated[Optional[list[str]], typer.Option("--doc-id", help="Id of each --source document, in order")] = None,
    remove_doc: Annotated[Optional[list[str]], typer.Option("--remove-doc", help="Remove a previously added document")] = None,
    judgements: Annotated[Optional[Path], typer.Option("--judgements", help="Reviewers' judgements to apply over the model (default: data/judgements.jsonl of the package, when shipped)")] = None,
) -> None:
    """Parse the bundled documents (and any added ones), validate, and write the graph to OUT."""
    sources = source or []
    ids = doc_id or []
    if len(sources) != len(ids):
        raise BadRequestError("give one --doc-id for each --source (e.g. --source plan.txt --doc-id home-office-plan-2022)")
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                  console=console, transient=True) as progress:
        task = progress.add_task("building", total=len(STAGES))

        def on_stage(name: str) -> None:
            progress.update(task, description=f"{name}…", completed=STAGES.index(name) if name in STAGES else 0)

        result = build_graph(out, list(zip(sources, ids)), remove_doc or [], on_stage, store_hooks(), judgements)
    table = Table(title=f"vawg-kg build → {result.out_dir}")
    for col in ("document", "commitments", "outcomes", "unthemed", "unowned", "undated", "lines unclaimed"):
        table.add_column(col, justify="right" if col != "document" else "left")
    for doc_id_, row in result.report["documents"].items():
        cov = result.report["coverage"][doc_id_]
        table.add_row(doc_id_, *(str(row[k]) for k in ("commitments", "outcomes", "unthemed", "unowned", "undated")),
                      str(cov["unclaimed_count"]))
    console.print(table)
    console.print(f"{result.report['triples']} triples; links: {result.report['links']}; "
                  f"stages (s): {result.timings}")
    console.print(f"judgements: {result.report['judgements']}", highlight=False)
    for stale in result.report["stale_judgements"]:
        console.print(f"[bold yellow]warning:[/] stale judgement: {stale['message']}", highlight=False)


class RecordFormat(str, Enum):
    json = "json"
    csv = "csv"


def load_records(build_dir: Path) -> list[dict[str, Any]]:
    path = build_dir / "commitments.json"
    if not path.exists():
        raise NotFoundError(f"no build in {build_dir}: run `vawg-kg build --out {build_dir}` first")
    records: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))
    return records


@app.command()
@reports_errors
def commitments(
    doc: Annotated[Optional[str], typer.Option("--doc", help="Only this document id")] = None,
    format: Annotated[RecordFormat, typer.Option("--format", help="json or csv")] = RecordFormat.json,
    build_dir: Annotated[Path, typer.Option("--build-dir")] = default_build_dir(),
) -> None:
    """Print every commitment as records (JSON array, or CSV with list fields joined by ' | ')."""
    records = load_records(build_dir)
    if doc is not None:
        known = sorted({r["doc_id"] for r in records})
        if doc not in known:
            raise NotFoundError(f"--doc {doc!r} is not in the build; documents: {', '.join(known)}")
        records = [r for r in records if r["doc_id"] == doc]
    if format is RecordFormat.csv:
        sys.stdout.write(records_to_csv(records))
    else:
        sys.stdout.write(json.dumps(records, ensure_ascii=False, indent=1) + "\n")
