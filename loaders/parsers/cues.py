"""Commitment cues: what makes a line look like an undertaking even when no rule claims it.

The generic parser lists every such line it did not turn into a commitment
(``ParsedDocument.uncertain``), so the build report can say what may have been
missed. Three cues, as docs/adding-documents.md documents:

* a "will" (or "shall", "commit(s) to", "pledge(s) to") anywhere in the text;
* an imperative verb at the start (the first word of a table action cell or of
  a bullet): one of :data:`IMPERATIVE_VERBS`;
* a date in a date column (a cell ``parse_deadline`` reads as a date or a
  relative timing).
"""

from __future__ import annotations

import re
from datetime import date

from vawg_kg.loaders.deadlines import parse_deadline

_WILL = re.compile(r"\b(?:will|shall|commits?\s+to|committed\s+to|pledges?\s+to|undertakes?\s+to)\b",
                   re.IGNORECASE)
_FIRST_WORD = re.compile(r"[^\W\d_]+")

# Verbs that open an action ("Publish …", "Train …"), lower case. Not exhaustive: the
# list is what the cue looks for, and documented in docs/adding-documents.md.
IMPERATIVE_VERBS = frozenset("""
    agree appoint assess build campaign carry collaborate collect commission complete conduct consult continue
    create deliver deploy design develop embed engage enhance ensure establish evaluate expand explore extend
    fund hold identify implement improve increase introduce invest issue launch lead legislate maintain make map
    monitor offer pilot produce promote provide publish raise recruit reduce refresh report research review
    revise roll run scope set share strengthen support test train update upskill work write
""".split())

_REFERENCE_DAY = date(2000, 1, 1)  # relative timings are cues too; the day they count from does not matter


def will_cue(text: str) -> str | None:
    m = _WILL.search(text)
    return f"'{m.group(0)}'" if m else None


def imperative_cue(text: str) -> str | None:
    m = _FIRST_WORD.search(text)
    if m and m.start() < 4 and m.group(0).lower() in IMPERATIVE_VERBS:
        return f"imperative verb '{m.group(0)}'"
    return None


def date_cue(text: str) -> str | None:
    d = parse_deadline(text, _REFERENCE_DAY)
    return f"date '{d.matched}'" if d.kind in ("date", "relative") and d.matched else None


def cue_of(text: str) -> str | None:
    """The first cue ``text`` carries (will, then imperative verb), or None."""
    return will_cue(text) or imperative_cue(text)
