"""How two commitments from different documents are judged to overlap.

Method (``METHOD``): each commitment's text becomes a TF-IDF vector (words and
word bigrams, sublinear term frequency, English plus domain stop words — the
words every VAWG commitment uses, such as "cps", "police", "vawg", "ensure",
"develop", carry no evidence of a shared undertaking). Each commitment also has
a set of entities (legislation, themes other than the catch-all ``vawg-general``,
outcome codes, programmes, lead and partner organisations), each weighted by its
inverse document frequency over the commitments, so that an Act or a programme
two commitments share counts for more than the CPS being the lead of both.

    text  = cosine of the two TF-IDF vectors                      (0..1)
    ents  = weighted Jaccard of the two entity sets               (0..1)
    gate  = min(1, text / TEXT_GATE)
    score = 1 - (1 - text) * (1 - ENTITY_WEIGHT * ents * gate)    (0..1)

so shared entities raise a score but their absence never lowers it (many
commitments name no entity at all), and entities alone, with no shared words,
never make an overlap (two commitments both about "the workforce" theme are
not the same undertaking). A pair is ``restates`` when the score is at
least ``RESTATES_THRESHOLD``, ``related`` at least ``RELATED_THRESHOLD``. The
weights and thresholds were chosen on the "tune" split of
``tests/labelled/overlap_pairs.jsonl`` (``scripts/score_overlaps.py --tune``);
the "heldout" split measures them.

Candidates come from blocking, not from all pairs: an inverted index over the
informative keys (TF-IDF terms and entities whose document frequency is at most
``BLOCK_MAX_DF``), joined as a sparse product in row chunks, keeping each
commitment's ``BLOCK_TOP_K`` best candidates in other documents. The cost grows
with the number of commitments times the (capped) posting list lengths: near
linear.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from vawg_kg.loaders.stop_words import ENGLISH_STOP_WORDS
from vawg_kg.loaders.tfidf import tfidf_matrix

METHOD_NAME = "tfidf-cosine+shared-entities"
METHOD_VERSION = "1.1"
METHOD = f"{METHOD_NAME}/{METHOD_VERSION}"

ENTITY_WEIGHT = 0.5
TEXT_GATE = 0.2  # shared entities count fully only once the texts share this much
RELATED_THRESHOLD = 0.16
RESTATES_THRESHOLD = 0.5
MAX_PHRASES = 5

BLOCK_MAX_DF = 0.02  # a key shared by more than this share of commitments does not block
BLOCK_MIN_MAX_DF = 60  # ...unless the corpus is small: always allow postings this long
BLOCK_TOP_K = 40
BLOCK_CHUNK = 2048

GENERIC_THEME_SLUG = "vawg-general"

# Words that every commitment in this corpus uses: they say who writes or what
# kind of sentence it is, not what is undertaken.
DOMAIN_STOP_WORDS = frozenset(
    """
    cps crown prosecution service police policing force forces npcc vawg violence women girls
    ensure develop development work working continue support provide including include
    will we our us also new national local across government hmg action actions plan
    deliver delivery improve improving better effective effectively key relevant appropriate
    ways use using make sure way help within e g ie etc
    """.split()
)
# The documents write the same thing as an acronym in one place and in words in
# another ("HBV and FM" / "'honour'-based abuse, forced marriage").
ACRONYMS = {
    "HBV": "honour based violence", "HBA": "honour based abuse", "FM": "forced marriage",
    "FGM": "female genital mutilation", "DA": "domestic abuse", "DVA": "domestic violence and abuse",
    "CSA": "child sexual abuse", "RASSO": "rape and serious sexual offences", "HT": "human trafficking",
    "MS": "modern slavery", "VLO": "victim liaison officer", "VLOs": "victim liaison officers",
    "LSIP": "local scrutiny and involvement panel", "LSIPs": "local scrutiny and involvement panels",
    "IDVA": "independent domestic violence advisor", "IDVAs": "independent domestic violence advisors",
    "ISVA": "independent sexual violence advisor", "ISVAs": "independent sexual violence advisors",
    "SARC": "sexual assault referral centre", "SARCs": "sexual assault referral centres",
    "DVPO": "domestic violence protection order", "DVDS": "domestic violence disclosure scheme",
    "CJS": "criminal justice system", "ELP": "evidence led prosecution", "CEFM": "child early forced marriage",
    "DAPO": "domestic abuse protection order", "MoJ": "ministry of justice", "MOJ": "ministry of justice",
    "S28": "section 28", "s28": "section 28", "s.28": "section 28",
}
_ACRONYM_RE = re.compile(r"(?<![\w.])(" + "|".join(re.escape(k) for k in sorted(ACRONYMS, key=len, reverse=True))
                         + r")(?![\w])")
_WORD_RE = re.compile(r"[a-z][a-z0-9]+")


STEM_EXCEPTIONS = frozenset({"forced"})  # "forced marriage" is not about police forces


def stem(word: str) -> str:
    """A light suffix stemmer: enough that 'updated'/'update'/'updates' and 'victims'/'victim' agree."""
    if len(word) <= 3 or word in STEM_EXCEPTIONS:
        return word
    for suffix, repl in (("ies", "y"), ("sses", "ss"), ("ing", ""), ("ed", ""), ("es", ""), ("s", "")):
        if word.endswith(suffix) and not word.endswith("ss") and len(word) - len(suffix) >= 3:
            word = word[: len(word) - len(suffix)] + repl
            break
    if word.endswith("e") and len(word) > 4:
        word = word[:-1]
    return word


STOP_WORDS = frozenset(stem(w) for w in ENGLISH_STOP_WORDS | DOMAIN_STOP_WORDS) | ENGLISH_STOP_WORDS | DOMAIN_STOP_WORDS


def tokens(text: str) -> list[str]:
    """Stemmed content words of a text, acronyms spelt out, stop words dropped."""
    text = _ACRONYM_RE.sub(lambda m: " " + ACRONYMS[m.group(1)] + " ", text)
    text = re.sub(r"[\u2018\u2019'`\u201c\u201d\"]", "", text.replace("-", " ")).lower()
    out = []
    for word in _WORD_RE.findall(text):
        if word in STOP_WORDS:
            continue
        s = stem(word)
        if s not in STOP_WORDS:
            out.append(s)
    return out


def analyse(text: str) -> list[str]:
    """Unigrams and bigrams (of words adjacent once stop words are gone)."""
    words = tokens(text)
    return words + [f"{a} {b}" for a, b in zip(words, words[1:], strict=False)]


@dataclass(frozen=True)
class Item:
    """What the method needs of one commitment."""

    iri: str
    doc_id: str
    text: str
    entities: frozenset[str]


@dataclass(frozen=True)
class Scored:
    a: int  # indexes into the items, a < b in IRI order
    b: int
    score: float
    text_score: float
    entity_score: float
    shared_entities: tuple[str, ...]
    shared_phrases: tuple[str, ...]


def kind_of(score: float) -> str | None:
    if score >= RESTATES_THRESHOLD:
        return "restates"
    if score >= RELATED_THRESHOLD:
        return "related"
    return None


class OverlapModel:
    """TF-IDF vectors and entity weights fitted on one set of commitments."""

    def __init__(self, items: Sequence[Item]) -> None:
        self.items = list(items)
        n = len(self.items)
        self.matrix, self.terms = tfidf_matrix([it.text for it in self.items], analyse)
        entity_df: dict[str, int] = {}
        for it in self.items:
            for e in it.entities:
                entity_df[e] = entity_df.get(e, 0) + 1
        self.entity_weight = {e: math.log((1 + n) / (1 + df)) + 1.0 for e, df in entity_df.items()}
        self.entity_df = entity_df
        self._row_cache: dict[int, dict[int, float]] = {}

    # ------------------------------------------------------------------ scoring
    def text_score(self, i: int, j: int) -> float:
        value = self.matrix[i].multiply(self.matrix[j]).sum()
        return float(min(1.0, max(0.0, value)))

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

    def shared_phrases(self, i: int, j: int) -> tuple[str, ...]:
        row_a, row_b = self._row(i), self._row(j)
        if len(row_b) < len(row_a):
            row_a, row_b = row_b, row_a
        shared = [(wa * row_b[k], self.terms[k]) for k, wa in row_a.items() if k in row_b]
        bigram_words = {w for _, t in shared if " " in t for w in t.split()}
        # A shared bigram says more than its words; list the words only when not inside one.
        ranked = sorted(((-s, -t.count(" "), t) for s, t in shared if " " in t or t not in bigram_words))
        return tuple(t for _, _, t in ranked[:MAX_PHRASES])

    def score_pair(self, i: int, j: int) -> Scored:
        if self.items[j].iri < self.items[i].iri:
            i, j = j, i
        text = self.text_score(i, j)
        score, ents, shared = self.combined(text, i, j)
        return Scored(i, j, score, round(text, 3), round(ents, 3), shared, self.shared_phrases(i, j))

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
        """Pairs (i, j), i < j, in different documents, sharing at least one informative key."""
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
        return sorted(pairs)

    def combined(self, text: float, i: int, j: int) -> tuple[float, float, tuple[str, ...]]:
        ents, shared = self.entity_score(i, j)
        gate = min(1.0, text / TEXT_GATE) if TEXT_GATE > 0 else 1.0
        return round(1.0 - (1.0 - text) * (1.0 - ENTITY_WEIGHT * ents * gate), 3), ents, shared

    def text_scores(self, pairs: Sequence[tuple[int, int]]) -> np.ndarray:
        """Cosine of many pairs at once (rows are l2-normalised): one sparse product, no per-pair calls."""
        if not pairs or self.matrix.shape[1] == 0:
            return np.zeros(len(pairs))
        left = self.matrix[[i for i, _ in pairs]]
        right = self.matrix[[j for _, j in pairs]]
        return np.clip(np.asarray(left.multiply(right).sum(axis=1)).ravel(), 0.0, 1.0)

    def overlaps(self, pairs: Sequence[tuple[int, int]] | None = None) -> list[Scored]:
        """Scored candidate pairs at or above the related threshold (phrases only computed for those)."""
        pairs = self.candidates() if pairs is None else pairs
        out = []
        for (i, j), text in zip(pairs, self.text_scores(pairs).tolist(), strict=True):
            if self.items[j].iri < self.items[i].iri:
                i, j = j, i
            score, ents, shared = self.combined(text, i, j)
            if kind_of(score) is not None:
                out.append(Scored(i, j, score, round(text, 3), round(ents, 3), shared, self.shared_phrases(i, j)))
        return out


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
