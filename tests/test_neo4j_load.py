"""The Neo4j loader on the real server: counts equal the RDF, loads are idempotent and atomic,
connection errors say what to fix.

A small hand-written graph (vawg terms only) exercises the mapping and the failure cases
quickly; the real build of the bundled documents checks the counts per class and property.
"""

from __future__ import annotations

import datetime as dt
import json
import socket
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from rdflib import RDF, RDFS, XSD, Graph, Literal, Namespace, URIRef
from rdflib.namespace import SKOS

from vawg_kg.errors import StoreError, StoreUnavailableError
from vawg_kg.stores.neo4j import load as neo4j_load
from vawg_kg.stores.neo4j import server
from vawg_kg.stores.neo4j.server import ServerInfo
from vawg_kg.ontology.model import OntologyModel, load_model

pytestmark = pytest.mark.neo4j

VAWG = Namespace("https://w3id.org/vawg-kg/ontology#")
ID = Namespace("https://w3id.org/vawg-kg/id/")
OA = Namespace("http://www.w3.org/ns/oa#")
TIME = Namespace("http://www.w3.org/2006/time#")


def small_graph(commitments: int = 6) -> Graph:
    g = Graph()
    doc = ID["doc/hmg-vawg-strategy-2016"]
    g.add((doc, RDF.type, VAWG.PolicyDocument))
    g.add((doc, VAWG.docId, Literal("hmg-vawg-strategy-2016")))
    g.add((doc, VAWG.sourceFile, Literal("hmg-vawg-strategy-2016.md")))
    g.add((doc, VAWG.publishedBy, ID["org/home-office"]))
    for org, label, alts in (("home-office", "Home Office", ("HO",)), ("cps", "Crown Prosecution Service", ("CPS", "the CPS"))):
        g.add((ID[f"org/{org}"], RDF.type, VAWG.Organisation))
        g.add((ID[f"org/{org}"], SKOS.prefLabel, Literal(label, lang="en")))
        for alt in alts:
            g.add((ID[f"org/{org}"], SKOS.altLabel, Literal(alt)))
    act = URIRef("http://www.legislation.gov.uk/id/ukpga/2015/9")
    g.add((act, RDF.type, VAWG.Legislation))
    g.add((act, VAWG.year, Literal(2015)))
    for n in range(1, commitments + 1):
        c = ID[f"commitment/hmg-vawg-strategy-2016/A{n}"]
        g.add((c, RDF.type, VAWG.Commitment))
        g.add((c, VAWG.ref, Literal(f"A{n}")))
        g.add((c, VAWG.text, Literal(f"We will do thing {n}.")))
        g.add((c, VAWG.inDocument, doc))
        g.add((c, VAWG.hasLead, ID["org/home-office"]))
        if n % 2 == 0:
            g.add((c, VAWG.hasPartner, ID["org/cps"]))
            g.add((c, VAWG.citesLegislation, act))
        g.add((c, VAWG.deadline, Literal(dt.date(2020, 3, 31))))
        span = ID[f"span/hmg-vawg-strategy-2016/{n * 100}-{n * 100 + 40}"]
        g.add((c, VAWG.hasSourceSpan, span))
        g.add((span, RDF.type, OA.SpecificResource))
        g.add((span, OA.hasSource, doc))
        position = URIRef(f"{span}#position")
        g.add((span, OA.hasSelector, position))
        g.add((position, RDF.type, OA.TextPositionSelector))
        g.add((position, OA.start, Literal(n * 100)))
        g.add((position, OA.end, Literal(n * 100 + 40)))
        interval = ID["interval/2019-04-01_2020-03-31"]
        g.add((c, VAWG.deadlinePeriod, interval))
        g.add((interval, RDF.type, TIME.Interval))
        for prop, day in ((TIME.hasBeginning, "2019-04-01"), (TIME.hasEnd, "2020-03-31")):
            g.add((interval, prop, ID[f"instant/{day}"]))
            g.add((ID[f"instant/{day}"], TIME.inXSDDate, Literal(day, datatype=XSD.date)))
    first, second = ID["commitment/hmg-vawg-strategy-2016/A1"], ID["commitment/hmg-vawg-strategy-2016/A2"]
    g.add((second, VAWG.implements, first))
    frag_span = ID["span/hmg-vawg-strategy-2016/100-140"]
    for i, (a, b) in enumerate(((100, 120), (125, 140)), 1):
        g.add((frag_span, VAWG.hasFragment, URIRef(f"{frag_span}#fragment-{i}")))
        g.add((URIRef(f"{frag_span}#fragment-{i}"), OA.start, Literal(a)))
        g.add((URIRef(f"{frag_span}#fragment-{i}"), OA.end, Literal(b)))
    for page in (3, 2):  # a span of an added PDF, across a page break
        g.add((frag_span, VAWG.onPage, Literal(page, datatype=XSD.positiveInteger)))
    section = ID["section/hmg-vawg-strategy-2016/annex-a"]
    g.add((section, RDF.type, VAWG.Section))
    g.add((section, RDFS.label, Literal("Annex A")))
    g.add((section, VAWG.inDocument, doc))
    return g


def rdf_counts(g: Graph, model: OntologyModel) -> tuple[dict[str, int], dict[str, int]]:
    """What Neo4j must hold, computed from the RDF alone: instances per class (with subclasses)
    and triples per relationship property."""
    labels: Counter[str] = Counter()
    for cls in model.classes.values():
        members = {cls.local_name} | {c.local_name for c in model.classes.values()
                                      if cls.local_name in model.ancestors(c.local_name)}
        instances = {s for m in members for s in g.subjects(RDF.type, URIRef(model.classes[m].iri))}
        if instances:
            labels[cls.neo4j_label] = len(instances)
    rels: Counter[str] = Counter()
    for prop in (*model.object_properties.values(), *model.external_properties.values()):
        if prop.is_relationship and prop.neo4j_rel_type:
            n = len(list(g.triples((None, URIRef(prop.iri), None))))
            if n:
                rels[prop.neo4j_rel_type] = n
    return dict(labels), dict(rels)


def db_counts(info: ServerInfo) -> tuple[dict[str, int], dict[str, int]]:
    import neo4j

    with neo4j.GraphDatabase.driver(info.uri, auth=(info.user, info.password)) as driver:
        labels, rels = neo4j_load.counts(driver, "neo4j")
    return labels, rels


def do_load(info: ServerInfo, g: Graph, **kwargs: Any) -> neo4j_load.LoadResult:
    return neo4j_load.load(g, info.uri, info.user, info.password, "neo4j", **kwargs)


def test_counts_equal_the_rdf_and_a_second_load_changes_nothing(neo4j_server: ServerInfo) -> None:
    g, model = small_graph(), load_model()
    first = do_load(neo4j_server, g)
    want_labels, want_rels = rdf_counts(g, model)
    labels, rels = db_counts(neo4j_server)
    assert {k: v for k, v in labels.items() if k != "Resource"} == want_labels
    assert rels == want_rels
    assert labels == first.labels
    second = do_load(neo4j_server, g)
    assert (second.labels, second.rel_types) == (first.labels, first.rel_types)
    assert db_counts(neo4j_server) == (labels, rels)


def test_mapping_folds_spans_and_periods_and_lists_repeated_values(neo4j_driver: Any,
                                                                  neo4j_server: ServerInfo) -> None:
    do_load(neo4j_server, small_graph())
    a1 = neo4j_driver.execute_query(
        "MATCH (c:Commitment {ref: 'A1'}) RETURN c, labels(c) AS labels").records[0]
    node = a1["c"]
    assert set(a1["labels"]) == {"Resource", "Commitment", "Statement"}
    assert node["iri"] == str(ID["commitment/hmg-vawg-strategy-2016/A1"])
    assert (node["sourceFile"], node["sourceStart"], node["sourceEnd"]) == ("hmg-vawg-strategy-2016.md", 100, 140)
    assert (node["sourceFragmentStarts"], node["sourceFragmentEnds"]) == ([100, 125], [120, 140])
    assert node["sourcePages"] == [2, 3]
    assert node["deadline"].iso_format() == "2020-03-31"
    assert node["deadlinePeriodStart"].iso_format() == "2019-04-01"
    cps = neo4j_driver.execute_query("MATCH (o:Organisation {iri: $iri}) RETURN o",
                                     iri=str(ID["org/cps"])).records[0]["o"]
    assert cps["altLabel"] == ["CPS", "the CPS"] and cps["prefLabel"] == "Crown Prosecution Service"
    ho = neo4j_driver.execute_query("MATCH (o:Organisation {iri: $iri}) RETURN o",
                                    iri=str(ID["org/home-office"])).records[0]["o"]
    assert ho["altLabel"] == ["HO"]  # a list on every node once any node has several
    spans = neo4j_driver.execute_query("MATCH (n:Resource) WHERE n.iri CONTAINS '/span/' "
                                       "OR n.iri CONTAINS '/interval/' RETURN count(n) AS c").records[0]["c"]
    assert spans == 0


def test_indexes_come_from_the_ontology_and_old_constraints_go(neo4j_driver: Any, neo4j_server: ServerInfo) -> None:
    """``iri`` is indexed on every label (range indexes: a uniqueness constraint makes the swap's
    writes slower the more the load has deleted); a constraint an earlier version made is dropped."""
    neo4j_driver.execute_query("DROP INDEX vawg_Theme_iri IF EXISTS")
    neo4j_driver.execute_query("CREATE CONSTRAINT vawg_Theme_iri IF NOT EXISTS FOR (n:Theme) REQUIRE n.iri IS UNIQUE")
    do_load(neo4j_server, small_graph(2))
    model = load_model()
    constraints = neo4j_driver.execute_query("SHOW CONSTRAINTS YIELD name WHERE name STARTS WITH 'vawg_' "
                                             "RETURN name").records
    assert constraints == []
    indexed = {(tuple(r["labelsOrTypes"] or ()), tuple(r["properties"] or ())) for r in neo4j_driver.execute_query(
        "SHOW INDEXES YIELD labelsOrTypes, properties, type WHERE type = 'RANGE' "
        "RETURN labelsOrTypes, properties").records}
    for label in ["Resource", *(c.neo4j_label for c in model.classes.values())]:
        assert ((label,), ("iri",)) in indexed
    assert (("Commitment",), ("ref",)) in indexed
    assert (("PolicyDocument",), ("docId",)) in indexed


def test_failed_load_with_a_bad_value_leaves_the_previous_graph(neo4j_server: ServerInfo) -> None:
    good = small_graph()
    do_load(neo4j_server, good)
    before = db_counts(neo4j_server)
    bad = small_graph(12)
    # Beyond Neo4j's 64-bit integers: the driver cannot send it, after the earlier batches went out.
    bad.add((URIRef("http://www.legislation.gov.uk/id/ukpga/2015/9"), VAWG.year,
             Literal("99999999999999999999", datatype=XSD.integer)))
    stages: list[tuple[str, int]] = []
    with pytest.raises(StoreError, match="rolled back; the previous graph is unchanged"):
        do_load(neo4j_server, bad, batch=1, progress=lambda stage, done, total: stages.append((stage, done)))
    assert ("nodes", 1) in stages  # it failed midway, not before writing
    assert db_counts(neo4j_server) == before


def test_interrupted_load_leaves_the_previous_graph(neo4j_server: ServerInfo) -> None:
    do_load(neo4j_server, small_graph())
    before = db_counts(neo4j_server)

    def interrupt(stage: str, done: int, total: int) -> None:
        if stage == "relationships" and done > 0:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        do_load(neo4j_server, small_graph(12), batch=2, progress=interrupt)
    assert db_counts(neo4j_server) == before


def _left_over(info: ServerInfo) -> dict[str, int]:
    import neo4j

    with neo4j.GraphDatabase.driver(info.uri, auth=(info.user, info.password)) as driver:
        return {label: driver.execute_query(f"MATCH (n:{label}) RETURN count(n) AS c").records[0]["c"]
                for label in (neo4j_load.STAGING, neo4j_load.RETIRED)}


def test_staged_graph_is_invisible_to_labelled_queries_until_the_swap(neo4j_server: ServerInfo) -> None:
    """While the new graph is staged, every query that starts from a label sees the old one."""
    do_load(neo4j_server, small_graph())
    before = db_counts(neo4j_server)
    seen: dict[str, Any] = {}

    def look(stage: str, done: int, total: int) -> None:
        if stage == "relationships" and done == total and "staged" not in seen:
            seen["staged"] = (db_counts(neo4j_server), _left_over(neo4j_server))

    new = small_graph(12)
    do_load(neo4j_server, new, batch=3, progress=look)
    staged_counts, staged_left = seen["staged"]
    assert staged_counts == before
    assert staged_left[neo4j_load.STAGING] > 0  # the new graph was there, unlabelled
    labels, rels = db_counts(neo4j_server)
    assert ({k: v for k, v in labels.items() if k != "Resource"}, rels) == rdf_counts(new, load_model())
    assert _left_over(neo4j_server) == {neo4j_load.STAGING: 0, neo4j_load.RETIRED: 0}


def test_failed_load_deletes_what_it_staged(neo4j_server: ServerInfo) -> None:
    do_load(neo4j_server, small_graph())
    bad = small_graph(12)
    bad.add((URIRef("http://www.legislation.gov.uk/id/ukpga/2015/9"), VAWG.year,
             Literal("99999999999999999999", datatype=XSD.integer)))
    with pytest.raises(StoreError):
        do_load(neo4j_server, bad, batch=1)
    assert _left_over(neo4j_server) == {neo4j_load.STAGING: 0, neo4j_load.RETIRED: 0}


def test_next_load_deletes_what_an_interrupted_one_left(neo4j_server: ServerInfo) -> None:
    do_load(neo4j_server, small_graph())

    def interrupt(stage: str, done: int, total: int) -> None:
        if stage == "relationships" and done > 0:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        do_load(neo4j_server, small_graph(12), batch=2, progress=interrupt)
    assert _left_over(neo4j_server)[neo4j_load.STAGING] > 0
    new = small_graph(8)
    do_load(neo4j_server, new)
    assert _left_over(neo4j_server) == {neo4j_load.STAGING: 0, neo4j_load.RETIRED: 0}
    labels, rels = db_counts(neo4j_server)
    assert ({k: v for k, v in labels.items() if k != "Resource"}, rels) == rdf_counts(new, load_model())


def test_a_build_folder_loads_by_streaming(neo4j_server: ServerInfo, tmp_path: Path) -> None:
    """``load_build`` reads the N-Triples file itself (no rdflib graph) and gives the same graph."""
    g = small_graph()
    g.serialize(tmp_path / "vawg-kg.nt", format="nt", encoding="utf-8")
    via_file = neo4j_load.load_build(tmp_path, neo4j_server.uri, neo4j_server.user, neo4j_server.password)
    assert (via_file.labels, via_file.rel_types) == db_counts(neo4j_server)
    via_graph = do_load(neo4j_server, g)
    assert (via_graph.labels, via_graph.rel_types) == (via_file.labels, via_file.rel_types)


def test_neo4j_scheme_gives_the_same_graph(neo4j_server: ServerInfo) -> None:
    g = small_graph()
    via_bolt = do_load(neo4j_server, g)
    routed = neo4j_server.uri.replace("bolt://", "neo4j://")
    via_routing = neo4j_load.load(g, routed, neo4j_server.user, neo4j_server.password, "neo4j")
    assert (via_routing.labels, via_routing.rel_types) == (via_bolt.labels, via_bolt.rel_types)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_refused_uri_names_the_uri_and_the_fix() -> None:
    uri = f"bolt://127.0.0.1:{_free_port()}"
    with pytest.raises(StoreUnavailableError, match=f"cannot reach Neo4j at {uri}.*vawg-kg neo4j start"):
        neo4j_load.load(small_graph(1), uri, "neo4j", "whatever-password", "neo4j", retry_s=0)


def test_wrong_password_names_the_user_and_the_fix(neo4j_server: ServerInfo) -> None:
    with pytest.raises(StoreUnavailableError, match=r"refused user 'neo4j': wrong user name or password.*--password"):
        neo4j_load.load(small_graph(1), neo4j_server.uri, "neo4j", "not-the-password", "neo4j")


@pytest.mark.parametrize("scheme", ["bolt", "neo4j"])
def test_unknown_database_names_it_and_the_fix(neo4j_server: ServerInfo, scheme: str) -> None:
    uri = neo4j_server.uri.replace("bolt://", f"{scheme}://")
    with pytest.raises(StoreUnavailableError, match="database 'nope' does not exist on .*--database neo4j"):
        neo4j_load.load(small_graph(1), uri, neo4j_server.user, neo4j_server.password, "nope")


def test_tls_uri_against_a_plain_server_is_a_clear_error(neo4j_server: ServerInfo) -> None:
    uri = neo4j_server.uri.replace("bolt://", "neo4j+s://")
    with pytest.raises(StoreUnavailableError, match="cannot reach Neo4j at neo4j\\+s://"):
        neo4j_load.load(small_graph(1), uri, neo4j_server.user, neo4j_server.password, "neo4j", retry_s=0)


def test_cli_load_neo4j_error_exit_code(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from vawg_kg.cli import app

    small_graph(1).serialize(tmp_path / "vawg-kg.nt", format="nt")
    uri = f"bolt://127.0.0.1:{_free_port()}"
    result = CliRunner().invoke(app, ["load-neo4j", "--uri", uri, "--password", "x" * 8,
                                      "--build-dir", str(tmp_path)])
    assert result.exit_code == StoreUnavailableError.exit_code, result.output
    assert "cannot reach Neo4j at" in result.output


def test_cli_load_neo4j_streams_the_build_and_prints_the_counts(neo4j_server: ServerInfo, build_dir: Path) -> None:
    from typer.testing import CliRunner

    from vawg_kg.cli import app

    result = CliRunner().invoke(app, ["load-neo4j", "--uri", neo4j_server.uri, "--user", neo4j_server.user,
                                      "--password", neo4j_server.password, "--build-dir", str(build_dir)],
                                env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    labels, rels = db_counts(neo4j_server)
    assert labels["Commitment"] == len(json.loads((build_dir / "commitments.json").read_text()))
    assert f"{labels['Resource']} nodes, {sum(rels.values())} relationships" in result.output


def test_real_build_counts_equal_the_rdf(neo4j_server: ServerInfo, build_dir: Path) -> None:
    """The issue's "counts agree": the bundled documents' graph, per class and per property."""
    path = neo4j_load.graph_file(build_dir)
    g = neo4j_load.read_graph(path)
    result = neo4j_load.load(g, neo4j_server.uri, neo4j_server.user, neo4j_server.password, "neo4j")
    want_labels, want_rels = rdf_counts(g, load_model())
    labels, rels = db_counts(neo4j_server)
    assert {k: v for k, v in labels.items() if k != "Resource"} == want_labels
    assert rels == want_rels
    assert want_labels.get("Commitment", 0) > 100
    assert (result.labels, result.rel_types) == (labels, rels)


@pytest.mark.parametrize("stage", ["relationships", "swap"])
def test_kill_during_load_then_restart_keeps_the_previous_graph(tmp_path: Path, neo4j_server: ServerInfo,
                                                                 stage: str) -> None:
    """Issue 10: SIGKILL the server mid-load — while staging, or inside the swap's transaction after
    the old nodes were relabelled; after a restart the previous graph is intact and a new load completes."""
    state, data = tmp_path / "state.json", tmp_path / "data"
    info = server.start(data_dir=data, state_file=state)
    try:
        old, new = small_graph(), small_graph(12)
        do_load(info, old)
        before = db_counts(info)

        def kill_midway(at: str, done: int, total: int) -> None:
            if at == stage and done > 0:
                server.kill(info)

        with pytest.raises(StoreUnavailableError):
            do_load(info, new, batch=2, progress=kill_midway, retry_s=0)
        server.stop(info, state_file=state)
        info = server.start(info.port, data_dir=data, state_file=state)
        assert db_counts(info) == before
        do_load(info, new)
        labels, rels = db_counts(info)
        assert ({k: v for k, v in labels.items() if k != "Resource"}, rels) == rdf_counts(new, load_model())
    finally:
        server.stop(info, state_file=state)
