"""Line bookkeeping shared by the document parsers.

A parser walks the source line by line, gives every line a role, and builds
statements from (start, end) ranges of the raw file. ``Builder`` keeps the
two honest: a statement's text is always ``text_of_fragments`` of its
fragments (the provenance rule), and a line can be claimed only once.
"""

from __future__ import annotations

from dataclasses import dataclass

from vawg_kg.errors import SourceError
from vawg_kg.loaders.records import LineRole, ParsedDocument, ParsedStatement, SourceSpan, StatementKind
from vawg_kg.loaders.text import clean, text_of_fragments

# Characters a statement's span should not start or end on: whitespace, list
# markers and bullet glyphs. Trimming them keeps TextQuoteSelectors tidy; the
# text is the same either way because clean() drops them.
_EDGE = " \t\r\n\u00a0\ufffd\u2022\u25cf\u25aa"


@dataclass(frozen=True)
class Line:
    number: int  # 1-based
    start: int  # offset of the first character
    end: int  # offset of the newline (exclusive end of the content)
    raw: str

    @property
    def text(self) -> str:
        return str(clean(self.raw))

    @property
    def blank(self) -> bool:
        return not self.text


def split_lines(source: str) -> list[Line]:
    """The lines as ``str.splitlines`` counts them, with their offsets.

    Using Python's own notion of a line (``\\r\\n``, lone ``\\r``, form feed,
    U+2028 ...) keeps the line numbers of the coverage report equal to
    ``len(source.splitlines())``.
    """
    lines: list[Line] = []
    pos = 0
    for number, piece in enumerate(source.splitlines(keepends=True), start=1):
        raw = piece.splitlines()[0] if piece.splitlines() else ""
        lines.append(Line(number, pos, pos + len(raw), raw))
        pos += len(piece)
    return lines


def trim(source: str, start: int, end: int) -> tuple[int, int]:
    """Shrink (start, end) past edge whitespace and glyphs."""
    while start < end and source[start] in _EDGE:
        start += 1
    while end > start and source[end - 1] in _EDGE:
        end -= 1
    return start, end


class Builder:
    """Accumulates statements and line roles for one document."""

    def __init__(self, source: str, doc_id: str, file: str) -> None:
        self.source = source
        self.doc_id = doc_id
        self.file = file
        self.lines = split_lines(source)
        self.statements: list[ParsedStatement] = []
        self.roles: dict[int, LineRole] = {}
        self._refs: set[str] = set()

    def claim(self, line: Line | int, role: LineRole) -> None:
        number = line if isinstance(line, int) else line.number
        self.roles[number] = role

    def claim_blank_or(self, line: Line, role: LineRole) -> None:
        self.claim(line, "blank" if line.blank else role)

    def fragments(self, ranges: list[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
        out: list[tuple[int, int]] = []
        for a, b in ranges:
            a, b = trim(self.source, a, b)
            if a < b:
                out.append((a, b))
        return tuple(out)

    def add(
        self,
        ref: str,
        kind: StatementKind,
        ranges: list[tuple[int, int]],
        section: tuple[str, ...],
        hints: dict[str, str | list[str]] | None = None,
        line_for_errors: int | None = None,
    ) -> ParsedStatement:
        frags = self.fragments(ranges)
        where = f"{self.file}:{line_for_errors}" if line_for_errors else self.file
        if not frags:
            raise SourceError(f"{where}: statement {ref} has no text")
        if ref in self._refs:
            raise SourceError(f"{where}: duplicate ref {ref} in {self.doc_id}")
        self._refs.add(ref)
        span = SourceSpan(self.file, frags)
        stmt = ParsedStatement(
            doc_id=self.doc_id,
            ref=ref,
            kind=kind,
            text=text_of_fragments(self.source, frags),
            section=section,
            span=span,
            hints=dict(hints or {}),
        )
        stmt.check_against(self.source)
        self.statements.append(stmt)
        return stmt

    def document(self) -> ParsedDocument:
        missing = [ln.number for ln in self.lines if ln.number not in self.roles]
        if missing:
            raise SourceError(
                f"{self.file}:{missing[0]}: the parser did not account for {len(missing)} line(s) "
                f"(first: line {missing[0]})"
            )
        return ParsedDocument(self.doc_id, self.file, self.statements, dict(sorted(self.roles.items())))
