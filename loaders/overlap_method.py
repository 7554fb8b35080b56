"""How two commitments from different documents are judged to overlap (method v2).

1. **Words, seen through wording.** Each commitment's text is tokenised by
   ``overlap_text`` (every abbreviation and synonym of a field term declared in
   ``ontology/vocabularies/terms.ttl`` rewritten to the term's canonical words,
   light stemming, English and domain stop words dropped) and becomes a TF-IDF
   vector of words and word bigrams (sublinear tf). A second vector leaves out
   the words that name the kind of undertaking ("train", "review", "guidance"...):
   what the undertaking is done *to*.
2. **Candidates by blocking, never all pairs**: an inverted index over the
   informative keys (TF-IDF terms and entities whose document frequency is at most
   ``BLOCK_MAX_DF``), joined as a sparse product in row chunks, keeping each
   commitment's ``BLOCK_TOP_K`` best candidates in other documents: near linear.
3. **Features of a candidate pair** (:data:`FEATURES`): the text and object
   cosines, the v1 lexical score (text cosine raised by IDF-weighted shared
   entities), the weighted entity Jaccard, shared organisations, legislation,
   programmes, themes and field terms, the kinds of undertaking each signals
   (Jaccard, same first kind), the strongest single shared word, an explicit
   implements link, same publisher, and the length ratio.
4. **A calibrated classifier**: two logistic regressions, P(linked) (restates or
   related vs neither) and P(restates | linked), fitted by
   ``scripts/train_overlaps.py`` on the *train* split of
   ``tests/labelled/link_pairs.jsonl`` with grouped cross-validation choosing the
   regularisation and both decision thresholds; the held-out split is never seen.
   The fitted parameters ship as ``overlap_model.json`` beside this module, so the
   build needs neither scikit-learn nor the labelled file, and is byte-identical
   run to run. Details and measured quality: ``docs/overlap-method.md``.

Evidence (``shared_phrases``) is given in each text's own words (``overlap_text.surface``).
"""

from __future__ import annotations

import difflib
import json
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse

from vawg_kg.iris import ID_BASE, LEGISLATION_BASE
from vawg_kg.loaders.overlap_text import TextAnalyser, default_analyser, surface
from vawg_kg.loaders.tfidf import tfidf_matrix

METHOD_NAME = "features+logistic"
METHOD_VERSION = "2.0"
METHOD = f"{METHOD_NAME}/{METHOD_VERSION}"
MODEL_FILE = Path(__file__).resolve().parent / "overlap_model.json"

ENTITY_WEIGHT = 0.5  # the v1 lexical score, kept as one feature
TEXT_GATE = 0.2
MAX_PHRASES = 5
MAX_PHRASE_CHARS = 48  # a shared bigram whose words lie further apart is shown as its words

BLOCK_MAX_DF = 0.02  # a key shared by more than this share of commitments does not block
BLOCK_MIN_MAX_DF = 60  # ...unless the corpus is small: always allow postings this long
BLOCK_TOP_K = 40
BLOCK_CHUNK = 2048
SCORE_CHUNK = 20_000  # pairs whose features are worked out at once (memory, not the answer)

GENERIC_THEME_SLUG = "vawg-general"

FEATURES = (
    "text_cosine", "object_cosine", "lexical_v1", "entity_jaccard", "shared_organisations",
    "shared_legislation", "shared_programmes", "shared_themes", "shared_terms", "action_jaccard",
    "same_first_action", "max_shared_word", "shared_bigrams", "implements", "same_publisher", "length_ratio",
)


def analyse(text: str) -> list[str]:
    """The TF-IDF analyser: unigrams and bigrams of the normalised, stemmed content words."""
    return default_analyser().analyse(text)


def tokens(text: str) -> list[str]:
    """Stemmed content words of a text, field terms in their canonical words, stop words dropped."""
    return [t.term for t in default_analyser().tokens(text)]


def entity_kind(iri: str) -> str:
    if iri.startswith(LEGISLATION_BASE):
        return "legislation"
    return iri[len(ID_BASE):].split("/")[0] if iri.startswith(ID_BASE) else "other"


@dataclass(frozen=True)
class Item:
    """What the method needs of one commitment."""

    iri: str
    doc_id: str
    text: str
    entities: frozenset[str]
    implements: frozenset[str] = frozenset()  # IRIs of commitments this one says it delivers
    publisher: str = ""


@dataclass(frozen=True)
class Scored:
    a: int  # indexes into the items, a < b in IRI order
    b: int
    score: float  # P(linked), calibrated
    restates: float  # P(restates | linked)
    kind: str | None  # "restates" | "related" | None
    text_score: float
    entity_score: float
    shared_entities: tuple[str, ...]
    evidence: tuple[tuple[str, str], ...]  # (words in a, words in b)

    @property
    def shared_phrases(self) -> tuple[str, ...]:
        return tuple(pa if pa.casefold() == pb.casefold() else f"{pa} / {pb}" for pa, pb in self.evidence)


@dataclass(frozen=True)
class Classifier:
    """The fitted parameters in ``overlap_model.json``: standardise, then two logistic regressions."""

    features: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    link_coef: np.ndarray
    link_intercept: float
    restates_coef: np.ndarray
    restates_intercept: float
    link_threshold: float
    restates_threshold: float
    info: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Classifier:
        if tuple(data["features"]) != FEATURES:
            raise ValueError(f"{MODEL_FILE.name} was fitted on other features; run scripts/train_overlaps.py")
        return cls(tuple(data["features"]), np.array(data["mean"]), np.array(data["scale"]),
                   np.array(data["link"]["coef"]), float(data["link"]["intercept"]),
                   np.array(data["restates"]["coef"]), float(data["restates"]["intercept"]),
                   float(data["link"]["threshold"]), float(data["restates"]["threshold"]), data)

    def probabilities(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """P(linked) and P(restates | linked) for each row of raw features."""
        z = (x - self.mean) / self.scale
        return _sigmoid(z @ self.link_coef + self.link_intercept), _sigmoid(z @ self.restates_coef + self.restates_intercept)

    def kind(self, p_link: float, p_restates: float) -> str | None:
        if p_link < self.link_threshold:
            return None
        return "restates" if p_restates >= self.restates_threshold else "related"


def _sigmoid(v: np.ndarray) -> np.ndarray:
    return np.asarray(1.0 / (1.0 + np.exp(-v)))


@lru_cache(maxsize=1)
def load_classifier() -> Classifier:
    return Classifier.from_json(json.loads(MODEL_FILE.read_text(encoding="utf-8")))


class OverlapModel:
    """TF-IDF vectors, entity weights and pair features fitted on one set of commitments."""

    def __init__(self, items: Sequence[Item], classifier: Classifier | None = None,
                 analyser: TextAnalyser | None = None) -> None:
        self.items = list(items)
        self.analyser = analyser or default_analyser()
        self._classifier = classifier
        n = len(self.items)
        texts = [it.text for it in self.items]
        self.matrix, self.terms = tfidf_matrix(texts, self.analyser.analyse)
        self.object_matrix, _ = tfidf_matrix(texts, self.analyser.analyse_object)
        entity_df: dict[str, int] = {}
        for it in self.items:
            for e in it.entities:
                entity_df[e] = entity_df.get(e, 0) + 1
        self.entity_weight = {e: math.log((1 + n) / (1 + df)) + 1.0 for e, df in entity_df.items()}
        self.entity_df = entity_df
        self.field_terms = [self.analyser.term_slugs(t) for t in texts]
        self.actions = [self.analyser.actions(t) for t in texts]
        self._row_cache: dict[int, dict[int, float]] = {}
        self._spans: dict[int, dict[str, tuple[int, int]]] = {}

    @property
    def classifier(self) -> Classifier:
        if self._classifier is None:
            self._classifier = load_classifier()
        return self._classifier

    # ------------------------------------------------------------------ features
    def entity_score(self, i: int, j: int) -> tuple[float, tuple[str, ...]]:
        ea, eb = self.items[i].entities, self.items[j].entities
        shared = ea & eb
        if not shared:
            return 0.0, ()
        w = self.entity_weight
        score = sum(w[e] for e in shared) / sum(w[e] for e in ea | eb)
        return score, tuple(sorted(shared))

    def _row(self, i: int) -> dict[int, float]:
        row = self._row_cache.get(i)
        if row is None:
            lo, hi = self.matrix.indptr[i], self.matrix.indptr[i + 1]
            row = dict(zip(self.matrix.indices[lo:hi].tolist(), self.matrix.data[lo:hi].tolist(), strict=True))
            self._row_cache[i] = row
        return row

    def _shared_terms(self, i: int, j: int) -> list[tuple[float, str]]:
        row_a, row_b = self._row(i), self._row(j)
        if len(row_b) < len(row_a):
            row_a, row_b = row_b, row_a
        return [(wa * row_b[k], self.terms[k]) for k, wa in row_a.items() if k in row_b]

    def features(self, pairs: Sequence[tuple[int, int]]) -> np.ndarray:
        """One row of :data:`FEATURES` per pair."""
        out = np.zeros((len(pairs), len(FEATURES)))
        if not pairs:
            return out
        text = _cosines(self.matrix, pairs)
        obj = _cosines(self.object_matrix, pairs)
        for r, (i, j) in enumerate(pairs):
            a, b = self.items[i], self.items[j]
            ents, shared = self.entity_score(i, j)
            gate = min(1.0, text[r] / TEXT_GATE)
            lexical = 1.0 - (1.0 - text[r]) * (1.0 - ENTITY_WEIGHT * ents * gate)
            kinds = [entity_kind(e) for e in shared]
            themes = sum(k == "theme" and not e.endswith("/" + GENERIC_THEME_SLUG) for k, e in zip(kinds, shared, strict=True))
            acts_a, acts_b = set(self.actions[i]), set(self.actions[j])
            union = acts_a | acts_b
            words = self._shared_terms(i, j)
            len_a, len_b = len(self._row(i)), len(self._row(j))
            out[r] = (
                text[r], obj[r], lexical, ents, min(3, kinds.count("org")),
                float("legislation" in kinds), float("programme" in kinds), min(3, themes),
                min(3, len(self.field_terms[i] & self.field_terms[j])),
                len(acts_a & acts_b) / len(union) if union else 0.0,
                float(bool(self.actions[i]) and bool(self.actions[j]) and self.actions[i][0] == self.actions[j][0]),
                max((w for w, t in words if " " not in t), default=0.0),
                min(5, sum(" " in t for _, t in words)),
                float(a.iri in b.implements or b.iri in a.implements),
                float(bool(a.publisher) and a.publisher == b.publisher),
                min(len_a, len_b) / max(len_a, len_b) if len_a and len_b else 0.0,
            )
        return out

    def evidence(self, i: int, j: int) -> tuple[tuple[str, str], ...]:
        """The strongest shared words and phrases, each as written in text a and in text b."""
        for k in (i, j):
            if k not in self._spans:
                self._spans[k] = self.analyser.spans(self.items[k].text)
        spans = [self._spans[i], self._spans[j]]
        texts = (self.items[i].text, self.items[j].text)
        shared = self._shared_terms(i, j)
        shown = [t for _, t in shared if " " in t and all(
            spans[s][t][1] - spans[s][t][0] <= MAX_PHRASE_CHARS for s in (0, 1))]
        inside = {w for t in shown for w in t.split()}
        ranked = sorted((-w, -t.count(" "), t) for w, t in shared if t in shown or (" " not in t and t not in inside))
        out: list[tuple[str, str]] = []
        for _, _, t in ranked:
            pair = (surface(texts[0], spans[0][t]), surface(texts[1], spans[1][t]))
            if pair[0] and pair[1] and pair not in out:
                out.append(pair)
            if len(out) == MAX_PHRASES:
                break
        return tuple(out)

    # ------------------------------------------------------------------ blocking
    def _block_matrix(self) -> sparse.csr_matrix:
        """Items × informative keys (terms and entities), rows l2-normalised."""
        n = len(self.items)
        cap = max(BLOCK_MIN_MAX_DF, int(BLOCK_MAX_DF * n))
        terms = self.matrix.tocsc()
        term_df = np.diff(terms.indptr)
        keep = np.flatnonzero((term_df >= 2) & (term_df <= cap))
        term_part = terms[:, keep].tocsr()
        entities = sorted(e for e, df in self.entity_df.items() if 2 <= df <= cap)
        column = {e: k for k, e in enumerate(entities)}
        rows, cols, vals = [], [], []
        for r, it in enumerate(self.items):
            for e in it.entities:
                if e in column:
                    rows.append(r)
                    cols.append(column[e])
                    vals.append(self.entity_weight[e] * 0.2)
        entity_part = sparse.csr_matrix((vals, (rows, cols)), shape=(n, len(entities)))
        block = sparse.hstack([term_part, entity_part], format="csr")
        norms = np.sqrt(np.asarray(block.multiply(block).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        return sparse.csr_matrix(sparse.diags(1.0 / norms) @ block)

    def candidates(self) -> list[tuple[int, int]]:
        """Pairs (i, j), i < j, in different documents, sharing at least one informative key,
        plus every explicit implements link."""
        n = len(self.items)
        if n < 2:
            return []
        block = self._block_matrix()
        docs = np.array([it.doc_id for it in self.items])
        transposed = block.T.tocsc()
        pairs: set[tuple[int, int]] = set()
        for start in range(0, n, BLOCK_CHUNK):
            stop = min(n, start + BLOCK_CHUNK)
            product = (block[start:stop] @ transposed).tocsr()
            for offset in range(stop - start):
                i = start + offset
                lo, hi = product.indptr[offset], product.indptr[offset + 1]
                cols, vals = product.indices[lo:hi], product.data[lo:hi]
                mask = (docs[cols] != docs[i]) & (vals > 0)
                cols, vals = cols[mask], vals[mask]
                if len(cols) > BLOCK_TOP_K:
                    order = np.lexsort((cols, -vals))[:BLOCK_TOP_K]
                    cols = cols[order]
                for j in cols.tolist():
                    pairs.add((i, j) if i < j else (j, i))
        index = {it.iri: k for k, it in enumerate(self.items)}
        for i, it in enumerate(self.items):
            for target in it.implements:
                j = index.get(target)
                if j is not None and docs[j] != docs[i]:
                    pairs.add((i, j) if i < j else (j, i))
        return sorted(pairs)

    # ------------------------------------------------------------------ decisions
    def score_pairs(self, pairs: Sequence[tuple[int, int]]) -> list[Scored]:
        """Every pair scored and decided (evidence only for the linked ones)."""
        return list(self.iter_scored(pairs))

    def iter_scored(self, pairs: Sequence[tuple[int, int]]) -> Iterator[Scored]:
        """:meth:`score_pairs` as they are made, a chunk of pairs at a time: a large corpus scores
        millions of pairs, and each pair's features are independent of the others'."""
        for start in range(0, len(pairs), SCORE_CHUNK):
            ordered = [(i, j) if self.items[i].iri < self.items[j].iri else (j, i)
                       for i, j in pairs[start:start + SCORE_CHUNK]]
            x = self.features(ordered)
            p_link, p_rest = self.classifier.probabilities(x)
            for r, (i, j) in enumerate(ordered):
                link, rest = round(float(p_link[r]), 3), round(float(p_rest[r]), 3)
                kind = self.classifier.kind(link, rest)
                _, shared = self.entity_score(i, j)
                yield Scored(i, j, link, rest, kind, round(float(x[r, 0]), 3), round(float(x[r, 3]), 3), shared,
                             self.evidence(i, j) if kind else ())

    def score_pair(self, i: int, j: int) -> Scored:
        return self.score_pairs([(i, j)])[0]

    def overlaps(self, pairs: Sequence[tuple[int, int]] | None = None) -> list[Scored]:
        """The candidate pairs the classifier links."""
        pairs = self.candidates() if pairs is None else pairs
        return [s for s in self.score_pairs(pairs) if s.kind is not None]


def _cosines(matrix: sparse.csr_matrix, pairs: Sequence[tuple[int, int]]) -> np.ndarray:
    """Cosine of many pairs at once (rows are l2-normalised): one sparse product, no per-pair calls."""
    if not pairs or matrix.shape[1] == 0:
        return np.zeros(len(pairs))
    left = matrix[[i for i, _ in pairs]]
    right = matrix[[j for _, j in pairs]]
    return np.clip(np.asarray(left.multiply(right).sum(axis=1)).ravel(), 0.0, 1.0)


def word_diff(text_a: str, text_b: str) -> list[dict[str, str]]:
    """Word-level diff of two texts: runs of equal, deleted (only in a) and inserted (only in b) words."""
    words_a, words_b = text_a.split(), text_b.split()
    matcher = difflib.SequenceMatcher(a=words_a, b=words_b, autojunk=False)
    out: list[dict[str, str]] = []
    for op, a0, a1, b0, b1 in matcher.get_opcodes():
        if op == "equal":
            out.append({"op": "equal", "text": " ".join(words_a[a0:a1])})
            continue
        if op in ("delete", "replace"):
            out.append({"op": "delete", "text": " ".join(words_a[a0:a1])})
        if op in ("insert", "replace"):
            out.append({"op": "insert", "text": " ".join(words_b[b0:b1])})
    return out
