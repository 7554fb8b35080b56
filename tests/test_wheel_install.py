"""The package as users install it: a wheel in a fresh virtual environment, not the editable install.

``pip wheel`` builds it from this checkout; a new venv installs it (its
dependencies from the registry, as a user's would). The installed command
then builds, serves and answers from the repository root — where a folder
named like the package once shadowed it in every child process — and from
an empty folder elsewhere; and starts the project's Neo4j, loads it and
answers ``/cypher``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.api_server import RunningServer, start_server, stop_server
from tests.conftest import missing_service
from vawg_kg.stores.neo4j import server as neo4j_server

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow


def _run(args: list[str], cwd: Path, env: dict[str, str] | None = None, timeout: float = 900) -> str:
    proc = subprocess.run(args, cwd=cwd, env={**os.environ, **(env or {})}, capture_output=True, text=True,
                          timeout=timeout)
    assert proc.returncode == 0, f"{' '.join(args)} exited {proc.returncode}:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return proc.stdout


@pytest.fixture(scope="module")
def venv_bin(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("wheel")
    # From the files git would put in a clone (as the working tree has them): setuptools' in-tree build/
    # folder, or anything else untracked and ignored, must not reach the wheel.
    listed = _run(["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"], cwd=ROOT)
    source = work / "source"
    for name in filter(None, listed.split("\0")):
        if (ROOT / name).is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, source / name)
    _run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(work / "dist"),
          str(source)], cwd=work)
    wheels = sorted((work / "dist").glob("vawg_kg-*.whl"))
    assert len(wheels) == 1, wheels
    _run([sys.executable, "-m", "venv", str(work / "venv")], cwd=work)
    bin_dir = work / "venv" / "bin"
    _run([str(bin_dir / "pip"), "install", "--quiet", str(wheels[0])], cwd=work)
    # the package is the wheel's, not this checkout's
    where = _run([str(bin_dir / "python"), "-c", "import vawg_kg; print(vawg_kg.__file__)"], cwd=ROOT)
    assert str(work / "venv") in where, where
    return bin_dir


def _answers(url: str) -> None:
    sparql = httpx.get(f"{url}/sparql", params={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"},
                       headers={"Accept": "application/sparql-results+json"}, timeout=60)
    assert sparql.status_code == 200, sparql.text
    assert int(sparql.json()["results"]["bindings"][0]["n"]["value"]) > 10_000
    for path in ("/gaps?limit=5", "/queries/documents", "/id/commitment/hmg-vawg-strategy-2016/A93"):
        resp = httpx.get(f"{url}{path}", headers={"Accept": "application/json, text/turtle"}, timeout=60)
        assert resp.status_code == 200, (path, resp.text[:500])


@pytest.mark.parametrize("where", ["repository root", "empty folder"])
def test_the_installed_command_builds_and_serves(venv_bin: Path, tmp_path: Path, where: str) -> None:
    cwd = ROOT if where == "repository root" else tmp_path / "empty"
    cwd.mkdir(exist_ok=True)
    build_dir = tmp_path / "build"
    _run([str(venv_bin / "vawg-kg"), "build", "--out", str(build_dir)], cwd=cwd)
    served = start_server(build_dir, tmp_path, command=[str(venv_bin / "vawg-kg")], cwd=cwd)  # and its workers
    try:
        _answers(served.url)
    finally:
        stop_server(served)


@pytest.mark.neo4j
def test_the_installed_command_runs_neo4j(venv_bin: Path, tmp_path: Path) -> None:
    if neo4j_server.installed() is None:
        missing_service(f"Neo4j {neo4j_server.PINNED} (run `vawg-kg neo4j install`)")
    env = {"VAWG_KG_NEO4J_STATE": str(tmp_path / "state.json")}
    cli = str(venv_bin / "vawg-kg")
    build_dir = tmp_path / "build"
    _run([cli, "build", "--out", str(build_dir)], cwd=tmp_path)
    _run([cli, "neo4j", "start", "--data-dir", str(tmp_path / "neo4j-data")], cwd=ROOT, env=env)
    served: RunningServer | None = None
    try:
        _run([cli, "load-neo4j", "--build-dir", str(build_dir)], cwd=ROOT, env=env)
        served = start_server(build_dir, tmp_path, env, command=[cli], cwd=ROOT)
        resp = httpx.post(f"{served.url}/cypher", json={"query": "MATCH (c:Commitment) RETURN count(c) AS n"},
                          timeout=60)
        assert resp.status_code == 200, resp.text
        assert resp.json()["rows"][0][0] > 250
        _answers(served.url)
    finally:
        if served is not None:
            stop_server(served)
        _run([cli, "neo4j", "stop"], cwd=ROOT, env=env)
