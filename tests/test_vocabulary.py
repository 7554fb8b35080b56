"""The controlled vocabularies: succession of renamed bodies, legislation identifiers,
the whole outcome-code list, themes, and the checks the loader makes on its files."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from rdflib import URIRef
from rdflib.namespace import ORG, SKOS

from vawg_kg.errors import OntologyError
from vawg_kg.ontology.vocabulary import VAWG, build_vocabulary, load_vocabulary, vocabulary_dir, vocabulary_graph

LEGISLATION_PATTERN = re.compile(r"^http://www\.legislation\.gov\.uk/id/(ukpga|asp|anaw|nia|uksi)/\d{4}/\d+(/section/\d+[A-Z]*)?$")

# The Home Office outcome types as listed in the open data tables (19: NFIB fraud, no recent cases).
PUBLISHED_OUTCOME_CODES = ["1", "1A", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14", "15",
                           "16", "17", "18", "19", "20", "21", "22"]

# Slugs other layers write labelled data with: they must exist.
FIXED_ORG_SLUGS = ["hm-government", "home-office", "geo", "dfe", "dclg", "mhclg", "dluhc", "dh", "dhsc", "fco", "dfid",
                   "fcdo", "dcms", "moj", "noms", "hmpps", "college-of-policing", "cps", "nhs-england", "phe", "ukhsa",
                   "ohid", "hmic", "hmicfrs", "npcc", "police-forces", "vkpp", "health-education-england",
                   "womens-aid", "hmcts"]
FIXED_THEME_SLUGS = ["vawg-general", "domestic-abuse", "rape-sexual-offences", "stalking-harassment",
                     "honour-based-abuse-forced-marriage", "fgm", "child-sexual-abuse", "modern-slavery-trafficking",
                     "prostitution-sexual-exploitation", "online-abuse", "sexual-harassment-public-spaces",
                     "victim-support", "prevention", "perpetrators", "justice-outcomes", "workforce", "data-evidence",
                     "partnership", "international", "equality-inclusion"]


@pytest.fixture(scope="module")
def vocab():
    return load_vocabulary()


def slugs(orgs):
    return {o.slug for o in orgs}


@pytest.mark.parametrize("today, earlier", [
    ("FCDO", {"fco", "dfid"}),
    ("DHSC", {"dh"}),
    ("MHCLG", {"dclg", "dluhc"}),
    ("HMPPS", {"noms"}),
    ("HMICFRS", {"hmic"}),
    ("UKHSA", {"phe"}),
    ("OHID", {"phe"}),
    ("Foreign, Commonwealth and Development Office", {"fco", "dfid"}),
    ("department of health and social care", {"dh"}),
])
def test_search_by_todays_name_finds_the_old_bodies(vocab, today, earlier):
    found = vocab.search_organisations(today)
    assert found, today
    assert earlier <= slugs(found[1:])
    assert found[0].is_current


def test_old_bodies_lead_to_todays(vocab):
    assert "fcdo" in vocab.successors("fco")
    assert "fcdo" in vocab.successors("dfid")
    assert vocab.successors("dclg")[:1] == ["mhclg"]
    assert {o.slug for o in vocab.current_names("dclg")} == {"mhclg"}
    assert {o.slug for o in vocab.current_names("phe")} == {"ukhsa", "ohid"}
    assert not vocab.organisations["fco"].is_current


def test_closure_never_contains_the_body_itself_despite_the_rename_cycle(vocab):
    # MHCLG → DLUHC → MHCLG is one department renamed twice.
    assert "mhclg" not in vocab.successors("mhclg")
    assert "mhclg" not in vocab.predecessors("mhclg")


def test_fixed_slugs_exist(vocab):
    assert set(FIXED_ORG_SLUGS) <= set(vocab.organisations)
    assert set(FIXED_THEME_SLUGS) <= set(vocab.themes)


@pytest.mark.parametrize("name, slug", [
    ("HO", "home-office"), ("COP", "college-of-policing"), ("Home Office", "home-office"),
    ("the police", "police-forces"), ("police forces", "police-forces"), ("NHS England", "nhs-england"),
    ("Public Health England", "phe"), ("Women’s Aid", "womens-aid"), ("DFE", "dfe"), ("DfE", "dfe"),
    ("National Police Chiefs’ Council", "npcc"), ("Department of Communities and Local Government", "dclg"),
])
def test_find_organisation_by_label_acronym_or_lead_code(vocab, name, slug):
    org = vocab.find_organisation(name)
    assert org is not None and org.slug == slug
    assert org.name in org.labels


def test_find_organisation_does_not_guess(vocab):
    assert vocab.find_organisation("Home") is None
    assert vocab.find_organisation("Ministry of Magic") is None


def test_every_lead_acronym_of_hmg_annex_a_is_known(vocab, sources):
    text = (sources / "hmg-vawg-strategy-2016.md").read_text(encoding="utf-8")
    cells = {row.split("\t")[2] for row in text.splitlines() if row.count("\t") >= 3}
    codes = {c.strip() for cell in cells for c in re.sub(r"</?b>", "", cell).split("/")} - {"", "LEAD"}
    assert codes >= {"HO", "GEO", "DFE", "DCLG", "DH", "FCO", "DFID", "DCMS", "MOJ", "NOMS", "COP", "CPS"}
    unknown = sorted(c for c in codes if vocab.find_organisation(c) is None)
    assert unknown == []


def test_change_events_are_materialised_as_org_and_succeeded_by(vocab):
    g = vocabulary_graph()
    fco, fcdo = URIRef(vocab.organisations["fco"].iri), URIRef(vocab.organisations["fcdo"].iri)
    event = URIRef(vocab.changes["fco-dfid-to-fcdo"].iri)
    assert (fco, VAWG.succeededBy, fcdo) in g
    assert (fco, ORG.changedBy, event) in g
    assert (fcdo, ORG.resultedFrom, event) in g
    assert (event, ORG.originalOrganization, fco) in g
    for change in vocab.changes.values():
        assert change.original and change.resulting and change.date.year >= 2015


def test_every_legislation_iri_follows_the_legislation_gov_uk_pattern(vocab):
    assert vocab.legislation
    for iri, act in vocab.legislation.items():
        assert LEGISLATION_PATTERN.match(iri), iri
        assert act.name
        if act.section:
            assert act.section_of in vocab.legislation
            assert iri == f"{act.section_of}/section/{act.section}"
    assert LEGISLATION_PATTERN.match(vocab.legislation_entry(
        "http://www.legislation.gov.uk/id/ukpga/2015/9/section/73").iri)


@pytest.mark.parametrize("iri, title", [
    ("http://www.legislation.gov.uk/id/ukpga/2015/9", "Serious Crime Act 2015"),
    ("http://www.legislation.gov.uk/id/ukpga/2010/17", "Crime and Security Act 2010"),
    ("http://www.legislation.gov.uk/id/ukpga/1999/23", "Youth Justice and Criminal Evidence Act 1999"),
    ("http://www.legislation.gov.uk/id/ukpga/2021/17", "Domestic Abuse Act 2021"),
    ("http://www.legislation.gov.uk/id/ukpga/2022/32", "Police, Crime, Sentencing and Courts Act 2022"),
])
def test_acts_the_brief_names(vocab, iri, title):
    assert vocab.legislation[iri].name == title


def test_outcome_scheme_holds_every_published_code_with_a_definition(vocab):
    assert sorted(vocab.outcome_codes, key=lambda n: (int(re.match(r"\d+", n).group()), n)) == PUBLISHED_OUTCOME_CODES
    assert len(vocab.outcome_codes) == 23
    g = vocabulary_graph()
    for notation, code in vocab.outcome_codes.items():
        assert code.definition and code.name
        assert code.iri.endswith(f"/outcome-code/{notation.lower()}")
        assert (URIRef(code.iri), SKOS.inScheme, URIRef("https://w3id.org/vawg-kg/id/outcome-code")) in g
    assert "victim declines" in vocab.outcome_codes["14"].definition


def test_themes_form_one_scheme_with_known_broader_concepts(vocab):
    for theme in vocab.themes.values():
        assert theme.iri == f"https://w3id.org/vawg-kg/id/theme/{theme.slug}"
        assert all(b in vocab.themes for b in theme.broader)
    assert vocab.themes["fgm"].broader == ("honour-based-abuse-forced-marriage",)
    assert "RASSO" in vocab.themes["rape-sexual-offences"].labels


def test_counts(vocab):
    counts = vocab.counts()
    assert counts["outcome_codes"] == 23
    assert counts["organisations"] >= 60 and counts["organisation_changes"] >= 10
    assert counts["acts"] >= 15 and counts["themes"] >= 20 and counts["programmes"] >= 20


# ------------------------------------------------------------------ the loader's own checks


def _copy(tmp_path: Path) -> Path:
    target = tmp_path / "vocabularies"
    shutil.copytree(vocabulary_dir(), target)
    return target


def test_a_bad_legislation_iri_is_refused_with_the_file_named(tmp_path):
    folder = _copy(tmp_path)
    path = folder / "legislation.ttl"
    path.write_text(path.read_text(encoding="utf-8") + (
        '\n<http://example.org/act> a <https://w3id.org/vawg-kg/ontology#Legislation> ;\n'
        '    <http://www.w3.org/2004/02/skos/core#prefLabel> "Made-up Act" .\n'), encoding="utf-8")
    with pytest.raises(OntologyError, match=r"legislation\.ttl.*not a legislation\.gov\.uk identifier"):
        build_vocabulary(folder)


def test_a_match_phrase_with_a_nested_quantifier_is_refused(tmp_path):
    folder = _copy(tmp_path)
    path = folder / "programmes.ttl"
    path.write_text(path.read_text(encoding="utf-8") + (
        '\n<programme/slow> a <https://w3id.org/vawg-kg/ontology#Programme> ;\n'
        '    <http://www.w3.org/2004/02/skos/core#prefLabel> "Slow" ;\n'
        '    <https://w3id.org/vawg-kg/ontology#matchPhrase> "(a+)+b" .\n'), encoding="utf-8")
    with pytest.raises(OntologyError, match="nested quantifier"):
        build_vocabulary(folder)


def test_a_syntax_error_names_the_file(tmp_path):
    folder = _copy(tmp_path)
    (folder / "themes.ttl").write_text("@prefix x: <http://x/> .\nx:a x:b \n", encoding="utf-8")
    with pytest.raises(OntologyError, match=r"themes\.ttl"):
        build_vocabulary(folder)


def test_a_change_naming_an_unknown_body_is_refused(tmp_path):
    folder = _copy(tmp_path)
    path = folder / "organisations.ttl"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "org:resultingOrganization <org/fcdo> .", "org:resultingOrganization <org/ministry-of-magic> ."),
        encoding="utf-8")
    with pytest.raises(OntologyError, match="ministry-of-magic"):
        build_vocabulary(folder)
