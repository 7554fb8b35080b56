"""``POST /cypher`` against the real Neo4j server (tests/neo4j_fixture.py) over real HTTP.

Read-only for real: administration commands are refused from the text, then every operator of the
``EXPLAIN`` plan must be on the read-only allow-list (no write, no LOAD CSV, no procedure call) and the
plan's type ``r``; then it runs in a read transaction with a deadline, a row cap and a byte cap, with
the parameters passed as parameters. Neo4j not running → 503 naming ``vawg-kg neo4j start``. The
attacks on the endpoint have their own tests in tests/test_cypher_security.py.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.neo4j


@pytest.fixture(scope="module")
def cypher_api(neo4j_server: Any, api_build_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from tests.api_server import start_server, stop_server
    from vawg_kg.stores.neo4j.load import load_build

    load_build(api_build_dir, neo4j_server.uri, neo4j_server.user, neo4j_server.password, neo4j_server.database)
    env = {"VAWG_KG_NEO4J_URI": neo4j_server.uri, "VAWG_KG_NEO4J_USER": neo4j_server.user,
           "VAWG_KG_NEO4J_PASSWORD": neo4j_server.password, "VAWG_KG_NEO4J_DATABASE": neo4j_server.database,
           "VAWG_KG_CYPHER_TIMEOUT": "2", "VAWG_KG_CYPHER_MAX_ROWS": "1000"}
    server = start_server(api_build_dir, tmp_path_factory.mktemp("api-cypher"), env)
    try:
        yield server.url
    finally:
        stop_server(server)


def post(url: str, query: str, parameters: dict[str, Any] | None = None) -> httpx.Response:
    return httpx.post(f"{url}/cypher", json={"query": query, "parameters": parameters or {}}, timeout=60)


def refused(resp: httpx.Response, reason: str) -> None:
    assert resp.status_code == 403, resp.text
    body = resp.json()
    assert set(body) == {"error", "message", "details"} and body["error"] == "forbidden_query"
    assert body["details"]["reason"] == reason, body


def test_health_sees_neo4j(cypher_api: str) -> None:
    assert httpx.get(f"{cypher_api}/health").json()["neo4j"]["reachable"] is True


def test_read_query_with_parameters(cypher_api: str) -> None:
    resp = post(cypher_api, "MATCH (c:Commitment {ref: $ref}) RETURN c.ref AS ref, c.text AS text", {"ref": "A76"})
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["columns"] == ["ref", "text"]
    assert any(row[0] == "A76" and "coercive" in row[1] for row in body["rows"])


def test_hostile_parameter_is_data(cypher_api: str) -> None:
    resp = post(cypher_api, "MATCH (c:Commitment) WHERE c.ref = $ref RETURN count(c) AS n",
                {"ref": "A76' OR 1=1 //"})
    assert resp.status_code == 200 and resp.json()["rows"] == [[0]]


@pytest.mark.parametrize("query", [
    "CREATE (n:Injected {x: 1}) RETURN n",
    "MATCH (c:Commitment) SET c.text = 'changed' RETURN count(c)",
    "MATCH (c:Commitment) DETACH DELETE c",
    "MERGE (n:Injected {x: 1}) RETURN n",
])
def test_writes_refused(cypher_api: str, query: str) -> None:
    refused(post(cypher_api, query), "not_read_only")


def test_schema_changes_refused(cypher_api: str) -> None:
    refused(post(cypher_api, "CREATE INDEX injected IF NOT EXISTS FOR (n:Injected) ON (n.x)"), "administration_command")


@pytest.mark.parametrize("query", [
    "CALL dbms.components() YIELD name RETURN name",
    "CALL db.labels() YIELD label RETURN label",
    "CALL dbms.listConfig() YIELD name RETURN name",
    "MATCH (c:Commitment) WITH c LIMIT 1 CALL db.labels() YIELD label RETURN label",
])
def test_procedure_calls_refused(cypher_api: str, query: str) -> None:
    refused(post(cypher_api, query), "procedure_call")


def test_load_csv_refused_and_never_connects(cypher_api: str) -> None:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(4)
    sock.settimeout(0.2)
    hits: list[int] = []
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = sock.accept()
            except OSError:
                continue
            hits.append(1)
            conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{sock.getsockname()[1]}/x.csv"
        refused(post(cypher_api, f"LOAD CSV FROM '{url}' AS row RETURN row"), "load_csv")
        refused(post(cypher_api, "LOAD CSV FROM $u AS row RETURN count(row)", {"u": url}), "load_csv")
        refused(post(cypher_api, "LOAD CSV FROM 'file:///etc/passwd' AS row RETURN row"), "load_csv")
    finally:
        stop.set()
        thread.join(2)
        sock.close()
    assert hits == []


def test_syntax_error_is_400(cypher_api: str) -> None:
    resp = post(cypher_api, "MATCH (n RETURN n")
    assert resp.status_code == 400 and resp.json()["error"] == "query_parse_error"


def test_long_query_times_out(cypher_api: str) -> None:
    resp = post(cypher_api, "UNWIND range(1, 2000000000) AS x WITH x WHERE x % 7 = 3 RETURN count(x) AS n")
    assert resp.status_code == 503, resp.text
    assert resp.json()["error"] == "query_timeout"
    assert post(cypher_api, "RETURN 1 AS one").json()["rows"] == [[1]]


def test_row_cap(cypher_api: str) -> None:
    resp = post(cypher_api, "UNWIND range(1, 5000) AS x RETURN x")
    assert resp.status_code == 413 and resp.json()["error"] == "result_too_large"
    assert resp.json()["details"]["max_rows"] == 1000


def test_values_without_a_json_form(cypher_api: str) -> None:
    resp = post(cypher_api, "RETURN 0.0 / 0.0 AS nan, -1.0 / 0.0 AS neg, date('2020-01-02') AS d, "
                            "duration('P1D') AS du, [date('2021-03-04')] AS l")
    assert resp.status_code == 200, resp.text
    assert resp.json()["rows"] == [["NaN", "-Infinity", "2020-01-02", "P1D", ["2021-03-04"]]]


def test_nodes_and_paths_as_objects(cypher_api: str) -> None:
    resp = post(cypher_api, "MATCH p = (c:Commitment {ref: 'A76'})-[:IN_DOCUMENT]->(d) RETURN c, p LIMIT 1")
    assert resp.status_code == 200, resp.text
    node, path = resp.json()["rows"][0]
    assert "Commitment" in node["labels"] and node["properties"]["ref"] == "A76"
    assert [n["id"] for n in path["nodes"]][0] == node["id"]
    assert path["relationships"][0]["type"] == "IN_DOCUMENT"


def test_neo4j_not_running_is_503(api: httpx.Client) -> None:
    # the shared api_server points at a closed Bolt port
    resp = api.post("/cypher", json={"query": "RETURN 1"})
    assert resp.status_code == 503 and "vawg-kg neo4j start" in resp.json()["message"]
