"""Full-text search over commitments, in process (a few hundred short records).

``BM25`` is Okapi BM25 over one text per document. ``CommitmentSearch`` is
what ``q`` means in the API and the browser: a commitment matches when
**every** word of the query is in it (``match="any"`` for any word), looking
in its text, its section headings, its ref and the names and acronyms of its
leads and partners (a word of four letters or more also finds the longer
words it begins: "control" finds "controlling"); matches are ranked best first by a weighted sum of BM25
per field (the ref and the text weigh most, headings least; the query's words
together in the text, in its order, count half as much again). A query that is a
commitment's short id (``hmg-vawg-strategy-2016/A93``) finds that commitment.

Tokens are lower-cased words with a light suffix fold (plural ``-s``), so
"prosecutions" finds "prosecution"; stop words are dropped.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from typing import Any

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
STOP = frozenset("""a an and are as at be by for from has have in into is it its of on or that the their this to
was were will with we our us all any can also which who""".split())
MATCH_MODES = ("all", "any")
# field -> weight in the ranking; a ref is short and exact, headings are context
FIELD_WEIGHTS = {"ref": 3.0, "text": 1.0, "organisations": 0.6, "section": 0.25}
PREFIX_WEIGHT = 0.8
PHRASE_BOOST = 1.5


def tokens(text: str) -> list[str]:
    out = []
    for word in _WORD.findall(text.lower()):
        word = word.split("'")[0]
        if word in STOP:
            continue
        if len(word) > 4 and word.endswith("s") and not word.endswith("ss"):
            word = word[:-1]
        out.append(word)
    return out


class BM25:
    def __init__(self, documents: Sequence[str], k1: float = 1.5, b: float = 0.75) -> None:
        self.k1, self.b = k1, b
        self.docs = [Counter(tokens(d)) for d in documents]
        self.lengths = [sum(c.values()) for c in self.docs]
        self.avg = (sum(self.lengths) / len(self.lengths)) if self.lengths else 0.0
        df: Counter[str] = Counter()
        for counts in self.docs:
            df.update(counts.keys())
        n = len(self.docs)
        self.idf = {t: math.log(1 + (n - f + 0.5) / (f + 0.5)) for t, f in df.items()}

    def term_score(self, i: int, term: str) -> float:
        tf = self.docs[i].get(term)
        if not tf:
            return 0.0
        norm = tf + self.k1 * (1 - self.b + self.b * self.lengths[i] / (self.avg or 1))
        return self.idf[term] * tf * (self.k1 + 1) / norm

    def scores(self, query: str) -> dict[int, float]:
        """Score of each document index sharing a term with the query (any word)."""
        terms = set(tokens(query))
        out: dict[int, float] = {}
        for i in range(len(self.docs)):
            score = sum(self.term_score(i, t) for t in terms)
            if score > 0:
                out[i] = round(score, 4)
        return out


def _organisation_words(rec: dict[str, Any]) -> str:
    words = []
    for key in ("leads", "partners"):
        for ent in rec.get(key) or []:
            words += [str(ent.get("name") or ""), str(ent.get("as_written") or ""),
                      str(ent.get("id") or "").rstrip("/").rsplit("/", 1)[-1].replace("-", " ")]
    return " ".join(words)


class CommitmentSearch:
    """``q`` over commitment records: all words by default, ranked best first."""

    def __init__(self, records: Sequence[dict[str, Any]]) -> None:
        self.fields = {
            "ref": BM25([str(r.get("ref") or "") for r in records]),
            "text": BM25([str(r.get("text") or "") for r in records]),
            "organisations": BM25([_organisation_words(r) for r in records]),
            "section": BM25([" ".join(r.get("section") or []) for r in records]),
        }
        self.short_ids = {f"{r.get('doc_id')}/{r.get('ref')}".lower(): i for i, r in enumerate(records)}
        self.size = len(records)
        self.sequences = [" " + " ".join(tokens(str(r.get("text") or ""))) + " " for r in records]
        self.vocabulary = sorted({t for index in self.fields.values() for t in index.idf})

    def _forms(self, term: str) -> list[tuple[str, float]]:
        """The term, and (from four letters on) the longer words it begins, weighed a little less:
        "control" finds "controlling"."""
        forms = [(term, 1.0)]
        if len(term) >= 4:
            forms += [(t, PREFIX_WEIGHT) for t in self.vocabulary if t != term and t.startswith(term)]
        return forms

    def _term_score(self, i: int, forms: list[tuple[str, float]]) -> float:
        return max(weight * sum(w * self.fields[name].term_score(i, form) for name, w in FIELD_WEIGHTS.items())
                   for form, weight in forms)

    def scores(self, query: str, match: str = "all") -> dict[int, float]:
        """Score of each matching record index; with ``match="all"`` a record must hold every word of the
        query in one field or another, with ``"any"`` one word is enough."""
        if match not in MATCH_MODES:
            raise ValueError(f"match must be one of {MATCH_MODES}, not {match!r}")
        exact = self.short_ids.get(query.strip().strip("/").lower())
        if exact is not None:
            return {exact: 1000.0}
        terms = [self._forms(t) for t in sorted(set(tokens(query)))]
        phrase = " " + " ".join(tokens(query)) + " " if len(tokens(query)) > 1 else None
        out: dict[int, float] = {}
        for i in range(self.size):
            total, found = 0.0, 0
            for forms in terms:
                term_total = self._term_score(i, forms)
                if term_total > 0:
                    found += 1
                    total += term_total
            if found and (match == "any" or found == len(terms)):
                if phrase and phrase in self.sequences[i]:  # the words together, in the query's order
                    total *= PHRASE_BOOST
                out[i] = round(total, 4)
        return out

    def ranked(self, query: str, match: str = "all") -> list[tuple[int, float]]:
        """Matching record indices with their scores, best first (ties in record order)."""
        return sorted(self.scores(query, match).items(), key=lambda kv: (-kv[1], kv[0]))
