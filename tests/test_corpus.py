"""The synthetic corpus (benchmarks/corpus.py): deterministic, restating earlier documents, and its
figures computed the same way for the real documents and for the synthetic ones."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks import corpus


def test_same_seed_same_documents_other_seed_others() -> None:
    assert corpus.document(4) == corpus.document(4)
    assert corpus.document(4, seed=1)[0] != corpus.document(4)[0]


def test_a_document_restates_some_earlier_commitments_and_says_the_rest_its_own_way() -> None:
    texts = {i: corpus.document(i)[0] for i in range(1, 9)}
    later = corpus._document(8, 0)
    earlier_cores = {core for i in range(1, 8) for core in corpus._document(i, 0)[2]}
    commitments = later[1]
    restated = [core for core in earlier_cores if core in texts[8]]
    assert restated, "no commitment of document 8 restates an earlier document"
    assert len(restated) < commitments  # and most are new
    # a new core never reappears word for word in a document that did not restate it
    own = set(later[2])
    assert not any(core in texts[i] for core in own for i in range(1, 8))


def test_figures_of_the_real_build(build_dir: Path) -> None:
    real = corpus.figures(build_dir, synthetic=False)
    assert real["documents"] == 5 and real["commitments"] > 250
    assert real["commitments_per_document"] == pytest.approx(real["commitments"] / 5, abs=0.01)
    assert 0.3 < real["overlaps_per_commitment"] < 1.5  # about 0.7 in the real five
    none = corpus.figures(build_dir, synthetic=True)
    assert none["commitments"] == 0 and none["overlaps_per_commitment"] == 0
    table = corpus.compare_table(real, real)
    assert "| overlaps per commitment |" in table and "1.00×" in table
