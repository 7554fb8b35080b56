"""Okapi BM25 over commitment text, in process (a few hundred short documents).

Tokens are lower-cased words with a light suffix fold (plural ``-s``), so
"prosecutions" finds "prosecution"; stop words are dropped.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
STOP = frozenset("""a an and are as at be by for from has have in into is it its of on or that the their this to
was were will with we our us all any can also which who""".split())


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

    def scores(self, query: str) -> dict[int, float]:
        """Score of each matching document index (documents sharing no term are left out)."""
        terms = set(tokens(query))
        out: dict[int, float] = {}
        for i, counts in enumerate(self.docs):
            score = 0.0
            for term in terms:
                tf = counts.get(term)
                if not tf:
                    continue
                norm = tf + self.k1 * (1 - self.b + self.b * self.lengths[i] / (self.avg or 1))
                score += self.idf[term] * tf * (self.k1 + 1) / norm
            if score > 0:
                out[i] = round(score, 4)
        return out
