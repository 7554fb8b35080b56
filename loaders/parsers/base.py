"""The one small interface every document parser implements."""

from __future__ import annotations

from typing import Protocol

from vawg_kg.loaders.records import ParsedDocument


class DocumentParser(Protocol):
    """Source text in, statements with checked offsets out.

    ``shape`` names the document layout the parser reads (e.g. ``hmg-2016``).
    ``parse`` must raise ``SourceError`` naming file and line for input it
    cannot read, and must never return a statement whose span does not slice
    back to its text.
    """

    shape: str

    def parse(self, text: str, doc_id: str, file: str) -> ParsedDocument: ...
