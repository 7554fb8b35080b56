"""The ontology: parses, documents every term, is consistent, and drives the derived names."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rdflib import OWL, RDF, RDFS, Graph, Literal, Namespace, URIRef

from vawg_kg.errors import OntologyError
from vawg_kg.ontology.model import ONTOLOGY_FILE, build_model, load_model, parse_turtle, snake_case, upper_snake
from vawg_kg.ontology.terms import ID, VAWG
from vawg_kg.ontology.validate import check_consistency, consistency_errors, ontology_graph

REPO = Path(__file__).resolve().parents[1]
V = Namespace("https://w3id.org/vawg-kg/ontology#")
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")  # a plain Namespace: pytest probes module attributes
ORG = Namespace("http://www.w3.org/ns/org#")
ALIGNERS = (RDFS.subClassOf, RDFS.subPropertyOf, OWL.equivalentClass, OWL.equivalentProperty)
EXTERNAL_NAMESPACES = (
    "http://www.w3.org/ns/prov#",
    "http://www.w3.org/ns/org#",
    "http://www.w3.org/2004/02/skos/core#",
    "http://purl.org/dc/terms/",
    "http://www.w3.org/2006/time#",
    "http://www.w3.org/ns/oa#",
)

CONTRACT_CLASSES = ["PolicyDocument", "Commitment", "Organisation", "Legislation", "OutcomeCode", "Theme"]
CONTRACT_PROPERTIES = [
    "inDocument", "ref", "text", "hasLead", "hasPartner", "deadline", "deadlineText",
    "citesLegislation", "hasOutcomeCode", "hasTheme", "overlapsWith", "hasFragment",
]  # fmt: skip


def vawg_terms(kind: URIRef) -> list[URIRef]:
    g = ontology_graph()
    return sorted(s for s in g.subjects(RDF.type, kind) if str(s).startswith(str(V)))


def test_ontology_declares_the_public_contract() -> None:
    model = load_model()
    assert set(CONTRACT_CLASSES) <= set(model.classes)
    assert set(CONTRACT_PROPERTIES) <= set(model.object_properties) | set(model.datatype_properties)
    header = URIRef("https://w3id.org/vawg-kg/ontology")
    g = ontology_graph()
    assert (header, RDF.type, OWL.Ontology) in g
    for predicate in (URIRef("http://purl.org/dc/terms/title"), URIRef("http://purl.org/dc/terms/description"),
                      URIRef("http://purl.org/dc/terms/license"), OWL.versionInfo):  # fmt: skip
        assert g.value(header, predicate) is not None, predicate
    description = str(g.value(header, URIRef("http://purl.org/dc/terms/description")))
    for convention in ("oa:TextPositionSelector", "code points", "end exclusive", "oa:TextQuoteSelector",
                       "vawg:deadlineText", "last day", "time:Interval"):  # fmt: skip
        assert convention in description


def test_every_term_in_the_data_model_doc_is_declared() -> None:
    used = set(re.findall(r"vawg:([A-Za-z]\w*)", (REPO / "docs" / "data-model.md").read_text(encoding="utf-8")))
    assert len(used) > 40
    assert sorted(used - load_model().declared_names()) == []


@pytest.mark.parametrize("kind", [OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty])
def test_every_term_has_label_definition_and_alignment_or_note(kind: URIRef) -> None:
    g = ontology_graph()
    terms = vawg_terms(kind)
    assert terms
    for term in terms:
        assert g.value(term, RDFS.label), term
        assert len(str(g.value(term, RDFS.comment))) > 20, term
        aligned = [o for p in ALIGNERS for o in g.objects(term, p)]
        note = g.value(term, V.alignmentNote)
        assert aligned or note, f"{term} has neither an alignment nor a vawg:alignmentNote"
        if kind != OWL.Class:
            assert g.value(term, RDFS.domain) is not None, term
            assert g.value(term, RDFS.range) is not None, term


def test_alignment_reaches_the_w3c_vocabularies() -> None:
    """Across the ontology, each of the six vocabularies the brief names is used for alignment."""
    g = ontology_graph()
    targets = {str(o) for p in ALIGNERS for o in g.objects(None, p)}
    for ns in EXTERNAL_NAMESPACES:
        assert any(t.startswith(ns) for t in targets), ns


def test_alignments_have_a_reason_comment() -> None:
    """Each rdfs:subClassOf / subPropertyOf line to another vocabulary has a `#` comment just above it."""
    lines = ONTOLOGY_FILE.read_text(encoding="utf-8").splitlines()
    aligning = [i for i, line in enumerate(lines)
                if re.match(r"\s+(rdfs:subClassOf|rdfs:subPropertyOf|owl:equivalentClass) ", line)]  # fmt: skip
    assert len(aligning) > 30
    for i in aligning:
        above = lines[i - 1].strip()
        assert above.startswith("#") or lines[i - 2].strip().startswith("#"), f"line {i + 1}: {lines[i]}"


def test_key_types_and_axioms() -> None:
    g = ontology_graph()
    assert g.value(V.deadline, RDFS.range) == XSD.date
    assert g.value(V.score, RDFS.range) == XSD.decimal
    assert (V.overlapsWith, RDF.type, OWL.SymmetricProperty) in g
    assert (V.restates, RDF.type, OWL.SymmetricProperty) in g
    assert (V.restates, RDFS.subPropertyOf, V.overlapsWith) in g
    assert (V.hasFragment, RDFS.subPropertyOf, URIRef("http://www.w3.org/ns/oa#hasSelector")) in g
    chain = g.value(V.succeededBy, OWL.propertyChainAxiom)
    assert chain is not None
    assert list(g.items(chain)) == [ORG.changedBy, ORG.resultingOrganization]


def test_every_object_property_says_whether_it_is_a_neo4j_relationship() -> None:
    g = ontology_graph()
    for prop in vawg_terms(OWL.ObjectProperty):
        values = list(g.objects(prop, V.neo4jRelationship))
        assert len(values) == 1 and isinstance(values[0], Literal) and values[0].datatype == XSD.boolean, prop
    model = load_model()
    folded = {name for name, p in model.object_properties.items() if not p.is_relationship}
    assert folded == {"hasSourceSpan", "hasFragment", "deadlinePeriod"}


def test_neo4j_and_api_names_are_derived_from_local_names() -> None:
    model = load_model()
    lead = model.object_properties["hasLead"]
    assert (lead.neo4j_rel_type, lead.api_field, lead.is_relationship) == ("HAS_LEAD", "has_lead", True)
    assert model.object_properties["inDocument"].neo4j_rel_type == "IN_DOCUMENT"
    assert model.object_properties["hasOutcomeCode"].neo4j_rel_type == "HAS_OUTCOME_CODE"
    assert model.object_properties["hasSourceSpan"].neo4j_rel_type is None
    text = model.datatype_properties["deadlineText"]
    assert (text.neo4j_key, text.api_field, text.neo4j_rel_type) == ("deadlineText", "deadline_text", None)
    assert model.datatype_properties["deadline"].range == (str(XSD.date),)
    assert model.classes["Commitment"].neo4j_label == "Commitment"
    assert model.classes["Commitment"].parents == (str(V.Statement),)
    assert upper_snake("docId") == "DOC_ID"
    assert snake_case("refersToProgramme") == "refers_to_programme"
    assert upper_snake("HTMLPage") == "HTML_PAGE"


def test_union_domains_are_read_as_tuples() -> None:
    assert load_model().object_properties["inDocument"].domain == (str(V.Section), str(V.Statement))


def test_external_literal_properties_carry_their_neo4j_keys() -> None:
    external = load_model().external_properties
    literal_keys = {k for k, p in external.items() if not p.is_relationship}
    assert {"prefLabel", "altLabel", "notation", "definition", "title", "issued", "label"} <= literal_keys
    assert all(p.neo4j_key == k for k, p in external.items() if not p.is_relationship)
    assert external["prefLabel"].iri == "http://www.w3.org/2004/02/skos/core#prefLabel"
    assert external["prefLabel"].api_field == "pref_label"
    assert external["issued"].iri == "http://purl.org/dc/terms/issued"


def test_labels_for_adds_vawg_ancestors_and_ignores_foreign_types() -> None:
    model = load_model()
    assert model.labels_for([str(V.Commitment), "http://www.w3.org/ns/prov#Entity"]) == ["Commitment", "Statement"]
    assert model.labels_for([str(V.LegislationSection), str(V.Legislation)]) == ["LegislationSection", "Legislation"]
    assert model.labels_for(["http://www.w3.org/ns/oa#SpecificResource"]) == []


def test_property_for_and_term_lookups() -> None:
    model = load_model()
    assert model.property_for(str(V.hasLead)) is model.object_properties["hasLead"]
    assert model.property_for("http://www.w3.org/2004/02/skos/core#altLabel") is model.external_properties["altLabel"]
    assert model.property_for(str(V.Commitment)) is None
    assert model.term("Commitment") == str(V.Commitment)
    with pytest.raises(OntologyError, match="vawg:Comitment is not declared.*vawg:Commitment"):
        model.term("Comitment")


def test_model_is_loaded_once() -> None:
    assert load_model() is load_model()


def test_strict_namespace_gives_declared_terms_and_refuses_others() -> None:
    assert VAWG.hasLead == URIRef(str(V.hasLead))
    assert isinstance(VAWG.hasLead, URIRef)
    assert VAWG["Commitment"] == URIRef(str(V.Commitment))
    assert "hasLead" in VAWG and V.hasLead in VAWG and "hasLeed" not in VAWG
    with pytest.raises(OntologyError, match="hasLeed"):
        VAWG.hasLeed  # noqa: B018
    with pytest.raises(OntologyError, match="Overlaps"):
        VAWG["Overlaps"]
    assert ID["org/cps"] == URIRef("https://w3id.org/vawg-kg/id/org/cps")


def test_a_turtle_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "broken.ttl"
    bad.write_text("@prefix vawg: <https://w3id.org/vawg-kg/ontology#> .\n\nvawg:A a vawg:B ;\n  vawg:c .\n")
    with pytest.raises(OntologyError) as caught:
        parse_turtle(bad)
    assert f"{bad}:4:" in caught.value.message
    assert caught.value.details["line"] == 4


def _ontology_without(*triples: tuple[URIRef, URIRef, object]) -> Graph:
    g = Graph()
    g += ontology_graph()
    for s, p, o in triples:
        g.remove((s, p, o))
    return g


@pytest.mark.parametrize(
    ("removed", "expected"),
    [
        ((V.hasLead, RDFS.label, None), r"vawg:hasLead has no rdfs:label"),
        ((V.Theme, RDFS.comment, None), r"vawg:Theme has no rdfs:comment"),
        ((V.hasLead, RDFS.range, None), r"vawg:hasLead has no range"),
        ((V.deadline, RDFS.domain, None), r"vawg:deadline has no domain"),
        ((V.contributesTo, V.alignmentNote, None), r"vawg:contributesTo is neither aligned"),
        ((V.restates, V.neo4jRelationship, None), r"vawg:restates needs exactly one vawg:neo4jRelationship"),
    ],
)
def test_a_term_missing_a_required_annotation_is_named(removed: tuple[URIRef, URIRef, None], expected: str) -> None:
    with pytest.raises(OntologyError, match=expected):
        build_model(_ontology_without(removed), source="vawg.ttl")


def test_an_undeclared_vawg_term_used_in_the_ontology_is_named() -> None:
    g = _ontology_without()
    g.set((V.hasLead, RDFS.range, V.Organization))
    with pytest.raises(OntologyError, match="vawg:Organization is used but not declared"):
        build_model(g, source="vawg.ttl")


def test_ontology_and_vocabularies_are_owl_rl_consistent() -> None:
    assert consistency_errors(ontology_graph()) == []
    check_consistency()


def test_owl_rl_closure_detects_a_contradiction() -> None:
    g = _ontology_without()
    g.add((URIRef("urn:x"), RDF.type, V.Commitment))
    g.add((URIRef("urn:x"), RDF.type, V.StatedOutcome))
    errors = consistency_errors(g)
    assert len(errors) == 1 and "urn:x" in errors[0]


def test_owl_rl_closure_uses_the_axioms() -> None:
    """succeededBy follows from ORG change events; overlapsWith is symmetric and restates implies it."""
    g = _ontology_without()
    old, new, event, a, b = (URIRef(f"urn:{n}") for n in ("dclg", "mhclg", "rename", "a", "b"))
    g.add((old, ORG.changedBy, event))
    g.add((event, ORG.resultingOrganization, new))
    g.add((a, V.restates, b))
    import owlrl

    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, axiomatic_triples=False).expand(g)
    assert (old, V.succeededBy, new) in g
    assert (b, V.restates, a) in g and (b, V.overlapsWith, a) in g
    assert (a, RDF.type, V.Commitment) in g


def test_reused_object_properties_become_typed_relationships() -> None:
    external = load_model().external_properties
    rels = {p.neo4j_rel_type: p for p in external.values() if p.is_relationship}
    assert rels["BROADER"].iri == "http://www.w3.org/2004/02/skos/core#broader"
    assert rels["RESULTING_ORGANIZATION"].iri == "http://www.w3.org/ns/org#resultingOrganization"
    assert all(p.kind == "object" and p.neo4j_key is None for p in rels.values())
