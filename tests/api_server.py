"""A real API server for tests: ``vawg-kg serve`` as a subprocess on a free loopback port.

The graph is the session's one real build (``tests/build_fixture.py``);
``VAWG_KG_API_TEST_BUILD`` points the server at an existing build folder
instead (for quick local runs; CI does not set it). Tests talk to the server
over real HTTP only.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from pathlib import Path

import httpx
import pytest


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class RunningServer:
    url: str
    process: subprocess.Popen[bytes]
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


def start_server(build_dir: Path, log_dir: Path, env: Mapping[str, str] | None = None,
                 wait_s: float = 120.0, command: list[str] | None = None, cwd: Path | None = None) -> RunningServer:
    """Start ``vawg-kg serve`` (``command``: another installation's) on a free port in ``cwd`` (default: the
    log folder) and wait until ``/health`` answers 200."""
    port = free_port()
    log_path = log_dir / f"api-{port}.log"
    full_env = {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [*(command or [sys.executable, "-m", "vawg_kg"]), "serve", "--host", "127.0.0.1", "--port", str(port),
             "--build-dir", str(build_dir)],
            stdout=log, stderr=subprocess.STDOUT, env=full_env, cwd=cwd or log_dir)
    server = RunningServer(f"http://127.0.0.1:{port}", process, log_path)
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"vawg-kg serve exited with {process.returncode}:\n{server.log()[-4000:]}")
        try:
            if httpx.get(f"{server.url}/health", timeout=2).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    stop_server(server)
    raise RuntimeError(f"vawg-kg serve did not answer /health within {wait_s}s:\n{server.log()[-4000:]}")


def stop_process(process: subprocess.Popen[bytes]) -> None:
    """Terminate a test's server process, killing it if it has not ended within 10 s."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


def stop_server(server: RunningServer) -> None:
    stop_process(server.process)


@pytest.fixture(scope="session")
def api_build_dir(request: pytest.FixtureRequest) -> Path:
    override = os.environ.get("VAWG_KG_API_TEST_BUILD")
    if override:
        return Path(override)
    path: Path = request.getfixturevalue("build_dir")
    return path


@pytest.fixture(scope="session")
def api_server(api_build_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    # Neo4j deliberately unconfigured here (a closed port): /cypher must say 503 and how to start it.
    env = {"VAWG_KG_NEO4J_URI": f"bolt://127.0.0.1:{free_port()}", "VAWG_KG_NEO4J_PASSWORD": "unused"}
    server = start_server(api_build_dir, tmp_path_factory.mktemp("api"), env)
    try:
        yield server
    finally:
        stop_server(server)


@pytest.fixture(scope="session")
def api(api_server: RunningServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=api_server.url, timeout=60) as client:
        yield client


HOSTILE_MARKUP = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2"> '


@dataclass
class HostileServer:
    """A server over a copy of the build whose first commitment's text and first lead's name carry
    markup (``HOSTILE_MARKUP``): every page must show it as text."""

    server: RunningServer
    record: dict[str, Any]

    @property
    def url(self) -> str:
        return self.server.url


@pytest.fixture(scope="session")
def hostile_server(api_build_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[HostileServer]:
    folder = tmp_path_factory.mktemp("hostile") / "build"
    shutil.copytree(api_build_dir, folder)
    path = folder / "commitments.json"
    records = json.loads(path.read_text(encoding="utf-8"))
    records[0]["text"] = HOSTILE_MARKUP + records[0]["text"]
    records[0]["leads"][0]["name"] = HOSTILE_MARKUP
    path.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    server = start_server(folder, tmp_path_factory.mktemp("hostile-log"))
    try:
        yield HostileServer(server, records[0])
    finally:
        stop_server(server)
