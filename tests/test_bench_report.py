"""``make bench``'s report: the run's JSON becomes the targets table, each target judged against
its figure. The JSON is one a real run wrote (``python -m benchmarks.run --sizes 5,12 --repeat 1
--skip neo4j,queries,api,browser,peers,fuseki``, kept in tests/fixtures), so a renamed key or a
missing function fails here instead of at the end of a 40-minute run."""

from __future__ import annotations

import copy
import json

from benchmarks import report
from tests.conftest import REPO

RUN = REPO / "tests" / "fixtures" / "bench-results-5-12.json"


def test_report_judges_each_target_from_the_figures() -> None:
    results = json.loads(RUN.read_text())
    text = report.markdown(results)
    assert "## Targets" in text and "## Build" in text
    # the add-one target, judged both ways from a figure we set
    size, entry = next((k, e) for k, e in results["sizes"].items() if "build" in e and "error" not in e["build"])
    full = entry["build"]["process_wall_s"]["median"]
    for share, verdict in ((0.05, "| met |"), (0.5, "| **missed** |")):
        trial = copy.deepcopy(results)
        trial["sizes"][size]["add_one"] = {"documents_before": 4, "wall_s": share * full,
                                           "reused": {"documents": 4}}
        row = next(line for line in report.markdown(trial).splitlines() if line.startswith("| adding one document"))
        assert row.endswith(verdict), row
