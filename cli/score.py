"""``vawg-kg score``: accuracy of a build against the hand-labelled records."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from vawg_kg.cli.app import app, console, reports_errors
from vawg_kg.paths import default_build_dir
from vawg_kg.cli.build import load_records
from vawg_kg.loaders.accuracy import load_labelled, score as score_records, totals


@app.command()
@reports_errors
def score(
    labelled: Annotated[Path, typer.Option("--labelled", help="Folder of labelled *.jsonl")] = Path("tests/labelled"),
    build_dir: Annotated[Path, typer.Option("--build-dir")] = default_build_dir(),
    errors: Annotated[bool, typer.Option("--errors", help="List every disagreement")] = False,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Precision and recall per field and per document against labelled data."""
    result = score_records(load_records(build_dir), load_labelled(labelled))
    result["ALL"] = totals(result)
    if as_json:
        print(json.dumps({d: {f: s.as_dict() for f, s in fs.items()} for d, fs in result.items()}, indent=1))
        return
    table = Table(title="extraction accuracy vs labelled data")
    for col in ("document", "field", "precision", "recall", "accuracy", "n"):
        table.add_column(col)
    for doc, fields in result.items():
        for name, s in sorted(fields.items()):
            d = s.as_dict()
            table.add_row(doc, name, str(d["precision"] if d["precision"] is not None else "–"),
                          str(d["recall"] if d["recall"] is not None else "–"),
                          str(d["accuracy"] if d["accuracy"] is not None else "–"),
                          str(s.total or s.tp + s.fn))
    console.print(table)
    if errors:
        for doc, fields in result.items():
            if doc == "ALL":
                continue
            for s in fields.values():
                for line in s.errors:
                    console.print(line, highlight=False)
