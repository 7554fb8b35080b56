"""First render of ``/graph`` against a server already running: ``benchmarks.run.graph_render`` on
its own, for comparing views of one graph (``?overview=full`` and ``?overview=summary``).

    python -m benchmarks.render http://127.0.0.1:18600 [?overview=full]

prints the JSON (one cold visit with a new browser profile, then two warm ones).
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass

from benchmarks.run import graph_render


@dataclass
class RunningServer:
    base: str


def main(argv: list[str]) -> None:
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__)
        return
    query = argv[1] if len(argv) > 1 else ""
    print(json.dumps(graph_render(RunningServer(argv[0].rstrip("/")), query), indent=1))  # type: ignore[arg-type]


if __name__ == "__main__":
    main(sys.argv[1:])
