"""One timed build in its own process, so its peak RSS is its own (``ru_maxrss``).

``python -m benchmarks.build_child OUT [CORPUS_DIR [START:STOP]]`` builds the bundled
documents plus every ``synth-*.txt`` in CORPUS_DIR (or that slice of them, sorted) into
OUT, keeping the documents an earlier build added there, with the Oxigraph store load
as the ``store`` stage (as ``vawg-kg build`` does), and prints one JSON object:
wall and CPU seconds per stage, end to end (imports included), peak RSS,
counts, and the overlap blocking figures.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import threading
import time

STARTED_WALL = time.perf_counter()
STARTED_CPU = time.process_time()

from pathlib import Path  # noqa: E402


class TreeRss:
    """The peak of the summed memory of this process and all its children (the build's workers and
    its forked link process), sampled every 0.1 s from /proc: what the build needs of the machine at
    once. Two sums: resident sets (RSS; pages a forked child still shares with its parent count in
    both) and proportional sets (PSS; a shared page split between its sharers: the memory used)."""

    def __init__(self) -> None:
        self.peak_kb = 0
        self.peak_pss_kb = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    @staticmethod
    def _field_kb(path: str, name: str) -> int:
        try:
            with open(path) as status:
                for line in status:
                    if line.startswith(name):
                        return int(line.split()[1])
        except OSError:
            pass
        return 0

    @classmethod
    def rss_kb(cls, pid: int) -> int:
        return cls._field_kb(f"/proc/{pid}/status", "VmRSS:")

    @staticmethod
    def _children(pid: int) -> list[int]:
        try:
            with open(f"/proc/{pid}/task/{pid}/children") as f:
                return [int(c) for c in f.read().split()]
        except OSError:
            return []

    def _run(self) -> None:
        while not self._stop.wait(0.1):
            pids, rss, pss = [os.getpid()], 0, 0
            while pids:
                pid = pids.pop()
                rss += self.rss_kb(pid)
                pss += self._field_kb(f"/proc/{pid}/smaps_rollup", "Pss:")
                pids.extend(self._children(pid))
            self.peak_kb = max(self.peak_kb, rss)
            self.peak_pss_kb = max(self.peak_pss_kb, pss)

    def __enter__(self) -> "TreeRss":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def main(argv: list[str]) -> None:
    from vawg_kg.loaders.build import build_graph
    from vawg_kg.stores.oxigraph import OxigraphStore

    out = Path(argv[0])
    corpus = Path(argv[1]) if len(argv) > 1 else None
    files = sorted(corpus.glob("synth-*.txt")) if corpus else []
    if len(argv) > 2:  # START:STOP, a slice of the corpus files: e.g. ":-1" then "-1:" to add the last one
        start, _, stop = argv[2].partition(":")
        files = files[int(start) if start else None:int(stop) if stop else None]
    extra = [(p, p.stem) for p in files]
    cpu: dict[str, float] = {}
    marks: list[tuple[str, float]] = []

    tree = TreeRss()

    def on_stage(name: str) -> None:
        # Stages run back to back, so a stage's CPU time is the gap to the next stage's start.
        now = time.process_time()
        if marks:
            cpu[marks[-1][0]] = round(now - marks[-1][1], 4)
        marks.append((name, now))
        # to stderr, for watching a long build: the stage, the build's own memory and the tree's peak so far
        print(f"{time.perf_counter() - STARTED_WALL:8.1f} s  {name:<10} rss {TreeRss.rss_kb(os.getpid()) // 1024} MB, "
              f"tree peak {tree.peak_kb // 1024} MB (PSS {tree.peak_pss_kb // 1024} MB)", file=sys.stderr, flush=True)

    build_start = time.perf_counter()
    with tree:
        result = build_graph(out, extra_sources=extra, on_stage=on_stage, store_hooks=[OxigraphStore.load])
    end_wall = time.perf_counter()
    if marks:
        cpu[marks[-1][0]] = round(time.process_time() - marks[-1][1], 4)  # store (+ report/swap)
    # Extract, emit and validate run in the worker processes: their CPU is the children's.
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu["workers"] = round(children.ru_utime + children.ru_stime, 4)
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
        "end_to_end_cpu_s": round(time.process_time() - STARTED_CPU + cpu["workers"], 4),
        "peak_rss_mb": round(own.ru_maxrss / 1024, 1),
        "validate_child_peak_rss_mb": round(children.ru_maxrss / 1024, 1),
        "peak_tree_rss_mb": round(tree.peak_kb / 1024, 1),
        "peak_tree_pss_mb": round(tree.peak_pss_kb / 1024, 1),
        "reused": result.reused,
    }))


if __name__ == "__main__":
    main(sys.argv[1:])
