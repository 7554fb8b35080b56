"""``vawg-kg build`` and ``vawg-kg commitments``."""

from __future__ import annotations

import json
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, Optional

import typer
from rich.progress import (BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TaskID, TextColumn,
                           TimeElapsedColumn)
from rich.console import Console
from rich.table import Table

from vawg_kg.cli.app import app, console, reports_errors
from vawg_kg.errors import BadRequestError, NotFoundError
from vawg_kg.paths import default_build_dir
from vawg_kg.loaders.build import STAGES, StoreHook, build_graph, dry_run
from vawg_kg.loaders.documents import DocumentMeta, metadata_for
from vawg_kg.loaders.records_json import records_to_csv
from vawg_kg.stores.oxigraph import OxigraphStore



def store_hooks() -> list[StoreHook]:

    return [OxigraphStore.load]


def _per_source(option: str, values: list[str] | None, count: int) -> list[str | None]:
    """A metadata option given once per --source, in order (or not at all)."""
    if not values:
        return [None] * count
    if len(values) != count:
        raise BadRequestError(f"give {option} once for each --source ({count}), in the same order, or not at all")
    return list(values)


def _metadata(sources: list[Path], ids: list[str], publisher: list[str] | None, title: list[str] | None,
              published: list[str] | None) -> dict[str, DocumentMeta]:
    n = len(sources)
    rows = zip(sources, ids, _per_source("--publisher", publisher, n), _per_source("--title", title, n),
               _per_source("--published", published, n))
    return {doc_id: metadata_for(path, pub, tit, date) for path, doc_id, pub, tit, date in rows}


def _warn_uncertain(report: dict[str, Any], files: dict[str, str]) -> int:
    """One warning per uncertain line, as file:line (page N): cue: text. Returns how many."""
    count = 0
    for doc_id, cov in report["coverage"].items():
        for u in cov.get("uncertain", []):
            page = f" (page {u['page']})" if "page" in u else ""
            console.print(f"[yellow]warning:[/] {files.get(doc_id, doc_id)}:{u['line']}{page}: {u['cue']}: "
                          f"{u['text'][:160]}", highlight=False, markup=True, soft_wrap=True)
            count += 1
    return count


def _print_dry_run(preview: dict[str, Any]) -> None:
    out = Console(soft_wrap=True, highlight=False)
    for doc_id, doc in preview.items():
        out.print(f"{doc_id}: {doc['file']} ({doc['format']}) — {doc['title']!r}, publisher {doc['publisher']}, "
                  f"published {doc['published']}", markup=False)
        for c in doc["commitments"]:
            leads = ", ".join(e["name"] for e in c["leads"]) or "-"
            deadline = c["deadline"] or (c["deadline_kind"] if c["deadline_raw"] else "none")
            raw = f" ({c['deadline_raw']})" if c["deadline_raw"] else ""
            pages = f" p.{','.join(map(str, c['source']['pages']))}" if c["source"].get("pages") else ""
            out.print(f"  {c['ref']} [{c['confidence']}]{pages} lead: {leads}; deadline: {deadline}{raw}\n"
                      f"      {c['text']}", markup=False)
        cov = doc["coverage"]
        out.print(f"  {len(doc['commitments'])} commitment(s); {cov['uncertain_count']} uncertain line(s); "
                  f"{cov['unclaimed_count']} unclaimed line(s)", markup=False)
        for u in cov["uncertain"]:
            page = f" (page {u['page']})" if "page" in u else ""
            out.print(f"  uncertain {doc['file']}:{u['line']}{page}: {u['cue']}: {u['text'][:160]}", markup=False)


class PreviewFormat(str, Enum):
    text = "text"
    json = "json"


@app.command()
@reports_errors
def build(
    out: Annotated[Path, typer.Option("--out", help="Output folder (swapped in only when the build validates)")] = default_build_dir(),
    source: Annotated[Optional[list[Path]], typer.Option("--source", help="Add a document (PDF, .docx, HTML, markdown or text) through the generic parser")] = None,
    doc_id: Annotated[Optional[list[str]], typer.Option("--doc-id", help="Id of each --source document, in order")] = None,
    publisher: Annotated[Optional[list[str]], typer.Option("--publisher", help="Publisher of each --source: a name, acronym, former name or slug of the organisations vocabulary")] = None,
    title: Annotated[Optional[list[str]], typer.Option("--title", help="Title of each --source")] = None,
    published: Annotated[Optional[list[str]], typer.Option("--published", help="Publication date of each --source (YYYY-MM-DD, YYYY-MM or YYYY)")] = None,
    dry_run_: Annotated[bool, typer.Option("--dry-run", help="Show what would be extracted from each --source, without changing the graph")] = False,
    preview_format: Annotated[PreviewFormat, typer.Option("--format", help="With --dry-run: text or json")] = PreviewFormat.text,
    remove_doc: Annotated[Optional[list[str]], typer.Option("--remove-doc", help="Remove a previously added document")] = None,
    judgements: Annotated[Optional[Path], typer.Option("--judgements", help="Reviewers' judgements to apply over the model (default: data/judgements.jsonl of the package, when shipped)")] = None,
) -> None:
    """Parse the bundled documents (and any added ones), validate, and write the graph to OUT.

    An added document's publisher, title and date come from --publisher/--title/--published, else
    from a sidecar FILE.meta.json or FILE.meta.toml next to it (docs/adding-documents.md).
    """
    sources = source or []
    ids = doc_id or []
    if len(sources) != len(ids):
        raise BadRequestError("give one --doc-id for each --source (e.g. --source plan.txt --doc-id home-office-plan-2022)")
    metadata = _metadata(sources, ids, publisher, title, published)
    if dry_run_:
        if not sources:
            raise BadRequestError("--dry-run shows what would be extracted from --source files: give at least one")
        preview = dry_run(out, list(zip(sources, ids)), metadata)
        if preview_format is PreviewFormat.json:
            sys.stdout.write(json.dumps(preview, ensure_ascii=False, indent=1) + "\n")
        else:
            _print_dry_run(preview)
        return
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=console, transient=True) as progress:
        stages = progress.add_task("stage", total=len(STAGES))
        per_part: dict[str, TaskID] = {}

        def on_stage(name: str) -> None:
            progress.update(stages, description=f"stage: {name}", completed=STAGES.index(name))

        def on_progress(stage: str, done: int, total: int) -> None:
            if stage not in per_part:
                what = "documents" if stage in ("extract", "emit") else "parts checked"
                per_part[stage] = progress.add_task(f"  {stage}: {what}", total=total)
            progress.update(per_part[stage], completed=done)

        result = build_graph(out, list(zip(sources, ids)), remove_doc or [], on_stage, store_hooks(), metadata,
                             judgements, on_progress)
    table = Table(title=f"vawg-kg build → {result.out_dir}")
    for col in ("document", "commitments", "outcomes", "unthemed", "unowned", "undated", "lines unclaimed",
                "uncertain"):
        table.add_column(col, justify="right" if col != "document" else "left")
    for doc_id_, row in result.report["documents"].items():
        cov = result.report["coverage"][doc_id_]
        table.add_row(doc_id_, *(str(row[k]) for k in ("commitments", "outcomes", "unthemed", "unowned", "undated")),
                      str(cov["unclaimed_count"]), str(cov.get("uncertain_count", 0)))
    console.print(table)
    warned = _warn_uncertain(result.report, {i: str(p) for p, i in zip(sources, ids)})
    if warned:
        console.print(f"{warned} line(s) look like commitments but no rule claimed them: see "
                      f"{result.out_dir / 'report.json'} (coverage → uncertain)", highlight=False)
    console.print(f"{result.report['triples']} triples; links: {result.report['links']}; "
                  f"stages (s): {result.timings}")
    console.print(f"judgements: {result.report['judgements']}", highlight=False)
    reused = result.reused
    console.print(f"reused from the last build: {reused['documents']} of {len(result.report['documents'])} "
                  f"documents extracted, {reused['parts']} parts emitted and checked, {reused['cross_checks']} of "
                  f"{reused['cross_parts']} cross parts checked",
                  highlight=False)
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
