"""CPS "Violence Against Women and Girls Strategy 2025–2030": web page text.

One line per paragraph or list item. Read as:

* ``Priority {p}: {name}`` — a top-level section;
* ``Aim for 2025-2030: {aim}`` — kind "aim", ref ``P{p}.AIM``;
* ``Outcome: {outcome}`` — kind "outcome", ref ``P{p}.O{k}`` (k counts the
  priority's Outcome headings);
* ``Activity`` then ``  {n}. {text}`` — commitments ``P{p}.O{k}.{n}`` (n is
  the document's own number); hints ``priority``, ``aim``, ``outcome`` (the
  Outcome heading text), ``outcome_ref`` and ``delivery_date`` "2025-2030"
  (the period the aim heading names: the strategy gives activities no
  dates of their own).

"Cultural priorities" has five headed short sections, not numbered lists.
A section whose paragraph starts "We will" is an undertaking: commitment
``CP.{k}``, k being the cultural priority's position (1–5), so the refs stay
put if a description changes; hint ``theme`` is its heading. The
descriptive ones (Prioritising wellbeing, Partnership working) and "New
Victim Service Standards will help us ..." are prose.

Forewords (a person's name and role as heading), case studies and
terminology are prose; the site's navigation and links are boilerplate.
"""

from __future__ import annotations

import re

from vawg_kg.errors import SourceError
from vawg_kg.loaders.parsers._lines import Builder, Line
from vawg_kg.loaders.records import ParsedDocument

_PRIORITY = re.compile(r"^Priority (\d+): (.+)$")
_AIM = re.compile(r"^(Aim for (\d{4}-\d{4}):)\s*")
_OUTCOME = re.compile(r"^(Outcome:)\s*")
_ITEM = re.compile(r"^\s*(\d{1,2})\.\s+")
CULTURAL = "Cultural priorities"
CULTURAL_PRIORITIES = (
    "Engagement with victims",
    "Case and trial strategy",
    "Self-reflection and learning",
    "Prioritising wellbeing",
    "Partnership working",
)
TOP_HEADINGS = (CULTURAL, "What the CPS has done", "Terminology")
BOILERPLATE = (
    "Skip to main content",
    "This strategy is also available to download in PDF format.",
    "For more context on VAWG, please visit our Violence Against Women and Girls page.",
    "Anjie",  # a stray name left by the page conversion (an image caption), not a heading
)
_FOREWORD_BY = re.compile(r"^[A-Z][a-z]+ [A-Z][a-z]+, (?:Director|Chief)\b")


def _looks_like_heading(line: Line) -> bool:
    t = line.text
    return 0 < len(t) <= 110 and not t.endswith((".", ":", "”", ";", ",")) and not _ITEM.match(line.raw)


class Cps2025Parser:
    shape = "cps-2025"

    def parse(self, text: str, doc_id: str, file: str) -> ParsedDocument:
        b = Builder(text, doc_id, file)
        title_seen = False
        top: str | None = None
        sub: str | None = None
        priority: int | None = None
        aim = ""
        period = ""
        outcome_k = 0
        outcome = ""
        in_activity = False
        expected_item = 1

        for line in b.lines:
            t = line.text
            if not t:
                b.claim(line, "blank")
                continue
            if t in BOILERPLATE:
                b.claim(line, "boilerplate")
                continue
            m = _PRIORITY.match(t)
            if m:
                priority, top, sub = int(m.group(1)), t, None
                aim, outcome_k, outcome, in_activity = "", 0, "", False
                b.claim(line, "heading")
                continue
            m = _AIM.match(t)
            if m and priority:
                period = m.group(2)
                start = line.start + line.raw.index(m.group(1)) + len(m.group(1))
                stmt = b.add(f"P{priority}.AIM", "aim", [(start, line.end)], (top or "",),
                             {"priority": str(priority), "delivery_date": period}, line.number)
                aim = stmt.text
                b.claim(line, "outcome")
                continue
            m = _OUTCOME.match(t)
            if m and priority:
                outcome_k += 1
                start = line.start + line.raw.index(m.group(1)) + len(m.group(1))
                stmt = b.add(f"P{priority}.O{outcome_k}", "outcome", [(start, line.end)], (top or "",),
                             {"priority": str(priority), "aim": aim}, line.number)
                outcome, sub, in_activity = stmt.text, t, False
                b.claim(line, "outcome")
                continue
            if t == "Activity" and priority and outcome_k:
                in_activity, expected_item = True, 1
                b.claim(line, "heading")
                continue
            m = _ITEM.match(line.raw)
            if m and in_activity and priority:
                n = int(m.group(1))
                if n != expected_item:
                    raise SourceError(
                        f"{file}:{line.number}: activity numbered {n} where {expected_item} was expected"
                    )
                expected_item += 1
                hints: dict[str, str | list[str]] = {
                    "priority": str(priority),
                    "aim": aim,
                    "outcome": outcome,
                    "outcome_ref": f"P{priority}.O{outcome_k}",
                }
                if period:
                    hints["delivery_date"] = period
                b.add(f"P{priority}.O{outcome_k}.{n}", "commitment", [(line.start + m.end(), line.end)],
                      (top or "", sub or ""), hints, line.number)
                b.claim(line, "commitment")
                continue
            in_activity = False
            if not title_seen:
                title_seen = True
                b.claim(line, "heading")
                continue
            if t in TOP_HEADINGS or _FOREWORD_BY.match(t):
                priority, top, sub = None, t, None
                b.claim(line, "heading")
                continue
            if top == CULTURAL and t in CULTURAL_PRIORITIES:
                sub = t
                b.claim(line, "heading")
                continue
            if top == CULTURAL and sub and t.startswith("We will"):
                k = CULTURAL_PRIORITIES.index(sub) + 1
                b.add(f"CP.{k}", "commitment", [(line.start, line.end)], (CULTURAL, sub),
                      {"theme": sub}, line.number)
                b.claim(line, "commitment")
                continue
            if top == "What the CPS has done" and _looks_like_heading(line):
                sub = t
                b.claim(line, "heading")
                continue
            if priority and _ITEM.match(line.raw):
                raise SourceError(f"{file}:{line.number}: numbered item outside an Activity list")
            b.claim(line, "prose")
        return b.document()


PARSER = Cps2025Parser()
