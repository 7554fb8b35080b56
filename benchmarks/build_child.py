"""One timed build in its own process, so its peak RSS is its own (``ru_maxrss``).

``python -m benchmarks.build_child OUT [CORPUS_DIR]`` builds the bundled documents
plus every ``synth-*.txt`` in CORPUS_DIR into OUT, with the Oxigraph store load
as the ``store`` stage (as ``vawg-kg build`` does), and prints one JSON object:
wall and CPU seconds per stage, end to end (imports included), peak RSS,
counts, and the overlap blocking figures.
"""

from __future__ import annotations

import json
import resource
import sys
import time

STARTED_WALL = time.perf_counter()
STARTED_CPU = time.process_time()

from pathlib import Path  # noqa: E402


def main(argv: list[str]) -> None:
    from vawg_kg.loaders.build import build_graph
    from vawg_kg.stores.oxigraph import OxigraphStore

    out = Path(argv[0])
    corpus = Path(argv[1]) if len(argv) > 1 else None
    extra = [(p, p.stem) for p in sorted(corpus.glob("synth-*.txt"))] if corpus else []
    cpu: dict[str, float] = {}
    marks: list[tuple[str, float]] = []

    def on_stage(name: str) -> None:
        # Stages run back to back, so a stage's CPU time is the gap to the next stage's start.
        now = time.process_time()
        if marks:
            cpu[marks[-1][0]] = round(now - marks[-1][1], 4)
        marks.append((name, now))

    build_start = time.perf_counter()
    result = build_graph(out, extra_sources=extra, on_stage=on_stage, store_hooks=[OxigraphStore.load])
    end_wall = time.perf_counter()
    if marks:
        cpu[marks[-1][0]] = round(time.process_time() - marks[-1][1], 4)  # store (+ report/swap)
    # The build validates in a forked child while it serialises and loads the store:
    # its CPU and memory are the children's, and its wall time overlaps those stages.
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu["validate"] = round(children.ru_utime + children.ru_stime, 4)
    own = resource.getrusage(resource.RUSAGE_SELF)
    docs = result.report["documents"]
    links = result.report["links"]
    print(json.dumps({
        "documents": len(docs),
        "commitments": sum(d["commitments"] for d in docs.values()),
        "triples": result.report["triples"],
        "overlaps": links.get("overlaps"),
        "candidates_scored": links.get("candidates_scored"),
        "commitments_compared": links.get("commitments_compared"),
        "stages_wall_s": result.timings,
        "stages_cpu_s": cpu,
        "build_wall_s": round(end_wall - build_start, 4),
        "end_to_end_wall_s": round(end_wall - STARTED_WALL, 4),
        "end_to_end_cpu_s": round(time.process_time() - STARTED_CPU + cpu["validate"], 4),
        "peak_rss_mb": round(own.ru_maxrss / 1024, 1),
        "validate_child_peak_rss_mb": round(children.ru_maxrss / 1024, 1),
    }))


if __name__ == "__main__":
    main(sys.argv[1:])
