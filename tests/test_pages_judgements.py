"""The commitment page's judgement history reads data/judgements.jsonl ({a, b, relation, decision, by, at, why})."""

from __future__ import annotations

import json
from pathlib import Path

from vawg_kg.visualisations.pages.commitment import judgements_of

ID = "https://w3id.org/vawg-kg/id/commitment/"
REC = {"id": f"{ID}hmg-vawg-strategy-2016/A93", "doc_id": "hmg-vawg-strategy-2016", "ref": "A93"}


def test_judgements_touching_a_commitment_oldest_first(tmp_path: Path) -> None:
    rows = [
        {"a": f"{ID}hmg-vawg-strategy-2016/A93", "b": f"{ID}cps-vawg-action-plan-2017/FGM.1",
         "relation": "implements", "decision": "accept", "by": "reviewer-2", "at": "2026-02-01", "why": "named"},
        {"a": "cps-vawg-strategy-2025/P1.O1.1", "b": "hmg-vawg-strategy-2016/A93", "relation": "related",
         "decision": "reject", "by": "reviewer-1", "at": "2026-01-15", "why": "other strand"},
        {"a": f"{ID}hmg-vawg-strategy-2016/A930", "b": "x", "relation": "related", "decision": "accept",
         "by": "r", "at": "2026-01-01", "why": "a different ref that merely starts the same"},
    ]
    path = tmp_path / "judgements.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\nnot json\n", encoding="utf-8")
    found = judgements_of(REC, path)
    assert [j["at"] for j in found] == ["2026-01-15", "2026-02-01"]
    assert judgements_of(REC, tmp_path / "absent.jsonl") == []
