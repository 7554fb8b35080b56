"""Print the /gaps figures of a build: rows, rows per reason, commitments flagged, per document and lead.

    .venv/bin/python scripts/gap_counts.py [BUILD_DIR]   (default: build)

Runs the API in-process on the build (no server), so the figures are those GET /gaps answers.
"""

from __future__ import annotations

import json
import sys
import warnings
from pathlib import Path

warnings.filterwarnings("ignore")


def main() -> None:
    from fastapi.testclient import TestClient

    from vawg_kg.graph_api.app import create_app

    build = Path(sys.argv[1] if len(sys.argv) > 1 else "build")
    with TestClient(create_app(build), base_url="http://127.0.0.1") as client:
        body = client.get("/gaps", params={"limit": 10_000}).json()
    print(json.dumps({"rows (one per commitment)": body["total"], "commitments flagged": body["counts"]["commitments"],
                      "rows per reason": body["counts"]["by_reason"],
                      "per document": body["counts"]["by_document"],
                      "per lead (top 10)": dict(list(body["counts"]["by_lead"].items())[:10]),
                      "themes_not_covered (document pairs x theme, apart)": len(body["themes_not_covered"]),
                      "corpus": body["corpus"]}, indent=1))


if __name__ == "__main__":
    main()
