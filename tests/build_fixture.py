"""One real build of the bundled documents per test session, shared by all tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from vawg_kg.loaders.build import BuildResult, build_graph


def _store_hooks() -> list[Any]:
    from vawg_kg.stores.oxigraph import OxigraphStore

    return [OxigraphStore.load]


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    out = tmp_path_factory.mktemp("build") / "build"
    return build_graph(out, store_hooks=_store_hooks())


@pytest.fixture(scope="session")
def build_dir(built: BuildResult) -> Path:
    return built.out_dir


@pytest.fixture(scope="session")
def records(build_dir: Path) -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = json.loads((build_dir / "commitments.json").read_text())
    return data
