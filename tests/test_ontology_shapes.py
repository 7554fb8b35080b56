"""SHACL shapes: a hand-written valid graph passes; each kind of mistake is reported by focus node and path."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import RDF, Graph, Namespace, URIRef
from rdflib.namespace import SH

from vawg_kg.errors import ValidationError
from vawg_kg.ontology.model import load_model
from vawg_kg.ontology.validate import MAX_LISTED, shapes_graph, validate_graph

FIXTURE = Path(__file__).with_name("ontology_fixtures") / "valid_graph.ttl"
V = Namespace("https://w3id.org/vawg-kg/ontology#")
A93 = "id:commitment/hmg-vawg-strategy-2016/A93"


def graph(edit: tuple[str, str] | None = None, *more: tuple[str, str]) -> Graph:
    text = FIXTURE.read_text(encoding="utf-8")
    for old, new in [e for e in (edit, *more) if e]:
        assert old in text, f"fixture no longer contains {old!r}"
        text = text.replace(old, new, 1)
    return Graph().parse(data=text, format="turtle")


def violations(data: Graph) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        validate_graph(data)
    found = caught.value.details["violations"]
    assert isinstance(found, list)
    return found


def test_the_hand_written_graph_is_valid() -> None:
    validate_graph(graph())


def test_a_commitment_with_three_mistakes_reports_each_by_focus_node_and_path() -> None:
    data = graph(
        ('vawg:ref "A93" ;', ""),
        ('vawg:deadline "2018-12-31"^^xsd:date', 'vawg:deadline "end of 2018"'),
        ("vawg:hasLead <org/home-office>", "vawg:hasLead <http://www.legislation.gov.uk/id/ukpga/2015/9>"),
    )
    with pytest.raises(ValidationError) as caught:
        validate_graph(data)
    message = caught.value.message
    assert f"{A93} vawg:ref: A statement needs exactly one non-empty vawg:ref" in message
    assert f"{A93} vawg:deadline: vawg:deadline is at most one xsd:date" in message
    assert "(found 'end of 2018')" in message
    assert f"{A93} vawg:hasLead: A commitment's vawg:hasLead must be a vawg:Organisation" in message
    assert len(caught.value.details["violations"]) == 3
    assert caught.value.status == 500 and caught.value.exit_code == 5


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (('vawg:text "Review', 'vawg:text ""; rdfs:comment "Review'), f"{A93} vawg:text:"),
        (("vawg:inDocument <doc/hmg-vawg-strategy-2016> ;", ""), f"{A93} vawg:inDocument:"),
        (("vawg:hasSourceSpan <span/hmg-vawg-strategy-2016/1234-1290> .", "."), f"{A93} vawg:hasSourceSpan:"),
        (('vawg:deadlineKind "date"', 'vawg:deadlineKind "soon"'), f"{A93} vawg:deadlineKind:"),
        (('vawg:deadlineText "2018" ;', ""), f"{A93} vawg:deadlineText: A commitment with a vawg:deadline"),
        (("oa:start 1234", "oa:start 1300"), "id:span/hmg-vawg-strategy-2016/1234-1290 oa:hasSelector [...] oa:start:"),
        (("oa:start 1234", "oa:start -1"), "oa:hasSelector [...] oa:start:"),
        (("oa:end 1290", 'oa:end "1290"'), "oa:hasSelector [...] oa:end:"),
        (("[ a oa:TextQuoteSelector ; oa:exact \"Review", "[ a oa:Selector ; oa:exact \"Review"),
         "id:span/hmg-vawg-strategy-2016/1234-1290 oa:hasSelector: A source span needs exactly one oa:TextQuoteSelector"),
        (("oa:hasSource <doc/hmg-vawg-strategy-2016> ;", ""), "id:span/hmg-vawg-strategy-2016/1234-1290 oa:hasSource:"),
        (('time:inXSDDate "2018-12-31"^^xsd:date', 'time:inXSDDate "2018"'),
         f"{A93} vawg:deadlinePeriod [...] time:hasEnd/time:inXSDDate:"),
        (("vawg:score 0.82", "vawg:score 1.5"), "id:overlap/fedcba9876543210 vawg:score:"),
        (('vawg:overlapKind "restates"', 'vawg:overlapKind "same"'), "id:overlap/fedcba9876543210 vawg:overlapKind:"),
        (("vawg:overlapOf <commitment/cps-vawg-strategy-2025/P1.O1.1> ,", "vawg:overlapOf"),
         "id:overlap/fedcba9876543210 vawg:overlapOf: An overlap needs exactly two"),
        (("vawg:contributesTo <outcome/cps-vawg-strategy-2025/P1.O1>", "vawg:contributesTo <org/cps>"),
         "id:commitment/cps-vawg-strategy-2025/P1.O1.1 vawg:contributesTo:"),
        (("vawg:hasTheme <theme/domestic-abuse> ; vawg:hasOutcomeCode", "vawg:hasTheme <org/cps> ; vawg:hasOutcomeCode"),
         "id:commitment/cps-vawg-strategy-2025/P1.O1.1 vawg:hasTheme:"),
        (('<http://www.legislation.gov.uk/id/ukpga/2015/9> a vawg:Legislation',
          '<https://legislation.gov.uk/ukpga/2015/9> a vawg:Legislation'),
         "<https://legislation.gov.uk/ukpga/2015/9>: Legislation must be identified by its legislation.gov.uk IRI"),
        (('vawg:sectionNumber "76"', 'rdfs:comment "76"'), "vawg:sectionNumber: A legislation section needs"),
        (('skos:notation "16" ;', ""), "id:outcome-code/16 skos:notation:"),
        (('rdfs:label "Priority 1" ;', ""), "id:section/cps-vawg-strategy-2025/priority-1 rdfs:label:"),
        (('dcterms:date "2018-01-08"^^xsd:date ;', ""), "id:org-change/dclg-to-mhclg dcterms:date:"),
        (('vawg:isCurrent false', 'vawg:isCurrent "no"'), "id:org/dclg vawg:isCurrent:"),
        (("vawg:extractionRule \"with-partner-phrase\" ;", ""), "id:extraction/0123456789abcdef vawg:extractionRule:"),
        (('vawg:docId "cps-vawg-strategy-2025" ;', ""), "id:doc/cps-vawg-strategy-2025 vawg:docId:"),
        (('skos:prefLabel "Operation Soteria"@en', 'rdfs:label "Operation Soteria"'),
         "id:programme/operation-soteria skos:prefLabel:"),
    ],
)
def test_each_mistake_is_reported_at_its_node_and_path(edit: tuple[str, str], expected: str) -> None:
    found = violations(graph(edit))
    assert any(expected in v for v in found), found


def test_every_class_has_a_shape() -> None:
    shapes = shapes_graph()
    targeted = {str(o) for o in shapes.objects(None, SH.targetClass)}
    assert {c.iri for c in load_model().classes.values()} <= targeted


def test_every_shape_constraint_has_a_message() -> None:
    shapes = shapes_graph()
    property_shapes = set(shapes.objects(None, SH.property))
    assert len(property_shapes) > 60
    for shape in property_shapes:
        assert shapes.value(shape, SH.message) is not None, shapes.value(shape, SH.path)


def test_a_long_list_of_violations_is_cut_with_a_count() -> None:
    data = graph()
    for i in range(MAX_LISTED + 5):
        data.add((URIRef(f"https://w3id.org/vawg-kg/id/commitment/x/{i}"), RDF.type, V.Commitment))
    with pytest.raises(ValidationError) as caught:
        validate_graph(data)
    total = len(caught.value.details["violations"])
    assert total >= 4 * (MAX_LISTED + 5)  # each bare commitment misses inDocument, ref, text and span
    assert f"and {total - MAX_LISTED} more" in caught.value.message
    assert caught.value.message.count("\n  id:") == MAX_LISTED




