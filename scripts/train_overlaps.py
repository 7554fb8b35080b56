"""Fit the overlap classifier on the *train* split of the labelled pairs and write its parameters.

    .venv/bin/python scripts/train_overlaps.py            # writes loaders/overlap_model.json
    .venv/bin/python scripts/train_overlaps.py --check    # exits 1 if the shipped file differs
    .venv/bin/python scripts/train_overlaps.py --print    # the cross-validation report only
    .venv/bin/python scripts/train_overlaps.py --judgements FILE   # reviewers' judgements (default data/judgements.jsonl)

Two logistic regressions over the features of ``overlap_method.FEATURES`` (standardised):
P(linked) on all train pairs, P(restates | linked) on the linked ones. Cross-validation
(5 folds, grouped by the later commitment ``b`` so that no commitment is on both sides of a
fold, as the train/heldout split itself is grouped) chooses the regularisation strength by
log loss (calibration) and the two thresholds from the out-of-fold probabilities. The
held-out split is never read: ``fit`` receives the train pairs only, and the model file
records a digest of exactly the pairs it saw. scikit-learn is needed here only; the build
applies the stored parameters with numpy.

Reviewers' confirmed and rejected overlap judgements (``loaders/judgements.py``) are added as
train pairs (confirmed: the judged kind; rejected: none), except a pair of the held-out split or
one touching a held-out ``b`` (excluded and counted, so nothing near the held-out split is
learnt), a pair already labelled (the labelled file wins), an implements or unsure judgement, and
a stale one; the counts are printed. No judgement, no change: the model file is the same.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import sklearn
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import brier_score_loss, log_loss
from sklearn.model_selection import StratifiedGroupKFold
from sklearn.preprocessing import StandardScaler

from vawg_kg.loaders import judgements, link_eval
from vawg_kg.loaders.overlap_method import FEATURES, METHOD, MODEL_FILE

C_GRID = (0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
FOLDS = 5
SEED = 0
MIN_PRECISION = 0.90  # the link threshold: the most recall at this cross-validated precision...
BETA = 0.5  # ...or, when no threshold reaches it, the best F-beta (precision counted twice recall)
DIGITS = 10
MIN_RESTATES_PRECISION = 0.5  # below this out-of-fold precision, no pair is called "restates" (all "related")
SAMPLED_NEGATIVES = 400  # unlabelled blocking candidates taken as "none" (link_eval.sampled_negatives)


def _model(c: float) -> LogisticRegression:
    return LogisticRegression(C=c, max_iter=5000, random_state=SEED)


def _oof(x: np.ndarray, y: np.ndarray, groups: Sequence[str], c: float) -> np.ndarray:
    """Out-of-fold probabilities (scaler fitted inside each fold)."""
    out = np.zeros(len(y))
    folds = StratifiedGroupKFold(n_splits=FOLDS, shuffle=True, random_state=SEED)
    for fit_idx, test_idx in folds.split(x, y, groups):
        scaler = StandardScaler().fit(x[fit_idx])
        model = _model(c).fit(scaler.transform(x[fit_idx]), y[fit_idx])
        out[test_idx] = model.predict_proba(scaler.transform(x[test_idx]))[:, 1]
    return out


def _choose_c(x: np.ndarray, y: np.ndarray, groups: Sequence[str]) -> tuple[float, np.ndarray, list[dict[str, float]]]:
    table = []
    best: tuple[float, float, np.ndarray] | None = None
    for c in C_GRID:
        p = _oof(x, y, groups, c)
        loss = float(log_loss(y, p, labels=[0, 1]))
        table.append({"C": c, "log_loss": round(loss, 4), "brier": round(float(brier_score_loss(y, p)), 4)})
        if best is None or loss < best[0] - 1e-9:
            best = (loss, c, p)
    assert best is not None
    return best[1], best[2], table


def _pr(y: np.ndarray, p: np.ndarray, t: float) -> tuple[float, float]:
    pred = p >= t
    tp = int((pred & (y == 1)).sum())
    return (tp / int(pred.sum()) if pred.any() else 1.0), (tp / int((y == 1).sum()) if (y == 1).any() else 1.0)


def _link_threshold(y: np.ndarray, p: np.ndarray) -> float:
    """The lowest threshold (most recall) whose out-of-fold precision is at least MIN_PRECISION at a
    recall of at least 0.5; failing that, the one with the best out-of-fold F-beta."""
    grid = [round(t, 3) for t in np.arange(0.05, 0.951, 0.005)]
    ok = [t for t in grid if _pr(y, p, t)[0] >= MIN_PRECISION and _pr(y, p, t)[1] >= 0.5]
    if ok:
        return min(ok)

    def fbeta(t: float) -> float:
        prec, rec = _pr(y, p, t)
        return (1 + BETA**2) * prec * rec / (BETA**2 * prec + rec) if prec + rec else 0.0
    return max(grid, key=lambda t: (round(fbeta(t), 9), -t))


def _fbeta_threshold(y: np.ndarray, p: np.ndarray) -> float:
    """The threshold with the best out-of-fold F-beta (ties: the higher threshold)."""
    grid = [round(t, 3) for t in np.arange(0.05, 0.951, 0.01)]

    def fbeta(t: float) -> float:
        prec, rec = _pr(y, p, t)
        return (1 + BETA**2) * prec * rec / (BETA**2 * prec + rec) if prec + rec else 0.0
    return max(grid, key=lambda t: (round(fbeta(t), 9), t))


def _params(x: np.ndarray, y: np.ndarray, c: float) -> tuple[list[float], float]:
    scaler = StandardScaler().fit(x)
    model = _model(c).fit(scaler.transform(x), y)
    return [round(float(v), DIGITS) for v in model.coef_[0]], round(float(model.intercept_[0]), DIGITS)


def fit(x: np.ndarray, pairs: Sequence[link_eval.LabelledPair]) -> dict[str, Any]:
    """Fit both models on these pairs (the caller passes the train split only)."""
    if any(p.split != "train" for p in pairs):
        raise ValueError("the classifier is fitted on the train split only")
    groups = [p.b for p in pairs]
    y_link = np.array([p.label != "none" for p in pairs], dtype=int)
    c_link, oof_link, table_link = _choose_c(x, y_link, groups)
    t_link = _link_threshold(y_link, oof_link)
    linked = np.flatnonzero(y_link == 1)
    x_pos = x[linked]
    y_rest = np.array([pairs[k].label == "restates" for k in linked], dtype=int)
    c_rest, oof_rest, table_rest = _choose_c(x_pos, y_rest, [groups[k] for k in linked])
    t_rest = _fbeta_threshold(y_rest, oof_rest)
    rest_oof = _pr(y_rest, oof_rest, t_rest)
    if rest_oof[0] < MIN_RESTATES_PRECISION:
        # "A restates B" is a strong claim; with too few examples to make it reliably, make none.
        t_rest = 1.0
    scaler = StandardScaler().fit(x)
    z = (x_pos - scaler.mean_) / scaler.scale_
    # The restates model is fitted on the standardised features of the linked pairs, with the
    # scaler of all pairs, so both models share one standardisation.
    rest_model = _model(c_rest).fit(z, y_rest)
    coef_link, icpt_link = _params(x, y_link, c_link)
    prec, rec = _pr(y_link, oof_link, t_link)
    hard = np.array([p.hard for p in pairs])
    return {
        "method": METHOD,
        "features": list(FEATURES),
        "mean": [round(float(v), DIGITS) for v in scaler.mean_],
        "scale": [round(float(v), DIGITS) for v in scaler.scale_],
        "link": {"C": c_link, "coef": coef_link, "intercept": icpt_link, "threshold": t_link},
        "restates": {"C": c_rest, "coef": [round(float(v), DIGITS) for v in rest_model.coef_[0]],
                     "intercept": round(float(rest_model.intercept_[0]), DIGITS), "threshold": t_rest},
        "training": {
            "file": link_eval.LINK_PAIRS, "split": "train", "pairs": len(pairs),
            "sampled_negatives": sum(p.note == "sampled unlabelled candidate" for p in pairs),
            "labels": {k: sum(p.label == k for p in pairs) for k in ("restates", "related", "none")},
            "digest": link_eval.training_digest(pairs),
            "cross_validation": {
                "folds": FOLDS, "grouped_by": "b", "seed": SEED, "min_precision": MIN_PRECISION, "beta": BETA,
                "link_C_grid": table_link, "restates_C_grid": table_rest,
                "link_out_of_fold": {"precision": round(prec, 3), "recall": round(rec, 3),
                                     "hard_negatives_linked": int(((oof_link >= t_link) & hard).sum())},
                "restates_out_of_fold": {"precision": round(rest_oof[0], 3), "recall": round(rest_oof[1], 3),
                                         "min_precision": MIN_RESTATES_PRECISION,
                                         "used": t_rest < 1.0},
            },
            "scikit_learn": sklearn.__version__,
        },
    }


def judged_pairs(found: Sequence[judgements.Judgement], labelled: Sequence[link_eval.LabelledPair],
                 published: dict[str, str]) -> tuple[list[link_eval.LabelledPair], dict[str, int]]:
    """The decided overlap judgements as train pairs (the last decision per pair), and what was left out."""
    heldout = {frozenset(p.key) for p in labelled if p.split == "heldout"}
    heldout_b = {p.b for p in labelled if p.split == "heldout"}
    known = {frozenset(p.key) for p in labelled}
    counts = {"read": len(found), "used": 0, "excluded_heldout": 0, "already_labelled": 0,
              "not_an_overlap_decision": 0, "stale": 0}
    last: dict[frozenset[str], link_eval.LabelledPair] = {}
    for j in found:
        a, b = judgements.key_of(j.a_iri), judgements.key_of(j.b_iri)
        if a not in published or b not in published:
            counts["stale"] += 1
        elif not j.is_overlap or j.decision == "unsure":
            counts["not_an_overlap_decision"] += 1
        elif frozenset((a, b)) in heldout or a in heldout_b or b in heldout_b:
            counts["excluded_heldout"] += 1
        elif frozenset((a, b)) in known:
            counts["already_labelled"] += 1
        else:
            a, b = sorted((a, b), key=lambda k: (published[k], k))  # a from the earlier document
            label = j.relation if j.decision == "confirmed" else "none"
            last[frozenset((a, b))] = link_eval.LabelledPair(a, b, label, "train", note=f"judged by {j.by}")
    counts["used"] = len(last)
    return sorted(last.values(), key=lambda p: p.key), counts


def train(judgements_file: Path | None = None) -> tuple[dict[str, Any], dict[str, int]]:
    labelled = link_eval.load_pairs()
    statements = link_eval.bundled_statements()
    published = {judgements.key_of(st.iri): st.document.published.isoformat() for st in statements if st.is_commitment}
    judged, counts = judged_pairs(judgements.load(judgements_file)[0], labelled, published)
    heldout_b = {p.b for p in labelled if p.split == "heldout"}
    pairs = [p for p in labelled if p.split == "train"] + judged
    pairs += link_eval.sampled_negatives(statements, [*labelled, *judged], SAMPLED_NEGATIVES, heldout_b)
    x, _ = link_eval.pair_features(statements, pairs)
    model = fit(x, pairs)
    if judged:
        model["training"]["judged_pairs"] = counts
    return model, counts


def render(model: dict[str, Any]) -> str:
    return json.dumps(model, indent=1, sort_keys=True) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the shipped parameters differ")
    parser.add_argument("--print", action="store_true", help="print the report, write nothing")
    parser.add_argument("--judgements", type=Path, default=None,
                        help="reviewers' judgements to train on (default: data/judgements.jsonl)")
    args = parser.parse_args()
    model, counts = train(args.judgements)
    print(f"judgements: {counts}", file=sys.stderr)
    text = render(model)
    if args.print:
        print(json.dumps(json.loads(text)["training"], indent=1))
    elif args.check:
        if not MODEL_FILE.is_file() or MODEL_FILE.read_text(encoding="utf-8") != text:
            print(f"{MODEL_FILE} is stale: run scripts/train_overlaps.py", file=sys.stderr)
            sys.exit(1)
    else:
        MODEL_FILE.write_text(text, encoding="utf-8")
        print(f"wrote {MODEL_FILE}")


if __name__ == "__main__":
    main()
