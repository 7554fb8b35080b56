"""Value objects that flow from the parsers to the RDF emitter.

A parser turns source text into ``ParsedDocument``: commitments and other
statements, each with validated character spans. Enrichment (leads, partners,
deadlines, legislation, themes, outcome codes) happens later, in one place,
for every document shape alike.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Literal

from vawg_kg.errors import SourceError
from vawg_kg.loaders.text import text_of_fragments


@dataclass(frozen=True)
class SourceSpan:
    """Where a statement sits in its bundled file.

    ``fragments`` are the (start, end) code-point ranges whose cleaned text,
    joined, is the statement; they are in order and do not overlap. More than
    one fragment means the statement was interrupted (a PDF running header,
    page number or footnote between wrapped lines) and the interruption is
    not part of it. ``start``/``end`` are the first fragment's start and the
    last fragment's end.
    """

    file: str
    fragments: tuple[tuple[int, int], ...]
    pages: tuple[int, ...] = ()  # 1-based pages of a PDF the fragments fall on; empty for other formats

    def __post_init__(self) -> None:
        if not self.fragments:
            raise ValueError("a span needs at least one fragment")
        previous_end = -1
        for start, end in self.fragments:
            if start < 0 or end < start or start < previous_end:
                raise ValueError(f"impossible fragment ({start}, {end}) in {self.file}")
            previous_end = end

    @property
    def start(self) -> int:
        return self.fragments[0][0]

    @property
    def end(self) -> int:
        return self.fragments[-1][1]

    def text_in(self, source: str) -> str:
        return text_of_fragments(source, self.fragments)

    def digest(self) -> str:
        key = f"{self.file}:{self.fragments}".encode()
        return hashlib.sha256(key).hexdigest()[:16]

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {"file": self.file, "start": self.start, "end": self.end}
        if len(self.fragments) > 1:
            out["fragments"] = [list(f) for f in self.fragments]
        if self.pages:
            out["pages"] = list(self.pages)
        return out


StatementKind = Literal["commitment", "outcome", "aim", "priority", "pillar"]


@dataclass
class ParsedStatement:
    """One statement a parser found: a commitment, or structure around it.

    ``ref`` is the document's own numbering where it has one, or a stable ref
    of the parser's making (documented in the parser module). ``section`` is
    the heading path from the document root. ``hints`` carries what the
    document's layout says directly (strand, theme, pillar, priority, lead
    column, delivery date column, CPS 2020 objectives, quoted HMG actions...);
    keys are documented in docs/data-model.md.
    """

    doc_id: str
    ref: str
    kind: StatementKind
    text: str
    section: tuple[str, ...]
    span: SourceSpan
    hints: dict[str, str | list[str]] = field(default_factory=dict)

    def check_against(self, source: str) -> None:
        got = self.span.text_in(source)
        if got != self.text:
            raise SourceError(
                f"{self.span.file}: statement {self.ref} text does not match its span "
                f"{self.span.start}-{self.span.end}: {got[:60]!r} != {self.text[:60]!r}"
            )


LineRole = Literal["commitment", "heading", "outcome", "prose", "boilerplate", "blank", "table-filler",
                   "unrecognised"]


@dataclass(frozen=True)
class UncertainLine:
    """A line (or table cell) with a commitment cue that no rule turned into a commitment.

    ``cue`` says what looked like a commitment ("will", "imperative verb", "date in a
    date column", "table row in an unknown layout", ...); the build lists these in its
    report and prints them as warnings, so nothing is dropped without a word.
    """

    line: int  # 1-based
    start: int  # offset of the line (or cell) in the source text
    text: str
    cue: str


@dataclass
class ParsedDocument:
    doc_id: str
    file: str
    statements: list[ParsedStatement]
    # 1-based line number → role, for the coverage report. Every line of the
    # file must be claimed by exactly one role.
    line_roles: dict[int, LineRole] = field(default_factory=dict)
    uncertain: list[UncertainLine] = field(default_factory=list)

    @property
    def commitments(self) -> list[ParsedStatement]:
        return [s for s in self.statements if s.kind == "commitment"]

    def unclaimed_lines(self, total_lines: int) -> list[int]:
        return [n for n in range(1, total_lines + 1) if n not in self.line_roles]
