"""A parser for documents of a shape no bundled parser knows
(``vawg-kg build --source FILE --doc-id ID``), whatever their format: the
format readers (``loaders/readers``) render PDF, Word and HTML as the same
markdown-like text that markdown and plain-text files already are.

It reads, in document order:

* headings — Markdown ``#`` lines, and short title-case or upper-case lines
  standing alone between blank lines (a plain heading sits below the last
  Markdown heading) — which make each commitment's section path;
* lists (``lists.py``): numbered and lettered items are commitments; bulleted
  items are commitments after a lead-in ("We will:", "The Home Office will:");
  a lead-in naming an organisation of the vocabulary gives its items that lead;
  wrapped lines join up to a blank line or the next item;
* tables (``tables.py``): tab-separated rows and markdown pipe tables whose
  header has an action column (and optionally lead, partner and date columns,
  by the names that module lists). Each row is a commitment, its span the
  action cell, hints ``lead``, ``partners`` and ``delivery_date`` from the other
  cells; empty or ``--`` action cells are table filler. A tab table runs to the
  next blank line (a tab row of the wrong width is refused with its line); a
  pipe table to the first line that is not a pipe row. A table without an
  action column is in an unknown layout: its lines are ``unrecognised`` and each
  row is reported;
* undertakings in prose (``prose.py``): "The force will …", "We commit to …" —
  commitments with hint ``confidence: low``.

Every commitment gets ref ``G{n}`` in document order. Everything else is prose
or blank. Any line with a commitment cue (``cues.py``) that no rule claimed is
listed in ``ParsedDocument.uncertain``.
"""

from __future__ import annotations

import re

from vawg_kg.errors import SourceError
from vawg_kg.loaders.deadlines import relative_phrase
from vawg_kg.loaders.parsers import cues, prose
from vawg_kg.loaders.parsers._lines import Builder, Line
from vawg_kg.loaders.parsers.lists import BULLET, NUMBERED, is_lead_in, organisation_subject
from vawg_kg.loaders.parsers.tables import (Layout, has_pipe, is_pipe_row, is_pipe_separator, layout_of, pipe_cells,
                                            tab_cells)
from vawg_kg.loaders.records import LineRole, ParsedDocument
from vawg_kg.loaders.text import clean

__all__ = ["GenericParser", "PARSER", "is_lead_in"]

_MD_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_FILLER = re.compile(r"^[-–—_.\s]*$")
Hints = dict[str, str | list[str]]


class GenericParser:
    shape = "generic"

    def parse(self, text: str, doc_id: str, file: str) -> ParsedDocument:
        return _Reader(Builder(text, doc_id, file)).run()


class _LeadIn:
    def __init__(self, line: Line, text: str, lead: str | None) -> None:
        self.line, self.text, self.lead, self.used = line, text, lead, False


class _Reader:
    def __init__(self, b: Builder) -> None:
        self.b = b
        self.lines = b.lines
        self.headings: list[tuple[int, str]] = []  # (level, title)
        self.count = 0
        self.lead_in: _LeadIn | None = None

    # -- helpers ------------------------------------------------------------

    def section(self) -> tuple[str, ...]:
        return tuple(title for _, title in self.headings)

    def push_heading(self, level: int, title: str) -> None:
        while self.headings and self.headings[-1][0] >= level:
            self.headings.pop()
        self.headings.append((level, title))

    def blank(self, i: int) -> bool:
        return i < 0 or i >= len(self.lines) or self.lines[i].blank

    def is_table_line(self, line: Line) -> bool:
        return "\t" in line.raw.strip() or is_pipe_row(line) or self.bare_pipe_header(line)

    def bare_pipe_header(self, line: Line) -> bool:
        """``a | b`` followed by ``--- | ---``: a pipe table without outer pipes."""
        i = line.number  # the next line's index (numbers are 1-based)
        return has_pipe(line) and i < len(self.lines) and is_pipe_separator(self.lines[i])

    def is_plain_heading(self, i: int) -> bool:
        line = self.lines[i]
        t = line.text
        if not t or len(t) > 80 or t.endswith((".", ":", ";", ",", "?", "!")) or "\t" in line.raw:
            return False
        if not (self.blank(i - 1) and self.blank(i + 1)):
            return False
        if NUMBERED.match(line.raw) or BULLET.match(line.raw) or is_pipe_row(line):
            return False
        words = re.findall(r"[^\W\d_][\w'’-]*", t)
        if not words or not words[0][0].isupper():
            return False
        if t.isupper():
            return True
        significant = [w for w in words if len(w) > 3]
        if not significant:
            return len(words) <= 3
        capitalised = sum(1 for w in significant if w[0].isupper())
        return capitalised / len(significant) >= 0.6

    def commit(self, ranges: list[tuple[int, int]], first: Line, hints: Hints) -> bool:
        """Add a commitment unless its text is empty; say whether it was added."""
        text = clean(" ".join(self.b.source[a:z] for a, z in ranges))
        frags = self.b.fragments(ranges)
        if not text or not frags or not clean(" ".join(self.b.source[a:z] for a, z in frags)):
            return False
        if "delivery_date" not in hints:
            phrase = relative_phrase(text)  # "within six months": counted from publication
            if phrase:
                hints = {**hints, "delivery_date": phrase}
        self.count += 1
        self.b.add(f"G{self.count}", "commitment", ranges, self.section(), hints, first.number)
        return True

    def item_end(self, i: int) -> int:
        """Index after the last line of the list item or paragraph starting at line i."""
        j = i + 1
        while j < len(self.lines):
            line = self.lines[j]
            if line.blank or NUMBERED.match(line.raw) or BULLET.match(line.raw):
                break
            if _MD_HEADING.match(line.raw) or self.is_table_line(line):
                break
            j += 1
        return j

    def end_lead_in(self) -> None:
        """A lead-in that no list followed is reported: its undertakings went nowhere."""
        if self.lead_in is not None and not self.lead_in.used:
            self.b.doubt(self.lead_in.line, self.lead_in.line.start, self.lead_in.text, "lead-in with no list after it")
        self.lead_in = None

    # -- the walk -----------------------------------------------------------

    def run(self) -> ParsedDocument:
        i = 0
        while i < len(self.lines):
            line = self.lines[i]
            if line.blank:
                self.b.claim(line, "blank")
                i += 1
                continue
            m = _MD_HEADING.match(line.raw)
            if m:
                self.end_lead_in()
                title = clean(m.group(2))
                if title:
                    self.push_heading(len(m.group(1)), title)
                self.b.claim(line, "heading")
                i += 1
                continue
            if self.is_table_line(line):
                self.end_lead_in()
                i = self.table(i)
                continue
            numbered = NUMBERED.match(line.raw)
            bullet = BULLET.match(line.raw)
            if numbered or bullet:
                i = self.item(i, numbered or bullet, bool(numbered))
                continue
            self.end_lead_in()
            if self.is_plain_heading(i):
                self.push_heading(7, line.text)
                self.b.claim(line, "heading")
                i += 1
                continue
            i = self.paragraph(i)
        self.end_lead_in()
        return self.b.document()

    def item(self, i: int, marker: re.Match[str] | None, numbered: bool) -> int:
        assert marker is not None
        line = self.lines[i]
        end = self.item_end(i)
        ranges = [(line.start + marker.end(), self.lines[end - 1].end)]
        role: LineRole = "prose"
        if numbered or self.lead_in is not None:
            hints: Hints = {}
            if self.lead_in is not None:
                self.lead_in.used = True
                if self.lead_in.lead:
                    hints["lead"] = self.lead_in.lead
            role = "commitment" if self.commit(ranges, line, hints) else "prose"
        else:
            text = " ".join(self.b.source[a:z] for a, z in ranges)
            cue = cues.cue_of(text)
            if cue:
                self.b.doubt(line, ranges[0][0], text, f"{cue} in a bullet with no lead-in")
        for k in range(i, end):
            self.b.claim(self.lines[k], role)
        return end

    def paragraph(self, i: int) -> int:
        """A prose paragraph: up to a blank line or a line that starts something else."""
        end = self.item_end(i)
        first, last = self.lines[i], self.lines[end - 1]
        text = self.b.source[first.start:last.end]
        spans = prose.sentences(text, first.start)
        lead_in = is_lead_in(clean(text))
        claimed: list[tuple[int, int]] = []
        for n, (a, z) in enumerate(spans):
            sentence = self.b.source[a:z]
            if lead_in and n == len(spans) - 1:
                continue
            where = next(ln for ln in self.lines[i:end] if ln.start <= a <= ln.end or ln is last)
            if prose.is_undertaking(sentence):
                hints: Hints = {"confidence": "low"}
                lead = organisation_subject(sentence)
                if lead:
                    hints["lead"] = lead
                if self.commit([(a, z)], where, hints):
                    claimed.append((a, z))
                    continue
            cue = cues.will_cue(sentence)
            if cue:
                self.b.doubt(where, a, sentence, f"{cue} in prose that is not an undertaking")
        for k in range(i, end):
            ln = self.lines[k]
            on = any(a < max(ln.end, ln.start + 1) and ln.start < z for a, z in claimed)
            self.b.claim(ln, "commitment" if on else "prose")
        if lead_in:
            a, z = spans[-1]
            sentence = self.b.source[a:z]
            where = next(ln for ln in self.lines[i:end] if ln.start <= a <= ln.end or ln is last)
            self.lead_in = _LeadIn(where, sentence, organisation_subject(sentence))
        return end

    # -- tables -------------------------------------------------------------

    def cells(self, line: Line, pipe: bool) -> list[tuple[int, int]]:
        return pipe_cells(line) if pipe else tab_cells(line)

    def text_of(self, cell: tuple[int, int]) -> str:
        return clean(self.b.source[cell[0]:cell[1]])

    def table(self, i: int) -> int:
        header = self.lines[i]
        pipe = (is_pipe_row(header) or self.bare_pipe_header(header)) and "\t" not in header.raw.strip()
        layout = layout_of([self.text_of(c) for c in self.cells(header, pipe)])
        self.b.claim(header, "heading" if layout.action is not None else "unrecognised")
        j = i + 1
        # A tab table runs to the next blank line: a line in it without tabs is a row
        # with one cell (usually a truncated file), not a new paragraph. A pipe table
        # ends at the first line that is not a pipe row.
        while j < len(self.lines) and not self.lines[j].blank and not _MD_HEADING.match(self.lines[j].raw):
            row = self.lines[j]
            if pipe and not has_pipe(row):
                break
            if pipe and is_pipe_separator(row):
                self.b.claim(row, "table-filler")
            elif layout.action is None:
                self.unknown_row(row, pipe)
            else:
                self.row(row, header, layout, pipe)
            j += 1
        return j

    def unknown_row(self, row: Line, pipe: bool) -> None:
        self.b.claim(row, "unrecognised")
        cells = [self.text_of(c) for c in self.cells(row, pipe)]
        if any(cells):
            cue = next((c for c in (cues.cue_of(cell) or cues.date_cue(cell) for cell in cells) if c), None)
            self.b.doubt(row, row.start, " | ".join(cells),
                         "table row in an unknown layout (no action column)" + (f"; {cue}" if cue else ""))

    def row(self, row: Line, header: Line, layout: Layout, pipe: bool) -> None:
        cells = self.cells(row, pipe)
        extra = cells[layout.width:]
        short = len(cells) < layout.width and not pipe
        if short or any(self.text_of(c) for c in extra):
            raise SourceError(
                f"{self.b.file}:{row.number}: table row has {len(cells)} cells but its header "
                f"(line {header.number}) has {layout.width}; "
                + ("the row is incomplete or the file is truncated" if short
                   else f"a cell holds a stray {'|' if pipe else 'tab'} or the row has an extra column")
            )
        texts = [self.text_of(c) for c in cells] + [""] * (layout.width - len(cells))
        hints: Hints = {}
        if layout.lead is not None and texts[layout.lead]:
            hints["lead"] = texts[layout.lead]
        if layout.partner is not None and texts[layout.partner]:
            hints["partners"] = texts[layout.partner]
        if layout.date is not None and texts[layout.date]:
            hints["delivery_date"] = texts[layout.date]
        assert layout.action is not None
        action = texts[layout.action]
        if not _FILLER.match(action) and layout.action < len(cells) and self.commit([cells[layout.action]], row, hints):
            self.b.claim(row, "commitment")
            return
        self.b.claim(row, "table-filler")
        date = cues.date_cue(texts[layout.date]) if layout.date is not None else None
        if date:
            self.b.doubt(row, row.start, " | ".join(texts), f"{date} in a date column of a row with no action")


PARSER = GenericParser()
