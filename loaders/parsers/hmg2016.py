"""Parser for the HM Government VAWG strategy 2016–2020 (shape ``hmg-2016``).

The bundled file is Markdown converted from the PDF. What it yields:

* **Annex A actions**, ref ``A{n}`` (``A1``…``A95``), kind ``commitment``:
  one per table row ``REF<TAB>ACTION<TAB>LEAD<TAB>DELIVERY DATE``. The text is
  the ACTION cell (``<b>``/``<i>`` stripped by :func:`clean`); the span
  covers that cell only, on the raw file. A row whose cells are wrapped over
  several lines is read until it has its four cells, and the ACTION cell then
  has one fragment per line. Hints: ``lead`` (LEAD cell), ``delivery_date``
  (DELIVERY DATE cell). Section path: ``("ANNEX A: ACTION PLAN", <table
  heading>, <sub-heading row>)`` in the document's own capitals (the PDF's
  "PURSuing PERPETRATORS" typo is kept: the path is quoted, not edited).
* **Chapter bullets** of each "Over the course of the Parliament we will:"
  list, ref ``C{chapter}.{n}``, kind ``commitment``; section
  ``(<chapter heading>, "Over the course of the Parliament we will:")``.
* **"Outcomes by 2020"** items, ref ``C{chapter}.O{n}``, kind ``outcome``;
  section ``(<chapter heading>, "Outcomes by 2020")``.

``{chapter}`` is the chapter's position in the document's own order, counted
from the ``Chapter N:`` headings (1 Preventing violence and abuse, 2 Provision
of services, 3 Partnership working, 4 Pursuing perpetrators); a heading whose
printed number disagrees with its position is a ``SourceError``. ``{n}``
counts items from 1 within the list.

Line roles (every line gets one): ``commitment`` and ``outcome`` for the lines
of those statements; ``heading`` for Markdown headings, bold-only lines and
Annex A sub-heading rows; ``table-filler`` for the repeated
``REF / ACTION / LEAD / DELIVERY DATE`` header rows; ``boilerplate`` for the
title-page licence block, the contents list, footnotes and ``---`` rules;
``blank``; everything else ``prose`` (forewords, chapter text, other bullet
lists such as "Our vision is that by 2020:", and the Annex B data caveats).
Inside Annex A any line that is none of these raises ``SourceError``.
"""

from __future__ import annotations

import re

from vawg_kg.errors import SourceError
from vawg_kg.loaders.parsers._lines import Builder, Line, split_lf_lines, split_ranges
from vawg_kg.loaders.records import ParsedDocument, ParsedStatement
from vawg_kg.loaders.text import clean

_HEADING = re.compile(r"^#{1,6}\s")
_BOLD_ONLY = re.compile(r"^\*{2,3}[^*].*?\*{2,3}\s*$")
_CHAPTER = re.compile(r"^Chapter\s+(\d+)\s*:\s*(.+)$", re.IGNORECASE)
_FOOTNOTE = re.compile(r"^<sup>\d+</sup>")
_CONTENTS = re.compile(r"(?<!\.)\.{3,}\t\d+\s*$")  # (?<!\.): one attempt per run of dots
_BULLET = re.compile(r"^-\s+")
_ACTION_NO = re.compile(r"^\d+$")

WE_WILL = "Over the course of the Parliament we will:"
OUTCOMES = "Outcomes by 2020"


def _heading_text(line: str) -> str:
    """A heading's words without the Markdown ``#`` and emphasis marks."""
    return clean(line.lstrip("#").replace("*", " "))


class Hmg2016Parser:
    shape = "hmg-2016"

    def parse(self, text: str, doc_id: str, file: str) -> ParsedDocument:
        b = Builder(text, doc_id, file, lines=split_lf_lines, edge=str.isspace, require_text=True)
        lines = b.lines

        region = "front"  # front → chapter → annex-a → annex-b
        chapter_no = 0
        chapter_title = ""
        list_kind: str | None = None  # "we-will" | "outcomes" | "other" | None
        list_count = 0
        last_item: ParsedStatement | None = None  # for lazy continuation lines
        annex_path: list[str] = []
        seen_refs: dict[str, int] = {}

        i = 0
        while i < len(lines):
            line = lines[i]
            n = line.number
            raw = line.raw
            stripped = raw.strip()

            if not stripped:
                b.claim(line, "blank")
                last_item = None
                i += 1
                continue

            is_heading = bool(_HEADING.match(raw) or _BOLD_ONLY.match(stripped))
            heading = _heading_text(raw) if is_heading else ""

            if is_heading and re.match(r"ANNEX A\b", heading, re.IGNORECASE):
                region = "annex-a"
                # "**ANNEX A: ACTION PLAN****PREVENTING VIOLENCE AND ABUSE**": two headings run together
                annex_path = [clean(p) for p in re.split(r"\*{4}", stripped.strip("*")) if clean(p)]
                b.claim(line, "heading")
                i += 1
                continue
            if is_heading and re.match(r"ANNEX B\b", heading, re.IGNORECASE):
                region = "annex-b"
                b.claim(line, "heading")
                i += 1
                continue

            if region == "annex-a":
                i = self._annex_a_line(b, i, annex_path, seen_refs)
                continue

            if region == "annex-b":
                b.claim(line, "heading" if is_heading else "prose")
                i += 1
                continue

            # front matter and chapters
            if is_heading:
                b.claim(line, "heading")
                last_item = None
                m = _CHAPTER.match(heading)
                if m:
                    chapter_no += 1
                    if int(m.group(1)) != chapter_no:
                        raise b.error(n, f"chapter heading {heading!r} is chapter {chapter_no} in document order")
                    region = "chapter"
                    chapter_title = heading
                    list_kind = None
                elif region == "chapter" and heading.rstrip(":").lower() == WE_WILL.rstrip(":").lower():
                    list_kind, list_count = "we-will", 0
                elif region == "chapter" and heading.lower() == OUTCOMES.lower():
                    list_kind, list_count = "outcomes", 0
                else:
                    list_kind = None
                i += 1
                continue

            bullet = _BULLET.match(raw)
            if bullet and region == "chapter" and list_kind in ("we-will", "outcomes"):
                list_count += 1
                item = [(line.start + bullet.end(), line.end)]
                if list_kind == "we-will":
                    ref = f"C{chapter_no}.{list_count}"
                    last_item = b.add(ref, "commitment", item, (chapter_title, WE_WILL), None, n)
                    b.claim(line, "commitment")
                else:
                    ref = f"C{chapter_no}.O{list_count}"
                    last_item = b.add(ref, "outcome", item, (chapter_title, OUTCOMES), None, n)
                    b.claim(line, "outcome")
                i += 1
                continue

            if last_item is not None and not bullet:
                # a wrapped list item (lazy continuation line): one more fragment
                b.extend(last_item, line.start, line.end)
                b.claim(line, "commitment" if last_item.kind == "commitment" else "outcome")
                i += 1
                continue

            # any other line closes a we-will/outcomes list
            if not bullet:
                list_kind = None if list_kind in ("we-will", "outcomes") else list_kind
            last_item = None
            if stripped == "---" or _FOOTNOTE.match(stripped) or _CONTENTS.search(raw):
                b.claim(line, "boilerplate")
            elif region == "front" and chapter_no == 0 and self._before_forewords(lines, i):
                b.claim(line, "boilerplate")  # title-page licence and contact block
            else:
                b.claim(line, "prose")
            i += 1

        if region == "front":
            raise SourceError(f"{file}: no 'Chapter N:' heading found; is this the HMG 2016 strategy?", file=file)
        return b.document()

    @staticmethod
    def _before_forewords(lines: list[Line], i: int) -> bool:
        """True for lines before the first foreword/contents heading (the title page)."""
        for earlier in lines[:i]:
            if _HEADING.match(earlier.raw) and re.search(r"contents|foreword", earlier.raw, re.IGNORECASE):
                return False
        return True

    def _annex_a_line(self, b: Builder, i: int, annex_path: list[str], seen: dict[str, int]) -> int:
        """Read the Annex A line(s) starting at ``i``; return the next line index."""
        lines = b.lines
        line = lines[i]
        n = line.number
        if _HEADING.match(line.raw) or _BOLD_ONLY.match(line.raw.strip()):
            # a new table: "## PROVISION OF SERVICES" replaces the table heading
            del annex_path[1:]
            annex_path.append(_heading_text(line.raw))
            b.claim(line, "heading")
            return i + 1
        cells = line.raw.split("\t")
        first = clean(cells[0])
        if len(cells) == 4 and first.upper() == "REF" and clean(cells[1]).upper() == "ACTION":
            b.claim(line, "table-filler")
            return i + 1
        if len(cells) == 4 and first and not any(c.strip() for c in cells[1:]):
            del annex_path[2:]
            annex_path.append(first)
            b.claim(line, "heading")
            return i + 1
        if not _ACTION_NO.match(first):
            raise b.error(n, f"Annex A line is not a table row, heading or blank: {line.raw[:60]!r}")

        # An action row, possibly with cells wrapped onto following lines.
        j = i
        while b.source[line.start : lines[j].end].count("\t") < 3:
            j += 1
            if j >= len(lines) or not lines[j].raw.strip():
                raise b.error(n, f"Annex A action {first} has fewer than 4 cells (REF, ACTION, LEAD, DELIVERY DATE)")
        row = b.source[line.start : lines[j].end]
        cells = row.split("\t")
        if len(cells) != 4:
            raise b.error(n, f"Annex A action {first} has {len(cells)} cells, expected 4")
        ref = f"A{int(first)}"
        if ref in seen:
            raise b.error(n, f"Annex A action {first} appears twice (first on line {seen[ref]})")
        seen[ref] = n
        # the ACTION cell only, one fragment per line it is wrapped over
        action_start, action_end = split_ranges(row, line.start)[1]
        fragments = split_ranges(b.source[action_start:action_end], action_start, "\n")
        hints: dict[str, str | list[str]] = {
            "lead": clean(cells[2]),
            "delivery_date": clean(cells[3]),
        }
        b.add(ref, "commitment", fragments, tuple(annex_path), hints, n)
        for k in range(i, j + 1):
            b.claim(lines[k], "commitment")
        return j + 1


PARSER = Hmg2016Parser()
