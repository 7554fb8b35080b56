"""The overlap method's TF-IDF equals scikit-learn's, which it replaces at build time.

scikit-learn is a test dependency only: the build computes the same matrix with
scipy.sparse (``loaders/tfidf.py``) to spare a second of import per build.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer

from vawg_kg.loaders.overlap_method import analyse
from vawg_kg.loaders.stop_words import ENGLISH_STOP_WORDS as OURS
from vawg_kg.loaders.tfidf import tfidf_matrix


def _reference(texts: list[str]) -> tuple[Any, list[str]]:
    vectorizer = TfidfVectorizer(analyzer=analyse, sublinear_tf=True, min_df=1, norm="l2", dtype=np.float64)
    matrix = vectorizer.fit_transform(texts).tocsr()  # cells in scikit-learn's own order within rows
    return matrix, list(vectorizer.get_feature_names_out())


def _assert_same(texts: list[str]) -> None:
    ours, our_terms = tfidf_matrix(texts, analyse)
    ref, ref_terms = _reference(texts)
    assert our_terms == ref_terms
    assert ours.shape == ref.shape
    assert np.array_equal(ours.indptr, ref.indptr) and np.array_equal(ours.indices, ref.indices)
    # Same cells in the same order, same operations: equal to the last bit, so scores agree.
    assert np.array_equal(ours.data, ref.data)


def test_the_stop_words_are_scikit_learns() -> None:
    assert OURS == ENGLISH_STOP_WORDS


def test_the_real_commitments_give_scikit_learns_matrix(records: list[dict[str, Any]]) -> None:
    texts = [r["text"] for r in records]
    assert len(texts) > 250
    _assert_same(texts)


def test_a_synthetic_corpus_gives_scikit_learns_matrix() -> None:
    from benchmarks.corpus import document

    texts = [line for i in range(1, 6) for line in document(i)[0].splitlines() if len(line) > 40]
    assert len(texts) > 100
    _assert_same(texts)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(alphabet="abcdef ghij-'", min_size=0, max_size=60), min_size=1, max_size=12)
       .filter(lambda ts: any(analyse(t) for t in ts)))
def test_any_small_corpus_gives_scikit_learns_matrix(texts: list[str]) -> None:
    _assert_same(texts)


def test_texts_of_stop_words_only_give_no_columns() -> None:
    matrix, terms = tfidf_matrix(["the and of", ""], analyse)
    assert matrix.shape == (2, 0) and terms == []
    with pytest.raises(ValueError):
        _reference(["the and of", ""])  # scikit-learn refuses; the overlap method wants an empty matrix
