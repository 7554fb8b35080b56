"""The build end to end on the real documents: provenance, determinism, atomicity."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from vawg_kg.errors import SourceError
from vawg_kg.loaders.build import BuildResult, build_graph
from vawg_kg.loaders.text import text_of_fragments
from vawg_kg.paths import sources_dir

CONTRACT_FIELDS = {"id", "doc_id", "ref", "text", "section", "leads", "partners", "deadline_raw",
                   "deadline", "themes", "legislation", "outcome_codes", "source"}


def test_every_record_has_the_contract_fields(records: list[dict[str, Any]]) -> None:
    assert records
    for rec in records:
        assert CONTRACT_FIELDS <= rec.keys(), rec["id"]
        assert rec["id"].startswith("https://w3id.org/vawg-kg/id/commitment/")
        for entity in rec["themes"]:  # source: the commitment's words (text) or its heading (section)
            assert set(entity) == {"id", "name", "source"} and entity["source"] in ("text", "section")
        for entity in rec["legislation"]:  # how it was cited, and the words that cite it
            assert set(entity) == {"id", "name", "reference", "words"} and entity["words"]
            assert entity["reference"] in ("explicit", "provision", "concept", "crime-type")
        for entity in rec["leads"] + rec["partners"]:
            assert set(entity) == {"id", "name", "as_written"} and entity["as_written"]


def test_every_record_slices_back_to_its_text(records: list[dict[str, Any]], build_dir: Path) -> None:
    texts: dict[str, str] = {}
    for rec in records:
        src = rec["source"]
        path = sources_dir() / src["file"]
        if not path.exists():
            path = build_dir / "added-sources" / src["file"]
        text = texts.setdefault(src["file"], path.read_text(encoding="utf-8"))
        fragments = src.get("fragments") or [[src["start"], src["end"]]]
        assert text_of_fragments(text, [tuple(f) for f in fragments]) == rec["text"], rec["id"]
        assert fragments[0][0] == src["start"] and fragments[-1][1] == src["end"]


def test_ids_are_unique_and_stable(records: list[dict[str, Any]]) -> None:
    ids = [r["id"] for r in records]
    assert len(ids) == len(set(ids))
    hmg = {r["ref"] for r in records if r["doc_id"] == "hmg-vawg-strategy-2016"}
    assert {f"A{n}" for n in range(1, 96)} <= hmg


def test_each_document_has_commitments_and_no_unclaimed_lines(built: BuildResult) -> None:
    docs = built.report["documents"]
    assert set(docs) == {"hmg-vawg-strategy-2016", "cps-vawg-action-plan-2017", "cps-da-programme-2020",
                         "npcc-vawg-framework-2021", "cps-vawg-strategy-2025"}
    for doc_id, row in docs.items():
        assert row["commitments"] > 10, doc_id
        assert built.report["coverage"][doc_id]["unclaimed_count"] == 0, (doc_id, built.report["coverage"][doc_id])


def test_hmg_leads_and_deadlines(records: list[dict[str, Any]]) -> None:
    by_ref = {r["ref"]: r for r in records if r["doc_id"] == "hmg-vawg-strategy-2016"}
    assert all(by_ref[f"A{n}"]["leads"] for n in range(1, 96))
    dated = [r for r in by_ref.values() if r["ref"].startswith("A") and r["deadline"]]
    assert len(dated) >= 80


def test_build_is_deterministic(built: BuildResult, tmp_path: Path) -> None:
    again = build_graph(tmp_path / "again")
    for name in ("vawg-kg.ttl", "vawg-kg.nt", "vawg-kg.jsonld", "commitments.json"):
        assert (again.out_dir / name).read_bytes() == (built.out_dir / name).read_bytes(), name


def test_dumps_are_the_same_graph(build_dir: Path) -> None:
    ttl = Graph().parse(build_dir / "vawg-kg.ttl")
    nt = Graph().parse(build_dir / "vawg-kg.nt")
    jsonld = Graph().parse(build_dir / "vawg-kg.jsonld", format="json-ld")
    assert isomorphic(ttl, nt)
    assert isomorphic(ttl, jsonld)


def test_failed_build_leaves_previous_output(tmp_path: Path) -> None:
    out = tmp_path / "out"
    build_graph(out)
    before = (out / "vawg-kg.nt").read_bytes()
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"We will:\n- do a thing\n\xff\xfe broken\n")
    with pytest.raises(SourceError) as err:
        build_graph(out, extra_sources=[(bad, "broken-doc")])
    assert "bad.txt" in err.value.message and "line 3" in err.value.message
    assert (out / "vawg-kg.nt").read_bytes() == before
    assert not list(tmp_path.glob(".out.new-*"))


def test_added_document_keeps_other_ids_and_can_be_removed(tmp_path: Path, records: list[dict[str, Any]]) -> None:
    doc = tmp_path / "plan.txt"
    doc.write_text("Home Office plan\n\nWe will:\n\n- Work with the police to publish guidance on stalking by March 2023.\n"
                   "- Fund Women's Aid to train staff on domestic abuse.\n", encoding="utf-8")
    out = tmp_path / "out"
    result = build_graph(out, extra_sources=[(doc, "home-office-plan-2022")])
    new = [s for s in result.statements if s.doc_id == "home-office-plan-2022" and s.is_commitment]
    assert len(new) == 2
    ids = {r["id"] for r in json.loads((out / "commitments.json").read_text())}
    assert {r["id"] for r in records} <= ids
    build_graph(out)  # the added document is remembered
    assert any("home-office-plan-2022" in i for i in (r["id"] for r in json.loads((out / "commitments.json").read_text())))
    build_graph(out, remove_docs=["home-office-plan-2022"])
    assert {r["id"] for r in json.loads((out / "commitments.json").read_text())} == {r["id"] for r in records}


def test_cli_build_and_commitments(tmp_path: Path) -> None:
    out = tmp_path / "cli"
    exe = [sys.executable, "-m", "vawg_kg"]
    done = subprocess.run([*exe, "build", "--out", str(out)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    listed = subprocess.run([*exe, "commitments", "--doc", "cps-vawg-action-plan-2017", "--build-dir", str(out)],
                            capture_output=True, text=True, timeout=60)
    rows = json.loads(listed.stdout)
    assert rows and {r["doc_id"] for r in rows} == {"cps-vawg-action-plan-2017"}
    csv_out = subprocess.run([*exe, "commitments", "--format", "csv", "--build-dir", str(out)],
                             capture_output=True, text=True, timeout=60)
    assert csv_out.stdout.splitlines()[0].startswith("id,doc_id,ref,text,section,leads,lead_ids")
    bad = subprocess.run([*exe, "commitments", "--format", "xml", "--build-dir", str(out)],
                         capture_output=True, text=True, timeout=60)
    assert bad.returncode != 0 and "xml" in bad.stderr
