"""Words of a commitment as the overlap method compares them, each tied to where it is in the text.

A text becomes a list of :class:`Token` s: stemmed content words, with stop words (English,
and the words every VAWG commitment uses) dropped. Before that, every label of a field term
in ``ontology/vocabularies/terms.ttl`` ("DA", "domestic violence", "IDVAs", "'honour'-based
violence"...) is rewritten to the term's canonical wording (its ``skos:prefLabel``), so that
two texts that write the same thing differently share words. Each token keeps the character
span of the words it came from, so evidence can always be shown in the text's own words
(:func:`surface`): "forced marriage", never the stem "forced marriag"; "FM" where the text
says "FM".

The kinds of undertaking (``action-type`` scheme of the same file) are found here too
(:meth:`TextAnalyser.actions`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import TypeVar

from vawg_kg.loaders.stop_words import ENGLISH_STOP_WORDS
from vawg_kg.ontology.vocabulary import Term, load_vocabulary

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
STEM_EXCEPTIONS = frozenset({"forced"})  # "forced marriage" is not about police forces

_QUOTES = "'\u2018\u2019`\u201c\u201d\""
_WORD_RE = re.compile(r"[A-Za-z0-9" + _QUOTES + r"]+")
_SEPARATOR = r"[\s\-.,/" + _QUOTES + r"]*"


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


def _clean(word: str) -> str:
    """Lower case without quotes; '' when what is left is not a word of two or more characters."""
    word = word.translate({ord(q): None for q in _QUOTES}).lower()
    return word if len(word) >= 2 and word[0].isalpha() else ""


T = TypeVar("T")
CACHED_TEXTS = 200_000  # texts whose analysis is remembered (a 500-document corpus has 30,000)


@dataclass(frozen=True)
class Token:
    term: str  # stemmed word, or "w1 w2" for a bigram
    start: int  # character span in the original text
    end: int
    raw: str = ""  # the unstemmed (lower-case) word, for unigrams


def _label_pattern(label: str) -> str:
    """A one-word label with capitals is an abbreviation: matched exactly. Anything else
    case-insensitively, quotes/hyphens/dots between words ignored, an optional plural 's'."""
    if " " not in label and label != label.lower():
        return re.escape(label)
    words = [w for w in re.split(_SEPARATOR, label.lower()) if w]
    body = _SEPARATOR.join(re.escape(w) for w in words)
    return f"(?i:{body}(?:e?s)?)"


class TextAnalyser:
    """Field terms rewritten to their canonical words; tokens with spans; kinds of undertaking."""

    def __init__(self, terms: Iterable[Term], action_types: Iterable[Term]) -> None:
        self.terms = sorted(terms, key=lambda t: t.slug)
        labels: list[tuple[str, Term]] = []
        for term in self.terms:
            labels.extend((label, term) for label in {term.name, *term.alt_labels})
        # Longest label first, so "independent domestic violence adviser" wins over "domestic violence".
        labels.sort(key=lambda lt: (-len(lt[0]), lt[0]))
        self._term_of: dict[str, Term] = {}
        parts = []
        for k, (label, term) in enumerate(labels):
            parts.append(f"(?P<t{k}>{_label_pattern(label)})")
            self._term_of[f"t{k}"] = term
        self._term_re = re.compile(r"(?<![\w])(?:" + "|".join(parts) + r")(?![\w])") if parts else None
        self._canonical = {t.slug: [w for w in (_clean(x) for x in _WORD_RE.findall(t.name)) if w] for t in self.terms}
        self._actions: dict[tuple[str, ...], str] = {}
        for action in sorted(action_types, key=lambda t: t.slug):
            for label in action.alt_labels:
                key = tuple(w for w in (_clean(x) for x in re.split(r"[\s\-]+", label)) if w)
                self._actions.setdefault(key, action.slug)
        self.action_words = frozenset(w for key in self._actions for w in key)
        self._cache: dict[str, list[Token]] = {}
        self._slugs: dict[str, frozenset[str]] = {}
        self._action_cache: dict[str, tuple[str, ...]] = {}

    # ------------------------------------------------------------------ tokens
    def _words(self, text: str) -> list[tuple[str, int, int, str | None]]:
        """(lower-case word, start, end, term slug or None) in text order, field terms canonical."""
        out: list[tuple[str, int, int, str | None]] = []

        def plain(lo: int, hi: int) -> None:
            for m in _WORD_RE.finditer(text, lo, hi):
                w = _clean(m.group())
                if w:
                    out.append((w, m.start(), m.end(), None))

        pos = 0
        if self._term_re is not None:
            for m in self._term_re.finditer(text):
                plain(pos, m.start())
                assert m.lastgroup is not None
                term = self._term_of[m.lastgroup]
                for w in self._canonical[term.slug]:
                    out.append((w, m.start(), m.end(), term.slug))
                pos = m.end()
        plain(pos, len(text))
        return out

    def term_slugs(self, text: str) -> frozenset[str]:
        """The field terms a text names, in any of their wordings."""
        cached = self._slugs.get(text)
        if cached is None:
            cached = frozenset(slug for *_, slug in self._words(text) if slug is not None)
            self._keep(self._slugs, text, cached)
        return cached

    def analysis(self, text: str) -> TextAnalysis:
        """What the overlap model reads of a text, computed once: worked out where the text is
        extracted (in parallel, kept with the document's extraction) and :meth:`remember`-ed here."""
        return TextAnalysis(self.tokens(text), self.term_slugs(text), self.actions(text))

    def remember(self, text: str, analysis: TextAnalysis) -> None:
        self._keep(self._cache, text, analysis.tokens)
        self._keep(self._slugs, text, analysis.term_slugs)
        self._keep(self._action_cache, text, analysis.actions)

    @staticmethod
    def _keep(cache: dict[str, T], text: str, value: T) -> None:
        if len(cache) >= CACHED_TEXTS:  # a long-running process meets many texts: start again
            cache.clear()
        cache[text] = value

    def tokens(self, text: str) -> list[Token]:
        """Stemmed content words with their spans, stop words dropped (remembered per text)."""
        cached = self._cache.get(text)
        if cached is not None:
            return cached
        out = []
        for word, start, end, _ in self._words(text):
            if word in STOP_WORDS:
                continue
            s = stem(word)
            if s not in STOP_WORDS:
                out.append(Token(s, start, end, word))
        self._keep(self._cache, text, out)
        return out

    def analyse(self, text: str) -> list[str]:
        """Unigrams and bigrams (of words adjacent once stop words are gone): the TF-IDF analyser."""
        words = [t.term for t in self.tokens(text)]
        return words + [f"{a} {b}" for a, b in zip(words, words[1:], strict=False)]

    def analyse_object(self, text: str) -> list[str]:
        """As :meth:`analyse`, without the words that name the kind of undertaking: what it is done to."""
        words = [t.term for t in self.tokens(text) if t.raw not in self.action_words]
        return words + [f"{a} {b}" for a, b in zip(words, words[1:], strict=False)]

    def spans(self, text: str) -> dict[str, tuple[int, int]]:
        """Each unigram and bigram term of a text → the span of its first occurrence."""
        toks = self.tokens(text)
        out: dict[str, tuple[int, int]] = {}
        for t in toks:
            out.setdefault(t.term, (t.start, t.end))
        for a, b in zip(toks, toks[1:], strict=False):
            out.setdefault(f"{a.term} {b.term}", (a.start, max(a.end, b.end)))
        return out

    # ------------------------------------------------------------------ kinds of undertaking
    def actions(self, text: str) -> tuple[str, ...]:
        """The kinds of undertaking a text signals, in the order first signalled."""
        cached = self._action_cache.get(text)
        if cached is None:
            cached = self._actions_of(text)
            self._keep(self._action_cache, text, cached)
        return cached

    def _actions_of(self, text: str) -> tuple[str, ...]:
        words = [_clean(w) for w in re.findall(r"[A-Za-z][A-Za-z" + _QUOTES + r"]*", text.replace("-", " "))]
        words = [w for w in words if w]
        found: list[str] = []
        for k in range(len(words)):
            for n in (2, 1):
                slug = self._actions.get(tuple(words[k:k + n]))
                if slug is not None and slug not in found:
                    found.append(slug)
        return tuple(found)


@dataclass(frozen=True)
class TextAnalysis:
    tokens: list[Token]
    term_slugs: frozenset[str]
    actions: tuple[str, ...]


@lru_cache(maxsize=1)
def default_analyser() -> TextAnalyser:
    vocab = load_vocabulary()
    return TextAnalyser(vocab.terms.values(), vocab.action_types.values())


def surface(text: str, span: tuple[int, int]) -> str:
    """The words of ``text`` at ``span``, as written (spaces normalised, edge punctuation trimmed, a
    quotation opened just before the span and closed inside it kept: "'honour'-based")."""
    start, end = span
    words = text[start:end]
    if start > 0 and text[start - 1] in _QUOTES and any(q in words for q in _QUOTES):
        return re.sub(r"\s+", " ", text[start - 1:end]).rstrip(" ,.;:()" + _QUOTES).lstrip(" ,.;:()")
    return re.sub(r"\s+", " ", words).strip(" ,.;:()" + _QUOTES)
