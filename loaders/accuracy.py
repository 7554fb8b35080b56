"""Score a build against hand-labelled records (tests/labelled/*.jsonl).

Each labelled line names a commitment by ``doc_id`` + ``ref`` (and a
``text_prefix`` that must agree, so a renumbering cannot pass silently) and
gives the expected values of some fields. List fields are scored as micro
precision/recall over (commitment, value) pairs; ``deadline`` as accuracy.
Only fields present in a labelled line are scored for that line.

Legislation is also scored per reference kind (``legislation_kinds`` in a labelled line:
explicit, provision, concept, crime-type): recall of a kind over the labelled references of
that kind, precision over the build's links of that kind; ``legislation-kind`` is the share of
found references whose kind agrees, ``legislation-negatives`` the share of false friends
(``legislation_negatives``: words that look like a reference but are not) that did not link.

The labelled lines are split once, by a hash of ``doc_id/ref`` (:func:`split_of`): about a
third are held out. Rules are tuned on the train lines only; ``HELD-OUT`` in the report is the
figure to quote.
"""

from __future__ import annotations

import hashlib
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


REFERENCE_KINDS = ("explicit", "provision", "concept", "crime-type")
HELD_OUT_SHARE = 3  # one line in three


def split_of(doc_id: str, ref: str) -> str:
    """``heldout`` or ``train``, fixed by a hash of the commitment's ``doc_id/ref`` (so a line keeps
    its split when labels are added or corrected)."""
    digest = hashlib.sha1(f"{doc_id}/{ref}".encode()).hexdigest()
    return "heldout" if int(digest, 16) % HELD_OUT_SHARE == 0 else "train"


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
        if "legislation_kinds" in label:
            _score_kinds(scores[doc], label, rec)
        if "legislation_negatives" in label:
            s = scores[doc]["legislation-negatives"]
            got_words = [str(e.get("words") or "").lower() for e in rec.get("legislation", [])]
            for negative in label["legislation_negatives"]:
                words = str(negative["words"]).lower()
                s.total += 1
                if any(w and (w in words or words in w) for w in got_words):
                    s.errors.append(f"{label['_where']} {rec['ref']}: false friend {negative['words']!r} linked")
                else:
                    s.correct += 1
        if "deadline" in label:
            s = scores[doc]["deadline"]
            s.total += 1
            if label["deadline"] == rec.get("deadline"):
                s.correct += 1
            else:
                s.errors.append(f"{label['_where']} {rec['ref']}: deadline expected {label['deadline']} got {rec.get('deadline')}")
    return {doc: {name: s for name, s in fields.items()} for doc, fields in scores.items()}


def _score_kinds(fields: dict[str, FieldScore], label: dict[str, Any], rec: dict[str, Any]) -> None:
    expected = {str(k).lower(): v for k, v in label["legislation_kinds"].items()}
    got = {_norm("legislation", e["id"]): e.get("reference") for e in rec.get("legislation", [])}
    for kind in REFERENCE_KINDS:
        s = fields[f"legislation:{kind}"]
        want = {iri for iri, k in expected.items() if k == kind}
        have = {iri for iri, k in got.items() if k == kind}
        s.tp += len(want & set(got))
        s.fn += len(want - set(got))
        s.fp += len(have - set(expected))
        for iri in sorted(want - set(got)):
            s.errors.append(f"{label['_where']} {rec['ref']}: {kind} reference {iri} not found")
        for iri in sorted(have - set(expected)):
            s.errors.append(f"{label['_where']} {rec['ref']}: {kind} link {iri} not labelled")
    agree = fields["legislation-kind"]
    for iri in sorted(set(expected) & set(got)):
        agree.total += 1
        if expected[iri] == got[iri]:
            agree.correct += 1
        else:
            agree.errors.append(f"{label['_where']} {rec['ref']}: {iri} labelled {expected[iri]}, found as {got[iri]}")


def split_labelled(labelled: list[dict[str, Any]], split: str) -> list[dict[str, Any]]:
    """The labelled lines of one split (``train`` or ``heldout``; ``all`` keeps every line)."""
    if split == "all":
        return labelled
    return [row for row in labelled if split_of(row["doc_id"], str(row.get("ref"))) == split]


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
