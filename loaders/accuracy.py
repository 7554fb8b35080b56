"""Score a build against hand-labelled records (tests/labelled/*.jsonl).

Each labelled line names a commitment by ``doc_id`` + ``ref`` (and a
``text_prefix`` that must agree, so a renumbering cannot pass silently) and
gives the expected values of some fields. List fields are scored as micro
precision/recall over (commitment, value) pairs; ``deadline`` as accuracy.
Only fields present in a labelled line are scored for that line.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

LIST_FIELDS = ("leads", "partners", "themes", "legislation", "outcome_codes", "implements")
_IRI_TAIL = {
    "leads": r"/org/(.+)$",
    "partners": r"/org/(.+)$",
    "themes": r"/theme/(.+)$",
    "legislation": r"legislation\.gov\.uk/id/(.+)$",
    "outcome_codes": r"/outcome-code/(.+)$",
    "implements": r"/commitment/[^/]+/(.+)$",
}


def _norm(field_name: str, value: str) -> str:
    m = re.search(_IRI_TAIL[field_name], value)
    tail = m.group(1) if m else value
    return tail.lower().strip()


def _prefix(text: str) -> str:
    return re.sub(r"\W+", " ", text.lower()).strip()[:30]


@dataclass
class FieldScore:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    correct: int = 0
    total: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None

    @property
    def accuracy(self) -> float | None:
        return self.correct / self.total if self.total else None

    def as_dict(self) -> dict[str, Any]:
        def r(x: float | None) -> float | None:
            return None if x is None else round(x, 3)

        return {"precision": r(self.precision), "recall": r(self.recall), "accuracy": r(self.accuracy),
                "tp": self.tp, "fp": self.fp, "fn": self.fn, "correct": self.correct, "total": self.total}


def load_labelled(folder: Path) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for path in sorted(folder.glob("*.jsonl")):
        if path.stem.endswith("_pairs"):  # labelled links between commitments, not extracted records
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if line.strip():
                row = json.loads(line)
                row["_where"] = f"{path.name}:{n}"
                rows.append(row)
    return rows


def _find(records: dict[str, list[dict[str, Any]]], label: dict[str, Any]) -> dict[str, Any] | None:
    candidates = records.get(label["doc_id"], [])
    prefix = _prefix(label.get("text_prefix", ""))
    by_ref = [r for r in candidates if r["ref"] == label.get("ref")]
    for rec in by_ref:
        if not prefix or _prefix(rec["text"]).startswith(prefix[:20]) or prefix[:20] in _prefix(rec["text"]):
            return rec
    if prefix:
        by_text = [r for r in candidates if _prefix(r["text"]).startswith(prefix[:20])]
        if len(by_text) == 1:
            return by_text[0]
    return None


def score(records: list[dict[str, Any]], labelled: list[dict[str, Any]]) -> dict[str, Any]:
    by_doc: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for record in records:
        by_doc[record["doc_id"]].append(record)
    scores: dict[str, dict[str, FieldScore]] = defaultdict(lambda: defaultdict(FieldScore))
    for label in labelled:
        doc = label["doc_id"]
        rec = _find(by_doc, label)
        found = scores[doc]["found"]
        found.total += 1
        if rec is None:
            found.errors.append(f"{label['_where']}: {doc} {label.get('ref')} not found")
            continue
        found.correct += 1
        for name in LIST_FIELDS:
            if name not in label:
                continue
            expected = {str(v).lower() for v in label[name]}
            got = {_norm(name, e["id"]) for e in rec.get(name, [])}
            s = scores[doc][name]
            s.tp += len(expected & got)
            s.fp += len(got - expected)
            s.fn += len(expected - got)
            if expected != got:
                s.errors.append(f"{label['_where']} {rec['ref']}: {name} expected {sorted(expected)} got {sorted(got)}")
        if "deadline" in label:
            s = scores[doc]["deadline"]
            s.total += 1
            if label["deadline"] == rec.get("deadline"):
                s.correct += 1
            else:
                s.errors.append(f"{label['_where']} {rec['ref']}: deadline expected {label['deadline']} got {rec.get('deadline')}")
    return {doc: {name: s for name, s in fields.items()} for doc, fields in scores.items()}


def totals(result: dict[str, dict[str, FieldScore]]) -> dict[str, FieldScore]:
    out: dict[str, FieldScore] = defaultdict(FieldScore)
    for fields in result.values():
        for name, s in fields.items():
            t = out[name]
            t.tp += s.tp
            t.fp += s.fp
            t.fn += s.fn
            t.correct += s.correct
            t.total += s.total
            t.errors.extend(s.errors)
    return dict(out)
