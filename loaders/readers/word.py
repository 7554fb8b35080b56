"""Word ``.docx`` files (python-docx): paragraphs and tables in document order.

Paragraph styles say what a paragraph is: ``Title`` and ``Heading N`` become
``#`` headings; ``List Bullet…`` and bulleted numbering ``-`` items; ``List
Number…`` and other numbering ``1.`` items (lettered numbering ``(a)``); every
table row one tab-separated line of its cells. Legacy ``.doc`` files are
refused (save as .docx).
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import Any

import docx
from docx.opc.exceptions import OpcError
from docx.table import Table
from docx.text.paragraph import Paragraph

from vawg_kg.errors import SourceError
from vawg_kg.loaders.readers.extracted import Extracted, Rendering

_HEADING_STYLE = re.compile(r"^heading\s*(\d)$", re.IGNORECASE)
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _numbering_formats(document: Any) -> dict[tuple[str, str], str]:
    """(numId, ilvl) → numFmt ("bullet", "decimal", "lowerLetter" …) from the numbering part."""
    try:
        numbering = document.part.numbering_part.element
    except (KeyError, NotImplementedError, AttributeError):
        return {}
    abstract: dict[str, dict[str, str]] = {}
    for a in numbering.findall(f"{_W}abstractNum"):
        levels = {}
        for lvl in a.findall(f"{_W}lvl"):
            fmt = lvl.find(f"{_W}numFmt")
            levels[lvl.get(f"{_W}ilvl", "0")] = fmt.get(f"{_W}val", "decimal") if fmt is not None else "decimal"
        abstract[a.get(f"{_W}abstractNumId", "")] = levels
    out: dict[tuple[str, str], str] = {}
    for num in numbering.findall(f"{_W}num"):
        ref = num.find(f"{_W}abstractNumId")
        levels = abstract.get(ref.get(f"{_W}val", "") if ref is not None else "", {})
        for ilvl, fmt in levels.items():
            out[(num.get(f"{_W}numId", ""), ilvl)] = fmt
    return out


class _Lists:
    def __init__(self, formats: dict[tuple[str, str], str]) -> None:
        self.formats = formats
        self.counters: dict[tuple[str, str], int] = {}

    def marker(self, paragraph: Paragraph) -> str | None:
        style = (paragraph.style.name if paragraph.style is not None else "") or ""
        ppr: Any = paragraph._p.pPr
        num_pr: Any = ppr.numPr if ppr is not None else None
        key = ("style:" + style, "0")
        fmt = None
        if num_pr is not None and num_pr.numId is not None:
            ilvl = str(num_pr.ilvl.val) if num_pr.ilvl is not None else "0"
            key = (str(num_pr.numId.val), ilvl)
            fmt = self.formats.get(key)
        lowered = style.lower()
        if fmt is None:
            if lowered.startswith("list bullet"):
                fmt = "bullet"
            elif lowered.startswith("list number"):
                fmt = "decimal"
            elif num_pr is not None:
                fmt = "decimal"
            else:
                return None
        if fmt in ("bullet", "none"):
            return "-"
        n = self.counters.get(key, 0) + 1
        self.counters[key] = n
        if fmt in ("lowerLetter", "upperLetter"):
            return f"({chr(ord('a') + (n - 1) % 26)})"
        return f"{n}."

    def reset(self) -> None:
        self.counters.clear()


def read(path: Path) -> Extracted:
    try:
        document = docx.Document(str(path))
    except (OpcError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise SourceError(f"{path}: cannot be read as a Word .docx file ({type(exc).__name__}: {exc}); "
                          "is it a .docx saved by Word or LibreOffice?", file=str(path)) from None
    out = Rendering()
    lists = _Lists(_numbering_formats(document))
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            out.end_block()
            lists.reset()
            for row in block.rows:
                out.row([cell.text for cell in row.cells])
            out.end_block()
            continue
        assert isinstance(block, Paragraph)
        text = block.text
        if not text.strip():
            continue
        style = (block.style.name if block.style is not None else "") or ""
        heading = _HEADING_STYLE.match(style)
        if heading or style.lower() == "title":
            lists.reset()
            out.heading(int(heading.group(1)) if heading else 1, text)
            continue
        marker = lists.marker(block)
        if marker is not None:
            out.item(marker, text)
        else:
            lists.reset()
            out.paragraph(text)
    result = out.text()
    if not result.strip():
        raise SourceError(f"{path}: the Word document has no text", file=str(path))
    return Extracted(result, "docx")
