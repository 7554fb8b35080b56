"""The API keeps answering from the current Neo4j graph while a replace runs (the staged swap).

A real ``vawg-kg serve`` on the real build, a real Neo4j: ``POST /cypher`` is asked again and
again while ``load_build`` replaces the graph with the same build. Every answer is a 200; while
the new graph is staged and while the old one is deleted, every answer is the full graph's
count (the staged nodes carry no label a reader's pattern names; the retired ones lose theirs).

Known gap, shown here rather than hidden: a query that runs *across the swap's commit* can see
a mixture (Neo4j reads at read-committed isolation, so a pattern matched before the commit can
be checked against labels after it: ``(:Commitment)-[:HAS_LEAD]->(:Organisation)`` counted 0
three times in one run). Such answers are allowed only in the swap stage, and only as a mixture
of the two graphs (never an error).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.api_server import RunningServer, start_server, stop_server
from vawg_kg.stores.neo4j.load import load_build

pytestmark = pytest.mark.neo4j

COUNT = "MATCH (c:Commitment) RETURN count(c) AS n"
LINKS = "MATCH (:Commitment)-[r:HAS_LEAD]->(:Organisation) RETURN count(r) AS n"


def _env(server: Any) -> dict[str, str]:
    return {"VAWG_KG_NEO4J_URI": server.uri, "VAWG_KG_NEO4J_USER": server.user,
            "VAWG_KG_NEO4J_PASSWORD": server.password, "VAWG_KG_NEO4J_DATABASE": server.database}


@pytest.fixture(scope="module")
def live(neo4j_server: Any, api_build_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    load_build(api_build_dir, neo4j_server.uri, neo4j_server.user, neo4j_server.password, neo4j_server.database)
    server = start_server(api_build_dir, tmp_path_factory.mktemp("api-neo4j-replace"), _env(neo4j_server))
    try:
        yield server
    finally:
        stop_server(server)


def _ask(client: httpx.Client, query: str) -> tuple[int, Any]:
    resp = client.post("/cypher", json={"query": query})
    return resp.status_code, resp.json()["rows"][0][0] if resp.status_code == 200 else resp.text[:200]


def test_cypher_answers_the_whole_graph_throughout_a_replace(live: RunningServer, neo4j_server: Any,
                                                             api_build_dir: Path) -> None:
    with httpx.Client(base_url=live.url, timeout=60) as client:
        before = {q: _ask(client, q) for q in (COUNT, LINKS)}
        assert all(status == 200 and n > 0 for status, n in before.values()), before
        stages: list[str] = []
        answers: list[tuple[str, int, Any, str]] = []
        done = threading.Event()
        failure: list[BaseException] = []

        def replace() -> None:
            try:
                load_build(api_build_dir, neo4j_server.uri, neo4j_server.user, neo4j_server.password,
                           neo4j_server.database, batch=200,  # small batches: many commits to read between
                           progress=lambda stage, _d, _t: stages.append(stage))
            except BaseException as exc:  # handed to the test's thread
                failure.append(exc)
            finally:
                done.set()

        loader = threading.Thread(target=replace, name="replace", daemon=True)
        loader.start()
        while not done.is_set():
            stage = stages[-1] if stages else "start"
            for query in (COUNT, LINKS):
                status, n = _ask(client, query)
                answers.append((query, status, n, stage))
            time.sleep(0.02)
        loader.join(600)
        assert not failure, failure
        after = {q: _ask(client, q) for q in (COUNT, LINKS)}
    assert after == before
    asked_while = {stage for _, _, _, stage in answers}
    assert {"nodes", "relationships"} & asked_while, f"no answer came while the graph was staged: {asked_while}"
    assert all(status == 200 for _, status, _, _ in answers), [a for a in answers if a[1] != 200][:5]
    wrong = [(q, n, stage) for q, _, n, stage in answers if n != before[q][1]]
    # a mixture of the two graphs (the same build on both sides): never more than the whole graph
    assert all(n <= before[q][1] for q, n, _ in wrong), wrong[:5]
    assert all(stage == "swap" for _, _, stage in wrong), wrong[:5]
    assert len(wrong) < len(answers) / 2, f"{len(wrong)} of {len(answers)} answers were a mixture"
