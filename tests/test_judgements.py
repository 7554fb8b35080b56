"""Reviewers' judgements that stick (issue 16, item 2).

The file reader's errors name the file, the line and the field; decisions are the last one per link;
and end to end: ``vawg-kg review`` (a real subprocess, answers on stdin) appends judgements against
a real build; ``vawg-kg build --judgements`` honours them; a pair the model links and the reviewer
rejected is gone from ``/overlaps``, ``/lineage`` and the named lineage query (real HTTP), from the
RDF (SPARQL on the build's store) and from Neo4j (Cypher on the real server); a pair the model does
not link and the reviewer confirmed is there with ``origin: judged`` and its PROV; a judgement
naming a commitment that does not exist is reported, not dropped.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.api_server import RunningServer, start_server, stop_server
from vawg_kg.cli.review import queue
from vawg_kg.errors import JudgementsError
from vawg_kg.loaders import judgements
from vawg_kg.loaders.judgements import Judgement
from vawg_kg.stores.oxigraph import OxigraphStore

REPO = Path(__file__).resolve().parents[1]
GOOD = {"a": "hmg-vawg-strategy-2016/A93", "b": "cps-vawg-action-plan-2017/FGM.1", "relation": "related",
        "decision": "rejected", "by": "alice", "at": "2026-12-04T23:40:00+00:00", "why": "same theme only",
        "score": 0.41}
VAWG_PREFIX = "PREFIX vawg: <https://w3id.org/vawg-kg/ontology#>\nPREFIX prov: <http://www.w3.org/ns/prov#>\n"
PROV_AGENT = "http://www.w3.org/ns/prov#Agent"


def _write(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "judgements.jsonl"
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def _line(**changes: Any) -> str:
    row = {**GOOD, **changes}
    return json.dumps({k: v for k, v in row.items() if v is not ...})


# ---------------------------------------------------------------------------- the reader


def test_a_good_file_reads_back_every_field(tmp_path: Path) -> None:
    path = _write(tmp_path, _line(), "", _line(decision="confirmed", relation="restates", why=..., score=None))
    got = judgements.read(path)
    assert [(j.decision, j.relation, j.line) for j in got] == [("rejected", "related", 1), ("confirmed", "restates", 3)]
    assert got[0].to_json() == GOOD
    assert got[1].why == "" and got[1].score is None
    assert got[0].a_iri == "https://w3id.org/vawg-kg/id/commitment/hmg-vawg-strategy-2016/A93"
    assert judgements.key_of(got[0].b_iri) == "cps-vawg-action-plan-2017/FGM.1"


@pytest.mark.parametrize(("line", "expected"), [
    ('{"a": "hmg-vawg-strategy-2016/A93", ', "not valid JSON"),
    ("[1, 2]", "a judgement is a JSON object, not list"),
    (_line(reviewer="bob"), "unknown field 'reviewer'"),
    (_line(decision="maybe"), "unknown decision 'maybe'; use one of confirmed, rejected, unsure"),
    (_line(relation="supersedes"), "unknown relation 'supersedes'"),
    (_line(by=...), "missing field 'by'"),
    (_line(at="yesterday"), "field 'at': 'yesterday' is not an ISO 8601"),
    (_line(score=1.5), "field 'score': 1.5 is not a probability"),
    (_line(score="high"), "field 'score': \"high\" is not a probability"),
    (_line(b="hmg-vawg-strategy-2016/A93"), "'a' and 'b' are the same commitment"),
    (_line(a="A93"), "field 'a': 'A93' is not a commitment; write it as doc_id/ref"),
    (_line(by="  "), "field 'by' is empty"),
    (_line(why=3), "field 'why' must be a string"),
])
def test_a_bad_line_is_named_by_file_line_and_what_is_wrong(tmp_path: Path, line: str, expected: str) -> None:
    path = _write(tmp_path, _line(), line)
    with pytest.raises(JudgementsError) as err:
        judgements.read(path)
    assert err.value.message.startswith(f"{path}:2: ")
    assert expected in err.value.message
    assert err.value.details == {"file": str(path), "line": 2}


def test_a_missing_file_given_is_an_error_but_a_default_not_shipped_is_no_judgements(tmp_path: Path) -> None:
    with pytest.raises(JudgementsError, match="no such judgements file"):
        judgements.load(tmp_path / "nope.jsonl")
    assert judgements.load(None, default=tmp_path / "not-shipped.jsonl") == ([], None)
    shipped, source = judgements.load(None)
    assert source == str(REPO / "data" / "judgements.jsonl")  # the repository's versioned file
    assert all(isinstance(j, Judgement) for j in shipped)


def test_the_last_decision_per_link_wins_unsure_changes_nothing_and_stale_ones_are_listed(tmp_path: Path) -> None:
    path = _write(tmp_path,
                  _line(decision="confirmed"),
                  _line(decision="rejected", relation="restates", a=GOOD["b"], b=GOOD["a"]),  # same overlap, reversed
                  _line(decision="unsure"),
                  _line(relation="implements", decision="confirmed"),
                  _line(a="hmg-vawg-strategy-2016/A999"))
    got = judgements.read(path)
    known = {got[0].a_iri, got[0].b_iri}
    decided = judgements.decide(got, known)
    assert [j.line for j in decided.overlaps.values()] == [2]
    assert [j.line for j in decided.implements.values()] == [4]
    assert decided.unsure == 1
    assert [s["line"] for s in decided.stale] == [5] and decided.stale[0]["missing"] == ["hmg-vawg-strategy-2016/A999"]
    assert "no longer exists" in decided.stale[0]["message"]


def test_append_adds_one_line_that_reads_back(tmp_path: Path) -> None:
    path = tmp_path / "j.jsonl"
    path.write_text(_line(), encoding="utf-8")  # no final newline
    j = Judgement("hmg-vawg-strategy-2016/A1", "cps-vawg-strategy-2025/P1.O1.1", "restates", "confirmed", "bob",
                  "2026-12-05T00:00:00+00:00", "same", 0.5)
    judgements.append(path, j)
    back = judgements.read(path)
    assert len(back) == 2 and back[1].to_json() == j.to_json()


# ---------------------------------------------------------------------------- training


def test_training_takes_judged_pairs_except_the_held_out_split(tmp_path: Path) -> None:
    pairs = [json.loads(line) for line in (REPO / "tests/labelled/link_pairs.jsonl").read_text().splitlines() if line]
    held = next(p for p in pairs if p["split"] == "heldout")
    labelled = {frozenset((p["a"], p["b"])) for p in pairs}
    held_b = {p["b"] for p in pairs if p["split"] == "heldout"}
    # A pair nobody labelled, away from the held-out commitments.
    ends = sorted({k for p in pairs if p["split"] == "train" for k in (p["a"], p["b"])} - held_b)
    fresh_a, fresh_b = next((x, y) for x in ends for y in ends
                            if x.split("/")[0] < y.split("/")[0] and frozenset((x, y)) not in labelled)
    path = _write(tmp_path,
                  _line(a=held["a"], b=held["b"], decision="rejected"),
                  _line(a=fresh_a, b=fresh_b, decision="confirmed"),
                  _line(a=fresh_a, b=fresh_b, decision="unsure"))
    run = subprocess.run([sys.executable, str(REPO / "scripts/train_overlaps.py"), "--print", "--judgements", str(path)],
                         capture_output=True, text=True, timeout=600, cwd=REPO)
    assert run.returncode == 0, run.stderr
    counts = json.loads(run.stderr.split("judgements: ", 1)[1].replace("'", '"'))
    assert counts == {"read": 3, "used": 1, "excluded_heldout": 1, "already_labelled": 0,
                      "not_an_overlap_decision": 1, "stale": 0}
    training = json.loads(run.stdout)
    assert training["judged_pairs"] == counts
    assert training["labels"]["related"] == 1 + sum(p["label"] == "related" and p["split"] == "train" for p in pairs)


# ---------------------------------------------------------------------------- end to end


def _key(c: dict[str, Any]) -> frozenset[str]:
    return frozenset((c["a"], c["b"]))


class Reviewed:
    """A scripted review of the session's build, and the rebuild that applies it."""

    def __init__(self, base: Path, tmp: Path) -> None:
        self.base = base
        self.file = tmp / "judgements.jsonl"
        self.file.write_text("", encoding="utf-8")
        scored = json.loads((base / "candidates.json").read_text())
        order = queue(scored["candidates"], scored["thresholds"]["linked"], set())
        # In queue order: skip until the first pair the model links (reject it) and the first it does
        # not (confirm it as restates); a third is left unsure.
        self.rejected = next(c for c in order if c["kind"])
        self.confirmed = next(c for c in order if not c["kind"])
        self.unsure = next(c for c in order if _key(c) not in {_key(self.rejected), _key(self.confirmed)})
        script = {_key(self.rejected): ["n", "same theme, different undertaking"],
                  _key(self.confirmed): ["y", "s", "the same undertaking"], _key(self.unsure): ["u", ""]}
        answers: list[str] = []
        for c in order:
            if not script:
                break
            answers += script.pop(_key(c), ["s"])
        answers.append("q")
        self.review = subprocess.run(
            [sys.executable, "-m", "vawg_kg", "review", "--build-dir", str(base), "--judgements", str(self.file),
             "--by", "Test Reviewer", "--limit", str(len(order))],
            input="\n".join(answers) + "\n", capture_output=True, text=True, timeout=300, cwd=tmp)
        # A commitment whose only later link is one related overlap, due: rejecting that overlap
        # must make it "not picked up" in the status and in /gaps.
        base_lineage = json.loads((base / "lineage.json").read_text())
        reviewed_pairs = {_key(self.rejected), _key(self.confirmed), _key(self.unsure)}
        self.orphan = next(
            e for e in base_lineage["commitments"].values()
            if e["status"] == "related-only" and len(e["later"]) == 1 and e["later"][0]["relations"] == ["related"]
            and frozenset((e["id"], e["later"][0]["id"])) not in reviewed_pairs
            and (self._deadline(base, e["id"]) or "") <= base_lineage["judged_on"])
        self.orphan_other = self.orphan["later"][0]["id"]
        judgements.append(self.file, Judgement(judgements.key_of(self.orphan["id"]), judgements.key_of(self.orphan_other),
                                               "related", "rejected", "Test Reviewer", "2026-12-04T12:00:00+00:00",
                                               "only a shared word"))
        # A judgement naming a commitment the corpus does not have (a renumbered action, say).
        judgements.append(self.file, Judgement("hmg-vawg-strategy-2016/A999", judgements.key_of(self.rejected["b"]),
                                               "related", "confirmed", "Test Reviewer", "2026-12-04T12:00:00+00:00"))
        self.out = tmp / "rebuilt"
        self.build = subprocess.run(
            [sys.executable, "-m", "vawg_kg", "build", "--out", str(self.out), "--judgements", str(self.file)],
            capture_output=True, text=True, timeout=600, cwd=tmp, env={**os.environ, "COLUMNS": "400"})


    @staticmethod
    def _deadline(build: Path, iri: str) -> str | None:
        deadline = next(r for r in json.loads((build / "commitments.json").read_text()) if r["id"] == iri)["deadline"]
        return None if deadline is None else str(deadline)


@pytest.fixture(scope="module")
def reviewed(build_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Reviewed:
    return Reviewed(build_dir, tmp_path_factory.mktemp("review"))


@pytest.fixture(scope="module")
def judged_api(reviewed: Reviewed, tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    assert reviewed.build.returncode == 0, reviewed.build.stderr[-3000:]
    server: RunningServer = start_server(reviewed.out, tmp_path_factory.mktemp("judged-api"))
    try:
        with httpx.Client(base_url=server.url, timeout=60) as client:
            yield client
    finally:
        stop_server(server)


def test_scripted_review_appends_the_judgements(reviewed: Reviewed) -> None:
    assert reviewed.review.returncode == 0, reviewed.review.stderr
    rows = judgements.read(reviewed.file)[:3]  # the fixture appended two more after the review
    assert len(rows) == 3
    got = {(frozenset((j.a_iri, j.b_iri)), j.decision, j.relation, j.by, j.why) for j in rows}
    assert got == {
        (_key(reviewed.rejected), "rejected", reviewed.rejected["kind"], "Test Reviewer",
         "same theme, different undertaking"),
        (_key(reviewed.confirmed), "confirmed", "restates", "Test Reviewer", "the same undertaking"),
        (_key(reviewed.unsure), "unsure", reviewed.unsure["kind"] or "related", "Test Reviewer", ""),
    }
    assert {j.score for j in rows} == {round(c["probability"], 3) for c in
                                           (reviewed.rejected, reviewed.confirmed, reviewed.unsure)}
    assert "3 judgements appended" in reviewed.review.stdout


def test_a_second_review_skips_what_was_judged(reviewed: Reviewed) -> None:
    scored = json.loads((reviewed.base / "candidates.json").read_text())
    judged = judgements.judged_pairs(judgements.read(reviewed.file))
    left = queue(scored["candidates"], scored["thresholds"]["linked"], judged)
    done = {_key(reviewed.rejected), _key(reviewed.confirmed), _key(reviewed.unsure),
            frozenset((reviewed.orphan["id"], reviewed.orphan_other))}
    assert len(left) == len(scored["candidates"]) - len(done)
    assert not {_key(c) for c in left} & done
    # Nearest the threshold first.
    t = scored["thresholds"]["linked"]
    gaps = [abs(c["probability"] - t) for c in left]
    assert gaps == sorted(gaps)


def test_rebuild_reports_the_stale_judgement(reviewed: Reviewed) -> None:
    assert reviewed.build.returncode == 0, reviewed.build.stderr[-3000:]
    report = json.loads((reviewed.out / "report.json").read_text())
    assert [s["missing"] for s in report["stale_judgements"]] == [["hmg-vawg-strategy-2016/A999"]]
    assert report["judgements"]["overlaps"] == {"confirmed": 1, "rejected": 2}
    assert report["judgements"]["unsure"] == 1 and report["judgements"]["stale"] == 1
    assert "stale judgement" in reviewed.build.stderr and "A999" in reviewed.build.stderr


def test_links_json_drops_the_rejected_and_carries_the_confirmed_as_judged(reviewed: Reviewed) -> None:
    before = {_key(o): o for o in json.loads((reviewed.base / "links.json").read_text())["overlaps"]}
    after = {_key(o): o for o in json.loads((reviewed.out / "links.json").read_text())["overlaps"]}
    assert _key(reviewed.rejected) in before and _key(reviewed.rejected) not in after
    assert _key(reviewed.confirmed) not in before
    judged = after[_key(reviewed.confirmed)]
    assert judged["origin"] == "judged" and judged["kind"] == "restates"
    assert judged["judgement"]["by"] == "Test Reviewer" and judged["judgement"]["why"] == "the same undertaking"
    assert all(o["origin"] == "machine" for k, o in after.items() if k != _key(reviewed.confirmed))
    # Everything else the model decided is as before.
    orphan = frozenset((reviewed.orphan["id"], reviewed.orphan_other))
    assert orphan in before and orphan not in after
    assert {k for k in after} == ({k for k in before} - {_key(reviewed.rejected), orphan}) | {_key(reviewed.confirmed)}


def test_lineage_json_and_status_follow_the_judgements(reviewed: Reviewed) -> None:
    answer = json.loads((reviewed.out / "lineage.json").read_text())["commitments"]
    a, b = reviewed.rejected["a"], reviewed.rejected["b"]
    linked = {e["id"] for side in ("earlier", "same_time", "later") for e in answer[a][side]}
    assert b not in linked
    for entry in answer.values():  # no "not picked up" evidence names the rejected pair as linked
        for cand in entry.get("nearest_candidates", []):
            if {entry["id"], cand["id"]} == {a, b}:
                assert cand["kind"] == "rejected by a reviewer"
    ca, cb = reviewed.confirmed["a"], reviewed.confirmed["b"]
    row = next(e for side in ("earlier", "same_time", "later") for e in answer[ca][side] if e["id"] == cb)
    assert row["relations"] == ["restates"] and row["evidence"][0]["origin"] == "judged"


def test_api_overlaps_and_lineage_honour_the_judgements(judged_api: httpx.Client, reviewed: Reviewed) -> None:
    items = judged_api.get("/overlaps", params={"limit": 1000}).json()["items"]
    pairs = {frozenset((i["a"]["id"], i["b"]["id"])): i for i in items}
    assert _key(reviewed.rejected) not in pairs
    confirmed = pairs[_key(reviewed.confirmed)]
    assert confirmed["origin"] == "judged" and confirmed["kind"] == "restates"
    assert confirmed["judgement"]["by"] == "Test Reviewer"
    assert {i["origin"] for k, i in pairs.items() if k != _key(reviewed.confirmed)} == {"machine"}

    a, b = reviewed.rejected["a"], reviewed.rejected["b"]
    lineage = judged_api.get(f"/lineage/{a}").json()
    assert b not in {e["id"] for side in ("earlier", "same_time", "later") for e in lineage[side]}
    ca, cb = reviewed.confirmed["a"], reviewed.confirmed["b"]
    lineage = judged_api.get(f"/lineage/{ca}").json()
    assert cb in {e["id"] for e in lineage["restated_by"]}
    detail = judged_api.get(f"/commitments/{ca}").json()
    assert any(o["with"]["id"] == cb and o["origin"] == "judged" for o in detail["overlaps"])

    rows = judged_api.get("/queries/lineage_of", params={"commitment": a}).json()["rows"]
    assert b not in {r.get("other") for r in rows}
    rows = judged_api.get("/queries/lineage_of", params={"commitment": ca}).json()["rows"]
    assert ("restates", cb) in {(r.get("relation"), r.get("other")) for r in rows}


def test_a_rejection_that_was_the_only_pick_up_makes_a_gap(judged_api: httpx.Client, reviewed: Reviewed) -> None:
    iri, other = reviewed.orphan["id"], reviewed.orphan_other
    answer = json.loads((reviewed.out / "lineage.json").read_text())["commitments"][iri]
    assert answer["status"] == "not-picked-up" and answer["later"] == []
    nearest = {c["id"]: c["kind"] for c in answer["nearest_candidates"]}
    assert nearest[other] == "rejected by a reviewer"
    gaps = judged_api.get("/gaps", params={"reason": "NOT_PICKED_UP_IN_CORPUS", "limit": 10000}).json()
    row = next(r for r in gaps["items"] if r["commitment"] == iri)
    reason = next(x for x in row["reasons"] if x["code"] == "NOT_PICKED_UP_IN_CORPUS")
    assert {c["id"]: c["kind"] for c in reason["nearest_candidates"]}[other] == "rejected by a reviewer"
    lineage = judged_api.get(f"/lineage/{iri}").json()
    assert lineage["status"]["code"] == "not-picked-up" and lineage["later"] == []


def test_rdf_has_no_rejected_link_and_the_confirmed_ones_prov(reviewed: Reviewed) -> None:
    store = OxigraphStore.open_read_only(reviewed.out)
    a, b = reviewed.rejected["a"], reviewed.rejected["b"]
    ask = VAWG_PREFIX + f"ASK {{ {{ <{a}> vawg:overlapsWith <{b}> }} UNION {{ ?o vawg:overlapOf <{a}>, <{b}> }} }}"
    assert bool(store.raw(ask)) is False
    base = OxigraphStore.open_read_only(reviewed.base)
    assert bool(base.raw(ask)) is True  # the model's link was there before the judgement
    ca, cb = reviewed.confirmed["a"], reviewed.confirmed["b"]
    rows = store.select(VAWG_PREFIX + f"""
        SELECT ?origin ?kind ?label ?type ?at ?why WHERE {{
          <{ca}> vawg:restates <{cb}> .
          ?o vawg:overlapOf <{ca}>, <{cb}> ; vawg:linkOrigin ?origin ; vawg:overlapKind ?kind ;
             prov:wasAttributedTo ?who ; prov:generatedAtTime ?at ; vawg:judgementReason ?why .
          ?who rdfs:label ?label ; a ?type .
        }}""".replace("SELECT", "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\nSELECT")).rows
    assert len(rows) == 1
    origin, kind, label, type_, at, why = (str(v) for v in rows[0])
    assert (origin, kind, label, type_, why) == ("judged", "restates", "Test Reviewer", PROV_AGENT,
                                                 "the same undertaking")
    assert at.startswith("20")
    machine = store.select(VAWG_PREFIX + """SELECT (COUNT(?o) AS ?n) WHERE {
        ?o vawg:linkOrigin "machine" ; vawg:method ?m . FILTER NOT EXISTS { ?o prov:wasAttributedTo ?x } }""").rows
    links = json.loads((reviewed.out / "links.json").read_text())["overlaps"]
    assert int(str(machine[0][0])) == len(links) - 1
    orphan_ask = VAWG_PREFIX + f"ASK {{ <{reviewed.orphan['id']}> vawg:overlapsWith <{reviewed.orphan_other}> }}"
    assert bool(base.raw(orphan_ask)) is True and bool(store.raw(orphan_ask)) is False


@pytest.mark.neo4j
def test_neo4j_has_no_rejected_link_and_the_confirmed_ones_prov(reviewed: Reviewed, neo4j_server: Any,
                                                                neo4j_driver: Any) -> None:
    from vawg_kg.stores.neo4j import load as neo4j_load

    assert reviewed.build.returncode == 0, reviewed.build.stderr[-3000:]
    neo4j_load.load_build(reviewed.out, neo4j_server.uri, neo4j_server.user, neo4j_server.password)
    a, b = reviewed.rejected["a"], reviewed.rejected["b"]
    ca, cb = reviewed.confirmed["a"], reviewed.confirmed["b"]
    with neo4j_driver.session(database="neo4j") as session:
        gone = session.run("MATCH (a:Commitment {iri: $a}), (b:Commitment {iri: $b}) "
                           "RETURN EXISTS { (a)-[:OVERLAPS_WITH]-(b) } AS direct, "
                           "EXISTS { MATCH (o:Overlap)-[:OVERLAP_OF]->(a) MATCH (o)-[:OVERLAP_OF]->(b) } AS node",
                           a=a, b=b).single()
        assert gone is not None and (gone["direct"], gone["node"]) == (False, False)
        row = session.run("MATCH (a:Commitment {iri: $a})-[:RESTATES]->(b:Commitment {iri: $b}) "
                          "MATCH (o:Overlap)-[:OVERLAP_OF]->(a) MATCH (o)-[:OVERLAP_OF]->(b) "
                          "MATCH (o)-[:WAS_ATTRIBUTED_TO]->(r) "
                          "RETURN o.linkOrigin AS origin, o.judgementReason AS why, o.generatedAtTime AS at, "
                          "r.label AS who", a=ca, b=cb).single()
        assert row is not None
        assert (row["origin"], row["why"], row["who"]) == ("judged", "the same undertaking", "Test Reviewer")
        assert row["at"] is not None
        machine = session.run("MATCH (o:Overlap) WHERE o.linkOrigin = 'machine' "
                              "AND NOT EXISTS { (o)-[:WAS_ATTRIBUTED_TO]->() } RETURN count(o) AS n").single()
    links = json.loads((reviewed.out / "links.json").read_text())["overlaps"]
    assert machine is not None and machine["n"] == len(links) - 1


def test_implements_judgements_change_the_records_the_lineage_and_the_rdf(tmp_path: Path) -> None:
    from vawg_kg.loaders.build import build_graph

    fgm = "cps-vawg-action-plan-2017/FGM.1"
    path = _write(tmp_path,
                  _line(relation="implements", decision="rejected", b=fgm, why="the row quotes A93 loosely"),
                  _line(relation="implements", decision="confirmed", a="hmg-vawg-strategy-2016/A1", b=fgm,
                        why="delivers it", score=None))
    result = build_graph(tmp_path / "out", judgements_file=path)
    out = result.out_dir
    rec = next(r for r in json.loads((out / "commitments.json").read_text()) if r["id"].endswith(fgm))
    a93, a1 = judgements.iri_of(GOOD["a"]), judgements.iri_of("hmg-vawg-strategy-2016/A1")
    assert [t["id"] for t in rec["implements"]] == [a1]  # the document's A93 rejected, A1 judged in
    assert result.report["judgements"]["implements_applied"] == {
        "confirmed": 1, "rejected": 1, "confirmed_already_stated": 0, "rejected_not_stated": 0}
    answer = json.loads((out / "lineage.json").read_text())["commitments"]
    earlier = {e["id"]: e for e in answer[rec["id"]]["earlier"]}
    assert "implements" not in earlier.get(a93, {"relations": []})["relations"]
    stated = next(ev for ev in earlier[a1]["evidence"] if ev["relation"] == "implements")
    assert stated["origin"] == "judged" and stated["stated_by"] is None and stated["judgement"]["why"] == "delivers it"
    assert "implemented_by" not in {r for e in answer[a93]["later"] if e["id"] == rec["id"] for r in e["relations"]}
    store = OxigraphStore.in_memory(out / "vawg-kg.nt")
    assert bool(store.raw(VAWG_PREFIX + f"ASK {{ <{rec['id']}> vawg:implements <{a93}> }}")) is False
    rows = store.select(VAWG_PREFIX + f"""SELECT ?rule ?who ?why WHERE {{
        <{rec['id']}> vawg:implements <{a1}> ; vawg:hasExtraction ?x .
        ?x vawg:extractedProperty vawg:implements ; vawg:extractedValue <{a1}> ; vawg:extractionRule ?rule ;
           prov:wasAssociatedWith ?who ; prov:endedAtTime ?at ; vawg:judgementReason ?why . }}""").rows
    assert [tuple(str(v) for v in r) for r in rows] == [
        ("reviewer-judgement", "https://w3id.org/vawg-kg/id/reviewer/alice", "delivers it")]
