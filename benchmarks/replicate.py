"""A larger build folder for the browser's measurements only, made by replicating the synthetic
documents of a real build (synth-NNNN -> synth-NNNN-rK, the last replica partial) until it holds
TARGET documents: its commitments, overlaps, lineage and document list. No store and no dumps: the
browser's routes (``/graph/data/...``) read the JSON only. Not a build: each replica's overlaps
are a copy of the original's, so use it for the browser, never for build or query figures.

    python -m benchmarks.replicate BUILD OUT [TARGET=500]
"""

from __future__ import annotations

import json
import re
import shutil
import sys
from pathlib import Path
from typing import Any

SYNTH = re.compile(r"synth-(\d{4})")


def _numbers(text: str) -> set[int]:
    return {int(m) for m in SYNTH.findall(text)}


def replicate(src: Path, out: Path, target: int) -> dict[str, int]:
    def read(name: str) -> Any:
        return json.loads((src / name).read_text(encoding="utf-8"))

    recs, links, lineage = read("commitments.json"), read("links.json"), read("lineage.json")
    docs = read("added-sources/documents.json")
    synth = sorted({r["doc_id"] for r in recs if r["doc_id"].startswith("synth-")})
    have = len({r["doc_id"] for r in recs})
    out_recs, out_ov = list(recs), list(links.get("overlaps", []))
    out_lin, out_docs = dict(lineage["commitments"]), list(docs)
    k = 1
    while have < target and synth:
        take = min(len(synth), target - have)
        keep = None if take == len(synth) else set(range(1, take + 1))

        def ok(text: str) -> bool:
            return keep is None or _numbers(text) <= keep

        def renamed(value: Any) -> Any:
            return json.loads(SYNTH.sub(lambda m: f"synth-{m.group(1)}-r{k}", json.dumps(value)))

        out_recs += [renamed(r) for r in recs if r["doc_id"].startswith("synth-") and ok(r["doc_id"])]
        out_ov += [renamed(o) for o in links.get("overlaps", []) if _numbers(json.dumps(o)) and ok(json.dumps(o))]
        out_lin.update({renamed(iri): renamed(e) for iri, e in lineage["commitments"].items()
                        if _numbers(iri) and ok(iri) and ok(json.dumps(e))})
        out_docs += [renamed(d) for d in docs if _numbers(d.get("doc_id", "")) and ok(d.get("doc_id", ""))]
        have += take
        k += 1
    (out / "added-sources").mkdir(parents=True, exist_ok=True)
    (out / "commitments.json").write_text(json.dumps(out_recs), encoding="utf-8")
    (out / "links.json").write_text(json.dumps({**links, "overlaps": out_ov}), encoding="utf-8")
    (out / "lineage.json").write_text(json.dumps({**lineage, "commitments": out_lin}), encoding="utf-8")
    (out / "added-sources" / "documents.json").write_text(json.dumps(out_docs), encoding="utf-8")
    for name in ("statements.json", "report.json"):
        shutil.copy(src / name, out / name)
    return {"documents": len({r["doc_id"] for r in out_recs}), "commitments": len(out_recs), "overlaps": len(out_ov)}


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    print(json.dumps(replicate(Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3]) if len(sys.argv) > 3 else 500)))
