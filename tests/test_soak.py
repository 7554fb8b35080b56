"""Load and soak: 60 s at 64 concurrent connections on loopback against a real ``vawg-kg serve``.

Mixed read endpoints (filters, search, detail, organisations, overlaps, gaps,
named queries, SPARQL, the source viewer, the browser's data), each request
bounded in time (30 s) and the run bounded in count. After a warm-up (caches
and the allocator settle), the server's resident memory is read from
``/proc/<pid>/status``; after the soak it must be within 10 % of that. Zero
errors: every answer is the 200 it should be.

The client runs in the test process on the same machine (CI has 2 cores), so the figures are a
floor for the server, not its capacity.

Reproduce: ``pytest -m slow -s tests/test_soak.py`` (``VAWG_KG_SOAK_SECONDS``,
``VAWG_KG_SOAK_CONNECTIONS`` change the length and concurrency).
"""

from __future__ import annotations

import asyncio
import os
import statistics
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest

from tests.api_server import RunningServer, start_server, stop_server

pytestmark = pytest.mark.slow

SECONDS = float(os.environ.get("VAWG_KG_SOAK_SECONDS", "60"))
CONNECTIONS = int(os.environ.get("VAWG_KG_SOAK_CONNECTIONS", "64"))
WARMUP_SECONDS = 20.0  # the allocator and the thread pool reach their working size
MAX_REQUESTS = 500_000
REQUEST_TIMEOUT = 30.0

HMG = "hmg-vawg-strategy-2016"
A76 = f"https://w3id.org/vawg-kg/id/commitment/{HMG}/A76"
SPARQL = ("PREFIX vawg: <https://w3id.org/vawg-kg/ontology#> SELECT ?c ?ref WHERE { ?c a vawg:Commitment ; "
          "vawg:ref ?ref } ORDER BY ?ref LIMIT 20")
MIX: list[tuple[str, dict[str, str]]] = [
    ("/health", {}),
    ("/commitments", {"lead": "home-office"}),
    ("/commitments", {"lead": "fcdo", "limit": "20"}),
    ("/commitments", {"q": "coercive control", "limit": "10"}),
    ("/commitments", {"legislation": "ukpga/2015/9"}),
    ("/commitments", {"doc": "npcc-vawg-framework-2021", "format": "csv"}),
    (f"/commitments/{quote(A76, safe='')}", {}),
    (f"/commitments/{HMG}/A93", {}),
    ("/organisations/fcdo", {}),
    ("/overlaps", {"limit": "20"}),
    ("/gaps", {}),
    (f"/lineage/{HMG}/A93", {}),
    ("/queries/commitments_by_lead", {"org": "org/home-office"}),
    ("/queries/commitments_mentioning", {"phrase": "evidence-led"}),
    ("/sparql", {"query": SPARQL}),
    (f"/sources/{HMG}.md", {"start": "1000", "end": "1400"}),
    ("/coverage", {}),
]


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError(f"no VmRSS for pid {pid}")


@pytest.fixture(scope="module")
def soak_server(api_build_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    server = start_server(api_build_dir, tmp_path_factory.mktemp("soak"))
    try:
        yield server
    finally:
        stop_server(server)


async def _sample_rss(pid: int, seconds: float, samples: list[int]) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        samples.append(rss_kib(pid))
        await asyncio.sleep(5)


async def _run(url: str, seconds: float, connections: int, pid: int = 0,
               rss: list[int] | None = None,
               by_path: dict[str, list[float]] | None = None) -> tuple[list[float], Counter[str], int]:
    latencies: list[float] = []
    errors: Counter[str] = Counter()
    sent = 0
    deadline = time.monotonic() + seconds
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=REQUEST_TIMEOUT) as client:

        async def worker(index: int) -> None:
            nonlocal sent
            i = index
            while time.monotonic() < deadline and sent < MAX_REQUESTS:
                path, params = MIX[i % len(MIX)]
                i += 1
                sent += 1
                started = time.perf_counter()
                try:
                    resp = await client.get(path, params=params)
                    await resp.aread()
                except httpx.HTTPError as exc:
                    errors[f"{path}: {type(exc).__name__}"] += 1
                    continue
                latencies.append(time.perf_counter() - started)
                if by_path is not None:
                    by_path.setdefault(path.split("?")[0][:40], []).append(latencies[-1])
                if resp.status_code != 200:
                    errors[f"{path}: {resp.status_code}"] += 1

        sampler = [_sample_rss(pid, seconds, rss)] if rss is not None else []
        await asyncio.gather(*(worker(n) for n in range(connections)), *sampler)
    return latencies, errors, sent


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def test_soak_mixed_endpoints(soak_server: RunningServer) -> None:
    pid = soak_server.process.pid
    # every request of the mix answers 200 before the clock starts
    with httpx.Client(base_url=soak_server.url, timeout=60) as client:
        for path, params in MIX:
            resp = client.get(path, params=params)
            assert resp.status_code == 200, (path, resp.status_code, resp.text[:200])
    asyncio.run(_run(soak_server.url, WARMUP_SECONDS, CONNECTIONS))
    time.sleep(1)
    before = rss_kib(pid)
    started = time.monotonic()
    rss: list[int] = []
    by_path: dict[str, list[float]] = {}
    latencies, errors, sent = asyncio.run(_run(soak_server.url, SECONDS, CONNECTIONS, pid, rss, by_path))
    elapsed = time.monotonic() - started
    time.sleep(1)
    after = rss_kib(pid)
    p50, p95, p99 = (_percentile(latencies, q) * 1000 for q in (0.50, 0.95, 0.99))
    print(f"\nsoak: {SECONDS:.0f} s at {CONNECTIONS} connections, {len(MIX)} endpoints: {sent} requests "
          f"({sent / elapsed:.0f}/s), {sum(errors.values())} errors; latency p50 {p50:.1f} ms, p95 {p95:.1f} ms, "
          f"p99 {p99:.1f} ms, max {max(latencies) * 1000:.1f} ms, mean {statistics.fmean(latencies) * 1000:.1f} ms; "
          f"server RSS {before / 1024:.1f} MiB before, {after / 1024:.1f} MiB after ({(after - before) / before:+.1%})")
    print("  RSS every 5 s (MiB): " + " ".join(f"{k / 1024:.0f}" for k in rss))
    for path, values in sorted(by_path.items(), key=lambda kv: -_percentile(kv[1], 0.99)):
        print(f"  {path:42s} n={len(values):5d} p50 {_percentile(values, 0.5) * 1000:7.1f} ms "
              f"p99 {_percentile(values, 0.99) * 1000:7.1f} ms")
    assert soak_server.process.poll() is None, "the server died during the soak"
    assert not errors, dict(errors)
    assert sent > 1000
    assert after <= before * 1.10, (before, after)
