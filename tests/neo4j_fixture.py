"""The real Neo4j Community server for tests, started once per session.

It runs from the install ``make neo4j`` (``vawg-kg neo4j install``) put in
the cache, on a free loopback port, with its own data folder and state file
under the session's temporary folder, so it never touches a server the
developer started. Without Java 17+ or the install, the Neo4j tests fail in CI
(``CI_REQUIRE_SERVICES``/``CI``) and skip with that reason elsewhere.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import missing_service
from vawg_kg.errors import StoreUnavailableError
from vawg_kg.stores.neo4j import server
from vawg_kg.stores.neo4j.server import ServerInfo


@pytest.fixture(scope="session")
def neo4j_server_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("neo4j")


@pytest.fixture(scope="session")
def neo4j_server(neo4j_server_dir: Path) -> Iterator[ServerInfo]:
    try:
        server.check_java()
    except StoreUnavailableError as exc:
        missing_service(f"Neo4j (Java 17+: {exc.message})")
    if server.installed() is None:
        missing_service(f"Neo4j {server.PINNED} (run `vawg-kg neo4j install`)")
    info = server.start(data_dir=neo4j_server_dir / "data",
                              state_file=neo4j_server_dir / "state.json")
    try:
        yield info
    finally:
        server.stop(info, state_file=neo4j_server_dir / "state.json")


@pytest.fixture()
def neo4j_driver(neo4j_server: ServerInfo) -> Iterator[Any]:
    import neo4j

    with neo4j.GraphDatabase.driver(neo4j_server.uri, auth=(neo4j_server.user, neo4j_server.password)) as driver:
        yield driver
