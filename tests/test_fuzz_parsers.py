"""Property tests for the parsers and deadline reading, and a linear-time check of every regex in loaders/.

* Every parser (all six shapes), on any text — random, or shuffled and cut
  lines of the real documents — either refuses it with a ``SourceError``
  naming the file and line, or returns statements whose spans slice back to
  their text.
* ``parse_deadline`` never crashes; for a deadline written in any of the
  forms the documents use, with filler around it, the date is the last day of
  the period it names.
* No regular expression in ``loaders/`` (parsers, resolve, deadlines, text,
  and the vocabulary matchers resolve builds) takes more than linear time:
  each is run on adversarial strings of 10 000 and 20 000 characters built
  from its own literals, punctuation and whitespace; the time ratio must
  stay under 3 (quadratic is 4).
"""

from __future__ import annotations

import ast
import calendar
import re
import time
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vawg_kg.errors import SourceError
from vawg_kg.loaders.deadlines import MONTHS, SEASONS, deadline_in_text, parse_deadline
from vawg_kg.loaders.documents import BUNDLED
from vawg_kg.loaders.parsers import SHAPES, parser_for
from vawg_kg.paths import sources_dir

LOADERS = Path(__file__).resolve().parents[1] / "loaders"
FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))


# --- parsers -----------------------------------------------------------------------------

def _real_lines(shape: str) -> list[str]:
    files = [d.file for d in BUNDLED if d.shape == shape] or [d.file for d in BUNDLED]
    lines: list[str] = []
    for name in files:
        lines += (sources_dir() / name).read_text(encoding="utf-8").splitlines()
    return lines


REAL_LINES = {shape: _real_lines(shape) for shape in SHAPES}
NOISE = st.sampled_from(["", "\t", " ", "\r", "\u2028", "\ufeff", "\x0c", "**", "- ", "1. ", "(a) ", "#", "|", ":",
                         "ACTION\tLEAD\tDATE", "\t\t\t", "We will:", "\ufffd", "<b>", "A93", "2016/17", "Annex A"])


def _mutated_line(shape: str) -> st.SearchStrategy[str]:
    real = st.sampled_from(REAL_LINES[shape])
    return st.one_of(
        real,
        st.tuples(real, st.integers(0, 200)).map(lambda t: t[0][: t[1]]),  # cut short
        st.tuples(real, st.integers(0, 200), NOISE).map(lambda t: t[0][: t[1]] + t[2] + t[0][t[1]:]),
        NOISE,
        st.text(max_size=40),
    )


def _check(shape: str, text: str) -> int:
    try:
        doc = parser_for(shape).parse(text, "fuzz-doc", "fuzz.txt")
    except SourceError as exc:
        assert "fuzz.txt" in exc.message, exc.message  # a refusal names the file (and line)
        return 0
    for statement in doc.statements:
        statement.check_against(text)  # the span's cleaned text is the statement's text
        assert 0 <= statement.span.start <= statement.span.end <= len(text)
    return len(doc.statements)


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_parser_on_random_text_never_crashes_and_spans_slice_back(shape: str) -> None:
    @FUZZ
    @given(st.text(max_size=2000))
    def run(text: str) -> None:
        _check(shape, text)

    run()


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_parser_on_mutated_real_lines_never_crashes_and_spans_slice_back(shape: str) -> None:
    found: list[int] = []

    @FUZZ
    @given(st.lists(_mutated_line(shape), max_size=60), st.sampled_from(["\n", "\r\n"]))
    def run(lines: list[str], newline: str) -> None:
        found.append(_check(shape, newline.join(lines)))

    run()


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_parser_on_the_real_document_cut_anywhere(shape: str) -> None:
    text = "\n".join(REAL_LINES[shape])

    found: list[int] = []

    @FUZZ
    @given(st.integers(0, len(text)), st.integers(0, len(text)))
    def run(a: int, b: int) -> None:
        found.append(_check(shape, text[min(a, b): max(a, b)]))

    run()
    assert sum(found) > 0, f"{shape}: no statement in any cut of the real document"


# --- deadlines ----------------------------------------------------------------------------

PUBLISHED = date(2020, 1, 1)
FILLER = st.text(alphabet=" ,.;()abcxyz", max_size=20)  # no digits, month, season or relative words
YEARS = st.integers(1990, 2099)


def _month_name(month: int) -> st.SearchStrategy[str]:
    names = [n for n, m in MONTHS.items() if m == month]
    return st.sampled_from(names).flatmap(lambda n: st.sampled_from([n, n.title(), n.upper()]))


@st.composite
def written_deadline(draw: st.DrawFn) -> tuple[str, date]:
    kind = draw(st.sampled_from(["day", "month", "season", "fy", "year", "range"]))
    year = draw(YEARS)
    if kind == "day":
        month = draw(st.integers(1, 12))
        day = draw(st.integers(1, calendar.monthrange(year, month)[1]))
        suffix = draw(st.sampled_from(["", "st", "nd", "rd", "th"]))
        return f"{day}{suffix} {draw(_month_name(month))} {year}", date(year, month, day)
    if kind == "month":
        month = draw(st.integers(1, 12))
        sep = draw(st.sampled_from([" ", ", ", "  "]))
        return f"{draw(_month_name(month))}{sep}{year}", date(year, month, calendar.monthrange(year, month)[1])
    if kind == "season":
        season = draw(st.sampled_from(sorted(SEASONS)))
        first, last = SEASONS[season]
        end_year = year + 1 if last < first else year
        return f"{season} {year}", date(end_year, last, calendar.monthrange(end_year, last)[1])
    if kind == "fy":
        year = draw(st.integers(1990, 2098))
        if year % 100 == 99:
            year -= 1
        sep = draw(st.sampled_from(["/", "-", " / "]))
        return f"{year}{sep}{(year + 1) % 100:02d}", date(year + 1, 3, 31)
    if kind == "range":
        end = draw(st.integers(year, 2099))
        sep = draw(st.sampled_from(["-", "–", " to "]))
        return f"{year}{sep}{end}", date(end, 12, 31)
    return str(year), date(year, 12, 31)


@FUZZ
@given(st.text(max_size=300))
def test_parse_deadline_never_crashes(text: str) -> None:
    found = parse_deadline(text, PUBLISHED)
    if found.date is not None and found.period_start is not None and found.kind == "date":
        assert found.period_start <= found.date
        assert found.matched and found.matched in text.strip()
    deadline_in_text(text, PUBLISHED)


@FUZZ
@given(written_deadline(), FILLER, FILLER, st.sampled_from(["", "by ", "By the end of ", "until ", "before "]))
def test_deadline_is_the_end_of_the_period_it_names(written: tuple[str, date], before: str, after: str,
                                                    lead: str) -> None:
    phrase, end = written
    found = parse_deadline(f"{before} {lead}{phrase} {after}", PUBLISHED)
    assert found.kind == "date", (phrase, found)
    assert found.date == end, (phrase, found)
    assert found.period_start is not None and found.period_start <= end


@FUZZ
@given(written_deadline(), FILLER)
def test_deadline_in_text_reads_by_phrases(written: tuple[str, date], before: str) -> None:
    phrase, end = written
    if not re.fullmatch(r"(?:\d{1,2}(?:st|nd|rd|th)? )?[A-Za-z]+ \d{4}", phrase) \
            or phrase.split()[-2].lower() in SEASONS:
        return  # deadline_in_text reads "by [day] month year" only
    found = deadline_in_text(f"{before} We will act by {phrase}.", PUBLISHED)
    assert found.date == end, (phrase, found)


# --- regular expressions: linear time -----------------------------------------------------

ANCHORED: set[str] = set()  # labels of inline patterns only ever used with re.match/fullmatch


def _literal_patterns() -> list[tuple[str, re.Pattern[str]]]:
    """Patterns written inline in loaders/ (``re.match(r"...", ...)``), compiled with their flags."""
    out: list[tuple[str, re.Pattern[str]]] = []
    for path in sorted(LOADERS.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and isinstance(node.func.value, ast.Name) and node.func.value.id == "re"
                    and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
                source = ast.get_source_segment(path.read_text(encoding="utf-8"), node) or ""
                flags = re.I if "re.I" in source or "IGNORECASE" in source else 0
                label = f"{path.name}:{node.lineno}"
                if node.func.attr in ("match", "fullmatch"):
                    ANCHORED.add(label)
                try:
                    out.append((label, re.compile(node.args[0].value, flags)))
                except re.error:
                    pass
    return out


def _module_patterns() -> list[tuple[str, re.Pattern[str]]]:
    import importlib

    from vawg_kg.loaders import resolve

    names = ["deadlines", "text", "resolve", "documents", *(f"parsers.{m}" for m in
             ("_lines", "cps2017", "cps2025", "cpsda2020", "generic", "hmg2016", "npcc2021",
                                          "cues", "lists", "prose", "tables")),
             "readers.pdf", "readers.word", "readers.extracted"]
    out: list[tuple[str, re.Pattern[str]]] = []

    def collect(label: str, value: object, depth: int = 0) -> None:
        if isinstance(value, re.Pattern):
            out.append((label, value))
        elif depth < 2 and isinstance(value, (list, tuple)):
            for i, item in enumerate(value):
                collect(f"{label}[{i}]", item, depth + 1)
        elif depth < 2 and isinstance(value, dict):
            for key, item in value.items():
                collect(f"{label}[{key!r}]", item, depth + 1)

    for name in names:
        module = importlib.import_module(f"vawg_kg.loaders.{name}")
        for attr, value in vars(module).items():
            collect(f"{name}.{attr}", value)
            if isinstance(value, type) and value.__module__ == module.__name__:
                for cattr, cvalue in vars(value).items():
                    collect(f"{name}.{attr}.{cattr}", cvalue)
    matchers = resolve._matchers(None)  # the vocabulary alternations resolve compiles at run time
    for attr, value in vars(matchers).items():
        pattern = getattr(value, "pattern", None)
        if isinstance(pattern, re.Pattern):
            out.append((f"resolve matcher {attr}", pattern))
    return out


def _adversarial(pattern: re.Pattern[str]) -> list[tuple[str, str]]:
    """Fragments of the pattern's own alternatives (words, digits, punctuation) and whitespace to repeat."""
    source = pattern.pattern
    words = sorted(set(re.findall(r"[A-Za-z]{2,}", source)), key=len)[:12]
    punct = sorted(set(re.findall(r"[^\w\s\\()\[\]{}?*+|^$]", source)))[:12]
    pieces = ["a", "1", "A1", " ", "\t", "\n", "  a", "1 ", "- ", "(", ")"] + punct + words
    families = [(f"repeat {p!r}", p) for p in pieces]
    families += [("words and spaces", " ".join(words) + " "), ("punctuation and spaces", " ".join(punct) + " "),
                 ("all pieces", "".join(pieces)), ("digits and spaces", "12 2016 "), ("space", " ")]
    return families


def _time(pattern: re.Pattern[str], text: str, anchored: bool) -> float:
    best = float("inf")
    for _ in range(2):
        started = time.perf_counter()
        if not anchored:
            for _m in pattern.finditer(text):
                pass
        pattern.match(text)
        best = min(best, time.perf_counter() - started)
    return best


def _all_patterns() -> list[tuple[str, re.Pattern[str]]]:
    seen: set[tuple[str, int]] = set()
    out: list[tuple[str, re.Pattern[str]]] = []
    for label, pattern in _module_patterns() + _literal_patterns():
        key = (pattern.pattern, pattern.flags)
        if key not in seen:  # a module-level re.compile(r"...") is found both ways
            seen.add(key)
            out.append((label, pattern))
    return out


def _superlinear(patterns: list[tuple[str, re.Pattern[str]]]) -> tuple[list[str], tuple[float, str]]:
    slow: list[str] = []
    worst = (0.0, "")
    for label, pattern in patterns:
        for family, piece in _adversarial(pattern):
            small = (piece * (10_000 // len(piece) + 1))[:10_000]
            large = (piece * (20_000 // len(piece) + 1))[:20_000]
            anchored = label in ANCHORED
            t10, t20 = _time(pattern, small, anchored), _time(pattern, large, anchored)
            if t20 < 0.004:  # below the noise of the clock: linear enough
                continue
            ratio = t20 / max(t10, 1e-9)
            if ratio >= 3.0:  # confirm on twice the length: a timing blip does not repeat, x4 does
                huge = (piece * (40_000 // len(piece) + 1))[:40_000]
                ratio = min(ratio, _time(pattern, huge, anchored) / max(t20, 1e-9))
            worst = max(worst, (ratio, f"{label} on {family}"))
            if ratio >= 3.0:
                slow.append(f"{label} ({pattern.pattern[:80]!r}) on {family}: {t10 * 1000:.1f} ms -> "
                            f"{t20 * 1000:.1f} ms (x{ratio:.1f})")
    return slow, worst


def test_no_regex_in_loaders_is_superlinear() -> None:
    patterns = _all_patterns()
    assert len(patterns) > 60, len(patterns)
    checked = patterns  # none is exempt: the last known one (generic._LEAD_IN) was rewritten
    slow, worst = _superlinear(checked)
    print(f"\n{len(checked)} patterns x {len(_adversarial(re.compile('x')))}+ adversarial inputs of 10k and 20k "
          f"characters; worst ratio x{worst[0]:.2f} ({worst[1]})")
    assert not slow, "superlinear regular expressions:\n" + "\n".join(slow)
