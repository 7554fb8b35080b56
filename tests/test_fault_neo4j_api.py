"""Issue 10 fault: stop Neo4j under a running API. Every non-Cypher endpoint still answers; ``/cypher``
is a 503 naming ``vawg-kg neo4j start`` while Neo4j is down, and answers again once it is back.

A Neo4j of its own (own data folder, state file and port), so the session's server is untouched.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.api_server import start_server, stop_server
from vawg_kg.stores.neo4j import server

pytestmark = [pytest.mark.neo4j, pytest.mark.slow]

HMG = "hmg-vawg-strategy-2016"
NON_CYPHER = ["/health", "/commitments?lead=home-office", f"/commitments/{HMG}/A93", "/organisations/fcdo",
              "/overlaps?limit=5", "/gaps", f"/lineage/{HMG}/A93", "/coverage", "/queries",
              "/queries/commitments_by_lead?org=org/home-office", "/sparql?query=ASK%20%7B%7D",
              f"/sources/{HMG}.md?start=0&end=50", "/graph", "/graph/data", "/ontology", "/downloads/vawg-kg.nt"]


def _cypher(url: str) -> httpx.Response:
    return httpx.post(f"{url}/cypher", json={"query": "RETURN 1 AS one"}, timeout=30)


def test_stop_neo4j_under_a_running_api(neo4j_server: Any, api_build_dir: Path, tmp_path: Path) -> None:
    # The API finds this server as `vawg-kg serve` finds the project's: through the state file in its
    # cache folder (a restart generates a new password, and the state file carries it).
    cache = tmp_path / "cache"
    state, data = cache / "neo4j" / "state.json", tmp_path / "data"
    state.parent.mkdir(parents=True)
    info = server.start(data_dir=data, state_file=state)
    env = {"VAWG_KG_CACHE": str(cache), "VAWG_KG_NEO4J_URI": "", "VAWG_KG_NEO4J_USER": "",
           "VAWG_KG_NEO4J_PASSWORD": "", "VAWG_KG_NEO4J_DATABASE": ""}
    api = start_server(api_build_dir, tmp_path, env)
    try:
        assert _cypher(api.url).json()["rows"] == [[1]]
        server.stop(info, state_file=state)
        with httpx.Client(base_url=api.url, timeout=60) as client:
            for path in NON_CYPHER:
                assert client.get(path).status_code == 200, path
            health = client.get("/health").json()
            assert health["neo4j"]["reachable"] is False
        for _ in range(3):  # every try while it is down, not only the first
            resp = _cypher(api.url)
            assert resp.status_code == 503, resp.text
            assert resp.json()["error"] == "store_unavailable" and "vawg-kg neo4j start" in resp.json()["message"]
        # (a restart with the same password fails: the launcher's ALTER USER refuses an unchanged one)
        info = server.start(info.port, data_dir=data, state_file=state)
        assert _cypher(api.url).json()["rows"] == [[1]]  # back without restarting the API
        assert api.process.poll() is None
    finally:
        stop_server(api)
        server.stop(info, state_file=state)
