"""PDF files (pdfplumber): the text layer, page by page, in reading order. No OCR.

Per page, top to bottom: ruled tables (``find_tables``, which needs the cell
borders drawn) become one tab-separated line per row; the remaining text lines
become headings (set larger than the body text, the most common size), list
items (a text marker — ``•``, ``-``, ``1.``, ``(a)`` — or a drawn bullet at the
line's left, as browsers print them), or paragraphs (lines closer together
than half a line join up). One column only: a page set in columns is read
across. A PDF with no text layer at all (scanned images) is refused, saying so.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from pathlib import Path
from typing import Any

import pdfplumber
from pdfplumber.utils.exceptions import MalformedPDFException, PdfminerException

from vawg_kg.errors import SourceError
from vawg_kg.loaders.readers.extracted import Extracted, Rendering

_TEXT_MARKER = re.compile(r"^(?:[•●▪◦\u2013\u2014-]|\d{1,3}[.)]|\((?:\d{1,3}|[a-z]{1,2}|[ivxlc]{1,6})\))\s+")
_HEADING_RATIO = 1.15
_BULLET_MAX = 8.0  # points: a drawn bullet is a small square-ish shape
_BULLET_REACH = 30.0  # points left of the text where its bullet may sit


def _size(line: dict[str, Any]) -> float:
    sizes = [round(float(c["size"]), 1) for c in line["chars"] if str(c["text"]).strip()]
    return statistics.median(sizes) if sizes else 0.0


def _inside(obj: dict[str, Any], box: tuple[float, float, float, float]) -> bool:
    x0, top, x1, bottom = box
    cx = (float(obj["x0"]) + float(obj["x1"])) / 2
    cy = (float(obj["top"]) + float(obj["bottom"])) / 2
    return x0 <= cx <= x1 and top <= cy <= bottom


class _Page:
    def __init__(self, page: Any) -> None:
        self.tables = page.find_tables()
        boxes = [t.bbox for t in self.tables]
        outside = page.filter(lambda o: not any(_inside(o, b) for b in boxes)) if boxes else page
        self.lines: list[dict[str, Any]] = outside.extract_text_lines(return_chars=True)
        self.bullets = [o for o in [*page.curves, *page.rects]
                        if float(o["width"]) <= _BULLET_MAX and float(o["height"]) <= _BULLET_MAX
                        and not any(_inside(o, b) for b in boxes)]

    def drawn_bullet(self, line: dict[str, Any]) -> bool:
        x0, top, bottom = float(line["x0"]), float(line["top"]), float(line["bottom"])
        for b in self.bullets:
            cy = (float(b["top"]) + float(b["bottom"])) / 2
            if x0 - _BULLET_REACH <= float(b["x0"]) and float(b["x1"]) <= x0 and top <= cy <= bottom:
                return True
        return False


def _open_pages(path: Path) -> list[_Page]:
    try:
        with pdfplumber.open(str(path)) as pdf:
            return [_Page(page) for page in pdf.pages]
    except (PdfminerException, MalformedPDFException) as exc:
        raise SourceError(f"{path}: cannot be read as a PDF ({exc}); is it a complete, unencrypted PDF?",
                          file=str(path)) from None


def read(path: Path) -> Extracted:
    pages = _open_pages(path)
    chars = Counter(round(float(c["size"]), 1) for p in pages for line in p.lines for c in line["chars"]
                    if str(c["text"]).strip())
    table_count = sum(len(p.tables) for p in pages)
    if not chars and not table_count:
        raise SourceError(
            f"{path}: the PDF has no text layer ({len(pages)} page(s) of images only — a scanned document?). "
            "vawg-kg does no OCR: give the Word or web original, or run the PDF through OCR software "
            "(e.g. ocrmypdf) first.", file=str(path))
    body = chars.most_common(1)[0][0] if chars else 0.0
    heading_sizes = sorted({s for s in chars if s >= body * _HEADING_RATIO}, reverse=True)
    out = Rendering()
    for page in pages:
        out.page()
        _render_page(page, out, body, heading_sizes)
    return Extracted(out.text(), "pdf", tuple(out.page_starts))


def _render_page(page: _Page, out: Rendering, body: float, heading_sizes: list[float]) -> None:
    items: list[tuple[float, int, Any]] = [(float(line["top"]), 1, line) for line in page.lines]
    items += [(float(t.bbox[1]), 0, t) for t in page.tables]
    block: list[str] = []
    kind: tuple[str, Any] = ("", None)  # ("heading", level) / ("item", marker) / ("paragraph", None)
    last_bottom, last_height = 0.0, 0.0

    def flush() -> None:
        if block:
            text = " ".join(block)
            if kind[0] == "heading":
                out.heading(int(kind[1]), text)
            elif kind[0] == "item":
                out.item(str(kind[1]), text)
            else:
                out.end_block()
                out.paragraph(text)
        block.clear()

    for _, is_line, obj in sorted(items, key=lambda t: (t[0], t[1])):
        if not is_line:
            flush()
            kind = ("", None)
            out.end_block()
            for row in obj.extract():
                out.row([cell or "" for cell in row])
            out.end_block()
            continue
        text = str(obj["text"]).strip()
        if not text:
            continue
        size, top, bottom = _size(obj), float(obj["top"]), float(obj["bottom"])
        height = max(bottom - top, 1.0)
        close = bool(block) and top - last_bottom < 0.5 * max(height, last_height)
        marker = _TEXT_MARKER.match(text)
        if size in heading_sizes:
            this: tuple[str, Any] = ("heading", heading_sizes.index(size) + 1)
        elif marker or page.drawn_bullet(obj):
            this = ("item", marker.group(0).strip() if marker else "-")
            text = text[marker.end():] if marker else text
        else:
            this = ("paragraph", None)
        # a heading goes on at the same size; a marked item never joins; an unmarked line
        # continues the paragraph or item above it
        joins = close and ((this[0] == "heading" and this == kind)
                           or (this[0] == "paragraph" and kind[0] in ("paragraph", "item")))
        if not joins:
            flush()
            kind = this
        block.append(text)
        last_bottom, last_height = bottom, height
    flush()
