"""``vawg-kg publish`` against a real Oxigraph server (the ``oxigraph`` PyPI package's binary) on loopback.

The test publishes the session build with the real CLI, then asks the server
back over the SPARQL 1.1 Protocol and compares with the local store.
"""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.oxigraph_server import free_port, start_oxigraph, stop_oxigraph
from vawg_kg.stores.graph_store_client import publish, target_url
from vawg_kg.errors import StoreUnavailableError
from vawg_kg.queries import catalog
from vawg_kg.stores.oxigraph import OxigraphStore

GRAPH = "https://w3id.org/vawg-kg/graph/test-publish"
VAWG_KG = str(Path(sys.executable).with_name("vawg-kg"))


@pytest.fixture(scope="module")
def oxigraph_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    server = start_oxigraph(tmp_path_factory.mktemp("oxigraph-server"))
    try:
        yield server.url
    finally:
        stop_oxigraph(server)


def _sparql(base: str, query: str) -> dict[str, Any]:
    request = urllib.request.Request(f"{base}/query", data=query.encode(), method="POST", headers={
        "Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        result: dict[str, Any] = json.load(response)
    return result


def _count(base: str, graph: str | None) -> int:
    where = f"GRAPH <{graph}> {{ ?s ?p ?o }}" if graph else "?s ?p ?o"
    rows = _sparql(base, f"SELECT (COUNT(*) AS ?n) WHERE {{ {where} }}")["results"]["bindings"]
    return int(rows[0]["n"]["value"])


def _local_triples(build_dir: Path) -> int:
    store = OxigraphStore.in_memory(build_dir / "vawg-kg.nt")
    return len(store.store)


def test_cli_publishes_a_named_graph_and_replaces_it_on_republish(oxigraph_server: str, build_dir: Path) -> None:
    cmd = [VAWG_KG, "publish", "--graph-store", f"{oxigraph_server}/store", "--graph", GRAPH, "--build-dir", str(build_dir)]
    for _ in range(2):  # PUT replaces: publishing twice leaves one copy
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)
        assert done.returncode == 0, done.stderr
        assert "published" in done.stderr + done.stdout
    expected = _local_triples(build_dir)
    assert _count(oxigraph_server, GRAPH) == expected
    assert _count(oxigraph_server, None) == 0  # nothing leaked into the default graph


def test_published_default_graph_answers_a_named_query_like_the_local_store(oxigraph_server: str,
                                                                            build_dir: Path) -> None:
    result = publish(f"{oxigraph_server}/store", build_dir / "vawg-kg.nt")
    assert result.status in (200, 201, 204)
    query = catalog.get("counts_per_document").sparql
    remote = _sparql(oxigraph_server, query)
    local = OxigraphStore.open_read_only(build_dir).select(query)
    assert remote["head"]["vars"] == local.variables
    remote_rows = sorted(tuple(b.get(v, {}).get("value") for v in remote["head"]["vars"])
                         for b in remote["results"]["bindings"])
    local_rows = sorted(tuple(c.value if c else None for c in row) for row in local.cells)
    assert remote_rows == local_rows and len(local_rows) == 5


def test_refused_when_no_server_listens(build_dir: Path) -> None:
    port = free_port()  # nothing listens there
    done = subprocess.run([VAWG_KG, "publish", "--graph-store", f"http://127.0.0.1:{port}/store",
                           "--build-dir", str(build_dir)], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == StoreUnavailableError.exit_code
    assert "cannot reach the graph store" in done.stderr + done.stdout


def test_refused_when_the_url_is_not_a_graph_store(oxigraph_server: str, build_dir: Path) -> None:
    with pytest.raises(StoreUnavailableError, match="does not accept Graph Store PUTs"):
        publish(f"{oxigraph_server}/no-such-endpoint", build_dir / "vawg-kg.nt")


def test_target_url_encodes_the_graph_and_keeps_existing_parameters() -> None:
    assert target_url("http://h/store", None) == "http://h/store?default"
    assert target_url("http://h/ds/data?x=1", "https://g/a b") == "http://h/ds/data?x=1&graph=https%3A%2F%2Fg%2Fa%20b"
    with pytest.raises(StoreUnavailableError):
        target_url("ftp://h/store", None)
    assert urllib.parse.urlsplit(target_url("https://h/s", GRAPH)).query.startswith("graph=")
