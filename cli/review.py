"""``vawg-kg review``: judge the overlap candidates the model is least sure of, in a terminal.

Reads the build's scored candidate pairs (``candidates.json``) and commitments, skips every pair a
judgement already names, and walks the rest nearest the link threshold first (|P(linked) − threshold|
smallest). For each: both texts with document and ref, a word diff, the evidence (shared phrases and
entities) and the model's probability; then a key: ``y`` confirm (then the kind: related or
restates), ``n`` reject, ``u`` unsure, ``s`` skip, ``q`` quit; then an optional reason. Each decision
is appended at once to the judgements file; rebuild (``vawg-kg build --judgements FILE``) to apply.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from datetime import datetime, timezone
from pathlib import Path
from typing import Annotated, Any, Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.panel import Panel
from rich.text import Text

from vawg_kg.cli.app import app, reports_errors
from vawg_kg.errors import BadRequestError, NotFoundError
from vawg_kg.loaders import judgements
from vawg_kg.loaders.overlap_method import word_diff
from vawg_kg.paths import default_build_dir

KEYS = {"y": "confirmed", "n": "rejected", "u": "unsure"}
PROMPT = "[y] confirm  [n] reject  [u] unsure  [s] skip  [q] quit"


def _read_json(path: Path, what: str) -> Any:
    if not path.is_file():
        raise NotFoundError(f"no {what} in {path.parent}: run `vawg-kg build --out {path.parent}` first")
    return json.loads(path.read_text(encoding="utf-8"))


def queue(candidates: list[Mapping[str, Any]], threshold: float, judged: set[frozenset[str]]) -> list[Mapping[str, Any]]:
    """The undecided candidate pairs, nearest the decision boundary first (ties: by the pair's IRIs)."""
    open_ = [c for c in candidates if frozenset((c["a"], c["b"])) not in judged]
    return sorted(open_, key=lambda c: (abs(float(c["probability"]) - threshold), c["a"], c["b"]))


def _diff_text(a: str, b: str) -> Text:
    out = Text()
    for run in word_diff(a, b):
        style = {"equal": "", "delete": "red strike", "insert": "green underline"}[run["op"]]
        prefix = {"equal": "", "delete": "[-", "insert": "{+"}[run["op"]]
        suffix = {"equal": "", "delete": "-]", "insert": "+}"}[run["op"]]
        out.append(f"{prefix}{run['text']}{suffix} ", style=style)
    return out


def _entity_name(iri: str, names: Mapping[str, str]) -> str:
    return names.get(iri) or iri.rstrip("/").rsplit("/", 1)[-1]


def show(console: Console, n: int, total: int, c: Mapping[str, Any], by_iri: Mapping[str, Mapping[str, Any]],
         threshold: float, names: Mapping[str, str]) -> None:
    a, b = by_iri[c["a"]], by_iri[c["b"]]
    decided = c.get("kind") or "not linked"
    console.rule(f"{n}/{total}  P(linked) = {float(c['probability']):.3f}  (threshold {threshold:.3f}; model: {decided})")
    console.print(Panel(Text(a["text"]), title=f"a: {a['doc_id']}/{a['ref']}", title_align="left"))
    console.print(Panel(Text(b["text"]), title=f"b: {b['doc_id']}/{b['ref']}", title_align="left"))
    console.print(Panel(_diff_text(a["text"], b["text"]), title="word diff ([-only in a-] {+only in b+})",
                        title_align="left"))
    phrases = ", ".join(c.get("shared_phrases") or []) or "none"
    entities = ", ".join(_entity_name(e, names) for e in c.get("shared_entities") or []) or "none"
    console.print(Text(f"shared phrases: {phrases}\nshared entities: {entities}"))


def _ask(console: Console, prompt: str) -> str | None:
    try:
        return console.input(escape(prompt)).strip()
    except EOFError:
        return None


def _names(records: list[Mapping[str, Any]]) -> dict[str, str]:
    out: dict[str, str] = {}
    for rec in records:
        for fld in ("leads", "partners", "themes", "legislation", "outcome_codes", "programmes"):
            for e in rec.get(fld) or []:
                out[e["id"]] = e["name"]
    return out


@app.command()
@reports_errors
def review(
    by: Annotated[Optional[str], typer.Option("--by", help="Who judges (default: $USER)")] = None,
    build_dir: Annotated[Path, typer.Option("--build-dir", help="The build whose candidates to review")] = default_build_dir(),
    judgements_file: Annotated[Optional[Path], typer.Option("--judgements", help="The judgements file to append to (default: data/judgements.jsonl of the package)")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="Ask about at most this many pairs")] = 50,
) -> None:
    """Confirm or reject the overlap candidates nearest the model's decision boundary; appends judgements."""
    reviewer = (by or os.environ.get("USER") or "").strip()
    if not reviewer:
        raise BadRequestError("say who is judging: --by NAME (or set $USER)")
    path = judgements_file or judgements.default_file()
    existing = judgements.read(path) if path.is_file() else []
    scored = _read_json(build_dir / "candidates.json", "scored candidates (candidates.json)")
    records = _read_json(build_dir / "commitments.json", "commitments (commitments.json)")
    by_iri = {r["id"]: r for r in records}
    threshold = float(scored["thresholds"]["linked"])
    todo = [c for c in queue(scored["candidates"], threshold, judgements.judged_pairs(existing))
            if c["a"] in by_iri and c["b"] in by_iri][:limit]
    console = Console(highlight=False)
    names = _names(records)
    console.print(f"{len(todo)} undecided candidate pairs nearest the threshold; judgements go to {path}")
    written = {"confirmed": 0, "rejected": 0, "unsure": 0, "skipped": 0}
    for n, c in enumerate(todo, start=1):
        show(console, n, len(todo), c, by_iri, threshold, names)
        key = None
        while key is None:
            answer = _ask(console, f"{PROMPT} > ")
            if answer is None:
                key = "q"
            elif answer[:1].lower() in (*KEYS, "s", "q"):
                key = answer[:1].lower()
            else:
                console.print(f"answer one of y, n, u, s, q (got {answer!r})")
        if key == "q":
            break
        if key == "s":
            written["skipped"] += 1
            continue
        relation = str(c.get("kind") or "related")
        if key == "y":
            kind = _ask(console, "kind: [r]elated or re[s]tates (Enter: related) > ") or ""
            relation = "restates" if kind[:1].lower() == "s" else "related"
        why = _ask(console, "reason (optional, Enter to leave out) > ") or ""
        judgement = judgements.Judgement(
            judgements.key_of(c["a"]), judgements.key_of(c["b"]), relation, KEYS[key], reviewer,
            datetime.now(timezone.utc).isoformat(timespec="seconds"), why, round(float(c["probability"]), 3))
        judgements.append(path, judgement)
        written[KEYS[key]] += 1
    total = sum(v for k, v in written.items() if k != "skipped")
    console.print(f"{total} judgements appended to {path} ({written}); apply them with "
                  f"`vawg-kg build --judgements {path}`")
