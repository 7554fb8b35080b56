"""TF-IDF vectors for the overlap method, computed with scipy.sparse.

The same definition, step for step, as scikit-learn's
``TfidfVectorizer(analyzer=…, sublinear_tf=True, smooth_idf=True, norm="l2")``:

* terms sorted alphabetically (the column order), counts per text;
* ``tf = 1 + ln(count)``;
* ``idf = ln((1 + n) / (1 + df)) + 1``;
* each row divided by its Euclidean norm, summed term by term in column order.

Why not scikit-learn itself: importing it costs about a second, a third of a
whole five-document build, for thirty lines of arithmetic. ``tests/test_tfidf.py``
checks that the matrices agree with scikit-learn's on the real documents.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np
from scipy import sparse

Analyzer = Callable[[str], list[str]]


def tfidf_matrix(texts: Sequence[str], analyzer: Analyzer) -> tuple[sparse.csr_matrix, list[str]]:
    """Rows: texts; columns: the sorted terms. An empty vocabulary gives a matrix with no columns.

    Within a row the cells stay in the order the terms were first met in the corpus, as
    scikit-learn leaves them: the row norms are summed in that order, so the values
    agree to the last bit (and so do scores compared with a threshold).
    """
    counts: list[dict[str, int]] = []
    first_seen: dict[str, int] = {}
    for text in texts:
        row: dict[str, int] = {}
        for term in analyzer(text):
            row[term] = row.get(term, 0) + 1
            first_seen.setdefault(term, len(first_seen))
        counts.append(row)
    terms = sorted(first_seen)
    column = {term: k for k, term in enumerate(terms)}
    indptr = [0]
    indices: list[int] = []
    data: list[float] = []
    for row in counts:
        cells = sorted(row.items(), key=lambda item: first_seen[item[0]])
        indices.extend(column[t] for t, _ in cells)
        data.extend(float(c) for _, c in cells)
        indptr.append(len(indices))
    n = len(texts)
    values = np.asarray(data, dtype=np.float64)
    cols = np.asarray(indices, dtype=np.int64)
    np.log(values, out=values)
    values += 1.0
    df = np.bincount(cols, minlength=len(terms)).astype(np.float64) + 1.0
    idf = np.full_like(df, n + 1, dtype=np.float64)
    idf /= df
    np.log(idf, out=idf)
    idf += 1.0
    values *= idf[cols]
    _normalise_rows(values, indptr)
    matrix = sparse.csr_matrix((values, cols, np.asarray(indptr, dtype=np.int64)), shape=(n, len(terms)))
    return matrix, terms


def _normalise_rows(values: np.ndarray, indptr: list[int]) -> None:
    """Divide each row by its l2 norm in place; the sum runs in column order, as scikit-learn's does."""
    for lo, hi in zip(indptr, indptr[1:], strict=False):
        if lo == hi:
            continue
        total = 0.0
        for v in values[lo:hi].tolist():
            total += v * v
        if total == 0.0:
            continue
        values[lo:hi] /= math.sqrt(total)
