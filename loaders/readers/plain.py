"""Markdown and plain text: the file is its own extracted text (pipe tables are read by the parser)."""

from __future__ import annotations

from pathlib import Path

from vawg_kg.loaders.readers.extracted import Extracted
from vawg_kg.loaders.source_io import read_source


def read_text(path: Path) -> Extracted:
    return Extracted(read_source(path), "text")


def read_markdown(path: Path) -> Extracted:
    return Extracted(read_source(path), "markdown")
