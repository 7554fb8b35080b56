"""No code may use a vawg term, or a Neo4j relationship type, that the ontology does not declare."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from vawg_kg.ontology.model import load_model
from vawg_kg.ontology.terms import StrictNamespace

REPO = Path(__file__).resolve().parents[1]
CODE_FOLDERS = ("ontology", "loaders", "queries", "graph_api", "visualisations", "vawg_kg")
# VAWG.hasLead, VAWG["hasLead"], and vawg:hasLead in strings, SPARQL and comments.
USES = (
    re.compile(r"\bVAWG\.([A-Za-z_]\w*)"),
    re.compile(r"\bVAWG\[\s*[\"']([A-Za-z_]\w*)[\"']\s*\]"),
    re.compile(r"\bvawg:([A-Za-z_]\w*)"),
)
# Attributes of the namespace object itself (VAWG.base), not terms.
NAMESPACE_ATTRIBUTES = frozenset(n for n in dir(StrictNamespace) if not n.startswith("_"))
# Relationship types in Cypher patterns: -[:HAS_LEAD]->, [r:HAS_LEAD|HAS_PARTNER*1..2]
CYPHER_REL = re.compile(r"\[\s*\w*\s*:\s*([A-Z_|:\s]+?)\s*[\]*{]")


def code_files(root: Path) -> list[Path]:
    files: list[Path] = []
    for folder in CODE_FOLDERS:
        base = root / folder
        if base.is_dir():
            files += [p for p in base.rglob("*") if p.suffix in {".py", ".rq", ".cypher"} and p.is_file()]
    return sorted(files)


def undeclared_uses(files: Iterable[Path], declared: frozenset[str], rel_types: frozenset[str]) -> list[str]:
    """'<file>:<line>: vawg:<name>' for every use of a term the ontology does not declare."""
    problems: list[str] = []
    for path in files:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            for pattern in USES:
                names = [m for m in pattern.findall(line) if m not in declared]
                if pattern is USES[0]:
                    names = [m for m in names if m not in NAMESPACE_ATTRIBUTES]
                problems += [f"{path}:{number}: vawg:{m}" for m in names]
            if path.suffix == ".cypher":
                for group in CYPHER_REL.findall(line):
                    names = [n.strip() for n in re.split(r"[|:]", group) if n.strip()]
                    problems += [f"{path}:{number}: relationship {n}" for n in names if n not in rel_types]
    return problems


def _declared() -> tuple[frozenset[str], frozenset[str]]:
    model = load_model()
    rel_types = frozenset(p.neo4j_rel_type for p in model.object_properties.values() if p.neo4j_rel_type)
    return model.declared_names(), rel_types


def test_project_code_uses_only_declared_terms() -> None:
    files = code_files(REPO)
    assert any(p.name == "model.py" for p in files)  # the scan sees the project
    declared, rel_types = _declared()
    assert undeclared_uses(files, declared, rel_types) == []


def test_no_term_is_shadowed_by_a_namespace_attribute() -> None:
    assert NAMESPACE_ATTRIBUTES == {"base"}
    assert not NAMESPACE_ATTRIBUTES & load_model().declared_names()


def test_the_scan_catches_undeclared_terms(tmp_path: Path) -> None:
    (tmp_path / "loaders").mkdir()
    (tmp_path / "queries").mkdir()
    (tmp_path / "loaders" / "emit.py").write_text(
        "g.add((s, VAWG.hasLead, o))\ng.add((s, VAWG.hasLeader, o))\nx = VAWG['hasOwner']\n# vawg:Commitment ok\n"
    )
    (tmp_path / "queries" / "leads.rq").write_text("PREFIX vawg: <x>\nSELECT * { ?c vawg:leadBy ?o }\n")
    (tmp_path / "queries" / "leads.cypher").write_text(
        "MATCH (c:Commitment)-[:HAS_LEAD|LED_BY]->(o) RETURN c\nMATCH (a)-[r:SUCCEEDED_BY*1..3]->(b) RETURN b\n"
    )
    declared, rel_types = _declared()
    found = undeclared_uses(code_files(tmp_path), declared, rel_types)
    assert [f.split(": ", 1)[1] for f in found] == [
        "vawg:hasLeader",
        "vawg:hasOwner",
        "relationship LED_BY",
        "vawg:leadBy",
    ]
    assert found[0].endswith("emit.py:2: vawg:hasLeader")
