"""The generic parser (``--source FILE --doc-id ID``) and ``read_source``."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vawg_kg.errors import SourceError
from vawg_kg.loaders.parsers import parser_for
from vawg_kg.loaders.parsers.generic import GenericParser
from vawg_kg.loaders.source_io import read_source

PLAN = """\
# Home Office VAWG Plan 2022

## Introduction

This plan sets out what the department will do, and with whom.

Tackling Harassment In Public Spaces

We will:

- Fund new Safer Streets projects
  across England and Wales.
* Publish guidance on street harassment with the British Transport Police.

Background points, for information:

- Reports of harassment rose in 2021.

## Numbered actions

1. Launch a national communications campaign by March 2023.
2) Review the Domestic Abuse Act 2021 statutory guidance
   with the Ministry of Justice.
(a) Work with the NPCC on outcome codes 14, 15 and 16.

ACTION\tLEAD\tDATE
Commission research on <b>online abuse</b>\tHO/DCMS\tSummer 2023
--\t--\t--
Publish a perpetrator strategy\tHO\t
"""


def _parse(text: str):  # type: ignore[no-untyped-def]
    doc = GenericParser().parse(text, "home-office-vawg-plan-2022", "plan.md")
    for stmt in doc.statements:
        stmt.check_against(text)
    assert doc.unclaimed_lines(len(text.splitlines())) == []
    return doc


def test_registered_under_generic_shape() -> None:
    assert parser_for("generic").shape == "generic"


def test_reads_lists_tables_and_headings() -> None:
    doc = _parse(PLAN)
    got = [(s.ref, s.text, s.section[-1], s.hints) for s in doc.statements]
    assert got == [
        ("G1", "Fund new Safer Streets projects across England and Wales.", "Tackling Harassment In Public Spaces", {}),
        ("G2", "Publish guidance on street harassment with the British Transport Police.",
         "Tackling Harassment In Public Spaces", {}),
        ("G3", "Launch a national communications campaign by March 2023.", "Numbered actions", {}),
        ("G4", "Review the Domestic Abuse Act 2021 statutory guidance with the Ministry of Justice.",
         "Numbered actions", {}),
        ("G5", "Work with the NPCC on outcome codes 14, 15 and 16.", "Numbered actions", {}),
        ("G6", "Commission research on online abuse", "Numbered actions",
         {"lead": "HO/DCMS", "delivery_date": "Summer 2023"}),
        ("G7", "Publish a perpetrator strategy", "Numbered actions", {"lead": "HO"}),
    ]
    assert doc.statements[0].section == (
        "Home Office VAWG Plan 2022", "Introduction", "Tackling Harassment In Public Spaces"
    )
    assert all(s.kind == "commitment" for s in doc.statements)


def test_line_roles() -> None:
    doc = _parse(PLAN)
    lines = PLAN.splitlines()
    role = {lines[n - 1]: r for n, r in doc.line_roles.items() if lines[n - 1]}
    assert role["# Home Office VAWG Plan 2022"] == "heading"
    assert role["Tackling Harassment In Public Spaces"] == "heading"
    assert role["- Reports of harassment rose in 2021."] == "prose"  # no "we will" lead-in
    assert role["  across England and Wales."] == "commitment"
    assert role["--\t--\t--"] == "table-filler"
    assert role["ACTION\tLEAD\tDATE"] == "heading"
    assert set(doc.line_roles.values()) <= {"heading", "prose", "commitment", "blank", "table-filler"}


def test_table_headers_in_other_words() -> None:
    text = "Commitment\tOwner\tDeadline\nTrain all staff\tCPS\tApril 2024\n"
    (stmt,) = _parse(text).statements
    assert stmt.hints == {"lead": "CPS", "delivery_date": "April 2024"}


def test_short_last_row_is_reported_with_its_line() -> None:
    text = "ACTION\tLEAD\tDATE\nPublish a strategy\tHO\tMay 2023\nTrain all staf"
    with pytest.raises(SourceError) as err:
        GenericParser().parse(text, "x", "plan.tsv")
    assert "plan.tsv:3" in err.value.message
    assert "header (line 1) has 3" in err.value.message


def test_bullets_without_lead_in_are_prose() -> None:
    doc = _parse("Notes\n\n- one\n- two\n")
    assert doc.statements == []


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.one_of(
            st.text(max_size=60),
            st.sampled_from(
                ["# Title", "We will:", "- do a thing", "1. act", "(a) act", "\t", "ACTION\tLEAD",
                 "x\ty", "x", "", "**", "<b></b>", "- ", "2) ", "\ufffd", "\u2028", "\r"]
            ),
        ),
        max_size=25,
    )
)
def test_generic_parser_never_crashes_and_spans_slice_back(parts: list[str]) -> None:
    text = "\n".join(parts)
    try:
        doc = GenericParser().parse(text, "fuzz", "fuzz.txt")
    except SourceError as exc:
        assert "fuzz.txt:" in exc.message  # a refusal names the file and line
        return
    for stmt in doc.statements:
        stmt.check_against(text)
        assert stmt.text
    assert doc.unclaimed_lines(len(text.splitlines())) == []


# --- read_source -------------------------------------------------------------


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_read_source_returns_text_as_is(tmp_path: Path) -> None:
    text = "Title\r\n\r\n1. Act \u2013 now\n"
    assert read_source(_write(tmp_path, "ok.txt", text.encode())) == text


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("empty.txt", b"", "the file is empty"),
        ("blank.txt", b" \n\n", "the file is empty (only whitespace)"),
        ("report.pdf", b"%PDF-1.7\n\x00\x01\x02", "looks like a binary file, not text (NUL byte at byte offset 9, line 2)"),
        ("noise.bin", bytes(range(1, 8)) * 40, "looks like a binary file"),
        ("latin1.txt", "Plan\nCaf\u00e9 actions".encode("latin-1"), "not valid UTF-8 at byte offset 8 (line 2, column 4"),
        ("cut.txt", "Plan\n2025\u20132030".encode()[:-5], "ends in the middle of a UTF-8 character (byte offset 9, line 2"),
        ("wide.txt", "Plan".encode("utf-16"), "UTF-16 encoded"),
    ],
)
def test_read_source_refuses(tmp_path: Path, name: str, data: bytes, expected: str) -> None:
    path = _write(tmp_path, name, data)
    with pytest.raises(SourceError) as err:
        read_source(path)
    assert err.value.message.startswith(str(path))
    assert expected in err.value.message


def test_read_source_missing_file(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="no such file"):
        read_source(tmp_path / "missing.txt")


# The lead-in pattern the generic parser used before: right, but quadratic on long lines.
_OLD_LEAD_IN = __import__("re").compile(
    r"(?:\bwe\b.*\b(?:will|shall|commit|pledge|undertake|are going to|plan to)\b"
    r"|\bwill\b|\bcommits?\b|\bactions?\b|\bundertak\w*|\bpledges?\b).*:\s*$",
    __import__("re").IGNORECASE,
)
_PIECES = ["we", "We", "WE", "will", "shall", "plan to", "are going to", "action", "actions", "commit", "commits",
           "undertaking", "pledge", "pledges", ":", " ", "\n", "\t", "x", "weave", "swill", "\u00a0", "\x1c", "é",
           "we:", "-", "\r"]


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=14).map("".join))
def test_lead_in_detection_answers_as_the_old_pattern(text: str) -> None:
    from vawg_kg.loaders.parsers.generic import is_lead_in

    assert is_lead_in(text) == bool(_OLD_LEAD_IN.search(text)), repr(text)



# --- pipe tables, prose undertakings, lead-in subjects, uncertain lines ---------------------------


def test_markdown_pipe_table_with_lead_partner_and_date_columns() -> None:
    text = ("| Key actions | Owner | Key partners | Due date |\n"
            "|:---|---|---|--:|\n"
            "| Publish a **stalking** protocol | NPCC | CPS | May 2024 |\n"
            "| -- | | | |\n"
            "| Train call handlers | | | |\n")
    doc = _parse(text)
    assert [(s.text, s.hints) for s in doc.statements] == [
        ("Publish a stalking protocol", {"lead": "NPCC", "partners": "CPS", "delivery_date": "May 2024"}),
        ("Train call handlers", {}),
    ]
    assert [doc.line_roles[n] for n in range(1, 6)] == ["heading", "table-filler", "commitment", "table-filler",
                                                         "commitment"]


def test_pipe_row_without_closing_pipe_and_extra_cell() -> None:
    doc = _parse("| Action | Date\n|---|---\n| Fund refuges | 2025\n")
    assert [(s.text, s.hints) for s in doc.statements] == [("Fund refuges", {"delivery_date": "2025"})]
    with pytest.raises(SourceError) as err:
        GenericParser().parse("| Action | Date |\n|---|---|\n| Fund | 2025 | oops |\n", "x", "plan.md")
    assert "plan.md:3" in err.value.message and "stray |" in err.value.message


def test_prose_undertakings_are_low_confidence_and_other_wills_are_uncertain() -> None:
    text = ("The force will publish its data every quarter. This will help victims. "
            "The Home Office will fund two pilots.\n\n"
            "This plan sets out how we will work.\n")
    doc = _parse(text)
    assert [(s.text, s.hints) for s in doc.statements] == [
        ("The force will publish its data every quarter.", {"confidence": "low"}),
        ("The Home Office will fund two pilots.", {"confidence": "low", "lead": "The Home Office"}),
    ]
    assert [(u.line, u.text) for u in doc.uncertain] == [(1, "This will help victims."),
                                                         (3, "This plan sets out how we will work.")]


def test_lead_in_naming_an_organisation_leads_its_items() -> None:
    doc = _parse("The College of Policing will:\n\n- Update the stalking APP.\n1. Review training.\n")
    assert [s.hints for s in doc.statements] == [{"lead": "The College of Policing"}] * 2


def test_cues_outside_any_rule_are_reported() -> None:
    text = ("Notes\n\n- Publish the review.\n- Background only.\n\nWe will:\n\n## Next\n\n"
            "ACTION\tDATE\n\tMarch 2025\n")
    doc = _parse(text)
    assert doc.statements == []
    assert [(u.line, u.cue) for u in doc.uncertain] == [
        (3, "imperative verb 'Publish' in a bullet with no lead-in"),
        (6, "lead-in with no list after it"),
        (11, "date 'March 2025' in a date column of a row with no action"),
    ]


def test_relative_timing_in_an_item_becomes_its_deadline_text() -> None:
    doc = _parse("1. Launch a helpline within three months.\n2. Launch it by May 2025, within three months.\n")
    assert [s.hints for s in doc.statements] == [{"delivery_date": "within three months"}, {}]


def test_pipe_table_without_outer_pipes() -> None:
    text = "Intro.\n\nACTION | LEAD | DATE\n--- | --- | ---\nPublish a strategy | HO | May 2023\nTrain staff | CPS |\n"
    doc = _parse(text)
    assert [(s.text, s.hints) for s in doc.statements] == [
        ("Publish a strategy", {"lead": "HO", "delivery_date": "May 2023"}), ("Train staff", {"lead": "CPS"})]
    # a pipe in prose, with no separator row under it, is prose
    assert _parse("Either this | or that.\n").statements == []
