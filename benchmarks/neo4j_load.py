"""The Neo4j part of the benchmark alone, on a build that exists:
``python -m benchmarks.neo4j_load BUILD_DIR [--repeat 3] [--port N] [--work DIR]``.

Starts a private server as ``benchmarks.run`` does (heap 4g, page cache 2g), runs
:func:`benchmarks.run.bench_neo4j_load` (run 1 into an empty database, later runs replace
the graph), prints one line per run and the JSON summary, and stops the server.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
from pathlib import Path

from benchmarks.run import bench_neo4j_load, start_neo4j, stop_neo4j


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("build_dir", type=Path)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--port", type=int, default=None, help="Bolt port (default: a free one)")
    ap.add_argument("--work", type=Path, default=None, help="scratch folder for the server (default: a temp one)")
    args = ap.parse_args(argv)
    work = args.work or Path(tempfile.mkdtemp(prefix="vawg-bench-neo4j-"))
    info = start_neo4j(work, args.port)
    try:
        result = bench_neo4j_load(info, args.build_dir, args.repeat)
    finally:
        stop_neo4j(info, work)
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    runs = result.pop("runs", [])
    for run in runs:
        print(f"{run['kind']:8} {run['nodes'] + run['relationships']:>9,} nodes+rels  {run['rate_per_s']:>9,.0f}/s  "
              f"{json.dumps(run['seconds'])}")
    print(json.dumps({k: v for k, v in result.items() if k in ("nodes", "relationships", "first_load_rate_per_s",
                                                                "replace_rate_per_s", "loader_peak_rss_mb",
                                                                "server_heap_used_peak_mb")}))
    return 0 if runs and "error" not in result else 1


if __name__ == "__main__":
    raise SystemExit(main())
