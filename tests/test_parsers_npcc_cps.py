"""The NPCC 2021, CPS DA 2020 and CPS 2025 parsers on the real bundled documents.

The counts were verified by reading the documents (see tests/labelled/counts.json
for the hand counts the labelled data uses).
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from vawg_kg.loaders.documents import bundled_by_id
from vawg_kg.loaders.parsers import parser_for
from vawg_kg.loaders.records import ParsedDocument

DOCS = ("npcc-vawg-framework-2021", "cps-da-programme-2020", "cps-vawg-strategy-2025")
RUNNING_HEADER = "National framework for delivery: Year 1"


def _parse(sources: Path, doc_id: str) -> tuple[str, ParsedDocument]:
    info = bundled_by_id()[doc_id]
    text = (sources / info.file).read_text(encoding="utf-8")
    return text, parser_for(info.shape).parse(text, doc_id, info.file)


@pytest.fixture(scope="module", params=DOCS)
def parsed(request: pytest.FixtureRequest, sources: Path) -> tuple[str, ParsedDocument]:
    return _parse(sources, request.param)


def test_every_span_slices_back(parsed: tuple[str, ParsedDocument]) -> None:
    text, doc = parsed
    for stmt in doc.statements:
        stmt.check_against(text)
        assert stmt.text and stmt.text == stmt.text.strip()


def test_every_line_is_claimed(parsed: tuple[str, ParsedDocument]) -> None:
    text, doc = parsed
    assert doc.unclaimed_lines(len(text.splitlines())) == []
    assert set(doc.line_roles) <= set(range(1, len(text.splitlines()) + 1))


def test_refs_are_unique(parsed: tuple[str, ParsedDocument]) -> None:
    _, doc = parsed
    refs = Counter(s.ref for s in doc.statements)
    assert [r for r, n in refs.items() if n > 1] == []


def test_no_pdf_noise_in_text(parsed: tuple[str, ParsedDocument]) -> None:
    _, doc = parsed
    for stmt in doc.statements:
        assert "\ufffd" not in stmt.text
        assert "•" not in stmt.text
        assert RUNNING_HEADER not in stmt.text
        assert "http" not in stmt.text
        assert not re.search(r"\b(?:Rationale|Timings)\b \S", stmt.text) or stmt.kind != "commitment"


def test_commitment_lines_are_commitment_role(parsed: tuple[str, ParsedDocument]) -> None:
    text, doc = parsed
    from vawg_kg.loaders.text import line_of, line_starts

    starts = line_starts(text)
    for stmt in doc.commitments:
        for a, b in stmt.span.fragments:
            for n in range(line_of(starts, a), line_of(starts, b - 1) + 1):
                assert doc.line_roles[n] in ("commitment", "blank"), (stmt.ref, n)


# --- NPCC 2021 -------------------------------------------------------------


@pytest.fixture(scope="module")
def npcc(sources: Path) -> ParsedDocument:
    return _parse(sources, "npcc-vawg-framework-2021")[1]


def test_npcc_counts(npcc: ParsedDocument) -> None:
    kinds = Counter(s.kind for s in npcc.statements)
    assert kinds == {"commitment": 55, "priority": 10, "pillar": 3}
    per_priority = Counter(s.hints["priority"] for s in npcc.commitments if s.ref.startswith("P") and "." in s.ref
                           and not s.ref.startswith("PF"))
    assert per_priority == {"1": 2, "2": 5, "3": 4, "4": 3, "5": 3, "6": 3, "7": 4, "8": 2, "9": 3, "10": 5}
    prefixes = Counter(s.ref.split(".")[0] for s in npcc.commitments if not re.match(r"P\d", s.ref))
    assert prefixes == {"PF": 6, "COP": 7, "VKPP": 7, "TERM": 1}
    roles = Counter(npcc.line_roles.values())
    assert roles["boilerplate"] == 14  # 8 footnote lines, 4 URLs, 1 running header, 1 page number


def test_npcc_priority_8_keeps_outcome_codes(npcc: ParsedDocument) -> None:
    by_ref = {s.ref: s for s in npcc.statements}
    scrutiny = by_ref["P8.2"].text
    for code in ("Code 14", "Code 15", "Code 16"):
        assert code in scrutiny
    assert by_ref["P8.2"].hints["delivery_date"] == "Quarterly return."
    assert by_ref["P8.2"].hints["pillar"] == "Relentless perpetrator pursuit"


def test_npcc_hints_and_sections(npcc: ParsedDocument) -> None:
    by_ref = {s.ref: s for s in npcc.statements}
    p11 = by_ref["P1.1"]
    assert p11.text.startswith("Complete an urgent review of all current allegations")
    assert p11.hints == {
        "pillar": "Build trust and confidence",
        "priority": "1",
        "priority_title": "Respond unequivocally to allegations of police-perpetrated abuse, "
        "learning from mistakes and best practice.",
        "delivery_date": "Actions to be completed by 30 June 2022.",
    }
    assert p11.section[-2:] == (
        "Pillar 1: Build trust and confidence",
        "1. Respond unequivocally to allegations of police-perpetrated abuse, learning from mistakes "
        "and best practice.",
    )
    assert by_ref["P4.1"].hints["delivery_date"] == "Initial analysis within three months, then six-monthly returns."
    assert by_ref["P10.5"].text.startswith("Work with local partners in wider criminal justice")
    assert by_ref["COP.1"].hints == {"owner": "college-of-policing"}
    assert by_ref["COP.1"].text.startswith("We will publish a VAWG Toolkit")
    assert by_ref["VKPP.1"].hints == {"owner": "vkpp", "delivery_date": "Between now and March 2022"}
    # A bullet that runs over a PDF page break is one commitment.
    assert by_ref["VKPP.6"].text.endswith("how the victim's voice is listened to and heard.")
    assert by_ref["PF.3"].text.startswith("By 31 March 2022, we will publish an outcomes and performance framework")
    assert by_ref["P9.2"].text == "Embed the new Serious Violence Duty into partnership VAWG plans."


def test_npcc_past_work_and_rationale_are_not_commitments(npcc: ParsedDocument) -> None:
    texts = [s.text for s in npcc.commitments]
    assert not any(t.startswith("We have brought together") for t in texts)
    assert not any(t.startswith("Perpetrators are the one and only cause") for t in texts)


NPCC_NOISY = (
    "Pillar 1: Build trust and confidence\n\n"
    "1.\t\ufffd Respond unequivocally to allegations.\n\n"
    "Actions\n\n"
    "\t\ufffd Complete an urgent review of all current allegations of \n"
    "sexual misconduct, domestic abuse and other VAWG-related \n"
    "Policing violence against women and girls – National framework for delivery: Year 1\n"
    "21\n"
    " offences against officers and staff, ensuring that they are \n\n"
    "22\n\n"
    "https://example.org/x.pdf\n"
    " being investigated fully and quickly.\n\n"
    "Timings\n\n"
    "\t\ufffd By 30 June 2022.\n"
)


def test_npcc_bullet_interrupted_by_noise_gets_fragments() -> None:
    text = " Detailed actions, rationale and timings  \nof activity\n\n" + NPCC_NOISY
    doc = parser_for("npcc-2021").parse(text, "npcc-test", "npcc-test.txt")
    (stmt,) = doc.commitments
    stmt.check_against(text)
    assert len(stmt.span.fragments) == 3
    assert stmt.text == (
        "Complete an urgent review of all current allegations of sexual misconduct, domestic abuse and "
        "other VAWG-related offences against officers and staff, ensuring that they are being "
        "investigated fully and quickly."
    )
    assert stmt.hints["delivery_date"] == "By 30 June 2022."
    assert doc.unclaimed_lines(len(text.splitlines())) == []
    lines = text.splitlines()
    noise = [n for n, role in doc.line_roles.items() if role == "boilerplate"]
    assert [lines[n - 1].strip()[:8] for n in noise] == ["Policing", "21", "22", "https://"]


# --- CPS DA 2020 -----------------------------------------------------------


@pytest.fixture(scope="module")
def cpsda(sources: Path) -> ParsedDocument:
    return _parse(sources, "cps-da-programme-2020")[1]


def test_cpsda_counts(cpsda: ParsedDocument) -> None:
    kinds = Counter(s.kind for s in cpsda.statements)
    assert kinds == {"commitment": 28, "outcome": 16}
    per_theme = Counter(s.hints.get("theme") for s in cpsda.commitments)
    assert per_theme == {
        "Our People": 7,
        "Digital Capability": 4,
        "Strategic Partnerships": 4,
        "Casework Quality": 6,
        "Public Confidence": 6,
        None: 1,  # GOV.1, the closing undertaking outside the theme lists
    }
    outcomes = Counter(s.ref.split(".")[0] for s in cpsda.statements if s.kind == "outcome")
    assert outcomes == {"T1": 3, "T2": 3, "T3": 4, "T4": 3, "T5": 3}


def test_cpsda_facts(cpsda: ParsedDocument) -> None:
    by_ref = {s.ref: s for s in cpsda.statements}
    assert by_ref["T2.2"].text == (
        "Work closely with the police to explore digital solutions which enable us to consider evidence in a timely way."
    )
    assert by_ref["T2.2"].section == ("Programme details", "Digital Capability")
    assert by_ref["T3.3"].text.startswith("Use evidence and insights to help inform the current DA Bill")
    assert by_ref["T3.2"].text.startswith("ontinue to invest")  # the page's own typo, kept verbatim
    assert by_ref["T5.5"].hints == {"theme": "Public Confidence"}
    assert by_ref["T4.O1"].kind == "outcome"
    assert by_ref["GOV.1"].text.startswith("We will also provide regular updates")


# --- CPS 2025 --------------------------------------------------------------


@pytest.fixture(scope="module")
def cps2025(sources: Path) -> ParsedDocument:
    return _parse(sources, "cps-vawg-strategy-2025")[1]


def test_cps2025_counts(cps2025: ParsedDocument) -> None:
    kinds = Counter(s.kind for s in cps2025.statements)
    assert kinds == {"commitment": 43, "outcome": 10, "aim": 2}
    per_outcome = Counter(s.hints.get("outcome_ref") for s in cps2025.commitments)
    assert per_outcome == {
        "P1.O1": 8, "P1.O2": 4, "P1.O3": 3, "P1.O4": 3, "P1.O5": 2,
        "P2.O1": 9, "P2.O2": 3, "P2.O3": 3, "P2.O4": 3, "P2.O5": 2,
        None: 3,  # CP.1-CP.3, the cultural priorities that undertake something
    }
    assert sorted(s.ref for s in cps2025.commitments if s.ref.startswith("CP.")) == ["CP.1", "CP.2", "CP.3"]


def test_cps2025_facts(cps2025: ParsedDocument) -> None:
    by_ref = {s.ref: s for s in cps2025.statements}
    p1o41 = by_ref["P1.O4.1"]
    assert "Domestic Abuse Joint Justice Plan" in p1o41.text
    assert p1o41.text.startswith("Work with the NPCC")
    assert p1o41.hints == {
        "priority": "1",
        "aim": "We increase our casework quality when handling VAWG cases",
        "outcome": "We work effectively with our criminal justice partners.",
        "outcome_ref": "P1.O4",
        "delivery_date": "2025-2030",
    }
    assert by_ref["P1.AIM"].kind == "aim"
    assert by_ref["P2.AIM"].text == "We increase trust in the Crown Prosecution Service handling of VAWG cases"
    assert by_ref["P2.O3"].kind == "outcome"
    assert by_ref["P2.O2.1"].text.startswith("Together with the police and partners, hold annual national scrutiny")
    assert by_ref["CP.2"].section == ("Cultural priorities", "Case and trial strategy")


def test_cps2025_case_studies_and_forewords_are_prose(cps2025: ParsedDocument, sources: Path) -> None:
    text = (sources / "cps-vawg-strategy-2025.txt").read_text(encoding="utf-8")
    lines = text.splitlines()
    for n, role in cps2025.line_roles.items():
        if role == "commitment":
            assert not lines[n - 1].startswith(("A man who", "Tackling Violence", "The impact of violence"))
    assert not any("Jeanette Smith" in s.text for s in cps2025.statements)


# --- the hand-labelled data agrees with the parse ---------------------------

LABELLED = Path(__file__).parent / "labelled"


@pytest.mark.parametrize("doc_id", DOCS)
def test_hand_counts_and_labelled_refs_match_the_parse(sources: Path, doc_id: str) -> None:
    import json

    _, doc = _parse(sources, doc_id)
    counts = json.loads((LABELLED / "counts.json").read_text(encoding="utf-8"))
    assert len(doc.commitments) == counts[doc_id]
    by_ref = {s.ref: s for s in doc.commitments}
    rows = [json.loads(line) for line in (LABELLED / f"{doc_id}.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(rows) >= 15
    for row in rows:
        assert row["doc_id"] == doc_id
        assert row["ref"] in by_ref, row["ref"]
        assert by_ref[row["ref"]].text.startswith(row["text_prefix"]), row["ref"]
        if "leads" in row:  # rows added for legislation labels only carry no lead label
            assert row["leads"], row["ref"]
