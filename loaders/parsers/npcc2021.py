"""NPCC "Policing violence against women and girls – National framework for
delivery: Year 1" (2021): PDF-extracted text.

What the PDF extraction left behind, and how it is read:

* bullets start with a tab and U+FFFD (``\\t� ``); sub-bullets with ``\\t– ``;
* a line that starts with one space is the first line of a new PDF page;
* running headers ("Policing violence against women and girls – National
  framework for delivery: Year 1"), bare page numbers, URLs and footnotes
  ("1\\t Operation Soteria ...") sit between the lines they interrupt;
* the sections are not in reading order (forewords, the supporting bodies and
  the overview come before the detailed actions).

The text is cut into blocks (a paragraph, a bullet, a heading); noise lines
are boilerplate and never part of a block. A block that a page break cut in
two (the earlier part does not end a sentence, the later part starts in lower
case after the noise) is one block with two fragments.

Refs (docs/data-model.md), plus the structure this parser adds:

* ``P{priority}.{n}`` — the n-th Actions bullet of priority 1–10; hints
  ``pillar`` (pillar name), ``priority`` ("1"…"10"), ``priority_title``,
  ``delivery_date`` (the priority's Timings text, cleaned, verbatim);
* ``P{priority}`` (kind "priority") and ``PILLAR{n}`` (kind "pillar") — the
  structure, from the detailed section (the Overview list is headings);
* ``COP.{n}`` — the College of Policing bullets that undertake something
  (the two "We have ..." bullets report work already done and are prose);
  hint ``owner`` "college-of-policing";
* ``VKPP.{n}`` — the VKPP bullets; ``owner`` "vkpp", ``delivery_date`` the
  lead-in's "Between now and March 2022";
* ``PF.{n}`` — the outcomes and performance framework promises: paragraphs of
  "Development of framework actions" and "Outcome and performance
  measurement" in which "we"/"forces" "will" do something, with the bullets
  a paragraph ending in ":" introduces; ``owner`` "npcc" for "we";
* ``TERM.1`` — "In 2022, we will be reviewing this definition with the
  College of Policing ..." in "Terminology used"; ``owner`` "npcc".

Rationale and Timings bullets are prose (the Timings text becomes the hint).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from vawg_kg.errors import SourceError
from vawg_kg.loaders.parsers._lines import Builder, Line
from vawg_kg.loaders.records import LineRole, ParsedDocument, ParsedStatement
from vawg_kg.loaders.text import clean

RUNNING_HEADER = "Policing violence against women and girls – National framework for delivery"
_PAGE_NUMBER = re.compile(r"^\s*\d{1,3}\s*$")
_URL = re.compile(r"^\s*https?://\S+\s*$")
_FOOTNOTE = re.compile(r"^\d{1,2}\t")
_PRIORITY = re.compile(r"^ ?(\d{1,2})\.\t")
_BULLET = re.compile(r"^ ?\t\uFFFD")
_SUB_BULLET = re.compile(r"^ ?\t–")
_PILLAR = re.compile(r"^Pillar (\d+): (.+)$")
_LABELS = ("Actions", "Rationale", "Timings")
_WILL = re.compile(r"\b(we|forces) will\b", re.IGNORECASE)
_BETWEEN = re.compile(r"Between now and \w+ \d{4}")

# Top-level headings of this document (cleaned text) and their parent, if any.
HEADINGS: dict[str, str | None] = {
    "Foreword": None,
    "Development of framework actions": None,
    "Outcome and performance measurement": None,
    "Additional bodies supporting this work": None,
    "College of Policing": "Additional bodies supporting this work",
    "Vulnerability Knowledge and Practice Programme": "Additional bodies supporting this work",
    "Terminology used": None,
    "The framework for delivery": None,
    "Overview": "The framework for delivery",
    "Detailed actions, rationale and timings of activity": "The framework for delivery",
}
PF_SECTIONS = ("Development of framework actions", "Outcome and performance measurement")


@dataclass
class Block:
    lines: list[Line]
    # Line groups separated by noise: each group becomes one fragment.
    groups: list[list[Line]] = field(default_factory=list)

    @property
    def first(self) -> Line:
        return self.lines[0]

    @property
    def text(self) -> str:
        return str(clean(" ".join(ln.raw for ln in self.lines)))

    def ranges(self) -> list[tuple[int, int]]:
        return [(g[0].start, g[-1].end) for g in self.groups]


def _is_noise(line: Line) -> bool:
    raw = line.raw
    return bool(
        _PAGE_NUMBER.match(raw) or _URL.match(raw) or raw.strip().startswith(RUNNING_HEADER)
    )


def _starts_block(line: Line) -> bool:
    if _BULLET.match(line.raw) or _SUB_BULLET.match(line.raw) or _PRIORITY.match(line.raw):
        return True
    # A heading at the top of a PDF page follows the previous page's last line
    # with no blank line between; the page break shows as a leading space.
    text = line.text
    return line.raw.startswith(" ") and (
        bool(_PILLAR.match(text)) or any(h.startswith(text) for h in HEADINGS if len(text) >= 8)
    )


def _blocks(b: Builder) -> list[Block]:
    """Cut the lines into blocks, claiming noise and blank lines on the way."""
    blocks: list[Block] = []
    current: Block | None = None
    in_footnote = False
    broken = False  # noise was seen since the current block's last line
    for line in b.lines:
        if line.blank:
            b.claim(line, "blank")
            current = None
            in_footnote = False
            continue
        if _FOOTNOTE.match(line.raw) or in_footnote:
            b.claim(line, "boilerplate")
            in_footnote = True
            continue
        if _is_noise(line):
            b.claim(line, "boilerplate")
            broken = True
            continue
        continues_page = (
            current is None
            and blocks
            and line.raw.startswith(" ")
            and line.raw[1:2].islower()
            and not blocks[-1].text.endswith((".", ":", "?", "!", "”"))
        )
        if continues_page:
            current = blocks[-1]
            current.lines.append(line)
            current.groups.append([line])
            broken = False
            continue
        if current is None or _starts_block(line):
            current = Block([line], [[line]])
            blocks.append(current)
        elif broken:
            current.lines.append(line)
            current.groups.append([line])
        else:
            current.lines.append(line)
            current.groups[-1].append(line)
        broken = False
    return blocks


class Npcc2021Parser:
    shape = "npcc-2021"

    def parse(self, text: str, doc_id: str, file: str) -> ParsedDocument:
        b = Builder(text, doc_id, file)
        blocks = _blocks(b)
        _Reader(b, blocks).run()
        return b.document()


class _Reader:
    def __init__(self, b: Builder, blocks: list[Block]) -> None:
        self.b = b
        self.blocks = blocks
        self.top: str | None = None
        self.sub: str | None = None
        self.pillar: tuple[int, str] | None = None
        self.pillar_heading: str | None = None
        self.priority: tuple[int, str] | None = None
        self.label: str | None = None
        self.priority_stmts: list[ParsedStatement] = []
        self.counters: dict[str, int] = {}
        self.vkpp_date: str | None = None
        self.seen_pillars: set[int] = set()

    def claim(self, block: Block, role: LineRole) -> None:
        for line in block.lines:
            self.b.claim(line, role)

    def section(self) -> tuple[str, ...]:
        path = [h for h in (self.top, self.sub) if h]
        if self.pillar_heading:
            path.append(self.pillar_heading)
        if self.priority:
            path.append(f"{self.priority[0]}. {self.priority[1]}")
        return tuple(path)

    def next_ref(self, prefix: str) -> str:
        self.counters[prefix] = self.counters.get(prefix, 0) + 1
        return f"{prefix}.{self.counters[prefix]}"

    def close_priority(self, timing: str | None = None) -> None:
        for stmt in self.priority_stmts:
            if timing:
                stmt.hints["delivery_date"] = timing
        self.priority_stmts = []

    def run(self) -> None:
        i = 0
        while i < len(self.blocks):
            i = self.step(i)
        self.close_priority()

    def step(self, i: int) -> int:
        block = self.blocks[i]
        text = block.text
        if text in HEADINGS:
            self.close_priority()
            parent = HEADINGS[text]
            self.top, self.sub = (parent, text) if parent else (text, None)
            self.pillar = self.pillar_heading = self.priority = self.label = None
            self.claim(block, "heading")
            return i + 1
        m = _PILLAR.match(text)
        if m:
            self.close_priority()
            self.pillar = (int(m.group(1)), m.group(2))
            self.pillar_heading = text
            self.priority = self.label = None
            self.claim(block, "heading")
            if self.detailed and self.pillar[0] not in self.seen_pillars:
                self.seen_pillars.add(self.pillar[0])
                self.b.add(
                    f"PILLAR{self.pillar[0]}", "pillar", block.ranges(), self.section()[:-1],
                    {"pillar": self.pillar[1]}, block.first.number,
                )
            return i + 1
        m = _PRIORITY.match(block.first.raw)
        if m:
            self.claim(block, "heading")
            if self.detailed:
                self.close_priority()
                title = re.sub(r"^\d{1,2}\.\s*", "", text)
                self.priority = (int(m.group(1)), title)
                self.label = None
                self.priority_stmts = [
                    self.b.add(
                        f"P{self.priority[0]}", "priority",
                        [(block.first.start + m.end(), block.groups[0][-1].end)] + block.ranges()[1:],
                        self.section()[:-1], self.priority_hints(), block.first.number,
                    )
                ]
            return i + 1
        if text in _LABELS and self.priority:
            self.label = text
            self.claim(block, "heading")
            return i + 1
        if self.priority:
            return self.priority_block(i)
        if self.sub == "College of Policing" and _BULLET.match(block.first.raw):
            if text.startswith("We have"):
                self.claim(block, "prose")
            else:
                self.commit(block, self.next_ref("COP"), {"owner": "college-of-policing"})
            return i + 1
        if self.sub == "Vulnerability Knowledge and Practice Programme":
            if _BULLET.match(block.first.raw):
                hints: dict[str, str | list[str]] = {"owner": "vkpp"}
                if self.vkpp_date:
                    hints["delivery_date"] = self.vkpp_date
                self.commit(block, self.next_ref("VKPP"), hints)
            else:
                between = _BETWEEN.search(text)
                if between:
                    self.vkpp_date = between.group(0)
                self.claim(block, "prose")
            return i + 1
        if self.top in PF_SECTIONS and not _BULLET.match(block.first.raw) and _WILL.search(text):
            return self.pf_block(i)
        if self.top == "Terminology used" and re.search(r"\bwe will\b", text):
            self.commit(block, "TERM.1", {"owner": "npcc"})
            return i + 1
        self.claim(block, "heading" if self.sub == "Overview" else "prose")
        return i + 1

    @property
    def detailed(self) -> bool:
        return self.sub == "Detailed actions, rationale and timings of activity"

    def priority_hints(self) -> dict[str, str | list[str]]:
        assert self.pillar and self.priority
        return {
            "pillar": self.pillar[1],
            "priority": str(self.priority[0]),
            "priority_title": self.priority[1],
        }

    def commit(
        self, block: Block, ref: str, hints: dict[str, str | list[str]], extra: Sequence[Block] = ()
    ) -> None:
        ranges = block.ranges()
        for more in extra:
            ranges += more.ranges()
        # Adjacent blocks with only whitespace between become one fragment.
        merged: list[tuple[int, int]] = []
        for a, z in ranges:
            if merged and not self.b.source[merged[-1][1] : a].strip():
                merged[-1] = (merged[-1][0], z)
            else:
                merged.append((a, z))
        self.b.add(ref, "commitment", merged, self.section(), hints, block.first.number)
        for part in (block, *extra):
            self.claim(part, "commitment")

    def sub_bullets_after(self, i: int) -> list[Block]:
        out: list[Block] = []
        j = i + 1
        while j < len(self.blocks) and _SUB_BULLET.match(self.blocks[j].first.raw):
            out.append(self.blocks[j])
            j += 1
        return out

    def priority_block(self, i: int) -> int:
        block = self.blocks[i]
        assert self.priority is not None
        if self.label == "Actions" and _BULLET.match(block.first.raw):
            extra = self.sub_bullets_after(i) if block.text.endswith(":") else []
            hints = self.priority_hints()
            self.commit(block, self.next_ref(f"P{self.priority[0]}"), hints, extra)
            self.priority_stmts.append(self.b.statements[-1])
            return i + 1 + len(extra)
        if self.label == "Timings" and _BULLET.match(block.first.raw):
            self.close_priority(block.text)
            self.claim(block, "prose")
            return i + 1
        if self.label == "Actions":
            raise SourceError(
                f"{self.b.file}:{block.first.number}: unexpected text under Actions of priority "
                f"{self.priority[0]}: {block.text[:60]!r}"
            )
        self.claim(block, "prose")
        return i + 1

    def pf_block(self, i: int) -> int:
        block = self.blocks[i]
        extra: list[Block] = []
        if block.text.endswith(":"):
            j = i + 1
            while j < len(self.blocks) and _BULLET.match(self.blocks[j].first.raw):
                extra.append(self.blocks[j])
                j += 1
        who = _WILL.search(block.text)
        owner = "npcc" if who and who.group(1).lower() == "we" else "police-forces"
        self.commit(block, self.next_ref("PF"), {"owner": owner}, extra)
        return i + 1 + len(extra)


PARSER = Npcc2021Parser()
