"""The HMG 2016 and CPS 2017–18 parsers against the real bundled documents."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from vawg_kg.errors import SourceError
from vawg_kg.loaders.parsers.cps2017 import PARSER as CPS2017, implements_of
from vawg_kg.loaders.parsers.hmg2016 import PARSER as HMG2016
from vawg_kg.loaders.records import ParsedDocument
from vawg_kg.loaders.text import line_starts

HMG_ID, HMG_FILE = "hmg-vawg-strategy-2016", "hmg-vawg-strategy-2016.md"
CPS_ID, CPS_FILE = "cps-vawg-action-plan-2017", "cps-vawg-action-plan-2017.tsv"


def _read(sources: Path, name: str) -> str:
    return (sources / name).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def hmg_source(sources: Path) -> str:
    return _read(sources, HMG_FILE)


@pytest.fixture(scope="module")
def cps_source(sources: Path) -> str:
    return _read(sources, CPS_FILE)


@pytest.fixture(scope="module")
def hmg(hmg_source: str) -> ParsedDocument:
    return HMG2016.parse(hmg_source, HMG_ID, HMG_FILE)


@pytest.fixture(scope="module")
def cps(cps_source: str) -> ParsedDocument:
    return CPS2017.parse(cps_source, CPS_ID, CPS_FILE)



# ---------------------------------------------------------------- HMG 2016


def test_hmg_annex_a_has_each_action_once(hmg: ParsedDocument) -> None:
    annex = [s.ref for s in hmg.statements if s.ref.startswith("A")]
    assert Counter(annex) == Counter(f"A{n}" for n in range(1, 96))
    assert all(s.kind == "commitment" for s in hmg.statements if s.ref.startswith("A"))


def test_hmg_chapter_bullets_and_outcomes(hmg: ParsedDocument) -> None:
    refs = [s.ref for s in hmg.statements]
    bullets = Counter(r.split(".")[0] for r in refs if r.startswith("C") and ".O" not in r)
    outcomes = Counter(r.split(".")[0] for r in refs if ".O" in r)
    assert bullets == {"C1": 8, "C2": 6, "C3": 7, "C4": 8}
    assert outcomes == {"C1": 7, "C2": 6, "C3": 6, "C4": 5}
    assert len(hmg.commitments) == 95 + 29
    assert all(s.kind == "outcome" for s in hmg.statements if ".O" in s.ref)


def test_hmg_spans_slice_back(hmg: ParsedDocument, hmg_source: str) -> None:
    for s in hmg.statements:
        s.check_against(hmg_source)
        assert s.span.file == HMG_FILE and s.doc_id == HMG_ID


def test_hmg_every_line_claimed(hmg: ParsedDocument, hmg_source: str) -> None:
    assert hmg.unclaimed_lines(len(line_starts(hmg_source))) == []


def test_hmg_facts(hmg: ParsedDocument, hmg_source: str) -> None:
    s = {st.ref: st for st in hmg.statements}
    assert s["A93"].text.startswith("Continue to focus on harmful traditional practices including forced marriage")
    assert s["A93"].hints == {"lead": "CPS", "delivery_date": "Ongoing to 2020"}
    assert s["A27"].hints["lead"] == "FCO"
    assert s["A27"].text.startswith("Challenge traditional attitudes to sexual violence in conflict")
    assert s["A49"].hints["lead"] == "DH / NHS England / Public Health England"
    assert s["A18"].hints["delivery_date"] == "All social workers assessed and accredited by 2020"
    # markup stripped from the text, but the span sits on the raw cell
    assert s["A3"].text == (
        "Publish a consultation report on updated statutory safeguarding guidance for schools, "
        "Keeping Children Safe in Education , to come into force in September 2016."
    )
    assert "<i>" in hmg_source[s["A3"].span.start : s["A3"].span.end]
    # the ACTION cell only: neither the ref nor the lead are in the span
    raw = hmg_source[s["A57"].span.start : s["A57"].span.end]
    assert "<b>57</b>" not in raw and "DFID" not in raw
    assert s["A93"].section == ("ANNEX A: ACTION PLAN", "PURSuing PERPETRATORS", "CPS RESPONSE")
    assert s["A1"].section == ("ANNEX A: ACTION PLAN", "PREVENTING VIOLENCE AND ABUSE", "SCHOOLS AND EDUCATION")
    assert s["A28"].section == ("ANNEX A: ACTION PLAN", "PREVENTING ONLINE ABUSE AND EXPLOITATION")
    assert s["C1.1"].text.startswith("Educate, inform and challenge young people")
    assert s["C1.1"].section == ("Chapter 1: Preventing violence and abuse", "Over the course of the Parliament we will:")
    assert s["C4.8"].text.startswith("Provide further training on the use of the International Protocol")
    assert s["C2.O6"].section[1] == "Outcomes by 2020"


def test_hmg_annex_b_is_prose(hmg: ParsedDocument, hmg_source: str) -> None:
    lines = hmg_source.split("\n")
    annex_b = next(i for i, line in enumerate(lines, 1) if line.startswith("## ANNEX B"))
    roles = {hmg.line_roles[n] for n in range(annex_b + 1, len(lines) + 1)}
    assert roles <= {"prose", "heading", "blank"}
    assert "prose" in roles


def test_hmg_wrapped_action_cell_becomes_fragments(hmg_source: str) -> None:
    """A cell wrapped over two lines (as PDF tables do) is one action with two fragments."""
    row = "1\tDevelop new guidance in consultation with teachers for PSHE lessons specifically about gender equality.\tGEO\tApril 2016"
    assert row in hmg_source
    wrapped = hmg_source.replace(row, row.replace("for PSHE lessons ", "for PSHE\nlessons "))
    doc = HMG2016.parse(wrapped, HMG_ID, HMG_FILE)
    a1 = next(s for s in doc.statements if s.ref == "A1")
    a1.check_against(wrapped)
    assert len(a1.span.fragments) == 2
    assert a1.text == "Develop new guidance in consultation with teachers for PSHE lessons specifically about gender equality."
    assert doc.unclaimed_lines(len(line_starts(wrapped))) == []


def test_hmg_stray_annex_line_is_an_error(hmg_source: str) -> None:
    broken = hmg_source.replace("<b>REDUCING OFFENDING</b>\t\t\t", "stray words")
    line = broken[: broken.index("stray words")].count("\n") + 1
    with pytest.raises(SourceError, match=rf"{HMG_FILE}:{line}:"):
        HMG2016.parse(broken, HMG_ID, HMG_FILE)


@pytest.mark.parametrize("cell", ["", "  ", "<b></b>"])
def test_hmg_empty_action_cell_is_a_source_error(hmg_source: str, cell: str) -> None:
    """An empty ACTION cell is refused with file and line (a blank one used to crash with ValueError)."""
    row = "1\tDevelop new guidance in consultation with teachers for PSHE lessons specifically about gender equality.\tGEO\tApril 2016"
    broken = hmg_source.replace(row, f"1\t{cell}\tGEO\tApril 2016")
    line = broken[: broken.index(f"1\t{cell}\tGEO")].count("\n") + 1
    with pytest.raises(SourceError, match=rf"{HMG_FILE}:{line}: statement A1 has no text"):
        HMG2016.parse(broken, HMG_ID, HMG_FILE)


# ---------------------------------------------------------------- CPS 2017-18


def test_cps_counts(cps: ParsedDocument) -> None:
    per_strand = Counter(s.ref.split(".")[0] for s in cps.commitments)
    assert per_strand == {
        "VAWG": 13, "DA": 9, "SH": 2, "RASSO": 11, "HBVFM": 1, "FGM": 2, "CSA": 4, "HTMS": 7, "PROST": 2,
    }
    assert len(cps.commitments) == 51
    focus = sorted(s.ref for s in cps.statements if s.kind == "outcome")
    assert focus == sorted(f"{c}.FOCUS" for c in ("VAWG", "DA", "SH", "RASSO", "HBVFM", "FGM", "CSA", "HTMS"))
    assert len({s.ref for s in cps.statements}) == len(cps.statements)


def test_cps_spans_and_lines(cps: ParsedDocument, cps_source: str) -> None:
    for s in cps.statements:
        s.check_against(cps_source)
        assert "\t" not in cps_source[s.span.start : s.span.end]
    assert cps.unclaimed_lines(len(line_starts(cps_source))) == []
    assert Counter(cps.line_roles.values())["commitment"] == 51


def test_cps_facts(cps: ParsedDocument) -> None:
    s = {st.ref: st for st in cps.statements}
    assert s["HBVFM.1"].hints["implements"] == ["A93"]
    assert s["HBVFM.1"].text.startswith("Deliver the CPS HBV and FM Work Plan")
    assert s["FGM.1"].hints["implements"] == ["A93"] and s["FGM.2"].hints["implements"] == ["A93"]
    assert str(s["FGM.1"].hints["implements_text"]).startswith("Continue to focus on harmful traditional practices")
    assert s["VAWG.1"].hints["implements"] == ["A90", "A94", "A95"]
    assert s["VAWG.2"].hints["implements"] == ["A91"]
    assert s["VAWG.10"].hints["implements"] == ["A94"]  # "... through the CJS"
    assert s["CSA.4"].hints["implements"] == ["A95"]  # lower-case "stakeholders"
    assert s["HTMS.1"].hints["implements"] == ["A90"]  # "Policies, guidance and training"
    assert s["DA.2"].hints["objectives"] == [
        "Public Confidence", "Success of Our People", "High Quality Casework", "Continuously Improving",
    ]
    assert s["DA.1"].hints["strand"] == "Domestic Abuse" and s["DA.1"].hints["theme"] == "Domestic Abuse"
    assert s["HBVFM.1"].hints["theme"] == "So-called Honour-Based Violence and Forced Marriage"
    assert s["HBVFM.1"].section == ("So-called Honour-Based Violence and Forced Marriage",)
    assert s["CSA.1"].hints["strand"] == "Child sexual abuse"
    assert s["DA.FOCUS"].text.startswith("Key focus on the development across government of DVA Bill")


def test_cps_implements_mapping() -> None:
    assert implements_of("Support Victims through the CPS") == ["A94"]
    assert implements_of("Ensure transparency and accountability of VAWG prosecutions by the annual publication") == ["A92"]
    assert implements_of("") == []
    with pytest.raises(ValueError):
        implements_of("Something the HMG strategy never said")


def test_cps_row_with_missing_columns(cps_source: str) -> None:
    row = "VAWG\tEngage with Stakeholders\tPublic Confidence\tDevelop VAWG communications strategy"
    assert row in cps_source
    broken = cps_source.replace(row, "VAWG\tEngage with Stakeholders\tPublic Confidence")
    line = broken[: broken.index("VAWG\tEngage with Stakeholders\tPublic Confidence")].count("\n") + 1
    with pytest.raises(SourceError, match=rf"{CPS_FILE}:{line}: row has 3 cells, expected 4") as info:
        CPS2017.parse(broken, CPS_ID, CPS_FILE)
    assert info.value.details == {"file": CPS_FILE, "line": line}


def test_cps_unknown_column_2_is_an_error(cps_source: str) -> None:
    broken = cps_source.replace("VAWG\tProvide Regular Oversight\t", "VAWG\tDo something else\t", 1)
    with pytest.raises(SourceError, match="names no HMG 2016 Annex A action"):
        CPS2017.parse(broken, CPS_ID, CPS_FILE)


# ---------------------------------------------------------------- against the hand-labelled data

LABELLED = Path(__file__).parent / "labelled"


def _labels(doc_id: str) -> list[dict[str, object]]:
    import json

    with (LABELLED / f"{doc_id}.jsonl").open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def test_hmg_matches_labels(hmg: ParsedDocument) -> None:
    got = {s.ref: s for s in hmg.statements}
    labels = _labels(HMG_ID)
    assert sum(1 for r in labels if str(r["ref"]).startswith("A")) == 95
    for rec in labels:
        s = got[str(rec["ref"])]
        assert s.text.startswith(str(rec["text_prefix"])), rec["ref"]
        if str(rec["ref"]).startswith("A"):
            assert s.hints["delivery_date"] == rec["deadline_raw"], rec["ref"]


def test_cps_matches_labels(cps: ParsedDocument) -> None:
    got = {s.ref: s for s in cps.commitments}
    labels = _labels(CPS_ID)
    assert {str(r["ref"]) for r in labels} == set(got)
    for rec in labels:
        s = got[str(rec["ref"])]
        assert s.text.startswith(str(rec["text_prefix"])), rec["ref"]
        assert s.hints["implements"] == rec["implements"], rec["ref"]
