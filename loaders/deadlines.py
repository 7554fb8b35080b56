"""Deadline text → an ISO date and the period it names.

Convention (documented in README "Deadlines"): ``deadline`` is the LAST day of
the period the text names, so a commitment is overdue from the day after.

=======================  ===========================  =================
text                     deadline                     kind
=======================  ===========================  =================
"April 2016"             2016-04-30                   date
"30 June 2022"           2022-06-30                   date
"Spring/Summer/Autumn/   31 May / 31 Aug / 30 Nov /   date
 Winter 2016"            28-29 Feb of the next year
"2016", "by 2020",       2016-12-31, 2020-12-31       date
 "end of 2016"
"2016/17", "2016-17"     2017-03-31 (financial year)  date
"2016 - 2020"            2020-12-31 (end of range)    date
"Ongoing to 2020"        2020-12-31                   date
"within three months"    publication date + 3 months  relative
"Immediate"              publication date             relative
"From April 2016",       null                         ongoing
 "Ongoing", "Continuous"
"Annual", "Quarterly     null                         recurring
 return"
absent / unrecognised    null                         none
=======================  ===========================  =================

Where the text names several dates ("From March to autumn 2016", "Review by
March 2017"), the latest end wins. Relative timings count from the
document's publication date.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
import datetime
from datetime import date
from typing import Literal

DeadlineKind = Literal["date", "relative", "ongoing", "recurring", "none"]

MONTHS = {
    name: i
    for i, names in enumerate(
        [
            (),
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ]
    )
    for name in names
}
SEASONS = {"spring": (3, 5), "summer": (6, 8), "autumn": (9, 11), "fall": (9, 11), "winter": (12, 2)}
NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "eighteen": 18, "twenty-four": 24,
}

_MONTH = r"(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_YEAR = r"(?P<year>(?:19|20)\d{2})"
_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("day", re.compile(r"\b(?P<day>[0-3]?\d)(?:st|nd|rd|th)?\s+" + _MONTH + r"\s+" + _YEAR + r"\b", re.I)),
    ("fy", re.compile(r"\b" + _YEAR + r"\s*[/-]\s*(?P<yy>\d{2})\b(?![/-]?\d)", re.I)),
    ("range", re.compile(r"\b(?:19|20)\d{2}\s*(?:-|–|to)\s*(?P<year>(?:19|20)\d{2})\b", re.I)),
    ("month", re.compile(r"\b" + _MONTH + r"\s*(?:,\s*)?" + _YEAR + r"\b", re.I)),
    ("season", re.compile(r"\b(?P<season>spring|summer|autumn|fall|winter)\s+(?:of\s+)?" + _YEAR + r"\b", re.I)),
    ("year", re.compile(r"\b" + _YEAR + r"\b")),
]
_RELATIVE = re.compile(
    r"\bwithin\s+(?P<n>\d+|" + "|".join(NUMBER_WORDS) + r")\s+(?P<unit>months?|weeks?|years?)\b", re.I
)
_IMMEDIATE = re.compile(r"\bimmediate(?:ly)?\b", re.I)
_ONGOING = re.compile(r"\b(?:ongoing|continuous(?:ly)?|from)\b", re.I)
_RECURRING = re.compile(r"\b(?:annual(?:ly)?|quarterly|six-monthly|monthly|bi-?annual(?:ly)?|yearly)\b", re.I)


@dataclass(frozen=True)
class Deadline:
    raw: str | None
    kind: DeadlineKind
    date: datetime.date | None  # last day of the period (the deadline)
    period_start: datetime.date | None
    rule: str  # which pattern produced it, for provenance
    matched: str | None  # the words that gave the date

    @property
    def iso(self) -> str | None:
        return self.date.isoformat() if self.date else None


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _add_months(start: date, months: int) -> date:
    month0 = start.month - 1 + months
    year, month = start.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def _period(kind: str, m: re.Match[str]) -> tuple[date, date]:
    year = int(m.group("year"))
    if kind == "day":
        day = date(year, MONTHS[m.group("month").lower()], min(int(m.group("day")), 28))
        exact = date(year, day.month, min(int(m.group("day")), calendar.monthrange(year, day.month)[1]))
        return exact, exact
    if kind == "month":
        month = MONTHS[m.group("month").lower()]
        return date(year, month, 1), _month_end(year, month)
    if kind == "season":
        first, last = SEASONS[m.group("season").lower()]
        end_year = year + 1 if last < first else year
        return date(year, first, 1), _month_end(end_year, last)
    if kind == "fy":
        end_year = (year // 100) * 100 + int(m.group("yy"))
        if end_year != year + 1:  # "2016-20" is a range, not a financial year
            return date(year, 1, 1), date(end_year, 12, 31)
        return date(year, 4, 1), date(end_year, 3, 31)
    if kind == "range":
        return date(int(m.group(0)[:4]), 1, 1), date(year, 12, 31)
    return date(year, 1, 1), date(year, 12, 31)


def parse_deadline(raw: str | None, published: date) -> Deadline:
    """Read a deadline cell or timing sentence; ``published`` anchors relative timings."""
    if raw is None or not raw.strip():
        return Deadline(raw, "none", None, None, "absent", None)
    text = raw.strip()
    found: list[tuple[date, date, str, str, int, int]] = []
    taken: list[tuple[int, int]] = []
    for kind, pattern in _PATTERNS:
        for m in pattern.finditer(text):
            if any(a < m.end() and m.start() < b for a, b in taken):
                continue
            try:
                start, end = _period(kind, m)
            except ValueError:
                continue
            found.append((start, end, kind, m.group(0), m.start(), m.end()))
            taken.append((m.start(), m.end()))
    if found:
        start, end, kind, matched, _, _ = max(found, key=lambda f: f[1])
        if len(found) == 1 and re.match(r"\s*from\b(?!.*\b(?:to|until|till)\b)", text, re.I | re.S):
            return Deadline(raw, "ongoing", None, start, "from-date-ongoing", matched)
        return Deadline(raw, "date", end, start, f"deadline-{kind}", matched)
    rel = _RELATIVE.search(text)
    if rel:
        n_text = rel.group("n").lower()
        n = int(n_text) if n_text.isdigit() else NUMBER_WORDS[n_text]
        unit = rel.group("unit").lower()
        months = n * 12 if unit.startswith("year") else n if unit.startswith("month") else 0
        end = _add_months(published, months) if months else date.fromordinal(published.toordinal() + 7 * n)
        return Deadline(raw, "relative", end, published, "deadline-relative", rel.group(0))
    ongoing = _ONGOING.search(text)
    if ongoing:
        return Deadline(raw, "ongoing", None, None, "deadline-ongoing", ongoing.group(0))
    immediate = _IMMEDIATE.search(text)
    if immediate:
        return Deadline(raw, "relative", published, published, "deadline-immediate", immediate.group(0))
    recurring = _RECURRING.search(text)
    if recurring:
        return Deadline(raw, "recurring", None, None, "deadline-recurring", recurring.group(0))
    return Deadline(raw, "none", None, None, "deadline-unrecognised", None)


_IN_TEXT = re.compile(
    r"\b(?:by|before|until|no later than|in)\s+(?:the\s+end\s+of\s+)?"
    r"(?:(?:[0-3]?\d(?:st|nd|rd|th)?\s+)?" + _MONTH.replace("?P<month>", "?:") + r"\s+)?(?:19|20)\d{2}\b",
    re.I,
)


def deadline_in_text(text: str, published: date) -> Deadline:
    """A deadline stated inside a commitment's own text ("By 31 March 2022 …").

    Only phrases introduced by by/before/until/in count, so a year mentioned in
    passing ("the 2015 Act") is not taken for a deadline. The raw text is the
    matched phrase, and the rule says it came from the text.
    """
    found = list(_IN_TEXT.finditer(text))
    if not found:
        return Deadline(None, "none", None, None, "absent", None)
    phrase = found[-1].group(0)
    parsed = parse_deadline(phrase, published)
    return Deadline(phrase, parsed.kind, parsed.date, parsed.period_start, f"text-{parsed.rule}", parsed.matched)


def relative_phrase(text: str) -> str | None:
    """A timing relative to publication ("within six months") in a commitment's own text,
    when the text states no date of its own; the parser gives it as the deadline to read."""
    if _IN_TEXT.search(text):
        return None
    m = _RELATIVE.search(text)
    if m is None:
        return None
    # "within four weeks of each meeting" counts from something else than publication
    after = _OF_WHAT.match(text, m.end())
    if after is not None and not _OF_PUBLICATION.match(after.group(1)):
        return None
    return m.group(0)


_OF_WHAT = re.compile(r"(?<!\s)\s++of\s++(\S++(?:\s++\S++)?)", re.I)
_OF_PUBLICATION = re.compile(r"(?:publication|publishing|this\s+(?:plan|strategy|document|framework))\b", re.I)
