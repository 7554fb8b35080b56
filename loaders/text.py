"""The one normalisation used everywhere a source slice becomes record text.

The provenance rule: for every record, joining ``clean(source[a:b])`` over the
record's fragments with single spaces, then collapsing whitespace, gives exactly
the record's ``text``. Offsets are counted in Unicode code points of the file
decoded as UTF-8 (Python ``str`` indices), as Web Annotation
``oa:TextPositionSelector`` requires.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# Inline markup left by the PDF → Markdown/HTML conversions, and the PDF bullet glyph.
_MARKUP = re.compile(r"</?(?:b|i|strong|em|u|sup|sub)>|\*\*|\uFFFD|\u2022|\u25CF|\u25AA")
_SPACE = re.compile(r"\s+")


def clean(raw: str) -> str:
    """Strip inline markup and bullet glyphs, collapse whitespace, trim."""
    return _SPACE.sub(" ", _MARKUP.sub(" ", raw)).strip()


def text_of_fragments(source: str, fragments: Iterable[tuple[int, int]]) -> str:
    """The record text implied by a list of (start, end) fragments of ``source``."""
    return clean(" ".join(source[a:b] for a, b in fragments))


def line_starts(source: str) -> list[int]:
    """Offset of the first character of each line (line 1 is index 0)."""
    starts = [0]
    for i, ch in enumerate(source):
        if ch == "\n":
            starts.append(i + 1)
    return starts


def line_of(starts: list[int], offset: int) -> int:
    """1-based line number containing ``offset``."""
    import bisect

    return bisect.bisect_right(starts, offset)
