"""The benchmark suite: ``python -m benchmarks.run [--sizes 5,50,500] [--repeat 3] [--quick]``.

Size 5 is the five real documents; a larger size N is the five real ones plus
N − 5 synthetic ones (``benchmarks.corpus``), so 500 ≈ 30,000 commitments.
Each part reports median and spread (min–max) over repeats:

* build end to end and per stage, each run in its own process (peak RSS);
* Neo4j load time and rate at each size, on a private server started here;
* every named query on pyoxigraph and rdflib (ratio) and, where a ``.cypher``
  exists, on Neo4j;
* the API under ``wrk`` (32 connections) from a separate process, API overhead
  over a direct store query, and ``vawg-kg serve`` RSS;
* first render of ``/graph`` in headless Chromium (the page's
  ``vawg-graph-drawn`` performance mark).

Writes ``benchmarks/results/<timestamp>.json`` and ``benchmarks/results/latest.md``.
Not a unit test: the figures depend on the machine and on what else it runs
(the load average at the start and end is recorded with them).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks import peers, report

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
PYTHON = sys.executable
VAWG_KG = str(Path(sys.executable).with_name("vawg-kg"))
WRK_SCRIPT = Path(__file__).with_name("wrk_report.lua")
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]


def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def summary(values: list[float]) -> dict[str, Any]:
    vals = [v for v in values if v is not None]
    if not vals:
        return {"n": 0}
    return {"median": round(statistics.median(vals), 4), "min": round(min(vals), 4), "max": round(max(vals), 4),
            "n": len(vals)}


def timed_runs(fn: Callable[[], Any], *, at_least: int, at_most: int, budget_s: float) -> list[float]:
    """Seconds per call: one warm-up, then ``at_least`` calls and more up to ``at_most`` within ``budget_s``."""
    fn()
    times: list[float] = []
    deadline = time.perf_counter() + budget_s
    while len(times) < at_least or (len(times) < at_most and time.perf_counter() < deadline):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return times


def machine() -> dict[str, Any]:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    mem_kb = int(next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                      if line.startswith("MemTotal")))
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gib": round(mem_kb / 1024 / 1024, 1),
            "os": platform.platform(), "python": platform.python_version(), "load_avg_start": os.getloadavg()}


# --- build ---------------------------------------------------------------------------

def corpus_for(size: int, work: Path) -> Path | None:
    if size <= 5:
        return None
    from benchmarks.corpus import write_corpus

    folder = work / f"corpus-{size}"
    if not (folder / "corpus.json").is_file():
        write_corpus(size - 5, folder)
    return folder


def bench_build(size: int, repeat: int, work: Path) -> tuple[dict[str, Any], Path]:
    """Build ``repeat`` times; a failed build (e.g. killed for memory) is recorded, not raised."""
    corpus = corpus_for(size, work)
    runs: list[dict[str, Any]] = []
    out = work / f"build-{size}"
    for i in range(repeat):
        shutil.rmtree(out, ignore_errors=True)
        log(f"build {size} docs, run {i + 1}/{repeat}")
        t0 = time.perf_counter()
        proc = subprocess.run([PYTHON, "-m", "benchmarks.build_child", str(out), *([str(corpus)] if corpus else [])],
                              cwd=ROOT, capture_output=True, text=True, check=False)
        wall = time.perf_counter() - t0
        if proc.returncode != 0:
            why = "killed by SIGKILL (out of memory?)" if proc.returncode == -9 else f"exit {proc.returncode}"
            log(f"build of {size} docs failed: {why}")
            return {"size": size, "error": why, "seconds_before_failure": round(wall, 1),
                    "stderr": proc.stderr[-2000:]}, out
        run = json.loads(proc.stdout.strip().splitlines()[-1])
        run["process_wall_s"] = round(wall, 4)
        runs.append(run)
    stages = sorted({k for r in runs for k in r["stages_wall_s"]})
    first = runs[0]
    result = {
        "size": size, "documents": first["documents"], "commitments": first["commitments"],
        "triples": first["triples"], "overlaps": first["overlaps"],
        "candidates_scored": first["candidates_scored"], "commitments_compared": first["commitments_compared"],
        "all_pairs": first["commitments"] * (first["commitments"] - 1) // 2,
        "process_wall_s": summary([r["process_wall_s"] for r in runs]),
        "end_to_end_cpu_s": summary([r["end_to_end_cpu_s"] for r in runs]),
        "stages_wall_s": {s: summary([r["stages_wall_s"].get(s) for r in runs]) for s in stages},
        "stages_cpu_s": {s: summary([r["stages_cpu_s"].get(s) for r in runs]) for s in stages},
        # the whole process tree at once (the build, its workers and its forked link process)
        "peak_rss_mb": summary([r.get("peak_tree_rss_mb") or max(r["peak_rss_mb"], r["validate_child_peak_rss_mb"])
                                for r in runs]),
        "runs": runs,
    }
    return result, out


def bench_add_one(size: int, work: Path) -> dict[str, Any]:
    """Adding one document to a graph of ``size - 1``: the corpus less its last document built
    first, then the last one added; each in its own process, as ``bench_build`` runs a build."""
    corpus = corpus_for(size, work)
    if corpus is None:
        return {}
    out = work / f"build-{size}-add-one"
    shutil.rmtree(out, ignore_errors=True)
    runs = {}
    for label, part in (("first", ":-1"), ("add_one", "-1:")):
        log(f"{size} docs: {'build all but the last' if label == 'first' else 'add the last'}")
        t0 = time.perf_counter()
        proc = subprocess.run([PYTHON, "-m", "benchmarks.build_child", str(out), str(corpus), part],
                              cwd=ROOT, capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            return {"size": size, "error": f"exit {proc.returncode}", "stderr": proc.stderr[-2000:]}
        run = json.loads(proc.stdout.strip().splitlines()[-1])
        run["process_wall_s"] = round(time.perf_counter() - t0, 4)
        runs[label] = run
    add = runs["add_one"]
    return {"size": size, "documents_before": runs["first"]["documents"], "wall_s": add["process_wall_s"],
            "cpu_s": add["end_to_end_cpu_s"], "stages_wall_s": add["stages_wall_s"], "reused": add["reused"],
            "peak_rss_mb": add.get("peak_tree_rss_mb"), "first_build_wall_s": runs["first"]["process_wall_s"]}


# --- Neo4j ---------------------------------------------------------------------------

def start_neo4j(work: Path, port: int | None = None) -> Any:
    from vawg_kg.stores.neo4j import server as neo4j_server

    state = work / "neo4j-state.json"
    # 4 GB of heap: at 500 documents the staged load's swap (one transaction relabelling 1.3 M nodes)
    # exceeds the transaction memory limit of a 2 GB heap (70 %); one transaction for the whole
    # replace needed more than 10 GB.
    log("starting a private Neo4j server (heap 4g, page cache 2g)")
    return neo4j_server.start(port, data_dir=work / "neo4j-data", state_file=state, heap="4g", pagecache="2g")


def stop_neo4j(info: Any, work: Path) -> None:
    from vawg_kg.stores.neo4j import server as neo4j_server

    neo4j_server.stop(info, state_file=work / "neo4j-state.json")


def clear_neo4j(info: Any) -> None:
    import neo4j

    with neo4j.GraphDatabase.driver(info.uri, auth=(info.user, info.password)) as driver, \
            driver.session(database=info.database) as session:
        session.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 5000 ROWS").consume()


def bench_neo4j_load(info: Any, build_dir: Path, repeat: int) -> dict[str, Any]:
    """Run 1 loads into an empty database, later runs replace the graph it loaded (the staged swap:
    stage, swap, delete the previous graph). Each load runs in its own process (its peak RSS).
    ``rate_per_s`` is nodes+relationships over the whole load (reading the file included);
    ``write_rate_per_s`` over staging and the swap only."""
    # Runs in a child process, so ru_maxrss is the loader's own peak; the password comes by environment.
    load_child = """
import json, os, resource, sys, time
from pathlib import Path
from vawg_kg.stores.neo4j.load import load_build
t0 = time.perf_counter()
res = load_build(Path(sys.argv[1]), os.environ["VAWG_KG_NEO4J_URI"], os.environ["VAWG_KG_NEO4J_USER"],
                 os.environ["VAWG_KG_NEO4J_PASSWORD"], os.environ["VAWG_KG_NEO4J_DATABASE"])
print(json.dumps({"nodes": res.nodes, "relationships": res.relationships, "seconds": res.seconds,
                  "wall_s": round(time.perf_counter() - t0, 3), "notes": res.notes,
                  "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}))
"""

    class HeapSampler:
        """The server's heap in use (``jstat -gc``: eden + survivors + old, so garbage not yet
        collected counts) and old generation, sampled every second; the process's peak RSS (VmHWM)."""

        def __init__(self, pid: int) -> None:
            import threading

            self.pid, self.heap_mb, self.old_mb = pid, 0.0, 0.0
            self.jstat = shutil.which("jstat")
            self.stop = threading.Event()
            self.thread = threading.Thread(target=self.run, daemon=True)

        def run(self) -> None:
            while self.jstat and not self.stop.is_set():
                try:
                    out = subprocess.run([self.jstat, "-gc", str(self.pid)], capture_output=True, text=True,
                                         timeout=20).stdout.splitlines()
                    cols = dict(zip(out[0].split(), map(float, out[1].split())))
                    self.heap_mb = max(self.heap_mb, (cols["S0U"] + cols["S1U"] + cols["EU"] + cols["OU"]) / 1024)
                    self.old_mb = max(self.old_mb, cols["OU"] / 1024)
                except (OSError, subprocess.SubprocessError, IndexError, KeyError, ValueError):
                    pass
                self.stop.wait(1.0)

        def __enter__(self) -> "HeapSampler":
            self.thread.start()
            return self

        def __exit__(self, *exc: object) -> None:
            self.stop.set()
            self.thread.join()

        def peak_rss_mb(self) -> float | None:
            try:
                status = Path(f"/proc/{self.pid}/status").read_text()
            except OSError:
                return None
            hwm = next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM"))
            return round(int(hwm) / 1024, 1)

    clear_neo4j(info)
    env = {**os.environ, "VAWG_KG_NEO4J_URI": info.uri, "VAWG_KG_NEO4J_USER": info.user,
           "VAWG_KG_NEO4J_PASSWORD": info.password, "VAWG_KG_NEO4J_DATABASE": info.database}
    runs = []
    for i in range(repeat):
        kind = "first" if i == 0 else "replace"
        log(f"Neo4j load of {build_dir.name} ({kind}), run {i + 1}/{repeat}")
        with HeapSampler(info.pid) as heap:
            proc = subprocess.run([PYTHON, "-c", load_child, str(build_dir)], cwd=ROOT, env=env,
                                  capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            log(f"Neo4j load of {build_dir.name} failed: exit {proc.returncode}")
            return {"error": f"exit {proc.returncode}", "stderr": proc.stderr[-2000:], "runs": runs}
        run = json.loads(proc.stdout.strip().splitlines()[-1])
        items, sec = run["nodes"] + run["relationships"], run["seconds"]
        run.update(kind=kind, server_heap_used_peak_mb=round(heap.heap_mb), server_old_gen_peak_mb=round(heap.old_mb),
                   server_peak_rss_mb=heap.peak_rss_mb(),
                   rate_per_s=round(items / sec["total"], 1) if sec.get("total") else None,
                   write_rate_per_s=round(items / sec["write"], 1) if sec.get("write") else None)
        runs.append(run)
        log(f"  {items:,} nodes+rels in {sec.get('total')} s ({run['rate_per_s']:,.0f}/s; map {sec.get('map')} s, "
            f"stage {sec.get('stage')} s, swap {sec.get('swap')} s, delete {sec.get('delete')} s); "
            f"loader {run['peak_rss_mb']:.0f} MB, server heap ≤ {run['server_heap_used_peak_mb']} MB")

    def of(key: str, which: str | None = None) -> dict[str, Any]:
        return summary([r["seconds"].get(key) if key in r["seconds"] else r.get(key)
                        for r in runs if which is None or r["kind"] == which])

    return {"nodes": runs[0]["nodes"], "relationships": runs[0]["relationships"],
            "server_xmx": next((a[4:] for a in Path(f"/proc/{info.pid}/cmdline").read_bytes().decode().split("\0")
                                if a.startswith("-Xmx")), None),
            "wall_s": summary([r["wall_s"] for r in runs]),
            "rdf_parse_s": {"n": 0, "note": "streamed: reading the file is part of map_s"},
            "map_s": of("map"), "stage_s": of("stage"), "swap_s": of("swap"), "delete_s": of("delete"),
            "write_s": of("write"), "total_s": of("total"),
            "rate_per_s": summary([r["rate_per_s"] for r in runs]),
            "write_rate_per_s": summary([r["write_rate_per_s"] for r in runs]),
            "first_load_rate_per_s": of("rate_per_s", "first"), "replace_rate_per_s": of("rate_per_s", "replace"),
            "loader_peak_rss_mb": summary([r["peak_rss_mb"] for r in runs]),
            "server_heap_used_peak_mb": summary([r["server_heap_used_peak_mb"] for r in runs]),
            "server_peak_rss_mb": summary([r["server_peak_rss_mb"] for r in runs]), "runs": runs}


# --- named queries -------------------------------------------------------------------

def measure(name: str, params: dict[str, str], store: Any, *, guarded: bool, timeout_s: float,
            at_least: int, at_most: int, budget_s: float) -> dict[str, Any]:
    """p50 etc. in ms; the first (warm-up) call is bounded by ``timeout_s`` and, when slower than
    ``budget_s``, is the only sample (so a pathological query costs one run, not ten)."""
    from vawg_kg.errors import QueryTimeoutError
    from vawg_kg.queries.runner import run_named

    t0 = time.perf_counter()
    try:
        rows = len(run_named(name, params, store, guarded=guarded, timeout_s=timeout_s, max_rows=10**8).rows)
    except QueryTimeoutError:
        return {"n": 0, "timeout_s": timeout_s}
    first = time.perf_counter() - t0
    if first > budget_s:
        return summary([first * 1000]) | {"rows": rows, "warm_up_only": True}
    times = timed_runs(lambda: run_named(name, params, store), at_least=at_least, at_most=at_most,
                       budget_s=budget_s)
    return summary([t * 1000 for t in times]) | {"rows": rows}


def bench_queries(build_dir: Path, neo4j: Any | None, with_rdflib: bool, budget_s: float,
                  timeout_s: float = 60.0) -> dict[str, Any]:
    from vawg_kg.queries import catalog
    from vawg_kg.stores.neo4j.store import Neo4jStore
    from vawg_kg.stores.oxigraph import OxigraphStore
    from vawg_kg.stores.rdflib_store import RdflibStore

    ox = OxigraphStore.open_read_only(build_dir)
    rd = None
    rdflib_load_s = None
    if with_rdflib:
        t0 = time.perf_counter()
        rd = RdflibStore.from_build(build_dir)
        rdflib_load_s = round(time.perf_counter() - t0, 2)
    neo = Neo4jStore(neo4j.uri, neo4j.user, neo4j.password, neo4j.database) if neo4j else None
    out: dict[str, Any] = {"rdflib_load_s": rdflib_load_s, "timeout_s": timeout_s, "queries": {}}
    try:
        for q in catalog.all():
            params = dict(q.example)
            row: dict[str, Any] = {}
            try:
                # The on-disk store runs guarded in a worker process (killable); the timed runs are direct.
                row["oxigraph_ms"] = measure(q.name, params, ox, guarded=True, timeout_s=timeout_s,
                                             at_least=5, at_most=50, budget_s=budget_s)
                row["rows"] = row["oxigraph_ms"].get("rows")
                if rd is not None:
                    row["rdflib_ms"] = measure(q.name, params, rd, guarded=True, timeout_s=min(timeout_s, 30.0),
                                               at_least=1, at_most=10, budget_s=budget_s)
                    o, r = row["oxigraph_ms"].get("median"), row["rdflib_ms"].get("median")
                    if o and r:
                        row["ratio_rdflib_over_oxigraph"] = round(r / o, 1)
                if neo is not None and q.cypher is not None:
                    row["neo4j_ms"] = measure(q.name, params, neo, guarded=False, timeout_s=timeout_s,
                                              at_least=3, at_most=30, budget_s=budget_s)
            except Exception as exc:  # one failing query must not lose the others' figures
                row["error"] = f"{type(exc).__name__}: {exc}"[:300]
            out["queries"][q.name] = row
            log(f"  {q.name}: ox {row.get('oxigraph_ms', {}).get('median')} ms, "
                f"rdflib {row.get('rdflib_ms', {}).get('median')} ms, neo4j {row.get('neo4j_ms', {}).get('median')} ms")
    finally:
        if neo is not None:
            neo.close()
        del ox
    return out


# --- API -----------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    def __init__(self, build_dir: Path, env: dict[str, str] | None = None, label: str = "") -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = open(build_dir.parent / f"serve-{build_dir.name}{label}.log", "wb")  # noqa: SIM115
        self.started = time.monotonic()
        self.proc = subprocess.Popen([VAWG_KG, "serve", "--port", str(self.port), "--build-dir", str(build_dir),
                                      "--no-build"], stdout=self.log, stderr=subprocess.STDOUT, cwd=ROOT,
                                     env={**os.environ, **(env or {})})
        import httpx

        deadline = time.monotonic() + 300
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"vawg-kg serve exited {self.proc.returncode}; see {self.log.name}")
            try:
                if httpx.get(self.base + "/health", timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("vawg-kg serve did not answer /health in 300 s")
            time.sleep(0.3)
        self.start_s = round(time.monotonic() - self.started, 2)

    def rss_mb(self) -> dict[str, float]:
        """Current and peak RSS of the server process, plus current RSS of any worker children."""
        def field(pid: int, name: str) -> float:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith(name + ":"):
                    return int(line.split()[1]) / 1024
            return 0.0

        children = []
        try:
            children = [int(p) for p in Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text().split()]
        except OSError:
            pass
        kids = 0.0
        for c in children:
            try:
                kids += field(c, "VmRSS")
            except OSError:
                pass
        return {"rss_mb": round(field(self.proc.pid, "VmRSS"), 1), "peak_rss_mb": round(field(self.proc.pid, "VmHWM"), 1),
                "children_rss_mb": round(kids, 1)}

    def stop(self) -> None:
        peers.stop_process(self.proc)
        self.log.close()


def wrk(url: str, seconds: int, connections: int = 32) -> dict[str, Any]:
    proc = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s",
                           "-s", str(WRK_SCRIPT), url], capture_output=True, text=True, timeout=seconds + 60,
                          check=False)
    line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("{")), None)
    if line is None:
        return {"error": (proc.stdout + proc.stderr)[-500:]}
    res: dict[str, Any] = json.loads(line)
    res["errors"] = sum(v for k, v in res.items() if k.startswith("errors_") and isinstance(v, int))
    return res


def endpoints(server: Server) -> dict[str, str]:
    import httpx

    first = httpx.get(server.base + "/commitments", params={"lead": "HO", "limit": 1}, timeout=60).json()
    cid = first["items"][0]["id"]
    from vawg_kg.queries import catalog

    documents = catalog.get("documents").sparql
    return {
        "/commitments?lead=HO": "/commitments?lead=HO",
        "/commitments/{id}": "/commitments/" + urllib.parse.quote(cid, safe=":/"),
        "/overlaps": "/overlaps",
        "/sparql (named: documents)": "/sparql?" + urllib.parse.urlencode({"query": documents}),
        "/queries/commitments_by_lead": "/queries/commitments_by_lead?org=org/home-office",
    }


def api_overhead(server: Server, build_dir: Path, samples: int = 40) -> dict[str, Any]:
    """Sequential latency through the API vs the same query on the store in-process.

    ``/sparql`` with a comment that changes on every request, so no response cache
    can answer it (the target is checked on this one); and the named route, which
    the API may answer from a cache (reported, not checked).
    """
    import httpx

    from vawg_kg.queries import catalog
    from vawg_kg.queries.runner import run_named
    from vawg_kg.stores.oxigraph import OxigraphStore

    ox = OxigraphStore.open_read_only(build_dir)
    text = catalog.get("documents").sparql
    counter = iter(range(10**9))
    statuses: dict[int, int] = {}
    direct = [t * 1000 for t in timed_runs(lambda: ox.select(f"{text}\n# {next(counter)}"), at_least=samples,
                                           at_most=samples, budget_s=0)]
    name, params = "commitments_by_lead", {"org": "org/home-office"}
    direct_named = [t * 1000 for t in timed_runs(lambda: run_named(name, params, ox), at_least=samples,
                                                 at_most=samples, budget_s=0)]
    with httpx.Client(base_url=server.base, timeout=60) as client:
        def get(path: str, query: dict[str, str]) -> None:
            code = client.get(path, params=query).status_code
            statuses[code] = statuses.get(code, 0) + 1

        api = [t * 1000 for t in timed_runs(lambda: get("/sparql", {"query": f"{text}\n# {next(counter)}"}),
                                            at_least=samples, at_most=samples, budget_s=0)]
        api_named = [t * 1000 for t in timed_runs(lambda: get(f"/queries/{name}", params), at_least=samples,
                                                  at_most=samples, budget_s=0)]
    d, a = statistics.median(direct), statistics.median(api)
    return {"query": "documents via /sparql, cache-busted", "direct_ms": summary(direct), "api_ms": summary(api),
            "ratio": round(a / d, 2) if d else None, "allowed_ms": round(1.5 * d + 2, 2),
            "named": {"query": name, "direct_ms": summary(direct_named), "api_ms": summary(api_named)},
            "statuses": statuses, "met": a <= 1.5 * d + 2 and set(statuses) == {200}}


def graph_render(server: Server, query: str = "") -> dict[str, Any]:
    """First render of ``/graph{query}`` (``?overview=full`` or ``?overview=summary`` forces a view): the
    page's ``vawg-graph-drawn`` mark, and the bytes of its first payload (``/graph/data`` for the whole
    graph, ``/graph/data/summary`` for the summary of a large one)."""
    if not CHROMIUM.is_file():
        return {"error": "Chromium not installed (apt-get install chromium)"}
    from playwright.sync_api import sync_playwright

    profile = tempfile.mkdtemp(prefix="vawg-bench-chromium-")
    js = """() => {
        const nav = performance.getEntriesByType('navigation')[0];
        const drawn = performance.getEntriesByName('vawg-graph-drawn')[0];
        const data = performance.getEntriesByType('resource').find(r => /\\/graph\\/data(\\/summary)?$/.test(r.name));
        return {mode: document.documentElement.dataset.mode || 'full', payload: data ? data.name.split('/graph/')[1] : null,
                drawn_ms: drawn ? drawn.startTime : null, dcl_ms: nav.domContentLoadedEventEnd,
                load_ms: nav.loadEventEnd, data_ms: data ? data.duration : null,
                data_bytes: data ? data.encodedBodySize : null};
    }"""
    try:
        with sync_playwright() as pw:
            ctx = pw.chromium.launch_persistent_context(profile, executable_path=str(CHROMIUM), headless=True,
                                                        args=CHROMIUM_ARGS, viewport={"width": 1280, "height": 800})
            try:
                page = ctx.new_page()
                runs = []
                for _ in range(3):  # the first visit is cold: the server computes the payload once per build
                    page.goto(server.base + "/graph" + query, timeout=300_000)
                    page.wait_for_selector("html[data-ready='1']", timeout=300_000)
                    runs.append(page.evaluate(js))
            finally:
                ctx.close()
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    return {"query": query, "cold": runs[0], "warm_drawn_ms": summary([r["drawn_ms"] for r in runs[1:]]),
            "runs": runs}


def bench_api(build_dir: Path, seconds: int, with_browser: bool) -> dict[str, Any]:
    log(f"API on {build_dir.name}")
    server = Server(build_dir)
    out: dict[str, Any] = {"rss_after_start": server.rss_mb()}
    urls: dict[str, str] = {}
    try:
        urls = endpoints(server)
        # Sequential overhead first: concurrent SPARQL can leave the server answering 400 (see RESULTS.md).
        out["overhead"] = api_overhead(server, build_dir)
        out["load"] = {}
        for label, path in urls.items():
            log(f"wrk {label} ({seconds} s, 32 connections)")
            out["load"][label] = wrk(server.base + path, seconds)
        import httpx

        probe = httpx.get(server.base + "/sparql", params={"query": "ASK { ?s ?p ?o } # after load"}, timeout=60)
        out["sparql_after_load"] = {"status": probe.status_code, "body": probe.text[:200]}
        if with_browser:
            log("first render of /graph in Chromium")
            try:
                out["graph_render"] = graph_render(server)
                if out["graph_render"].get("cold", {}).get("mode") == "summary":
                    # The peer in the same run: the whole graph, what /graph opened on before the summary.
                    log("first render of /graph?overview=full in Chromium")
                    full = out["graph_render_full"] = graph_render(server, "?overview=full")
                    a, b = out["graph_render"]["warm_drawn_ms"]["median"], full["warm_drawn_ms"]["median"]
                    out["graph_render"]["ratio_to_full"] = round(a / b, 3) if a and b else None
            except Exception as exc:
                out["graph_render"] = {"error": f"{type(exc).__name__}: {exc}"[:300]}
        out["rss_after_load"] = server.rss_mb()
    finally:
        server.stop()
    out["start_s"] = server.start_s
    # The same filter with the response cache off: what a request the cache has not seen costs.
    label = "/commitments?lead=HO"
    if label in urls:
        log(f"wrk {label} with the response cache off ({seconds} s, 32 connections)")
        uncached = Server(build_dir, env={"VAWG_KG_RESPONSE_CACHE_BYTES": "0"}, label="-nocache")
        try:
            out["load_uncached"] = {label: wrk(uncached.base + urls[label], seconds)}
        finally:
            uncached.stop()
    return out


# --- main ----------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Run the benchmarks; write JSON and a Markdown table.")
    ap.add_argument("--sizes", default="5,50,500", help="document counts (5 = the real five)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--large-repeat", type=int, default=1,
                    help="repeats for sizes above 50 (a 500-document build takes many minutes)")
    ap.add_argument("--quick", action="store_true", help="sizes 5,50, one repeat, 5 s of wrk")
    ap.add_argument("--wrk-seconds", type=int, default=10)
    ap.add_argument("--rdflib-max-size", type=int, default=50, help="largest size to also query with rdflib")
    ap.add_argument("--api-sizes", default=None, help="sizes to serve under load (default: all)")
    ap.add_argument("--skip", default="",
                    help="comma list of parts to skip: neo4j,queries,api,browser,peers,fuseki,add-one")
    ap.add_argument("--peer-rounds", type=int, default=3, help="alternating wrk rounds against the peers")
    ap.add_argument("--work", type=Path, default=None, help="scratch folder (default: a new temp folder)")
    args = ap.parse_args(argv)
    if args.quick:
        args.sizes, args.repeat, args.large_repeat, args.wrk_seconds, args.peer_rounds = "5,50", 1, 1, 5, 1
        args.api_sizes = args.api_sizes or "5"
    sizes = [int(s) for s in args.sizes.split(",")]
    api_sizes = [int(s) for s in args.api_sizes.split(",")] if args.api_sizes else sizes
    skip = set(filter(None, args.skip.split(",")))
    work = args.work or Path(tempfile.mkdtemp(prefix="vawg-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%S")
    results: dict[str, Any] = {"started": stamp, "machine": machine(), "args": vars(args) | {"work": str(work)},
                               "sizes": {}}
    out_json = RESULTS / f"{stamp}.json"

    def save() -> None:
        out_json.write_text(json.dumps(results, indent=1, default=str) + "\n")
        (RESULTS / "latest.md").write_text(report.markdown(results))

    neo4j = None
    try:
        if "neo4j" not in skip:
            try:
                neo4j = start_neo4j(work)
            except Exception as exc:
                results["neo4j_error"] = f"{type(exc).__name__}: {exc}"[:500]
                log(f"no Neo4j: {exc}")
        for size in sizes:
            repeat = args.repeat if size <= 50 else args.large_repeat
            entry: dict[str, Any] = {}
            results["sizes"][str(size)] = entry
            entry["build"], build_dir = bench_build(size, repeat, work)
            save()
            if "error" in entry["build"]:
                continue
            if size == max(sizes) and size > 5 and "add-one" not in skip:
                entry["add_one"] = bench_add_one(size, work)
                save()
            if neo4j is not None:
                entry["neo4j_load"] = bench_neo4j_load(neo4j, build_dir, repeat)
                save()
            if "queries" not in skip:
                log(f"named queries on {size} docs")
                entry["queries"] = bench_queries(build_dir, neo4j, size <= args.rdflib_max_size,
                                                 budget_s=2.0 if size <= 50 else 5.0,
                                                 timeout_s=60.0 if size <= 50 else 20.0)
                save()
            if "api" not in skip and size in api_sizes:
                entry["api"] = bench_api(build_dir, args.wrk_seconds, "browser" not in skip)
                save()
            if "peers" not in skip and size in api_sizes:
                log(f"/sparql against oxigraph serve-read-only{'' if 'fuseki' in skip else ' and Fuseki'}")
                entry["peers"] = peers.bench_peers(build_dir, seconds=args.wrk_seconds, rounds=args.peer_rounds,
                                                   with_fuseki="fuseki" not in skip, work=work / "peers")
                save()
    finally:
        if neo4j is not None:
            stop_neo4j(neo4j, work)
        results["machine"]["load_avg_end"] = os.getloadavg()
        results["finished"] = time.strftime("%Y%m%dT%H%M%S")
        save()
    print(report.markdown(results))
    log(f"wrote {out_json} and {RESULTS / 'latest.md'} (scratch in {work})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
