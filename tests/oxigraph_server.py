"""A real Oxigraph server (the ``oxigraph`` PyPI package's binary) on loopback, for tests that compare
the project with its own engine's server: ``start_oxigraph`` and ``stop_oxigraph``."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.api_server import stop_process
from tests.conftest import missing_service

INSTALL_HINT = "the Oxigraph server (pip install oxigraph==0.5.13)"


@dataclass
class OxigraphServer:
    url: str
    process: subprocess.Popen[bytes]
    log_path: Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def oxigraph_binary() -> str:
    beside = Path(sys.executable).with_name("oxigraph")
    found = str(beside) if beside.is_file() else shutil.which("oxigraph")
    if found is None:
        missing_service(INSTALL_HINT)
        raise AssertionError("unreachable: missing_service fails or skips")
    return found


def start_oxigraph(folder: Path, load: Path | None = None, read_only: bool = False) -> OxigraphServer:
    """``oxigraph serve`` (or ``serve-read-only`` over ``load``'s triples) with its store in ``folder``."""
    binary = oxigraph_binary()
    location = folder / "db"
    if load is not None:
        loaded = subprocess.run([binary, "load", "--location", str(location), "--file", str(load)],
                                capture_output=True, text=True, timeout=300, check=False)
        if loaded.returncode != 0:
            pytest.fail(f"oxigraph load {load} failed: {loaded.stderr[-2000:]}")
    port = free_port()
    log_path = folder / "server.log"
    command = "serve-read-only" if read_only else "serve"
    with open(log_path, "wb") as log:
        process = subprocess.Popen([binary, command, "--location", str(location), "--bind", f"127.0.0.1:{port}"],
                                   stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 30
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"oxigraph {command} did not start: {log_path.read_text(errors='replace')[-2000:]}")
            time.sleep(0.1)
    return OxigraphServer(f"http://127.0.0.1:{port}", process, log_path)


def stop_oxigraph(server: OxigraphServer) -> None:
    stop_process(server.process)
