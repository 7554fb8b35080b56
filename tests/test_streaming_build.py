"""The streaming, incremental build: per-document parts, their SHACL checks, and reuse.

* the dumps assembled from the parts are the bytes the whole graph serialises to;
* the parts' checks find exactly the violations one whole-graph run finds;
* adding, replacing or removing a document gives exactly the output of a full build,
  re-doing only that document (and none when the code changes nothing).
"""

from __future__ import annotations

import filecmp
import json
from pathlib import Path
from typing import Any

import pytest
from rdflib import XSD, Graph, Literal, URIRef

from benchmarks.corpus import write_corpus
from vawg_kg.errors import ValidationError
from vawg_kg.loaders import build as build_module
from vawg_kg.loaders import links as links_module
from vawg_kg.loaders.build import BuildResult, build_graph
from vawg_kg.loaders.document_parts import PARTS_DIR
from vawg_kg.loaders.emit import GraphEmitter
from vawg_kg.loaders.serialise import DUMPS, NT_DUMP, write_dumps
from vawg_kg.ontology.terms import VAWG
from vawg_kg.ontology.validate import validate_graph

ID = "https://w3id.org/vawg-kg/id/"
OUTPUTS = (NT_DUMP, *DUMPS, "commitments.json", "statements.json", "links.json", "candidates.json", "lineage.json",
           "report.json")


def same_outputs(a: Path, b: Path) -> list[str]:
    """The output files that differ between two build folders (added sources included)."""
    names = [*OUTPUTS, *(f"added-sources/{p.name}" for p in sorted((b / "added-sources").glob("*"))
                         if p.is_file())]
    return [name for name in names if not filecmp.cmp(a / name, b / name, shallow=False)]


def test_dumps_are_the_whole_graph_serialised(build_dir: Path, tmp_path: Path) -> None:
    whole = Graph()
    whole.parse(build_dir / NT_DUMP, format="nt")
    for prefix, ns in GraphEmitter().graph.namespaces():
        whole.bind(prefix, ns)
    write_dumps(whole, tmp_path)
    for name in (NT_DUMP, *DUMPS):
        assert filecmp.cmp(build_dir / name, tmp_path / name, shallow=False), name
    # and the parts hold every triple of the dump, and no other
    lines: set[str] = set()
    for part in (build_dir / PARTS_DIR).glob("*.nt"):
        lines |= set(part.read_text(encoding="utf-8").splitlines(keepends=True))
    assert lines == set((build_dir / NT_DUMP).read_text(encoding="utf-8").splitlines(keepends=True))
    assert len(lines) == len(whole)


def _inject_mistakes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Mistakes in a document's part (one commitment, with a link to another document's missing
    commitment) and in the cross parts (an overlap, a commitment's status)."""
    statement, emit_links, emit_lineage = GraphEmitter.statement, links_module.emit_links, build_module.emit_lineage

    def bad_statement(self: GraphEmitter, source: str, st: Any) -> URIRef | None:
        node = statement(self, source, st)
        if node is not None and st.statement.ref == "A76":
            self.add(node, VAWG.text, Literal("a second text"))
            self.add(node, VAWG.deadline, Literal("not a date"))
            self.add(node, VAWG.implements, URIRef(f"{ID}commitment/cps-vawg-action-plan-2017/no-such-ref"))
        return node

    def bad_links(emitter: GraphEmitter, report: Any) -> None:
        emit_links(emitter, report)
        first = report.overlaps[0]
        emitter.add(links_module.overlap_iri(first.a, first.b), VAWG.score, Literal("1.5", datatype=XSD.decimal))
        # a node of another part that is there, with the wrong class: an organisation is no commitment
        emitter.add(URIRef(first.a), VAWG.overlapsWith, URIRef(f"{ID}org/home-office"))

    def bad_lineage(emitter: GraphEmitter, answer: dict[str, Any]) -> None:
        emit_lineage(emitter, answer)
        some = sorted(answer["commitments"])[3]
        emitter.add(URIRef(some), VAWG.lineageStatus, URIRef(f"{ID}no-such-status"))

    monkeypatch.setattr(GraphEmitter, "statement", bad_statement)  # the forked workers inherit it
    monkeypatch.setattr(build_module, "code_version", lambda: "code with mistakes")  # other code, other parts
    monkeypatch.setattr(links_module, "emit_links", bad_links)
    monkeypatch.setattr(build_module, "emit_lineage", bad_lineage)


def test_part_checks_find_exactly_what_one_whole_graph_run_finds(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "build"
    build_graph(out)
    before = {p.name: p.read_bytes() for p in (out / PARTS_DIR).iterdir()}
    _inject_mistakes(monkeypatch)
    with pytest.raises(ValidationError) as caught:
        build_graph(out)
    by_parts = set(caught.value.details["violations"])
    assert {p.name: p.read_bytes() for p in (out / PARTS_DIR).iterdir()} == before  # the last good build stays

    monkeypatch.setattr(build_module, "part_violations", lambda *args: [])
    bad = tmp_path / "bad"
    build_graph(bad)
    whole = Graph()
    whole.parse(bad / NT_DUMP, format="nt")
    with pytest.raises(ValidationError) as whole_run:
        validate_graph(whole)
    assert by_parts == set(whole_run.value.details["violations"])
    texts = "\n".join(sorted(by_parts))
    for expected in ("A76 vawg:text", "A76 vawg:deadline", "vawg:implements", "vawg:score", "vawg:lineageStatus",
                     "(found id:org/home-office)"):
        assert expected in texts, expected


def _build(out: Path, extra: list[tuple[Path, str]] = [], remove: list[str] = []) -> BuildResult:  # noqa: B006
    """A build, checking that it reported its progress document by document (as `vawg-kg build` shows it)."""
    seen: dict[str, list[tuple[int, int]]] = {}
    result = build_graph(out, extra_sources=extra, remove_docs=remove,
                         on_progress=lambda stage, done, total: seen.setdefault(stage, []).append((done, total)))
    documents = len(result.report["documents"])
    for stage in ("extract", "emit"):
        assert seen[stage][0] == (0, documents) and seen[stage][-1] == (documents, documents), seen[stage]
    checks = seen["validate"][-1][1]
    assert checks == documents + 1 and seen["validate"][-1] == (checks, checks)  # a cross part each, and the corpus's
    return result


def test_adding_replacing_and_removing_a_document_equals_a_full_build(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    docs = write_corpus(3, tmp_path / "corpus")
    inc = tmp_path / "incremental"
    _build(inc, docs[:2])
    added = _build(inc, docs[2:])
    assert added.reused["documents"] == 7 and added.reused["parts"] == 7  # the five bundled and the first two
    _build(tmp_path / "full", docs)
    assert same_outputs(inc, tmp_path / "full") == []

    # replace: the second document gets a new commitment
    path, doc_id = docs[1]
    changed = tmp_path / "changed" / path.name
    changed.parent.mkdir()
    changed.write_text(path.read_text(encoding="utf-8") + "\n1. We will publish a new review of the "
                       "domestic abuse disclosure scheme by March 2027.\n", encoding="utf-8")
    replaced = _build(inc, [(changed, doc_id)])
    assert replaced.reused["documents"] == 7
    _build(tmp_path / "full-replaced", [docs[0], (changed, doc_id), docs[2]])
    assert same_outputs(inc, tmp_path / "full-replaced") == []

    removed = _build(inc, remove=[docs[2][1]])
    assert removed.reused["documents"] == 7
    _build(tmp_path / "full-removed", [docs[0], (changed, doc_id)])
    assert same_outputs(inc, tmp_path / "full-removed") == []

    # other code makes other parts: nothing is reused, the output is the same
    monkeypatch.setattr(build_module, "code_version", lambda: "another version")
    again = _build(inc)
    assert again.reused["documents"] == 0 and again.reused["parts"] == 0
    assert same_outputs(inc, tmp_path / "full-removed") == []
    reuse = json.loads((inc / PARTS_DIR / "reuse.json").read_text())
    assert reuse == again.reused
    # the folder keeps only the parts of the last build
    assert len(list((inc / PARTS_DIR).glob("*.extract.pickle"))) == 7
