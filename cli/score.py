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
from vawg_kg.loaders.accuracy import load_labelled, score as score_records, split_labelled, totals
from vawg_kg.loaders.link_eval import DECISIONS, score_build


@app.command()
@reports_errors
def score(
    labelled: Annotated[Path, typer.Option("--labelled", help="Folder of labelled *.jsonl")] = Path("tests/labelled"),
    build_dir: Annotated[Path, typer.Option("--build-dir")] = default_build_dir(),
    errors: Annotated[bool, typer.Option("--errors", help="List every disagreement")] = False,
    as_json: Annotated[bool, typer.Option("--json")] = False,
    links: Annotated[bool, typer.Option("--links", help="Score the build's cross-document links against "
                                                         "tests/labelled/link_pairs.jsonl instead")] = False,
    pairs: Annotated[Path | None, typer.Option("--pairs", help="Labelled pairs file for --links")] = None,
    split: Annotated[str, typer.Option("--split", help="heldout, train or all (--links)")] = "heldout",
) -> None:
    """Precision and recall per field and per document against labelled data, over all labelled lines
    (ALL) and over the held-out third (HELD-OUT), legislation also per reference kind (or, with --links,
    of the overlaps and implements links on the held-out labelled pairs, with bootstrap 95% intervals)."""
    if links:
        score_links(build_dir, pairs, split, as_json)
        return
    records = load_records(build_dir)
    rows = load_labelled(labelled)
    result = score_records(records, rows)
    result["ALL"] = totals(result)
    # The held-out third of the labelled lines (accuracy.split_of): no rule was tuned on them.
    result["HELD-OUT"] = totals(score_records(records, split_labelled(rows, "heldout")))
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
            if doc in ("ALL", "HELD-OUT"):
                continue
            for s in fields.values():
                for line in s.errors:
                    console.print(line, highlight=False)


def _fmt(value: float | None, ci: list[float] | None) -> str:
    if value is None:
        return "–"
    return f"{value:.3f}" + (f" [{ci[0]:.3f}, {ci[1]:.3f}]" if ci else "")


def score_links(build_dir: Path, pairs: Path | None, split: str, as_json: bool) -> None:
    result = score_build(build_dir, pairs, None if split == "all" else split)
    if as_json:
        print(json.dumps(result, indent=1))
        return
    table = Table(title=f"links vs labelled pairs ({result['split']} split, {result['pairs']} pairs; "
                        f"method {result['method']}; 95% bootstrap intervals)")
    for col in ("decision", "precision", "recall", "tp", "fp", "fn"):
        table.add_column(col)
    names = {"linked": "restates+related"}
    for decision in DECISIONS:
        d = result[decision]
        table.add_row(names.get(decision, decision), _fmt(d["precision"], d["precision_95"]),
                      _fmt(d["recall"], d["recall_95"]), str(d["tp"]), str(d["fp"]), str(d["fn"]))
    console.print(table)
    linked = result["hard_negatives_linked"]
    console.print(f"hard negatives linked: {len(linked)} of {result['hard_negatives']}", highlight=False)
    for h in linked:
        console.print(f"  {h['a']} ~ {h['b']} ({h['predicted']}, {h['score']}): {h['note']}", highlight=False)
