"""The resolver: vocabulary entries found in real sentences of the five documents."""

from __future__ import annotations

import re
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vawg_kg.loaders import resolve
from vawg_kg.loaders.resolve import Match

ID = "https://w3id.org/vawg-kg/id/"
LEG = "http://www.legislation.gov.uk/id/"


def org(slug: str) -> str:
    return f"{ID}org/{slug}"


def theme(slug: str) -> str:
    return f"{ID}theme/{slug}"


def iris(matches: list[Match]) -> set[str]:
    return {m.iri for m in matches}


def check_offsets(text: str, matches: list[Match], overlap_ok: bool = False) -> None:
    for m in matches:
        assert text[m.start:m.end] == m.matched_text, m
    if overlap_ok:
        return
    ordered = sorted(matches, key=lambda m: m.start)
    for a, b in zip(ordered, ordered[1:]):
        assert a.end <= b.start, f"overlapping matches {a} {b}"


# ------------------------------------------------------------------ legislation


@pytest.mark.parametrize("text, iri, rule", [
    # HMG 2016 action 76
    ("Monitor the implementation of the new domestic abuse offence of coercive and controlling behaviour in an "
     "intimate or family relationship", f"{LEG}ukpga/2015/9/section/76", "legislation-concept:"),
    ("the new offence of coercive and controlling behaviour", f"{LEG}ukpga/2015/9/section/76", "legislation-concept:"),
    # CPS 2017 DA strand
    ("Update DA legal guidance including controlling or coercive behaviour", f"{LEG}ukpga/2015/9/section/76",
     "legislation-concept:"),
    # HMG 2016 action 15 and chapter 1
    ("Consider criminalising breach of a Domestic Violence Protection Order.", f"{LEG}ukpga/2010/17",
     "legislation-concept:"),
    ("rolled out Domestic Violence Protection Orders (DVPOs)", f"{LEG}ukpga/2010/17", "legislation-concept:"),
    # CPS 2017 RASSO strand
    ("Implementation of actions on EIA, police file quality and S28 YJCEA 1999.", f"{LEG}ukpga/1999/23/section/28",
     "legislation-section"),
    ("Assist the MOJ with the review of Section 41 YJCEA 1999", f"{LEG}ukpga/1999/23/section/41",
     "legislation-section"),
    ("the use of pre-trial recorded cross-examination of victims", f"{LEG}ukpga/1999/23/section/28",
     "legislation-concept:"),
    # CPS DA 2020 and CPS 2017
    ("Use evidence and insights to help inform the current DA Bill", f"{LEG}ukpga/2021/17", "legislation-name"),
    ("Key focus on the development across government of DVA Bill", f"{LEG}ukpga/2021/17", "legislation-name"),
    ("the development of the Domestic Violence and Abuse Bill", f"{LEG}ukpga/2021/17", "legislation-name"),
    # NPCC 2021 priority 9
    ("Embed the new Serious Violence Duty into partnership VAWG plans.", f"{LEG}ukpga/2022/32/section/8",
     "legislation-concept:"),
    # HMG 2016 chapter 1 and 4
    ("We introduced a landmark Modern Slavery Act", f"{LEG}ukpga/2015/30", "legislation-name"),
    ("Through the Serious Crime Act 2015, we have provided", f"{LEG}ukpga/2015/9", "legislation-name"),
    ("responsibilities enshrined within the Equality Act 2010", f"{LEG}ukpga/2010/15", "legislation-name"),
    ("all FMPOs and FGMPs and other relevant orders", f"{LEG}ukpga/1996/27/section/63A", "legislation-concept:"),
    ("We have introduced FGM Protection Orders", f"{LEG}ukpga/2003/31/section/5A", "legislation-concept:"),
    ("a new civil Stalking Protection Order", f"{LEG}ukpga/2019/9", "legislation-concept:"),
    ("section 76 of the Serious Crime Act 2015", f"{LEG}ukpga/2015/9/section/76", "legislation-section"),
    ("Serious Crime Act 2015, s. 76", f"{LEG}ukpga/2015/9/section/76", "legislation-section"),
])
def test_find_legislation(text, iri, rule):
    found = resolve.find_legislation(text)
    check_offsets(text, found)
    hits = [m for m in found if m.iri == iri]
    assert hits, (text, found)
    assert hits[0].rule.startswith(rule)


def test_the_brief_examples_have_the_expected_rule_names():
    (m,) = resolve.find_legislation("the new offence of coercive and controlling behaviour")
    assert (m.rule, m.kind) == ("legislation-concept:controlling-coercive-behaviour", "crime-type")
    (m,) = resolve.find_legislation("S28 YJCEA 1999")
    assert (m.iri, m.matched_text, m.start, m.end) == (f"{LEG}ukpga/1999/23/section/28", "S28 YJCEA 1999", 0, 14)


def test_an_act_of_another_year_is_not_taken_for_the_known_one():
    assert resolve.find_legislation("the Sexual Offences Act 1956") == []


def test_no_legislation_in_unrelated_text():
    assert resolve.find_legislation("Publish the Annual VAWG Crime Report.") == []


# ------------------------------------------------------------------ lead column


@pytest.mark.parametrize("cell, expected", [
    ("HO/MOJ/CPS", ["home-office", "moj", "cps"]),
    ("HO / MOJ", ["home-office", "moj"]),
    ("DH / NHS England / Public Health England", ["dh", "nhs-england", "phe"]),
    ("<b>COP</b>", ["college-of-policing"]),
    ("DCLG / HO", ["dclg", "home-office"]),
    ("NOMS", ["noms"]),
    ("Home Office and Ministry of Justice", ["home-office", "moj"]),
    ("Department for Culture, Media and Sport", ["dcms"]),
])
def test_resolve_lead_cell(cell, expected):
    found = resolve.resolve_lead_cell(cell)
    check_offsets(cell, found)
    assert [m.iri for m in found] == [org(s) for s in expected]
    assert all(m.rule == "lead-column" for m in found)


def test_unknown_lead_becomes_an_organisation_not_dropped():
    found = resolve.resolve_lead_cell("HO / Frobnication Unit")
    assert [m.rule for m in found] == ["lead-column", "lead-column-unknown"]
    assert found[1].iri == org("frobnication-unit")
    assert found[1].matched_text == "Frobnication Unit"


def test_empty_lead_cell():
    assert resolve.resolve_lead_cell("  ") == []


# ------------------------------------------------------------------ organisations in prose


@pytest.mark.parametrize("text, expected", [
    # CPS 2017 RASSO strand
    ("Work with the police to Improve police file quality - develop MoU", {"police-forces"}),
    ("Develop ways to improve the recording of the equality profile of victims across the police and CPS.",
     {"police-forces", "cps"}),
    # HMG 2016 action 66
    ("Work with NHS England, Public Health England, Health Education England and other partners to disseminate",
     {"nhs-england", "phe", "health-education-england"}),
    # HMG 2016 action 56
    ("Work with Women's Aid to investigate the capabilities of the UK Refuges Online (UKROL)", {"womens-aid"}),
    # HMG 2016 action 55
    ("Develop an approach to the collection of data recorded by police forces in relation to HBV, FM and FGM in "
     "conjunction with the National Police Chiefs' Council.", {"police-forces", "npcc"}),
    # NPCC 2021 foreword (curly apostrophes, wrapped lines)
    ("including the Home Office, the Welsh Government, the Independent Office of Police Conduct, \nHMICFRS, the "
     "National Crime Agency and the Association of Police and \nCrime Commissioners (APCC)",
     {"home-office", "welsh-government", "iopc", "hmicfrs", "nca", "apcc"}),
    ("We will continue to work closely with the National Victims’ Commissioner \nand National Domestic Abuse "
     "Commissioner for England and Wales.", {"victims-commissioner", "domestic-abuse-commissioner"}),
    # CPS 2025 P2 outcome 2 activity 2
    ("including engagement with national and local organisations, the Victims’ Commissioner, the Domestic Abuse "
     "Commissioner, the London Victims’ Commissioner, the Children’s Commissioner and the Association of Police and "
     "Crime Commissioners.",
     {"victims-commissioner", "domestic-abuse-commissioner", "london-victims-commissioner", "childrens-commissioner",
      "apcc"}),
    # CPS 2025 P1 outcome 4 activity 1
    ("Work with the NPCC to implement and deliver the Domestic Abuse Joint Justice Plan", {"npcc"}),
    # CPS 2017 RASSO strand
    ("Work with the Criminal Bar Association and Bar Council to ensure that essential CPS training",
     {"criminal-bar-association", "bar-council", "cps"}),
])
def test_find_organisations_in_real_sentences(text, expected):
    found = resolve.find_organisations(text)
    check_offsets(text, found)
    assert iris(found) == {org(s) for s in expected}


def test_generic_words_are_not_organisations():
    text = "Home is where victims should feel safe; we respect their wishes and refuge provision matters."
    assert resolve.find_organisations(text) == []


def test_police_and_crime_commissioners_is_not_the_police():
    found = resolve.find_organisations("the Police and Crime Commissioners")
    assert iris(found) == {org("pccs")}


def test_lead_column_codes_are_not_matched_in_prose():
    # "HO" and "COP" are lead-column codes only (skos:hiddenLabel).
    assert resolve.find_organisations("HO COP") == []


# ------------------------------------------------------------------ themes


@pytest.mark.parametrize("label, expected", [
    ("Domestic Abuse", ["domestic-abuse"]),
    ("HBV/FM", ["honour-based-abuse-forced-marriage"]),
    ("HBV and FM", ["honour-based-abuse-forced-marriage"]),
    ("Our People", ["workforce"]),
    ("Stalking and Harassment", ["stalking-harassment"]),
    ("Human trafficking and modern slavery", ["modern-slavery-trafficking"]),
    ("Female Genital Mutilation", ["fgm"]),
    ("Child sexual abuse", ["child-sexual-abuse"]),
    ("Rape and Sexual Offences", ["rape-sexual-offences"]),
    ("Violence against Women and Girls (VAWG)", ["vawg-general"]),
    ("Strategic Partnerships", ["partnership"]),
    ("Pillar 3: Safer spaces", ["sexual-harassment-public-spaces"]),
    ("TACKLING PREPETRATORS", ["perpetrators"]),
    ("INTERNATIONALLY", ["international"]),
])
def test_theme_for_label(label, expected):
    found = resolve.theme_for_label(label)
    check_offsets(label, found)
    assert [m.iri for m in found] == [theme(s) for s in expected]


def test_theme_for_a_heading_that_is_not_a_label_reads_its_words():
    found = resolve.theme_for_label("Protecting people online from stalking")
    assert theme("stalking-harassment") in iris(found)


@pytest.mark.parametrize("text, expected", [
    # CPS 2017 VAWG strand
    ("Support VAWG Coordinators, RASSO Heads and specialist leads/prosecutors on Stalking and Harassment; HBV/FM; "
     "FGM; CSA; HT/MS.",
     {"vawg-general", "rape-sexual-offences", "stalking-harassment", "honour-based-abuse-forced-marriage", "fgm",
      "child-sexual-abuse", "modern-slavery-trafficking"}),
    # HMG 2016 action 93
    ("Continue to focus on harmful traditional practices including forced marriage, honour-based violence and female "
     "genital mutilation.", {"honour-based-abuse-forced-marriage", "fgm"}),
    # CPS 2025 priority 1 context
    ("Online-facilitated VAWG such as cyberflashing and intimate deepfakes", {"online-abuse", "vawg-general"}),
    # HMG 2016 action 30
    ("Continue to ensure victims of revenge pornography have access to bespoke support", {"online-abuse"}),
    # NPCC priority 10
    ("Target activity at identified high-risk and high-harm locations, including those associated with the "
     "night-time economy", {"sexual-harassment-public-spaces"}),
])
def test_find_themes_in_real_sentences(text, expected):
    found = resolve.find_themes(text)
    check_offsets(text, found)
    assert {theme(s) for s in expected} <= iris(found)


def test_domestic_abuse_acronym_is_case_sensitive():
    assert theme("domestic-abuse") in iris(resolve.find_themes("falls in DA referrals"))
    assert theme("domestic-abuse") not in iris(resolve.find_themes("da capo"))


# ------------------------------------------------------------------ outcome codes


def test_npcc_priority_8_outcome_codes(sources):
    text = (sources / "npcc-vawg-framework-2021.txt").read_text(encoding="utf-8")
    start = text.index("Establish greater scrutiny")
    passage = text[start:text.index("Rationale", start)]
    found = resolve.find_outcome_codes(passage)
    check_offsets(passage, found)
    assert [m.iri for m in found] == [f"{ID}outcome-code/{n}" for n in ("14", "15", "16")]
    assert all(m.rule == "outcome-code-number" for m in found)


@pytest.mark.parametrize("text, expected", [
    ("three out of every four recorded domestic abuse cases are closed with outcomes 15 or 16.", ["15", "16"]),
    ("the number of offences ending in outcome 16 for recorded rapes for females increased from 5,773 in 2014/15",
     ["16"]),
    ("outcome codes 14, 15 and 16", ["14", "15", "16"]),
    ("outcomes 14 to 16", ["14", "15", "16"]),
    ("Outcome 1A", ["1a"]),
])
def test_find_outcome_codes(text, expected):
    found = resolve.find_outcome_codes(text)
    check_offsets(text, found, overlap_ok=True)  # a range's implied codes span the range
    assert sorted(m.iri for m in found) == sorted(f"{ID}outcome-code/{n}" for n in expected)


@pytest.mark.parametrize("text", [
    "Publish 16 new guides by 2020.",
    "in accordance with the Code for Crown Prosecutors",
    "Outcome: We effectively respond to the complex and evolving nature of VAWG.",
    "outcome 23",  # not an outcome type
])
def test_no_outcome_codes_where_the_text_does_not_cite_them(text):
    assert resolve.find_outcome_codes(text) == []


# ------------------------------------------------------------------ programmes


@pytest.mark.parametrize("text, slug", [
    ("Work with the NPCC to implement and deliver the Domestic Abuse Joint Justice Plan", "domestic-abuse-joint-justice-plan"),
    ("Deliver the joint police and CPS Stalking Action Plan.", "joint-stalking-action-plan-2017"),
    ("We will be building on the promising practice of Op Soteria in relation to rape", "operation-soteria"),
    ("Learning from Domestic Abuse Best Practise Framework (DA BPF) implementation", "da-best-practice-framework"),
    ("Continue to embed the implementation of the DA Best Practise Framework", "da-best-practice-framework"),
    ("Publish an evaluation of the Domestic Violence Disclosure Scheme (DVDS)", "domestic-violence-disclosure-scheme"),
])
def test_find_programmes(text, slug):
    found = resolve.find_programmes(text)
    check_offsets(text, found)
    assert f"{ID}programme/{slug}" in iris(found)


# ------------------------------------------------------------------ whole documents: offsets, overlap, speed


@pytest.mark.parametrize("finder", [resolve.find_organisations, resolve.find_legislation, resolve.find_themes,
                                    resolve.find_programmes, resolve.find_outcome_codes])
def test_every_match_in_every_document_points_at_its_text(sources, finder):
    for path in sorted(sources.iterdir()):
        text = path.read_text(encoding="utf-8")
        started = time.perf_counter()
        found = finder(text)
        assert time.perf_counter() - started < 20, f"{finder.__name__} too slow on {path.name}"
        check_offsets(text, found, overlap_ok=finder is resolve.find_outcome_codes)


def test_whole_documents_mention_what_they_should(sources):
    hmg = (sources / "hmg-vawg-strategy-2016.md").read_text(encoding="utf-8")
    found = iris(resolve.find_legislation(hmg))
    assert {f"{LEG}ukpga/2015/9", f"{LEG}ukpga/2015/9/section/76", f"{LEG}ukpga/2010/17", f"{LEG}ukpga/2015/30",
            f"{LEG}ukpga/2010/15", f"{LEG}anaw/2015/3", f"{LEG}ukpga/2007/18"} <= found
    npcc = (sources / "npcc-vawg-framework-2021.txt").read_text(encoding="utf-8")
    assert {org("college-of-policing"), org("vkpp"), org("hmicfrs"), org("npcc")} <= iris(resolve.find_organisations(npcc))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(list("aAeHOPDSCF /,'’-\n0123456789") + ["police ", "CPS", "Act ", "outcome "]),
                max_size=80).map("".join))
def test_finders_never_return_impossible_offsets(text):
    for finder in (resolve.find_organisations, resolve.find_legislation, resolve.find_themes,
                   resolve.find_outcome_codes, resolve.find_programmes, resolve.resolve_lead_cell,
                   resolve.theme_for_label):
        found = finder(text)
        for m in found:
            assert 0 <= m.start <= m.end <= len(text)
            assert text[m.start:m.end] == m.matched_text
        if finder not in (resolve.resolve_lead_cell, resolve.theme_for_label, resolve.find_outcome_codes):
            check_offsets(text, found)


def test_pathological_input_is_fast():
    text = ("a" * 5000 + " ") * 4 + "'" * 2000 + re.escape("((((") * 100
    started = time.perf_counter()
    for finder in (resolve.find_organisations, resolve.find_legislation, resolve.find_themes,
                   resolve.find_programmes, resolve.find_outcome_codes):
        finder(text)
    assert time.perf_counter() - started < 10


# ------------------------------------------------------------------ bodies the vocabulary does not know (opt-in)


def test_unknown_bodies_are_found_with_an_iri_from_their_name():
    text = "Work with the Advertising Standards Authority and the CPS to review guidance."
    (m,) = resolve.find_unknown_organisations(text)
    assert (m.matched_text, m.rule) == ("Advertising Standards Authority", "org-unknown")
    assert m.iri == org("advertising-standards-authority")
    check_offsets(text, [m])


@pytest.mark.parametrize("text", [
    "Work with the College of Policing and the Crown Prosecution Service.",  # known bodies
    "as defined in the Statistics and Registration Service Act 2007",  # an Act's title
    "The Council agreed.",  # a head word alone
    "Deliver the DA Best Practice Framework through the National Oversight Group.",  # programmes
])
def test_known_names_acts_and_lone_head_words_are_not_unknown_bodies(text):
    assert resolve.find_unknown_organisations(text) == []


def test_unknown_bodies_in_the_cps_2017_plan(sources):
    text = (sources / "cps-vawg-action-plan-2017.tsv").read_text(encoding="utf-8")
    found = resolve.find_unknown_organisations(text)
    check_offsets(text, found)
    assert "CJS Senior Officials Group" in {m.matched_text for m in found}
