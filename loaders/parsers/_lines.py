"""Line bookkeeping shared by the document parsers.

A parser walks the source line by line, gives every line a role, and builds
statements from (start, end) ranges of the raw file. ``Builder`` keeps the
two honest: a statement's text is always ``text_of_fragments`` of its
fragments (the provenance rule), and a line can be claimed only once.

The HMG 2016 and CPS 2017 parsers predate this module and number lines at
``\\n`` only and trim spans at ``str.isspace`` only; ``Builder``'s ``lines``
and ``edge`` arguments keep their spans and line numbers as they were.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from vawg_kg.errors import SourceError
from vawg_kg.loaders.records import (LineRole, ParsedDocument, ParsedStatement, SourceSpan, StatementKind,
                                     UncertainLine)
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


def split_lf_lines(source: str) -> list[Line]:
    """The lines between ``\\n`` characters, as ``text.line_starts`` counts them.

    A final newline opens one more (empty) line; ``\\r``, form feeds and
    U+2028 stay inside ``raw``.
    """
    lines: list[Line] = []
    pos = 0
    for number, raw in enumerate(source.split("\n"), start=1):
        lines.append(Line(number, pos, pos + len(raw), raw))
        pos += len(raw) + 1
    return lines


def split_ranges(text: str, start: int, sep: str = "\t") -> list[tuple[int, int]]:
    """File offsets of the pieces of ``text.split(sep)``, untrimmed; ``text`` sits at ``start``."""
    out: list[tuple[int, int]] = []
    pos = start
    for piece in text.split(sep):
        out.append((pos, pos + len(piece)))
        pos += len(piece) + len(sep)
    return out


def is_edge(ch: str) -> bool:
    return ch in _EDGE


def trim(source: str, start: int, end: int, edge: Callable[[str], bool] = is_edge) -> tuple[int, int]:
    """Shrink (start, end) past characters ``edge`` accepts (by default whitespace and glyphs)."""
    while start < end and edge(source[start]):
        start += 1
    while end > start and edge(source[end - 1]):
        end -= 1
    return start, end


class Builder:
    """Accumulates statements and line roles for one document.

    ``lines`` cuts the source into lines, ``edge`` says which characters a
    span is trimmed past, and ``require_text`` refuses a statement whose
    cleaned text is empty (markup only) as well as one with no characters.
    """

    def __init__(
        self,
        source: str,
        doc_id: str,
        file: str,
        *,
        lines: Callable[[str], list[Line]] = split_lines,
        edge: Callable[[str], bool] = is_edge,
        require_text: bool = False,
    ) -> None:
        self.source = source
        self.doc_id = doc_id
        self.file = file
        self.lines = lines(source)
        self.edge = edge
        self.require_text = require_text
        self.statements: list[ParsedStatement] = []
        self.roles: dict[int, LineRole] = {}
        self._refs: set[str] = set()
        self.uncertain: list[UncertainLine] = []

    def doubt(self, line: Line, start: int, text: str, cue: str) -> None:
        """Record that ``text`` (at ``start``, on ``line``) looks like a commitment no rule claimed."""
        self.uncertain.append(UncertainLine(line.number, start, clean(text), cue))

    def claim(self, line: Line | int, role: LineRole) -> None:
        number = line if isinstance(line, int) else line.number
        self.roles[number] = role

    def claim_blank_or(self, line: Line, role: LineRole) -> None:
        self.claim(line, "blank" if line.blank else role)

    def error(self, line: int, what: str) -> SourceError:
        """A ``SourceError`` for ``line`` whose details carry file and line."""
        return SourceError(f"{self.file}:{line}: {what}", file=self.file, line=line)

    def fragments(self, ranges: list[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
        out: list[tuple[int, int]] = []
        for a, b in ranges:
            a, b = trim(self.source, a, b, self.edge)
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
        text = text_of_fragments(self.source, frags)
        where = f"{self.file}:{line_for_errors}" if line_for_errors else self.file
        if not frags or (self.require_text and not text):
            raise SourceError(f"{where}: statement {ref} has no text")
        if ref in self._refs:
            raise SourceError(f"{where}: duplicate ref {ref} in {self.doc_id}")
        self._refs.add(ref)
        span = SourceSpan(self.file, frags)
        stmt = ParsedStatement(
            doc_id=self.doc_id,
            ref=ref,
            kind=kind,
            text=text,
            section=section,
            span=span,
            hints=dict(hints or {}),
        )
        stmt.check_against(self.source)
        self.statements.append(stmt)
        return stmt

    def extend(self, stmt: ParsedStatement, start: int, end: int) -> None:
        """Add (start, end), trimmed, to a statement already added: a wrapped item's next line."""
        frags = stmt.span.fragments + self.fragments([(start, end)])
        stmt.span = SourceSpan(self.file, frags)
        stmt.text = text_of_fragments(self.source, frags)

    def document(self) -> ParsedDocument:
        missing = [ln.number for ln in self.lines if ln.number not in self.roles]
        if missing:
            raise SourceError(
                f"{self.file}:{missing[0]}: the parser did not account for {len(missing)} line(s) "
                f"(first: line {missing[0]})"
            )
        return ParsedDocument(self.doc_id, self.file, self.statements, dict(sorted(self.roles.items())),
                              sorted(self.uncertain, key=lambda u: (u.line, u.start)))
