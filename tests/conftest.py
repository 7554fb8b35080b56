"""Shared fixtures. How the tests get their real components:

* the five bundled documents under ``data/sources`` (checksummed);
* the graph, built once per session into a temporary folder by the real
  ``build`` pipeline;
* Neo4j: the real Community server started by ``vawg-kg neo4j start``
  (fetched from Maven Central by ``make neo4j``); Chromium: Debian's
  ``/usr/bin/chromium``. When ``CI_REQUIRE_SERVICES`` or ``CI`` is set, a
  missing server or browser is a test *failure*, never a skip.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from vawg_kg.paths import sources_dir

REPO = Path(__file__).resolve().parents[1]


def services_required() -> bool:
    return bool(os.environ.get("CI_REQUIRE_SERVICES") or os.environ.get("CI"))


def missing_service(what: str) -> None:
    """Fail in CI, skip (with the reason) on a developer machine without the service."""
    if services_required():
        pytest.fail(f"{what} is required in CI but is not available")
    pytest.skip(f"{what} not available on this machine (run `make test` to install it)")


@pytest.fixture(scope="session")
def sources() -> Path:
    return sources_dir()


pytest_plugins = ["tests.build_fixture", "tests.neo4j_fixture", "tests.api_server", "tests.browser_fixture"]
