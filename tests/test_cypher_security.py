"""``POST /cypher`` under attack, over real HTTP against the real Neo4j (tests/neo4j_fixture.py).

One regression test per reported attack (docs/bad-input.md, "Cypher (POST /cypher)"):

1. administration commands (``SHOW TRANSACTIONS`` showed other clients' queries and parameters,
   ``TERMINATE TRANSACTIONS`` ended them, ``SHOW SETTINGS`` read server paths) are refused, by the text
   check and, behind it, by the plan's operator allow-list;
2. the deadline holds: the answer comes within the limit plus 2 s and the transaction is gone; the loops
   Neo4j cannot stop (``reduce``, ``range`` in an expression, nested comprehensions) are refused;
3. a 400 MB answer from a 200 kB request is stopped at the byte cap, and the API's peak memory stays put;
4. failed logins elsewhere (Neo4j's authentication rate limit) are a 503 saying when to retry, not a 400;
5. at most ``cypher_concurrency`` queries run, ``query_queue`` wait, the rest get 429 with Retry-After;
6. error bodies carry our message; Neo4j's goes to the API log;
7. the command line / named questions (``Neo4jStore.run``) go through the same executor.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import neo4j
import pytest

from tests.api_server import RunningServer, start_server, stop_server
from vawg_kg.errors import ForbiddenQueryError, QueryTimeoutError
from vawg_kg.stores.neo4j.guard import check_plan, operators
from vawg_kg.stores.neo4j.store import Neo4jStore

pytestmark = pytest.mark.neo4j

TIMEOUT_S = 3.0
SLOW = "UNWIND range(1, 2000000000) AS x WITH x WHERE x % 7 = 3 RETURN count(x) AS n"


def neo4j_env(server: Any, **settings: str) -> dict[str, str]:
    return {"VAWG_KG_NEO4J_URI": server.uri, "VAWG_KG_NEO4J_USER": server.user,
            "VAWG_KG_NEO4J_PASSWORD": server.password, "VAWG_KG_NEO4J_DATABASE": server.database,
            "VAWG_KG_CYPHER_TIMEOUT": str(TIMEOUT_S), "VAWG_KG_CYPHER_MAX_ROWS": "5000", **settings}


@pytest.fixture(scope="module")
def loaded(neo4j_server: Any, api_build_dir: Path) -> Any:
    from vawg_kg.stores.neo4j.load import load_build

    load_build(api_build_dir, neo4j_server.uri, neo4j_server.user, neo4j_server.password, neo4j_server.database)
    return neo4j_server


@pytest.fixture(scope="module")
def api(loaded: Any, api_build_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    server = start_server(api_build_dir, tmp_path_factory.mktemp("api-cypher-security"), neo4j_env(loaded))
    try:
        yield server
    finally:
        stop_server(server)


def post(url: str, query: str, parameters: dict[str, Any] | None = None, timeout: float = 60) -> httpx.Response:
    return httpx.post(f"{url}/cypher", json={"query": query, "parameters": parameters or {}}, timeout=timeout)


def refused(resp: httpx.Response, reason: str) -> dict[str, Any]:
    assert resp.status_code == 403, resp.text
    body: dict[str, Any] = resp.json()
    assert body["error"] == "forbidden_query" and body["details"]["reason"] == reason, body
    return body


def running(driver: Any, marker: str) -> list[dict[str, Any]]:
    """Transactions (of any client) whose query text holds ``marker``, seen on a direct connection."""
    records, _, _ = driver.execute_query(
        "SHOW TRANSACTIONS YIELD transactionId, currentQuery, status WHERE currentQuery CONTAINS $marker "
        "AND NOT currentQuery STARTS WITH 'SHOW' RETURN transactionId, status", marker=marker)
    return [dict(r) for r in records]


def gone_within(driver: Any, marker: str, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while running(driver, marker):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmHWM in /proc/<pid>/status")


# --- 1. administration commands -------------------------------------------------------------------

ADMIN = [
    "SHOW TRANSACTIONS",
    "SHOW TRANSACTIONS YIELD transactionId, currentQuery, parameters RETURN *",
    "TERMINATE TRANSACTIONS 'neo4j-transaction-1'",
    "SHOW SETTINGS YIELD name, value WHERE name STARTS WITH 'server.directories' RETURN name, value",
    "show settings",
    "  // a comment first\n/* and another */ SHOW SETTINGS",
    "CYPHER 5 SHOW TRANSACTIONS",
    "SHOW USERS", "SHOW CURRENT USER", "SHOW DATABASES", "SHOW PROCEDURES", "SHOW FUNCTIONS", "SHOW INDEXES",
    "CREATE DATABASE injected", "CREATE OR REPLACE DATABASE injected", "DROP DATABASE neo4j", "STOP DATABASE neo4j",
    "START DATABASE neo4j", "ALTER USER neo4j SET PASSWORD 'injected-password'", "CREATE USER eve SET PASSWORD 'x'",
    "GRANT ROLE admin TO eve", "DENY ACCESS ON DATABASE neo4j TO PUBLIC", "REVOKE ROLE admin FROM neo4j",
    "USE system SHOW USERS", "CALL { USE system RETURN 1 AS x } RETURN x",
    "CREATE INDEX injected IF NOT EXISTS FOR (n:Injected) ON (n.x)", "DROP INDEX injected IF EXISTS",
]


@pytest.mark.parametrize("query", ADMIN)
def test_administration_commands_refused(api: RunningServer, query: str) -> None:
    refused(post(api.url, query), "administration_command")


def test_show_and_terminate_transactions_cannot_reach_another_client(api: RunningServer, neo4j_driver: Any) -> None:
    marker, secret = f"victim-{uuid.uuid4().hex}", 424242
    victim_error: list[BaseException] = []
    ids: list[str] = []

    def victim() -> None:
        with neo4j_driver.session() as session:
            try:
                session.run(f"/* {marker} */ UNWIND range(1, 300000000) AS x WITH x WHERE x = $secret "
                            "RETURN count(x)", secret=secret).consume()
            except neo4j.exceptions.Neo4jError as exc:
                victim_error.append(exc)

    thread = threading.Thread(target=victim, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while not (ids := [r["transactionId"] for r in running(neo4j_driver, marker)]):
            assert time.monotonic() < deadline, "the victim's transaction never showed up"
            time.sleep(0.05)
        shown = post(api.url, "SHOW TRANSACTIONS YIELD transactionId, currentQuery, parameters RETURN *")
        refused(shown, "administration_command")
        assert marker not in shown.text and str(secret) not in shown.text
        refused(post(api.url, "TERMINATE TRANSACTIONS $ids", {"ids": ids}), "administration_command")
        assert [r["status"] for r in running(neo4j_driver, marker)] == ["Running"]
    finally:
        neo4j_driver.execute_query("TERMINATE TRANSACTIONS $ids", ids=ids)
        thread.join(30)


@pytest.mark.parametrize("query", ["SHOW TRANSACTIONS", "TERMINATE TRANSACTIONS 'neo4j-transaction-1'",
                                   "SHOW SETTINGS", "SHOW USERS"])
def test_plan_check_alone_refuses_administration(neo4j_driver: Any, query: str) -> None:
    """Behind the text check: Neo4j's own EXPLAIN plan of each command fails the operator allow-list."""
    with neo4j_driver.session(default_access_mode=neo4j.READ_ACCESS) as session:
        summary = session.run(f"EXPLAIN {query}").consume()
    with pytest.raises(ForbiddenQueryError) as caught:
        check_plan(summary.query_type, operators(summary.plan))
    assert caught.value.details["reason"] == "administration_command"


def test_operator_outside_the_allow_list_is_named() -> None:
    with pytest.raises(ForbiddenQueryError) as caught:
        check_plan("r", ["ProduceResults", "Projection", "SomeFutureOperator"])
    assert caught.value.details == {"reason": "operator_not_allowed", "operators": ["SomeFutureOperator"]}


READS = [
    "MATCH (c:Commitment) RETURN count(*) AS n",
    "MATCH (c:Commitment {ref: 'A93'}) OPTIONAL MATCH (c)-[r]->(o) "
    "RETURN c.ref, type(r), o.iri ORDER BY o.iri SKIP 1 LIMIT 5",
    "MATCH (c:Commitment) WHERE EXISTS { (c)-->(:Organisation) } RETURN count(c) AS n",
    "MATCH (c:Commitment) RETURN c.ref, COUNT { (c)-->() } AS degree, "
    "COLLECT { MATCH (c)-->(o) RETURN o.iri } AS out LIMIT 3",
    "MATCH (c:Commitment) WHERE NOT (c)-->(:Organisation) RETURN count(c) AS n",
    "MATCH (a:Commitment {ref: 'A93'}), (b:Commitment {ref: 'A76'}) "
    "RETURN length(shortestPath((a)-[*..6]-(b))) AS hops",
    "MATCH p = (a:Commitment {ref: 'A93'})-[*1..2]-(b) RETURN count(p) AS n",
    "MATCH (a:Commitment) RETURN a.ref AS ref UNION MATCH (b:Organisation) RETURN b.iri AS ref",
    "MATCH (c:Commitment) CALL (c) { MATCH (c)-->(o) RETURN count(o) AS k } RETURN c.ref, k ORDER BY k DESC LIMIT 3",
    "MATCH (c:Commitment) WITH c.docId AS d, count(*) AS n WHERE n > 1 RETURN DISTINCT d, n ORDER BY n DESC",
    "MATCH (c:Commitment) RETURN [(c)-->(o:Organisation) | o.iri] AS orgs LIMIT 3",
    "RETURN range(1, 5) AS r, [x IN [1, 2, 3] WHERE x > 1 | x * 2] AS l, any(x IN [1, 2] WHERE x = 2) AS a",
    "UNWIND range(1, 10) AS x RETURN sum(x) AS s",
    "MATCH (c:Commitment) WHERE c.text CONTAINS 'coercive' RETURN c ORDER BY c.ref LIMIT 1",
    "MATCH (a:Commitment)-->(o)<--(b:Commitment) WHERE a <> b RETURN count(*) AS n",
]


@pytest.mark.parametrize("query", READS)
def test_ordinary_reads_pass_the_allow_list(api: RunningServer, query: str) -> None:
    resp = post(api.url, query)
    assert resp.status_code == 200, resp.text
    assert resp.json()["rows"], query


# --- 2. the deadline ------------------------------------------------------------------------------

def test_deadline_answers_on_time_and_ends_the_transaction(api: RunningServer, neo4j_driver: Any) -> None:
    marker = f"slow-{uuid.uuid4().hex}"
    started = time.monotonic()
    resp = post(api.url, f"/* {marker} */ {SLOW}")
    elapsed = time.monotonic() - started
    assert resp.status_code == 503 and resp.json()["error"] == "query_timeout", resp.text
    assert TIMEOUT_S - 0.5 < elapsed < TIMEOUT_S + 2, elapsed
    assert gone_within(neo4j_driver, marker, 2.0), running(neo4j_driver, marker)
    assert post(api.url, "RETURN 1 AS one").json()["rows"] == [[1]]


@pytest.mark.parametrize(("query", "parameters", "expressions"), [
    ("RETURN size(reduce(s = '', i IN range(1, 800000) | s + 'x')) AS n", {}, ["range", "reduce"]),
    ("RETURN size(reduce(s = '', i IN range(1, 3000000) | s + 'x')) AS n", {}, ["range", "reduce"]),
    ("RETURN size(reduce(s = 'x', i IN [1, 2, 3] | s + s)) AS n", {}, ["reduce"]),
    ("RETURN size([x IN range(1, 200000000) | x]) AS n", {}, ["range"]),
    ("RETURN size([x IN RANGE(1, $n) | x]) AS n", {"n": 10}, ["range"]),
    ("RETURN size([a IN $l WHERE size([b IN $l WHERE b = a]) > 1]) AS n", {"l": [1, 2]},
     ["nested list comprehension"]),
])
def test_loops_neo4j_cannot_stop_are_refused(api: RunningServer, neo4j_driver: Any, query: str,
                                             parameters: dict[str, Any], expressions: list[str]) -> None:
    started = time.monotonic()
    body = refused(post(api.url, query, parameters), "unbounded_expression")
    assert time.monotonic() - started < 2
    assert body["details"]["expressions"] == expressions
    assert running(neo4j_driver, query[:30]) == []


# --- 3. the byte cap ------------------------------------------------------------------------------

def test_byte_cap_stops_a_large_answer_and_memory_stays_put(loaded: Any, api_build_dir: Path, tmp_path: Path) -> None:
    server = start_server(api_build_dir, tmp_path, neo4j_env(loaded))
    try:
        big = "x" * 200_000
        warm = post(server.url, "UNWIND range(1, 20) AS i RETURN i, $s AS s", {"s": big})  # 4 MB: under the cap
        assert warm.status_code == 200 and warm.json()["total"] == 20
        before = peak_rss_mb(server.process.pid)
        started = time.monotonic()
        resp = post(server.url, "UNWIND range(1, 2000) AS i RETURN $s AS s", {"s": big})  # would be 400 MB
        elapsed = time.monotonic() - started
        after = peak_rss_mb(server.process.pid)
    finally:
        stop_server(server)
    assert resp.status_code == 413, resp.text[:300]
    body = resp.json()
    assert body["error"] == "result_too_large" and body["details"]["max_bytes"] == 8 * 1024 * 1024
    assert elapsed < 10, elapsed
    assert after - before < 60, (before, after)  # the whole answer would be 400 MB


# --- 4. and 6. Neo4j's own failures -------------------------------------------------------------------

def _fail_logins_until_rate_limited(server: Any) -> bool:
    for _ in range(10):
        try:
            with neo4j.GraphDatabase.driver(server.uri, auth=(server.user, "wrong-password")) as driver:
                driver.verify_connectivity()
        except neo4j.exceptions.ClientError as exc:
            if exc.code == "Neo.ClientError.Security.AuthenticationRateLimit":
                return True
    return False


def _wait_until_answering(url: str, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while post(url, "RETURN 1 AS one").status_code != 200:
        if time.monotonic() > deadline:
            return False
        time.sleep(0.5)
    return True


def test_failed_logins_elsewhere_are_503_not_400(loaded: Any, api_build_dir: Path, tmp_path: Path) -> None:
    server = start_server(api_build_dir, tmp_path, neo4j_env(loaded))  # no pooled connection yet
    try:
        limited = _fail_logins_until_rate_limited(loaded)
        resp = post(server.url, "RETURN 1 AS one")
        recovered = _wait_until_answering(server.url, 20)  # the lock-out is Neo4j's, for every client: let it pass
        log = server.log()
    finally:
        stop_server(server)
    assert limited, "Neo4j never rate-limited the failed logins"
    assert resp.status_code == 503, resp.text
    body = resp.json()
    assert body["error"] == "store_unavailable" and body["details"]["retry_after_s"] == 5
    assert resp.headers["retry-after"] == "5"
    assert "incorrect authentication details" not in resp.text  # Neo4j's words stay in the log
    assert "AuthenticationRateLimit" in log and "incorrect authentication details" in log
    assert recovered


def test_syntax_errors_keep_neo4j_description(api: RunningServer) -> None:
    resp = post(api.url, "MATCH (n RETURN n")
    assert resp.status_code == 400 and resp.json()["error"] == "query_parse_error"
    assert "Invalid input" in resp.json()["message"]


# --- 5. lanes -------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def one_lane(loaded: Any, api_build_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    env = neo4j_env(loaded, VAWG_KG_CYPHER_CONCURRENCY="1", VAWG_KG_QUERY_QUEUE="1")
    server = start_server(api_build_dir, tmp_path_factory.mktemp("api-cypher-lanes"), env)
    try:
        yield server
    finally:
        stop_server(server)


def _post_in_thread(url: str, query: str, out: dict[str, Any], key: str) -> threading.Thread:
    def call() -> None:
        started = time.monotonic()
        out[key] = post(url, query)
        out[f"{key}_s"] = time.monotonic() - started

    thread = threading.Thread(target=call, daemon=True)
    thread.start()
    return thread


def test_one_runs_one_waits_the_rest_get_429(one_lane: RunningServer, neo4j_driver: Any) -> None:
    marker = f"lane-{uuid.uuid4().hex}"
    out: dict[str, Any] = {}
    first = _post_in_thread(one_lane.url, f"/* {marker} a */ {SLOW}", out, "a")
    time.sleep(0.5)
    second = _post_in_thread(one_lane.url, f"/* {marker} b */ {SLOW}", out, "b")
    time.sleep(0.5)
    most = len(running(neo4j_driver, marker))
    started = time.monotonic()
    third = post(one_lane.url, "RETURN 1 AS one")
    third_s = time.monotonic() - started
    while first.is_alive() or second.is_alive():
        most = max(most, len(running(neo4j_driver, marker)))
        time.sleep(0.1)
    assert third.status_code == 429 and third.json()["error"] == "too_many_requests", third.text
    assert third_s < 1 and third.headers["retry-after"] == str(int(TIMEOUT_S))
    assert most == 1
    # the queued request's wait counted against its own deadline: it did not get a second full period
    assert out["a"].status_code == out["b"].status_code == 503, (out["a"].text, out["b"].text)
    assert out["a_s"] < TIMEOUT_S + 2 and out["b_s"] < TIMEOUT_S + 2, (out["a_s"], out["b_s"])
    assert gone_within(neo4j_driver, marker, 2.0)


def test_a_queued_request_runs_when_the_lane_frees(one_lane: RunningServer, neo4j_driver: Any) -> None:
    # a query that ends by itself in about a second (calibrated here: machines differ)
    n = 2_000_000
    started = time.monotonic()
    neo4j_driver.execute_query("UNWIND range(1, $n) AS x WITH x WHERE x = -1 RETURN count(x)", n=n)
    n = max(100_000, int(n * 1.0 / max(time.monotonic() - started, 0.01)))
    out: dict[str, Any] = {}
    first = _post_in_thread(one_lane.url, f"UNWIND range(1, {n}) AS x WITH x WHERE x = -1 RETURN count(x) AS n",
                            out, "a")
    time.sleep(0.2)
    second = post(one_lane.url, "RETURN 1 AS one")
    first.join(30)
    assert out["a"].status_code == 200, out["a"].text
    assert second.status_code == 200 and second.json()["rows"] == [[1]]


# --- 7. the command line and named questions: the same executor ----------------------------------

def test_neo4j_store_uses_the_same_checks_and_deadline(loaded: Any, neo4j_driver: Any) -> None:
    with Neo4jStore(loaded.uri, loaded.user, loaded.password, loaded.database) as store:
        with pytest.raises(ForbiddenQueryError) as caught:
            store.run("SHOW TRANSACTIONS")
        assert caught.value.details["reason"] == "administration_command"
        with pytest.raises(ForbiddenQueryError) as caught:
            store.run("RETURN reduce(s = 0, x IN [1, 2] | s + x) AS n")
        assert caught.value.details["reason"] == "unbounded_expression"
        marker = f"cli-{uuid.uuid4().hex}"
        started = time.monotonic()
        with pytest.raises(QueryTimeoutError):
            store.run(f"/* {marker} */ {SLOW}", timeout_s=1.0)
        assert time.monotonic() - started < 3
        assert gone_within(neo4j_driver, marker, 2.0)
        result = store.run("MATCH (c:Commitment {ref: $ref}) RETURN c AS node, c.ref AS ref", {"ref": "A76"})
        assert result.variables == ["node", "ref"]
        assert {row[1] for row in result.rows} == {"A76"}
        assert all(str(row[0]).startswith("https://w3id.org/vawg-kg/id/") for row in result.rows)
