"""Undertakings made in running prose, for the generic parser ("The force will …", "We commit to …").

A sentence is an undertaking when it opens with a subject of at most eight
words — "We", a noun phrase starting "The"/"Our"/"This force…" (not a bare
pronoun such as "This", "It", "They", nor a clause such as "This plan sets out
how the force") or a capitalised name — followed by
"will", "shall", "commit(s) to", "is/are committed to", "pledge(s) to" or
"undertake(s) to". Such commitments are marked low confidence: prose says more
things than it promises, and the build report lists them for a reader to check.
"""

from __future__ import annotations

import re

_SENTENCE_END = re.compile(r"[.!?][\"'”’)]*\s++(?=[\"“‘(]?[A-Z])")
# Possessive words and spaces, and a match only from the start of a word: linear on any input
# (a lazy "up to eight words" over backtracking words rescanned long words from every position).
_UNDERTAKING = re.compile(
    r"(?<![^\s.,;:!?])(?P<subject>[^\s.,;:!?]++(?:\s++[^\s.,;:!?]++){0,7}?)\s++"
    r"(?:will|shall|commits?\s+to|(?:is|are)\s+committed\s+to|pledges?\s+to|undertakes?\s+to)\s+(?=[a-z])",
    re.IGNORECASE,
)
_NOT_SUBJECTS = frozenset({"this", "that", "these", "those", "it", "they", "there", "which", "who", "you", "he",
                           "she", "i", "what", "how", "when", "where", "if", "as", "some", "many", "such"})
# Words that make the words before "will" a clause, not a subject ("This plan sets out how the force will …").
_CLAUSE_WORDS = frozenset({"how", "that", "which", "who", "when", "where", "if", "what", "whether", "because",
                           "so", "as", "it", "they", "you", "there"})


def sentences(text: str, start: int) -> list[tuple[int, int]]:
    """(start, end) offsets of the sentences of ``text``, which sits at ``start`` in the source."""
    out: list[tuple[int, int]] = []
    pos = 0
    for m in _SENTENCE_END.finditer(text):
        out.append((start + pos, start + m.start() + 1))
        pos = m.end()
    out.append((start + pos, start + len(text)))
    return [(a, b) for a, b in out if b > a]


def is_undertaking(sentence: str) -> bool:
    m = _UNDERTAKING.match(sentence.lstrip())
    if m is None:
        return False
    words = m.group("subject").split()
    first = words[0].strip("\"“‘(").lower()
    if first in _NOT_SUBJECTS and len(words) == 1:
        return False  # "This will help", "It will mean"
    if any(w.lower().strip(",") in _CLAUSE_WORDS for w in words):
        return False
    return words[0][:1].isupper() or first == "we"
