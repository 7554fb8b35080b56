"""One lineage: the build's ``lineage.json`` (``loaders/lineage.py``), the API (``GET /lineage/{id}``
and the detail of ``GET /commitments/{id}``), the browser (the lineage page's rows and the panel's
payload), the named query ``lineage_of`` on Oxigraph (SPARQL) and on Neo4j (its Cypher twin)
give the same entries — direction, commitment, relations — in the same order, and the same status,
for every commitment: of the real build, and of a 50-document synthetic build (45 generated
documents from ``benchmarks/corpus.py`` added to the five bundled ones).
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from vawg_kg.loaders import lineage as lineage_mod
from vawg_kg.queries import runner
from vawg_kg.stores.oxigraph import OxigraphStore

Row = tuple[str, str, tuple[str, ...]]


def _query_rows(records: list[dict[str, Any]]) -> tuple[list[Row], str | None]:
    """The named query's rows (one per relation, in order) as one row per other commitment."""
    out: list[list[Any]] = []
    status = None
    for r in records:
        status = r.get("status") or status
        if r.get("other") is None:  # nothing linked: the one row carries the status only
            continue
        if out and out[-1][1] == r["other"]:
            out[-1][2].append(r["relation"])
        else:
            out.append([r["direction"], r["other"], [r["relation"]]])
    return [(d, o, tuple(rels)) for d, o, rels in out], status


def _api_rows(body: dict[str, Any]) -> list[Row]:
    return [(side, e["id"], tuple(e["relations"])) for side in lineage_mod.SIDES for e in body[side]]


def check_agreement(build_dir: Path, neo4j: Any | None, detail: bool = True) -> int:
    from fastapi.testclient import TestClient

    from vawg_kg.graph_api.app import create_app
    from vawg_kg.visualisations import graph_data

    answer = json.loads((build_dir / "lineage.json").read_text(encoding="utf-8"))
    entries: dict[str, Any] = answer["commitments"]
    assert entries
    data = graph_data.load(build_dir)
    payload = data.payload()
    index = {c["id"]: i for i, c in enumerate(payload["commitments"])}
    ox = OxigraphStore.ensure(build_dir)
    disagreements: list[str] = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        client = TestClient(create_app(build_dir), base_url="http://127.0.0.1")
    with client:
        for iri, entry in entries.items():
            expected = lineage_mod.rows_of(entry)
            status_iri = lineage_mod.status_iri(entry["status"])
            found: dict[str, Any] = {}
            rec = data.by_id[iri]
            body = client.get(f"/lineage/{rec['doc_id']}/{rec['ref']}").json()
            found["api"] = (_api_rows(body), body["status"]["iri"])
            if detail:  # the detail embeds the same details.lineage answer (and diffs every overlap: slow)
                embedded = client.get(f"/commitments/{rec['doc_id']}/{rec['ref']}").json()["lineage"]
                found["api detail"] = (_api_rows(embedded), embedded["status"]["iri"])
            page = [(r["side"], r["id"], tuple(r["relations"])) for r in data.lineage_of(iri) if r["side"] != "this"]
            found["browser page"] = (page, lineage_mod.status_iri(str((data.status(iri) or {})["code"])))
            panel = payload["commitments"][index[iri]]
            found["browser panel"] = ([(side, payload["commitments"][k]["id"], tuple(rels))
                                       for k, side, rels in panel["lineage"]], lineage_mod.status_iri(panel["status"]))
            found["sparql"] = _query_rows(runner.run_named("lineage_of", {"commitment": iri}, ox).records())
            if neo4j is not None:
                found["cypher"] = _query_rows(runner.run_named("lineage_of", {"commitment": iri}, neo4j).records())
            for where, (rows, status) in found.items():
                if rows != expected or status != status_iri:
                    disagreements.append(f"{iri}: {where} gives {rows} / {status}; lineage.json {expected} / "
                                         f"{status_iri}")
    assert not disagreements, f"{len(disagreements)} disagreements, first: {disagreements[:3]}"
    return len(entries)


@pytest.fixture(scope="module")
def neo4j_for(neo4j_server: Any) -> Iterator[Any]:
    from vawg_kg.stores.neo4j.load import load_build
    from vawg_kg.stores.neo4j.store import Neo4jStore

    store = Neo4jStore(neo4j_server.uri, neo4j_server.user, neo4j_server.password, neo4j_server.database)

    def load(build_dir: Path) -> Any:
        load_build(build_dir, neo4j_server.uri, neo4j_server.user, neo4j_server.password, neo4j_server.database)
        return store

    try:
        yield load
    finally:
        store.close()


def test_one_lineage_everywhere_on_the_real_graph(build_dir: Path, neo4j_for: Any) -> None:
    assert check_agreement(build_dir, neo4j_for(build_dir)) > 250
    a93 = json.loads((build_dir / "lineage.json").read_text())["commitments"][
        "https://w3id.org/vawg-kg/id/commitment/hmg-vawg-strategy-2016/A93"]
    assert a93["status"] == "picked-up"


def test_one_lineage_everywhere_on_a_50_document_synthetic_graph(tmp_path: Path, neo4j_for: Any) -> None:
    from benchmarks.corpus import write_corpus
    from vawg_kg.loaders.build import build_graph

    pairs = write_corpus(45, tmp_path / "corpus")
    out = tmp_path / "build"
    build_graph(out, extra_sources=pairs, store_hooks=[OxigraphStore.load])
    assert check_agreement(out, neo4j_for(out), detail=False) > 1000
