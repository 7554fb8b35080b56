"""HTML pages (stdlib ``html.parser``): headings, paragraphs, lists and ``<table>``s, in document order.

``<h1>``–``<h6>`` become ``#`` headings; ``<ul>`` items ``-`` bullets and ``<ol>``
items ``1.`` (or ``(a)`` for ``type="a"`` / ``lower-alpha``) numbered items, nested
items included; every ``<tr>`` one tab-separated line of its ``<th>``/``<td>``
cells; any other text (``<p>``, ``<div>``, bare text) a paragraph. ``<script>``,
``<style>``, ``<head>``, ``<nav>``, ``<template>`` and ``<noscript>`` are skipped.
"""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

from vawg_kg.errors import SourceError
from vawg_kg.loaders.readers.extracted import Extracted, Rendering
from vawg_kg.loaders.source_io import read_source

_SKIP = frozenset({"script", "style", "head", "nav", "template", "noscript", "svg"})
_BLOCKS = frozenset({"p", "div", "section", "article", "main", "header", "footer", "aside", "blockquote",
                     "figure", "figcaption", "dl", "dt", "dd", "pre", "address", "caption", "body", "html",
                     "form", "fieldset", "hr"})
_HEADINGS = {f"h{n}": n for n in range(1, 7)}
_VOID = frozenset({"br", "img", "hr", "input", "meta", "link", "wbr", "col", "area", "base", "source"})


def _alpha(n: int) -> str:
    out = ""
    while n > 0:
        n, r = divmod(n - 1, 26)
        out = chr(ord("a") + r) + out
    return out


class _Walker(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out = Rendering()
        self.buffer: list[str] = []
        self.skip = 0
        self.heading: int | None = None
        self.lists: list[tuple[str, int]] = []  # (kind "ul"/"ol-1"/"ol-a", next number)
        self.item_open = False
        self.cell: list[str] | None = None
        self.row: list[str] | None = None
        self.tables = 0

    # -- flushing -------------------------------------------------------------

    def text(self) -> str:
        joined = "".join(self.buffer)
        self.buffer = []
        return joined

    def flush(self) -> None:
        """Write whatever text is pending as the block it belongs to."""
        if self.cell is not None:
            return  # text inside a table cell stays in the cell
        pending = self.text()
        if not pending.strip():
            return
        if self.heading is not None:
            self.out.heading(self.heading, pending)
        elif self.item_open and self.lists:
            kind, number = self.lists[-1]
            marker = "-" if kind == "ul" else (f"({_alpha(number)})" if kind == "ol-a" else f"{number}.")
            self.lists[-1] = (kind, number + 1)
            self.out.item(marker, pending)
            self.item_open = False
        else:
            self.out.paragraph(pending)

    # -- tags -----------------------------------------------------------------

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self.skip += 1
            return
        if self.skip:
            return
        a = {k: (v or "") for k, v in attrs}
        if tag == "br":
            self.buffer.append(" ")
        elif tag in _HEADINGS and self.cell is None:
            self.flush()
            self.heading = _HEADINGS[tag]
        elif tag in ("ul", "ol"):
            self.flush()
            alpha = a.get("type", "") in ("a", "A") or "alpha" in a.get("style", "")
            kind = "ul" if tag == "ul" else ("ol-a" if alpha else "ol-1")
            start = a.get("start", "1")
            self.lists.append((kind, int(start) if start.isdigit() else 1))
        elif tag == "li":
            self.flush()
            self.item_open = True
        elif tag == "table":
            self.flush()
            self.out.end_block()
            self.tables += 1
        elif tag == "tr":
            self.row = []
        elif tag in ("td", "th"):
            self.flush()
            self.cell = []
        elif tag in _BLOCKS:
            self.flush()

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self.skip = max(0, self.skip - 1)
            return
        if self.skip:
            return
        if tag in _HEADINGS and self.heading is not None:
            self.flush()
            self.heading = None
        elif tag in ("ul", "ol"):
            self.flush()
            if self.lists:
                self.lists.pop()
            if not self.lists:
                self.out.end_block()  # a nested list's end does not end the outer one
        elif tag == "li":
            self.flush()
            self.item_open = False
        elif tag in ("td", "th") and self.cell is not None:
            if self.row is not None:
                self.row.append("".join(self.cell))
            self.cell = None
        elif tag == "tr" and self.row is not None:
            self.out.row(self.row)
            self.row = None
        elif tag == "table":
            self.out.end_block()
        elif tag in _BLOCKS:
            self.flush()

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        if self.cell is not None:
            self.cell.append(data)
        else:
            self.buffer.append(data)


def read(path: Path) -> Extracted:
    markup = read_source(path)
    walker = _Walker()
    try:
        walker.feed(markup)
        walker.close()
    except AssertionError as exc:  # html.parser's only failure mode on malformed declarations
        raise SourceError(f"{path}: cannot be read as HTML ({exc})", file=str(path)) from None
    walker.flush()
    text = walker.out.text()
    if not text.strip():
        raise SourceError(f"{path}: the HTML page has no text (nothing outside scripts and styles)", file=str(path))
    return Extracted(text, "html")
