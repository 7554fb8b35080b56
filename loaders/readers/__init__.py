"""Format readers: a published file (PDF, Word, HTML, markdown, plain text) → text lines.

A reader turns a file into :class:`Extracted` text; the parsers then find
commitments in that text's lines. Readers never look for commitments, parsers
never open a file. The extracted text is a plain, markdown-like rendering of
the document — ``#`` headings, ``-`` bullets, ``1.`` numbered items, one
tab-separated line per table row, a blank line between blocks — and it is the
text that provenance offsets count into. Markdown and plain text are their own
extracted text (read byte-for-byte by ``source_io.read_source``); PDF, Word and
HTML are rendered, and the build keeps the original file beside the rendering.

``Extracted.page_starts`` (PDF only) holds the offset at which each page's text
begins, so a span's page(s) are found from its offsets (:func:`pages_of`).
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from vawg_kg.errors import SourceError
from vawg_kg.loaders.readers import html_page, pdf, plain, word
from vawg_kg.loaders.readers.extracted import Extracted

__all__ = ["Extracted", "FORMATS", "format_of", "pages_of", "read_document", "RENDERED_FORMATS"]


@dataclass(frozen=True)
class _Format:
    name: str
    read: Callable[[Path], Extracted]


# File suffix → format. Anything not listed is read as plain UTF-8 text.
FORMATS: dict[str, _Format] = {
    ".pdf": _Format("pdf", pdf.read),
    ".docx": _Format("docx", word.read),
    ".html": _Format("html", html_page.read),
    ".htm": _Format("html", html_page.read),
    ".xhtml": _Format("html", html_page.read),
    ".md": _Format("markdown", plain.read_markdown),
    ".markdown": _Format("markdown", plain.read_markdown),
}
# Formats whose extracted text is a rendering, not the file itself.
RENDERED_FORMATS = frozenset({"pdf", "docx", "html"})


def format_of(path: Path) -> str:
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is not None:
        return fmt.name
    if path.suffix.lower() == ".doc":
        raise SourceError(f"{path}: a legacy Word .doc file cannot be read; save it as .docx and try again",
                          file=str(path))
    return "text"


def read_document(path: Path) -> Extracted:
    """The text of ``path`` in its format, or ``SourceError`` naming the file and what is wrong."""
    fmt = FORMATS.get(path.suffix.lower())
    format_of(path)  # refuses .doc with its own message
    if not path.exists():
        raise SourceError(f"{path}: no such file", file=str(path))
    if fmt is None:
        return plain.read_text(path)
    return fmt.read(path)


def pages_of(page_starts: tuple[int, ...], fragments: tuple[tuple[int, int], ...]) -> tuple[int, ...]:
    """The 1-based pages the (start, end) fragments fall on; empty when the text has no pages."""
    if not page_starts:
        return ()
    pages: set[int] = set()
    for start, end in fragments:
        first = bisect.bisect_right(page_starts, start)
        last = bisect.bisect_right(page_starts, max(start, end - 1))
        pages.update(range(max(first, 1), max(last, 1) + 1))
    return tuple(sorted(pages))
