"""What a format reader gives back, and the builder the rendering readers share."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Extracted:
    """A document as text: ``text`` is what the parsers read and offsets count into.

    ``format`` is one of pdf, docx, html, markdown, text; ``page_starts`` the
    offset of each page's first character (PDF), in page order.
    """

    text: str
    format: str
    page_starts: tuple[int, ...] = ()


def one_line(text: str) -> str:
    """A cell or paragraph on one line: every run of whitespace (tabs, newlines) becomes one space."""
    return _SPACE.sub(" ", text).strip()


@dataclass
class Rendering:
    """Blocks appended in reading order, joined with blank lines between blocks.

    ``heading``, ``paragraph``, ``item`` and ``row`` write the markdown-like
    forms the generic parser reads; ``page`` marks where a new page starts.
    """

    parts: list[str] = field(default_factory=list)
    page_starts: list[int] = field(default_factory=list)
    _length: int = 0
    _in_block: str = ""  # "list" or "table" while consecutive items/rows are written

    def _write(self, line: str, block: str) -> None:
        if self.parts and (block != self._in_block or not block):
            self._append("\n")  # a blank line between blocks
        self._append(line + "\n")
        self._in_block = block

    def _append(self, s: str) -> None:
        self.parts.append(s)
        self._length += len(s)

    def page(self) -> None:
        """The next text written starts a new page (a list or table may carry on across it)."""
        self.page_starts.append(self._length)

    def heading(self, level: int, text: str) -> None:
        text = one_line(text)
        if text:
            self._write("#" * max(1, min(level, 6)) + " " + text, "")

    def paragraph(self, text: str) -> None:
        text = one_line(text)
        if text:
            self._write(text, "")

    def item(self, marker: str, text: str) -> None:
        text = one_line(text)
        if text:
            self._write(f"{marker} {text}", "list")

    def row(self, cells: list[str]) -> None:
        cells = [one_line(c) for c in cells]
        if any(cells):
            self._write("\t".join(cells), "table")

    def end_block(self) -> None:
        self._in_block = ""

    def text(self) -> str:
        return "".join(self.parts)
