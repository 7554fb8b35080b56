"""A parser for documents of a shape no bundled parser knows
(``vawg-kg build --source FILE --doc-id ID``).

It reads the three layouts commitments usually come in, and nothing else:

* numbered lists — ``1.``, ``1)``, ``(a)``, ``(iv)``, ``(2)`` items, each a
  commitment, wrapped lines joined up to a blank line or the next item;
* bulleted lists (``-``, ``*``, ``•``, ``●``, ``▪``, ``–``, ``�``) that follow a
  lead-in ending in ":" which says what will be done ("We will:", "The
  Department commits to:", "Actions:" ...); bullets without such a lead-in
  are prose;
* tab-separated tables whose header row has an action column (ACTION,
  Action(s), Commitment(s), "What we will do") and optionally a lead column
  (LEAD, Lead, Owner, Responsible, Who) and a date column (DATE, Deadline,
  Timing(s), Delivery date, By when, When): each row is a commitment, its
  span the action cell, hints ``lead`` and ``delivery_date`` from the other
  cells; empty or ``--`` action cells are table filler. The table runs to
  the next blank line; a row with a different number of cells than its
  header is refused with its line.

Headings — Markdown ``#`` lines, and short title-case or upper-case lines
standing alone between blank lines — make the section path (a plain heading
sits below the last Markdown heading). Every commitment gets ref ``G{n}``
in document order. Everything else is prose; blank lines are blank.
"""

from __future__ import annotations

import re

from vawg_kg.errors import SourceError
from vawg_kg.loaders.parsers._lines import Builder, Line, split_ranges
from vawg_kg.loaders.records import LineRole, ParsedDocument
from vawg_kg.loaders.text import clean

_MD_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_NUMBERED = re.compile(r"^\s*(?:\d{1,3}[.)]|\((?:\d{1,3}|[a-z]{1,2}|[ivxlc]{1,6})\))\s+(?=\S)")
_BULLET = re.compile(r"^\s*[-*•\u25cf\u25aa\u2013\ufffd]\s*(?=\S)")
_LEAD_IN_WORD = re.compile(r"\bwill\b|\bcommits?\b|\bactions?\b|\bundertak\w*|\bpledges?\b", re.IGNORECASE)
_WE = re.compile(r"\bwe\b", re.IGNORECASE)
_WE_VERB = re.compile(r"\b(?:will|shall|commit|pledge|undertake|are going to|plan to)\b", re.IGNORECASE)


def is_lead_in(text: str) -> bool:
    """A paragraph that introduces a list: its last line ends with ':' after 'will',
    'commit(s)', 'action(s)', 'undertak…', 'pledge(s)', or 'we … shall/plan to/…'.

    Two plain scans of that line. One pattern with ``we.*(verb)`` rescanned the rest
    of the line from every 'we' (quadratic on long lines); this gives the same answers
    (``tests/test_parser_generic.py`` checks it against that pattern).
    """
    stripped = text.rstrip()
    if not stripped.endswith(":"):
        return False
    line = stripped[:-1].rsplit("\n", 1)[-1]
    if _LEAD_IN_WORD.search(line):
        return True
    we = _WE.search(line)
    return we is not None and _WE_VERB.search(line, we.end()) is not None
_ACTION_COLUMN = re.compile(r"^(?:actions?|commitments?|what we will do)$", re.IGNORECASE)
_LEAD_COLUMN = re.compile(r"^(?:lead(?: organisations?| department)?|owners?|responsible|who)$", re.IGNORECASE)
_DATE_COLUMN = re.compile(r"^(?:dates?|deadlines?|timings?|delivery date|by when|when|due)$", re.IGNORECASE)
_FILLER = re.compile(r"^[-–—_.\s]*$")


class GenericParser:
    shape = "generic"

    def parse(self, text: str, doc_id: str, file: str) -> ParsedDocument:
        return _Reader(Builder(text, doc_id, file)).run()


class _Reader:
    def __init__(self, b: Builder) -> None:
        self.b = b
        self.lines = b.lines
        self.headings: list[tuple[int, str]] = []  # (level, title)
        self.count = 0

    # -- helpers ------------------------------------------------------------

    def section(self) -> tuple[str, ...]:
        return tuple(title for _, title in self.headings)

    def push_heading(self, level: int, title: str) -> None:
        while self.headings and self.headings[-1][0] >= level:
            self.headings.pop()
        self.headings.append((level, title))

    def blank(self, i: int) -> bool:
        return i < 0 or i >= len(self.lines) or self.lines[i].blank

    def is_plain_heading(self, i: int) -> bool:
        line = self.lines[i]
        t = line.text
        if not t or len(t) > 80 or t.endswith((".", ":", ";", ",", "?", "!")) or "\t" in line.raw:
            return False
        if not (self.blank(i - 1) and self.blank(i + 1)):
            return False
        if _NUMBERED.match(line.raw) or _BULLET.match(line.raw):
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

    def commit(self, ranges: list[tuple[int, int]], first: Line, hints: dict[str, str | list[str]]) -> bool:
        """Add a commitment unless its text is empty; say whether it was added."""
        text = clean(" ".join(self.b.source[a:z] for a, z in ranges))
        frags = self.b.fragments(ranges)
        if not text or not frags or not clean(" ".join(self.b.source[a:z] for a, z in frags)):
            return False
        self.count += 1
        self.b.add(f"G{self.count}", "commitment", ranges, self.section(), hints, first.number)
        return True

    def item_end(self, i: int) -> int:
        """Index after the last line of the list item starting at line i."""
        j = i + 1
        while j < len(self.lines):
            line = self.lines[j]
            if line.blank or _NUMBERED.match(line.raw) or _BULLET.match(line.raw):
                break
            if _MD_HEADING.match(line.raw) or "\t" in line.raw.strip():
                break
            j += 1
        return j

    # -- the walk -----------------------------------------------------------

    def run(self) -> ParsedDocument:
        i = 0
        lead_in = False  # the last paragraph announced a list of undertakings
        while i < len(self.lines):
            line = self.lines[i]
            if line.blank:
                self.b.claim(line, "blank")
                i += 1
                continue
            m = _MD_HEADING.match(line.raw)
            if m:
                title = clean(m.group(2))
                if title:
                    self.push_heading(len(m.group(1)), title)
                self.b.claim(line, "heading")
                lead_in = False
                i += 1
                continue
            if "\t" in line.raw.strip() and self.table_header(i) is not None:
                i = self.table(i)
                lead_in = False
                continue
            numbered = _NUMBERED.match(line.raw)
            bullet = _BULLET.match(line.raw)
            if numbered or (bullet and lead_in):
                marker = numbered or bullet
                assert marker is not None
                end = self.item_end(i)
                ranges = [(line.start + marker.end(), self.lines[end - 1].end)]
                role: LineRole = "commitment" if self.commit(ranges, line, {}) else "prose"
                for k in range(i, end):
                    self.b.claim(self.lines[k], role)
                i = end
                continue
            if bullet:
                end = self.item_end(i)
                for k in range(i, end):
                    self.b.claim(self.lines[k], "prose")
                i = end
                continue
            if self.is_plain_heading(i):
                self.push_heading(7, line.text)
                self.b.claim(line, "heading")
                lead_in = False
                i += 1
                continue
            # A prose paragraph: up to a blank line or a line that starts something else.
            end = self.item_end(i)
            paragraph = clean(" ".join(self.lines[k].raw for k in range(i, end)))
            for k in range(i, end):
                self.b.claim(self.lines[k], "prose")
            lead_in = is_lead_in(paragraph)
            i = end
        return self.b.document()

    # -- tables -------------------------------------------------------------

    def table_header(self, i: int) -> tuple[int, int | None, int | None] | None:
        cells = [clean(c) for c in self.lines[i].raw.split("\t")]
        action = next((k for k, c in enumerate(cells) if _ACTION_COLUMN.match(c)), None)
        if action is None:
            return None
        lead = next((k for k, c in enumerate(cells) if _LEAD_COLUMN.match(c)), None)
        date = next((k for k, c in enumerate(cells) if _DATE_COLUMN.match(c)), None)
        return action, lead, date

    def table(self, i: int) -> int:
        header = self.lines[i]
        columns = self.table_header(i)
        assert columns is not None
        action, lead, date = columns
        width = len(header.raw.split("\t"))
        self.b.claim(header, "heading")
        j = i + 1
        # The table runs to the next blank line: a line in it without tabs is a
        # row with one cell (usually a truncated file), not a new paragraph.
        while j < len(self.lines) and not self.lines[j].blank and not _MD_HEADING.match(self.lines[j].raw):
            row = self.lines[j]
            cells = row.raw.split("\t")
            extra = cells[width:]
            if len(cells) < width or any(c.strip() for c in extra):
                raise SourceError(
                    f"{self.b.file}:{row.number}: table row has {len(cells)} cells but its header "
                    f"(line {header.number}) has {width}; "
                    + ("the row is incomplete or the file is truncated" if len(cells) < width
                       else "a cell holds a stray tab or the row has an extra column")
                )
            a, z = split_ranges(row.raw, row.start)[action]
            hints: dict[str, str | list[str]] = {}
            if lead is not None and clean(cells[lead]):
                hints["lead"] = clean(cells[lead])
            if date is not None and clean(cells[date]):
                hints["delivery_date"] = clean(cells[date])
            if _FILLER.match(clean(cells[action])) or not self.commit([(a, z)], row, hints):
                self.b.claim(row, "table-filler")
            else:
                self.b.claim(row, "commitment")
            j += 1
        return j


PARSER = GenericParser()
