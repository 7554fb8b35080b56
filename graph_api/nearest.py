"""Unknown names answered, not emptied: the nearest known names to what a user typed.

One rule for every parameter that names something (an organisation, a theme,
an outcome code): compare the typed value with each candidate's slug, label,
acronyms and other names — an exact acronym or a prefix counts most, then
the closest spelling (``difflib``'s ratio) — and return the best few. The
API answers 404 with these (``details.nearest``); the HTML error page lists
them as links.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from vawg_kg.errors import NotFoundError


@dataclass(frozen=True)
class Named:
    iri: str
    slug: str
    label: str
    acronyms: tuple[str, ...] = ()
    other_names: tuple[str, ...] = field(default=())
    url: str = ""


def _norm(text: str) -> str:
    return " ".join(text.lower().replace("-", " ").replace("_", " ").split())


def _score(value: str, cand: Named) -> float:
    v = _norm(value.rsplit("/", 1)[-1])
    if not v:
        return 0.0
    names = [cand.slug, cand.label, *cand.acronyms, *cand.other_names]
    best = 0.0
    for name in names:
        n = _norm(name)
        if not n:
            continue
        if n == v:
            return 1.0
        score = difflib.SequenceMatcher(None, v, n).ratio()
        if n.startswith(v) or v.startswith(n):
            score = max(score, 0.8)
        elif v in n.split() or any(w.startswith(v) for w in n.split()):
            score = max(score, 0.7)
        best = max(best, score)
    # an acronym made of the label's initials ("ho" for Home Office)
    initials = "".join(w[0] for w in _norm(cand.label).split() if w not in {"of", "and", "the", "for"})
    if v.replace(" ", "") == initials:
        best = max(best, 0.9)
    return best


def nearest(value: str, candidates: Iterable[Named], limit: int = 5, floor: float = 0.45) -> list[Named]:
    """The best ``limit`` candidates for ``value`` scoring at least ``floor``, best first (ties by slug)."""
    scored = sorted(((_score(value, c), c.slug, c) for c in candidates), key=lambda t: (-t[0], t[1]))
    return [c for s, _, c in scored[:limit] if s >= floor]


def as_detail(found: Iterable[Named]) -> list[dict[str, Any]]:
    return [{"id": c.iri, "slug": c.slug, "label": c.label, "acronyms": list(c.acronyms), "url": c.url}
            for c in found]


def unknown(param: str, what: str, value: str, candidates: list[Named], example: str) -> NotFoundError:
    """The 404 for a parameter naming nothing: the nearest matches in the message and in ``details.nearest``."""
    found = nearest(value, candidates)
    shown = "; ".join(f"{c.slug} — {c.label}" + (f", {', '.join(c.acronyms)}" if c.acronyms else "") for c in found)
    hint = f"nearest: {shown}" if found else f"give a slug, name or IRI, e.g. {example}"
    return NotFoundError(f"parameter {param!r}: no {what} called {value[:100]!r} in the graph; {hint}",
                         parameter=param, value=value[:100], nearest=as_detail(found),
                         allowed=sorted(c.slug for c in candidates))
