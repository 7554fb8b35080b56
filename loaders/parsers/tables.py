"""Tables for the generic parser: tab-separated rows and markdown pipe tables.

A table is a run of rows up to a blank line. A pipe table's rows start with
``|``, or — GitHub style, without outer pipes — its header is followed by a
``---|---`` separator row. Its header row names the columns;
a header cell is matched, case-insensitively and ignoring markup and a trailing
colon, against these names (docs/adding-documents.md lists them):

* action: action(s), commitment(s), activity/activities, deliverable(s), task(s),
  key action(s), what we will do, what will we do, what we will deliver
* lead: lead, lead(s), lead organisation(s), lead agency/agencies, lead
  department, lead partner, owner(s), action owner, responsible, responsibility,
  who, accountable, led by
* partner: partner(s), key partners, partner organisation(s), supporting
  partners, supported by, working with, with whom, contributors
* date: date(s), deadline(s), timing(s), timescale(s), timeframe(s), delivery
  date, target date, completion date, due, due date, by when, when, milestone(s)

A table whose header has no action column is in an unknown layout: its rows are
``unrecognised`` and each is reported, never silently dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from vawg_kg.loaders.parsers._lines import Line, split_ranges
from vawg_kg.loaders.text import clean

COLUMN_NAMES: dict[str, tuple[str, ...]] = {
    "action": ("action", "actions", "commitment", "commitments", "activity", "activities", "deliverable",
               "deliverables", "task", "tasks", "key action", "key actions", "what we will do", "what will we do",
               "what we will deliver"),
    "lead": ("lead", "leads", "lead(s)", "lead organisation", "lead organisations", "lead agency", "lead agencies",
             "lead department", "lead partner", "owner", "owners", "action owner", "responsible", "responsibility",
             "who", "accountable", "led by"),
    "partner": ("partner", "partners", "partner(s)", "key partners", "partner organisation",
                "partner organisations", "supporting partners", "supported by", "working with", "with whom",
                "contributors"),
    "date": ("date", "dates", "deadline", "deadlines", "timing", "timings", "timescale", "timescales",
             "timeframe", "timeframes", "delivery date", "target date", "completion date", "due", "due date",
             "by when", "when", "milestone", "milestones"),
}
_NAME_OF = {name: column for column, names in COLUMN_NAMES.items() for name in names}
_SEPARATOR_CELL = re.compile(r"^\s*:?-+:?\s*$")
_PIPE = re.compile(r"(?<!\\)\|")


def column_of(cell: str) -> str | None:
    key = " ".join(clean(cell).lower().rstrip(":").split())
    return _NAME_OF.get(key)


@dataclass(frozen=True)
class Layout:
    width: int
    action: int | None
    lead: int | None
    partner: int | None
    date: int | None


def layout_of(cells: list[str]) -> Layout:
    found: dict[str, int] = {}
    for k, cell in enumerate(cells):
        column = column_of(cell)
        if column is not None:
            found.setdefault(column, k)
    return Layout(len(cells), found.get("action"), found.get("lead"), found.get("partner"), found.get("date"))


def is_pipe_row(line: Line) -> bool:
    """A row of a pipe table that starts with ``|`` (``| a | b |``)."""
    stripped = line.raw.strip()
    return stripped.startswith("|") and len(_PIPE.findall(stripped)) >= 2


def has_pipe(line: Line) -> bool:
    return _PIPE.search(line.raw) is not None


def is_pipe_separator(line: Line) -> bool:
    """The ``|---|:--:|`` row under a pipe table's header (outer pipes optional)."""
    if not has_pipe(line):
        return False
    cells = pipe_cells(line)
    return bool(cells) and all(_SEPARATOR_CELL.match(line.raw[a - line.start:b - line.start]) for a, b in cells)


def pipe_cells(line: Line) -> list[tuple[int, int]]:
    """Source offsets of the cells of a ``| a | b |`` row (outer pipes dropped and optional)."""
    raw = line.raw
    stripped = raw.strip()
    bounds = [m.start() for m in _PIPE.finditer(raw)]
    if not stripped:
        return []
    if not stripped.startswith("|"):
        bounds.insert(0, raw.index(stripped[0]) - 1)  # no opening pipe: the first cell starts the line
    if not stripped.endswith("|") or (stripped.endswith("\\|")):
        bounds.append(len(raw))  # no closing pipe: the last cell runs to the end of the line
    elif bounds[-1] != len(raw.rstrip()) - 1:
        bounds.append(len(raw))
    return [(line.start + a + 1, line.start + b) for a, b in zip(bounds, bounds[1:])]


def tab_cells(line: Line) -> list[tuple[int, int]]:
    return split_ranges(line.raw, line.start)
