"""Extraction accuracy against the hand-labelled records in tests/labelled/.

The labelled data was typed from the documents by people who did not run the
parsers; `vawg-kg score --errors` lists every disagreement. The thresholds
below are floors under the measured figures (see README "Accuracy"), so a
regression in any field fails here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from vawg_kg.loaders.accuracy import load_labelled, score, totals

LABELLED = Path(__file__).parent / "labelled"

# field → (minimum precision, minimum recall); "found" and "deadline" are accuracies.
THRESHOLDS: dict[str, tuple[float, float]] = {
    "leads": (0.97, 0.97),
    "implements": (0.97, 0.97),
    "partners": (0.75, 0.85),
    "legislation": (0.95, 0.9),
    "outcome_codes": (0.9, 0.9),
    "themes": (0.85, 0.85),
}
ACCURACY_THRESHOLDS = {"found": 1.0, "deadline": 0.95}


@pytest.fixture(scope="module")
def scored(records: list[dict[str, Any]]) -> dict[str, Any]:
    labelled = load_labelled(LABELLED)
    assert len(labelled) >= 200
    return totals(score(records, labelled))


def test_labelled_data_covers_what_the_issue_asks() -> None:
    labelled = load_labelled(LABELLED)
    hmg_annex = {r["ref"] for r in labelled if r["doc_id"] == "hmg-vawg-strategy-2016" and r["ref"].startswith("A")}
    assert hmg_annex == {f"A{n}" for n in range(1, 96)}
    assert all("leads" in r and "deadline" in r for r in labelled if r["ref"] in hmg_annex
               and r["doc_id"] == "hmg-vawg-strategy-2016")
    cps2017 = [r for r in labelled if r["doc_id"] == "cps-vawg-action-plan-2017"]
    assert len(cps2017) == 51 and all("implements" in r for r in cps2017)
    others = [r for r in labelled if r["doc_id"] not in {"hmg-vawg-strategy-2016", "cps-vawg-action-plan-2017"}]
    assert len(others) >= 40


@pytest.mark.parametrize("field", sorted(THRESHOLDS))
def test_list_field_precision_and_recall(scored: dict[str, Any], field: str) -> None:
    s = scored[field]
    min_p, min_r = THRESHOLDS[field]
    assert s.precision is not None and s.precision >= min_p, (field, s.as_dict(), s.errors[:10])
    assert s.recall is not None and s.recall >= min_r, (field, s.as_dict(), s.errors[:10])


@pytest.mark.parametrize("field", sorted(ACCURACY_THRESHOLDS))
def test_accuracy_fields(scored: dict[str, Any], field: str) -> None:
    s = scored[field]
    assert s.accuracy is not None and s.accuracy >= ACCURACY_THRESHOLDS[field], (field, s.as_dict(), s.errors[:10])
