"""Scoring cross-document links against the hand-labelled pairs (``tests/labelled/link_pairs.jsonl``).

Used by ``vawg-kg score --links`` (which scores the links a build wrote) and by
``scripts/train_overlaps.py`` (which fits the overlap classifier on the *train*
split only). Each labelled pair names two commitments as ``doc_id/ref``, ``a``
from the earlier document; see ``tests/labelled/LINK_PAIRS.md``.

Four decisions are scored, each as precision and recall with a bootstrap 95%
interval (pairs resampled with replacement, fixed seed):

* ``implements``: ``b`` explicitly says it delivers ``a`` (the build's implements links);
* ``restates`` and ``related``: the overlap kind the build gives the pair;
* ``linked``: restates or related, whichever (an overlap at all).

A pair the build does not link counts as "none" (and as not implementing).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from vawg_kg.loaders.documents import BUNDLED
from vawg_kg.loaders.enrich import EnrichedStatement, Enricher
from vawg_kg.loaders.links import items_of
from vawg_kg.loaders.overlap_method import OverlapModel
from vawg_kg.loaders.parsers import parser_for
from vawg_kg.loaders.source_io import read_source
from vawg_kg.paths import sources_dir

LINK_PAIRS = "tests/labelled/link_pairs.jsonl"
BOOTSTRAP_SAMPLES = 2000
BOOTSTRAP_SEED = 20160301
DECISIONS = ("implements", "restates", "related", "linked")


@dataclass(frozen=True)
class LabelledPair:
    a: str  # "<doc_id>/<ref>", the earlier document
    b: str
    label: str  # "restates" | "related" | "none"
    split: str  # "train" | "heldout"
    hard: bool = False  # a hard negative: shares an entity or theme, different undertaking
    implements: bool = False
    note: str = ""

    @property
    def key(self) -> tuple[str, str]:
        return (self.a, self.b)


def default_pairs_file() -> Path:
    return Path(__file__).resolve().parents[1] / LINK_PAIRS


def load_pairs(path: Path | None = None) -> list[LabelledPair]:
    file = path or default_pairs_file()
    rows = [json.loads(line) for line in file.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [LabelledPair(r["a"], r["b"], r["label"], r["split"], bool(r.get("hard", False)),
                         bool(r.get("implements", False)), r.get("note", "")) for r in rows]


def training_digest(pairs: Sequence[LabelledPair]) -> str:
    """A fingerprint of the pairs (and labels) a model was trained on, stored with it."""
    text = "\n".join(f"{p.a}\t{p.b}\t{p.label}" for p in sorted(pairs, key=lambda p: p.key))
    return hashlib.sha256(text.encode()).hexdigest()


# ---------------------------------------------------------------------- predictions


@dataclass(frozen=True)
class Prediction:
    kind: str  # "restates" | "related" | "none"
    implements: bool
    score: float = 0.0


def _key_of(iri: str) -> str:
    return iri.split("/commitment/", 1)[1]


def predictions_from_build(build_dir: Path) -> dict[tuple[str, str], Prediction]:
    """What a build decided about every pair it links (either order) or declares implementing."""
    links = json.loads((build_dir / "links.json").read_text(encoding="utf-8"))
    records = json.loads((build_dir / "commitments.json").read_text(encoding="utf-8"))
    implements = {(_key_of(target["id"]), _key_of(r["id"])) for r in records for target in r.get("implements", [])}
    out: dict[tuple[str, str], Prediction] = {}
    for o in links["overlaps"]:
        a, b = _key_of(o["a"]), _key_of(o["b"])
        for key in ((a, b), (b, a)):
            out[key] = Prediction(o["kind"], key in implements or key[::-1] in implements, float(o["score"]))
    for key in implements:
        for k in (key, key[::-1]):
            out.setdefault(k, Prediction("none", True))
    return out


# ---------------------------------------------------------------------- metrics


def _gold(decision: str, p: LabelledPair) -> bool:
    return p.implements if decision == "implements" else (p.label != "none" if decision == "linked" else p.label == decision)


def _pred(decision: str, q: Prediction) -> bool:
    return q.implements if decision == "implements" else (q.kind != "none" if decision == "linked" else q.kind == decision)


def _counts(gold: np.ndarray, pred: np.ndarray) -> tuple[int, int, int]:
    return int((gold & pred).sum()), int((~gold & pred).sum()), int((gold & ~pred).sum())


def _ratio(num: float, den: float) -> float | None:
    return num / den if den else None


def interval(values: Sequence[float | None]) -> list[float] | None:
    got = [v for v in values if v is not None]
    if not got:
        return None
    lo, hi = np.percentile(np.array(got), [2.5, 97.5])
    return [round(float(lo), 3), round(float(hi), 3)]


def score_pairs(pairs: Sequence[LabelledPair], predict: Callable[[LabelledPair], Prediction],
                split: str | None = "heldout") -> dict[str, Any]:
    """Precision/recall (with bootstrap 95% intervals) of each decision, and the hard negatives linked."""
    chosen = [p for p in pairs if split is None or p.split == split]
    predicted = [predict(p) for p in chosen]
    rng = np.random.default_rng(BOOTSTRAP_SEED)
    samples = rng.integers(0, len(chosen), size=(BOOTSTRAP_SAMPLES, len(chosen))) if chosen else None
    result: dict[str, Any] = {"split": split or "all", "pairs": len(chosen),
                              "bootstrap": {"samples": BOOTSTRAP_SAMPLES, "seed": BOOTSTRAP_SEED}}
    for decision in DECISIONS:
        gold = np.array([_gold(decision, p) for p in chosen], dtype=bool)
        pred = np.array([_pred(decision, q) for q in predicted], dtype=bool)
        tp, fp, fn = _counts(gold, pred)
        precision, recall = _ratio(tp, tp + fp), _ratio(tp, tp + fn)
        boot_p: list[float | None] = []
        boot_r: list[float | None] = []
        if samples is not None:
            for row in samples:
                btp, bfp, bfn = _counts(gold[row], pred[row])
                boot_p.append(_ratio(btp, btp + bfp))
                boot_r.append(_ratio(btp, btp + bfn))
        result[decision] = {
            "tp": tp, "fp": fp, "fn": fn, "gold": tp + fn, "predicted": tp + fp,
            "precision": None if precision is None else round(precision, 3),
            "recall": None if recall is None else round(recall, 3),
            "precision_95": interval(boot_p), "recall_95": interval(boot_r),
        }
    result["hard_negatives"] = sum(p.hard for p in chosen)
    result["hard_negatives_linked"] = [
        {"a": p.a, "b": p.b, "predicted": q.kind, "score": q.score, "note": p.note}
        for p, q in zip(chosen, predicted, strict=True) if p.hard and q.kind != "none"]
    return result


def score_build(build_dir: Path, pairs_file: Path | None = None, split: str | None = "heldout") -> dict[str, Any]:
    """``vawg-kg score --links``: the links a build wrote, against the labelled pairs."""
    pairs = load_pairs(pairs_file)
    links = json.loads((build_dir / "links.json").read_text(encoding="utf-8"))
    predictions = predictions_from_build(build_dir)
    none = Prediction("none", False)
    result = score_pairs(pairs, lambda p: predictions.get(p.key, none), split)
    result["method"] = links.get("method")
    result["labelled_file"] = str(pairs_file or LINK_PAIRS)
    return result


# ---------------------------------------------------------------------- features of labelled pairs


def bundled_statements() -> list[EnrichedStatement]:
    """The enriched statements of the bundled documents, from the real parsers and enricher."""
    enricher = Enricher()
    out: list[EnrichedStatement] = []
    for doc in BUNDLED:
        parsed = parser_for(doc.shape).parse(read_source(sources_dir() / doc.file), doc.doc_id, doc.file)
        out.extend(enricher.enrich(st, doc) for st in parsed.statements)
    return out


def pair_features(statements: Sequence[EnrichedStatement], pairs: Sequence[LabelledPair]) -> tuple[np.ndarray, list[bool]]:
    """The overlap method's features of each labelled pair, and whether blocking proposes it."""
    items = items_of(statements)
    model = OverlapModel(items)
    index = {it.iri.split("/commitment/", 1)[1]: k for k, it in enumerate(items)}
    missing = sorted({key for p in pairs for key in p.key if key not in index})
    if missing:
        raise KeyError(f"labelled pairs name commitments the parsers do not emit: {', '.join(missing)}")
    ordered = [tuple(sorted((index[p.a], index[p.b]))) for p in pairs]
    candidates = set(model.candidates())
    x = model.features([(i, j) if items[i].iri < items[j].iri else (j, i) for i, j in ordered])
    return x, [pair in candidates for pair in ordered]


def sampled_negatives(statements: Sequence[EnrichedStatement], pairs: Sequence[LabelledPair], count: int,
                      exclude_b: set[str]) -> list[LabelledPair]:
    """``count`` blocking candidates that are not labelled, taken as "none" (``split`` "train").

    The labelled pairs were chosen for being close (hard negatives on purpose), so they do not
    show the classifier what most candidates look like: unrelated commitments that happen to
    share a word. A deterministic sample (by SHA-1 of the pair) of unlabelled candidates is
    added as negatives; nearly all truly are (few pairs of commitments overlap). Candidates whose
    later commitment is the ``b`` of a held-out pair (``exclude_b``) are never taken, so nothing
    near the held-out split enters training.
    """
    items = items_of(statements)
    keys = [it.iri.split("/commitment/", 1)[1] for it in items]
    labelled = {frozenset(p.key) for p in pairs}
    found = []
    for i, j in OverlapModel(items).candidates():
        if frozenset((keys[i], keys[j])) in labelled or keys[i] in exclude_b or keys[j] in exclude_b:
            continue
        digest = hashlib.sha1(f"{keys[i]}\x1f{keys[j]}".encode()).hexdigest()
        found.append((digest, keys[i], keys[j]))
    found.sort()
    return [LabelledPair(a, b, "none", "train", note="sampled unlabelled candidate") for _, a, b in found[:count]]
