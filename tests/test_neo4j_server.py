"""The project's Neo4j server: install, start, status, stop, and its security settings, on the real server."""

from __future__ import annotations

import os
import socket
import stat
import time
from pathlib import Path
from typing import Any

import neo4j
import pytest
from neo4j.exceptions import AuthError, ClientError

from vawg_kg.errors import StoreUnavailableError
from vawg_kg.stores.neo4j import server
from vawg_kg.stores.neo4j.server import ServerInfo

pytestmark = pytest.mark.neo4j


def test_install_is_idempotent_and_fast(neo4j_server: ServerInfo) -> None:
    t0 = time.monotonic()
    home = server.install()
    assert time.monotonic() - t0 < 2.0
    assert (home / "installed.json").is_file() and any((home / "lib").glob("neo4j-bolt-*.jar"))


def test_start_status_stop(tmp_path: Path, neo4j_server: ServerInfo, monkeypatch: pytest.MonkeyPatch) -> None:
    state = tmp_path / "state.json"
    monkeypatch.setenv(server.HEAP_ENV, "768m")  # a 500-document load wants 4g: the variable sets it
    info = server.start(data_dir=tmp_path / "data", state_file=state)
    try:
        argv = Path(f"/proc/{info.pid}/cmdline").read_bytes().decode().split("\0")
        assert "-Xmx768m" in argv and "-Xmn192m" in argv  # a fixed young generation, a quarter of the heap
        assert server.status(state) == info
        assert stat.S_IMODE(state.stat().st_mode) == 0o600  # it holds the password
        assert server.start(state_file=state) == info  # already running: the same server
        with neo4j.GraphDatabase.driver(info.uri, auth=(info.user, info.password)) as driver:
            assert driver.execute_query("RETURN 1 AS x").records[0]["x"] == 1
        assert info.version == server.PINNED
    finally:
        stopped = server.stop(state_file=state)
    assert stopped is not None and stopped.pid == info.pid
    assert server.status(state) is None and not state.exists()
    with pytest.raises(ProcessLookupError):
        os.kill(info.pid, 0)
    assert server.stop(state_file=state) is None  # stopping twice is harmless


def test_auth_is_on(neo4j_server: ServerInfo) -> None:
    with neo4j.GraphDatabase.driver(neo4j_server.uri, auth=(neo4j_server.user, "not-the-password")) as driver:
        with pytest.raises(AuthError):
            driver.verify_connectivity()
    with neo4j.GraphDatabase.driver(neo4j_server.uri, auth=None) as driver:
        with pytest.raises((AuthError, ClientError)):
            driver.verify_connectivity()


def test_load_csv_from_file_urls_is_refused(neo4j_driver: Any) -> None:
    with pytest.raises(ClientError, match="allow_csv_import_from_file_urls"):
        neo4j_driver.execute_query("LOAD CSV FROM 'file:///etc/passwd' AS row RETURN row LIMIT 1")


def test_no_apoc(neo4j_driver: Any) -> None:
    rows = neo4j_driver.execute_query(
        "SHOW PROCEDURES YIELD name WHERE name STARTS WITH 'apoc.' RETURN count(*) AS c").records
    assert rows[0]["c"] == 0


def test_transaction_timeout_is_set(neo4j_driver: Any) -> None:
    rows = neo4j_driver.execute_query(
        "SHOW SETTINGS YIELD name, value WHERE name IN ['db.transaction.timeout', 'server.memory.pagecache.size', "
        "'dbms.security.auth_enabled', 'server.bolt.listen_address'] RETURN name, value").records
    settings = {r["name"]: r["value"] for r in rows}
    assert settings["db.transaction.timeout"] == "30s"
    assert settings["server.memory.pagecache.size"] == "512.00MiB"
    assert settings["dbms.security.auth_enabled"] == "true"
    assert settings["server.bolt.listen_address"].startswith("127.0.0.1:")


def _listening(port: int) -> list[str]:
    """Local addresses listening on ``port`` (from /proc/net/tcp and tcp6)."""
    found = []
    for name in ("tcp", "tcp6"):
        for line in Path(f"/proc/net/{name}").read_text().splitlines()[1:]:
            fields = line.split()
            addr, port_hex = fields[1].split(":")
            if fields[3] == "0A" and int(port_hex, 16) == port:  # 0A: LISTEN
                found.append(addr)
    return found


def test_binds_loopback_only(neo4j_server: ServerInfo) -> None:
    addrs = _listening(neo4j_server.port)
    assert addrs, "nothing listens on the Bolt port"
    loopback_v4 = "0100007F"  # 127.0.0.1, little-endian hex
    loopback_v4_in_v6 = "0000000000000000FFFF00000100007F"  # ::ffff:127.0.0.1
    assert all(a in (loopback_v4, loopback_v4_in_v6) for a in addrs), addrs


def test_busy_port_is_a_clear_error(tmp_path: Path, neo4j_server: ServerInfo) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        with pytest.raises(StoreUnavailableError, match=f"port {port} .* already in use"):
            server.start(port=port, data_dir=tmp_path / "data", state_file=tmp_path / "state.json")


def test_old_java_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = tmp_path / "java"
    fake.write_text('#!/bin/sh\necho \'openjdk version "11.0.22" 2024-01-16\' >&2\n')
    fake.chmod(0o755)
    monkeypatch.setenv("VAWG_KG_JAVA", str(fake))
    with pytest.raises(StoreUnavailableError, match=r"Java 11; Neo4j .* needs Java 17 or newer"):
        server.check_java()


def test_missing_java_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VAWG_KG_JAVA", raising=False)
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(StoreUnavailableError, match="Java is not installed"):
        server.check_java()


def test_connection_settings_prefer_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("URI", "USER", "PASSWORD", "DATABASE"):
        monkeypatch.delenv(f"VAWG_KG_NEO4J_{var}", raising=False)
    state = tmp_path / "state.json"
    with pytest.raises(StoreUnavailableError, match="vawg-kg neo4j start"):
        server.connection_settings(state)
    monkeypatch.setenv("VAWG_KG_NEO4J_URI", "neo4j+s://example.databases.neo4j.io")
    monkeypatch.setenv("VAWG_KG_NEO4J_PASSWORD", "pw")
    settings = server.connection_settings(state)
    assert settings == ("neo4j+s://example.databases.neo4j.io", "neo4j", "pw", "neo4j")
    assert settings.uri.startswith("neo4j+s://")


def test_restart_on_the_same_data_with_the_same_password(tmp_path: Path, neo4j_server: ServerInfo) -> None:
    """Regression: Neo4j refuses to 'change' a password to itself, which made a restart
    with the recorded password fail; the data written before the restart is still there."""
    state = tmp_path / "state.json"
    info = server.start(data_dir=tmp_path / "data", state_file=state)
    try:
        with neo4j.GraphDatabase.driver(info.uri, auth=(info.user, info.password)) as driver:
            driver.execute_query("CREATE (:Marker {n: 1})")
    finally:
        server.stop(state_file=state)
    again = server.start(data_dir=tmp_path / "data", state_file=state, password=info.password)
    try:
        with neo4j.GraphDatabase.driver(again.uri, auth=(again.user, again.password)) as driver:
            assert driver.execute_query("MATCH (m:Marker) RETURN m.n AS n").records[0]["n"] == 1
    finally:
        server.stop(state_file=state)
