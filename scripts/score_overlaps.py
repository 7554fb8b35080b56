"""Score the overlap detector against the hand-labelled pairs.

    .venv/bin/python scripts/score_overlaps.py            # held-out precision/recall/F1
    .venv/bin/python scripts/score_overlaps.py --tune     # grid over weights/thresholds on the tune split only
    .venv/bin/python scripts/score_overlaps.py --pairs    # every labelled pair with its score

The statements come from the real parsers and enricher over the bundled documents.
"""

from __future__ import annotations

import argparse
import json

from vawg_kg.loaders import links, overlap_method
from vawg_kg.loaders.documents import BUNDLED
from vawg_kg.loaders.enrich import EnrichedStatement, Enricher
from vawg_kg.loaders.parsers import parser_for
from vawg_kg.loaders.source_io import read_source
from vawg_kg.paths import sources_dir


MIN_TUNE_PRECISION = 0.8


def bundled_statements() -> list[EnrichedStatement]:
    enricher = Enricher()
    out = []
    for doc in BUNDLED:
        parsed = parser_for(doc.shape).parse(read_source(sources_dir() / doc.file), doc.doc_id, doc.file)
        out.extend(enricher.enrich(st, doc) for st in parsed.statements)
    return out


def tune(statements: list[EnrichedStatement], pairs: list[links.LabelledPair]) -> None:
    best = None
    for weight in (0.0, 0.2, 0.35, 0.5, 0.7):
        for gate in (0.1, 0.2, 0.3):
            overlap_method.ENTITY_WEIGHT, overlap_method.TEXT_GATE = weight, gate
            scores = links.pair_scores(statements, pairs)
            for related in [x / 100 for x in range(8, 40, 2)]:
                m = links.evaluate(scores, pairs, "tune", related=related, restates=1.1)
                # Require precision first: an overlap in the graph should usually be right.
                key = (m["precision"] >= MIN_TUNE_PRECISION, m["f1"], m["precision"], -weight, -gate, related)
                if best is None or key > best[0]:
                    best = (key, weight, gate, related, m)
    assert best is not None
    _, weight, gate, related, m = best
    overlap_method.ENTITY_WEIGHT, overlap_method.TEXT_GATE = weight, gate
    scores = links.pair_scores(statements, pairs)
    restates_scores = sorted(scores[(p.a, p.b)] for p in pairs if p.split == "tune" and p.label == "restates")
    related_scores = sorted(scores[(p.a, p.b)] for p in pairs if p.split == "tune" and p.label == "related")
    best_kind = max(((links.evaluate(scores, pairs, "tune", related, r / 100)["kind_agreement"] or 0, -r, r / 100)
                     for r in range(int(related * 100) + 2, 100, 2)))
    print(json.dumps({"entity_weight": weight, "text_gate": gate, "related_threshold": related, "tune": m,
                      "restates_threshold": best_kind[2], "kind_agreement_tune": best_kind[0],
                      "tune_restates_scores": restates_scores, "tune_related_scores": related_scores}, indent=1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tune", action="store_true")
    parser.add_argument("--pairs", action="store_true")
    args = parser.parse_args()
    statements = bundled_statements()
    pairs = links.load_labelled()
    if args.tune:
        tune(statements, pairs)
        return
    scores = links.pair_scores(statements, pairs)
    if args.pairs:
        for p in pairs:
            print(f"{scores[(p.a, p.b)]:.3f}\t{p.label}\t{p.split}\t{p.a}\t{p.b}\t{p.note}")
    print(json.dumps({"method": overlap_method.METHOD, "related_threshold": overlap_method.RELATED_THRESHOLD,
                      "restates_threshold": overlap_method.RESTATES_THRESHOLD,
                      "heldout": links.evaluate(scores, pairs, "heldout"),
                      "tune": links.evaluate(scores, pairs, "tune")}, indent=1))


if __name__ == "__main__":
    main()
