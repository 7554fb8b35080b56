"""``/sparql`` against its peers on the same data, same client, same run: ``python -m benchmarks.peers``.

Peers: ``oxigraph serve-read-only`` (the ``oxigraph`` package from PyPI, pinned
in pyproject's ``test`` extra) on the very store folder the API serves, and,
when ``--fuseki`` is given and Maven can fetch it, Apache Jena Fuseki
(``jena-fuseki-main``, in memory, loaded from the build's N-Triples).

Every peer answers the same query under ``wrk`` (2 threads, 16 connections
by default) with ``Accept: application/sparql-results+json``; the rounds
alternate between the peers (project, Oxigraph, Fuseki, project, …) so that
other load on a shared machine falls on all of them alike. Two variants:

* ``repeated``: the same URL every time (what a dashboard does; the project's
  response cache may answer);
* ``unique``: a different SPARQL comment on every request (``WRK_BUST=1`` in
  ``wrk_report.lua``), so nothing can be answered from a cache: the guard,
  the worker and the serialisation run every time.

Ratios are the project's requests per second over the peer's, per round,
then the median across rounds.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path
from typing import Any

from vawg_kg.paths import cache_dir

ROOT = Path(__file__).resolve().parents[1]
WRK_SCRIPT = Path(__file__).with_name("wrk_report.lua")
VAWG_KG = str(Path(sys.executable).with_name("vawg-kg"))
OXIGRAPH = str(Path(sys.executable).with_name("oxigraph"))
FUSEKI_VERSION = "5.6.0"  # the newest jena-fuseki-main that runs on Java 17
LOG4J_VERSION = "2.25.3"  # Fuseki's logging back end (jena-fuseki-main leaves it to the application)
ACCEPT = "application/sparql-results+json"


def log(msg: str) -> None:
    print(f"[peers {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def wait_http(url: str, proc: subprocess.Popen[bytes], what: str, timeout_s: float = 300) -> None:
    import httpx

    deadline = time.monotonic() + timeout_s
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited {proc.returncode} before answering")
        try:
            if httpx.get(url, timeout=5).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not answer {url} in {timeout_s:g} s")
        time.sleep(0.3)


class Peer:
    """One server process; ``endpoint`` is the URL a query string is appended to."""

    def __init__(self, name: str, argv: list[str], endpoint: str, probe: str, work: Path,
                 env: dict[str, str] | None = None) -> None:
        self.name = name
        self.endpoint = endpoint
        self.log_path = work / f"{name}.log"
        self.log = open(self.log_path, "wb")  # noqa: SIM115
        self.proc = subprocess.Popen(argv, stdout=self.log, stderr=subprocess.STDOUT, cwd=ROOT,
                                     env={**os.environ, **(env or {})})
        try:
            wait_http(probe, self.proc, name)
        except Exception:
            self.stop()
            raise

    def cpu_s(self) -> float:
        """CPU seconds (user + system) used so far by the server and every process under it (workers)."""
        tick = os.sysconf("SC_CLK_TCK")
        total, stack, seen = 0.0, [self.proc.pid], set()
        while stack:
            pid = stack.pop()
            if pid in seen:
                continue
            seen.add(pid)
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                total += (int(fields[11]) + int(fields[12])) / tick
                for task in Path(f"/proc/{pid}/task").iterdir():
                    stack.extend(int(c) for c in (task / "children").read_text().split())
            except (OSError, IndexError, ValueError):
                continue
        return total

    def stop(self) -> None:
        stop_process(self.proc)
        self.log.close()


def stop_process(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM, then SIGKILL after 15 s: a server that does not stop in time is stopped anyway."""
    proc.terminate()
    try:
        proc.wait(15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def project(build_dir: Path, port: int, work: Path, env: dict[str, str] | None = None,
            name: str = "vawg-kg", executable: str = VAWG_KG) -> Peer:
    base = f"http://127.0.0.1:{port}"
    return Peer(name, [executable, "serve", "--port", str(port), "--build-dir", str(build_dir), "--no-build"],
                base + "/sparql", base + "/health", work, env)


def oxigraph(build_dir: Path, port: int, work: Path) -> Peer:
    base = f"http://127.0.0.1:{port}"
    return Peer("oxigraph", [OXIGRAPH, "serve-read-only", "--location", str(build_dir / "oxigraph"),
                             "--bind", f"127.0.0.1:{port}"], base + "/query", base + "/query?query=ASK%7B%7D",
                work)


def fuseki_classpath(work: Path) -> str:
    """jena-fuseki-main and its dependencies from Maven Central (kept in the project's cache folder), as a
    class path."""
    mvn = shutil.which("mvn")
    if mvn is None:
        raise RuntimeError("Maven is not installed (Debian: apt-get install maven); Fuseki is fetched with it")
    lib = cache_dir() / f"fuseki-lib-{FUSEKI_VERSION}-log4j-{LOG4J_VERSION}"
    if not lib.is_dir():
        subprocess.run([mvn, "-q", "dependency:copy-dependencies", "-DincludeScope=runtime",
                        f"-DoutputDirectory={lib}", "-f", str(_fuseki_pom(work))], check=True, timeout=900)
    return f"{lib}/*"


def _fuseki_pom(work: Path) -> Path:
    pom = work / "fuseki-pom.xml"
    pom.write_text(f"""<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>vawg-kg.bench</groupId><artifactId>fuseki-peer</artifactId><version>1</version>
  <dependencies>
    <dependency><groupId>org.apache.jena</groupId><artifactId>jena-fuseki-main</artifactId>
      <version>{FUSEKI_VERSION}</version></dependency>
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-core</artifactId>
      <version>{LOG4J_VERSION}</version></dependency>
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-slf4j2-impl</artifactId>
      <version>{LOG4J_VERSION}</version></dependency>
  </dependencies>
</project>
""")
    return pom


def fuseki(build_dir: Path, port: int, work: Path) -> Peer:
    base = f"http://127.0.0.1:{port}"
    # warnings only: Fuseki logs two lines a request by default, which neither other server does
    config = work / "fuseki-log4j2.properties"
    config.write_text("status = error\nappender.out.type = Console\nappender.out.name = OUT\n"
                      "appender.out.layout.type = PatternLayout\nappender.out.layout.pattern = %m%n\n"
                      "rootLogger.level = warn\nrootLogger.appenderRef.out.ref = OUT\n")
    argv = ["java", "-Xmx2g", f"-Dlog4j.configurationFile={config}", "-cp", fuseki_classpath(work),
            "org.apache.jena.fuseki.main.cmds.FusekiMainCmd",
            "--port", str(port), "--localhost", "--file", str(build_dir / "vawg-kg.nt"), "/ds"]
    return Peer("fuseki", argv, base + "/ds/query", base + "/ds/query?query=ASK%7B%7D", work)


def wrk(url: str, seconds: int, threads: int, connections: int, unique: bool) -> dict[str, Any]:
    env = {**os.environ, "WRK_BUST": "1" if unique else "0"}
    proc = subprocess.run(["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s",
                           "-H", f"Accept: {ACCEPT}", "-s", str(WRK_SCRIPT), url], capture_output=True, text=True,
                          timeout=seconds + 60, check=False, env=env)
    line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("{")), None)
    if line is None:
        return {"error": (proc.stdout + proc.stderr)[-500:]}
    res: dict[str, Any] = json.loads(line)
    res["errors"] = sum(v for k, v in res.items() if k.startswith("errors_") and isinstance(v, int))
    # Only answers count: a 429 (lane full) or a 5xx is quick to send and is not throughput.
    ok = sum(n for code, n in res.get("statuses", {}).items() if code.startswith("2"))
    res["ok_rps"] = round(ok / res["seconds"], 1) if res.get("seconds") else 0.0
    return res


def compare(peers: list[Peer], query: str, seconds: int, rounds: int, threads: int, connections: int,
            variants: tuple[str, ...] = ("repeated", "unique")) -> dict[str, Any]:
    """Alternating wrk rounds over ``peers`` (the first is the project); rps and the project's ratios."""
    qs = urllib.parse.urlencode({"query": query})
    out: dict[str, Any] = {"seconds": seconds, "rounds": rounds, "threads": threads, "connections": connections,
                           "variants": {}}
    for peer in peers:  # warm up: the project starts its workers, the JVM compiles, caches fill
        wrk(f"{peer.endpoint}?{qs}", max(2, seconds // 2), threads, connections, True)
    for variant in variants:
        runs: dict[str, list[dict[str, Any]]] = {p.name: [] for p in peers}
        for r in range(rounds):
            for peer in peers:
                cpu0 = peer.cpu_s()
                res = wrk(f"{peer.endpoint}?{qs}", seconds, threads, connections, variant == "unique")
                answers = res.get("ok_rps", 0.0) * res.get("seconds", 0.0)
                res["cpu_ms_per_answer"] = round(1000 * (peer.cpu_s() - cpu0) / answers, 3) if answers else None
                runs[peer.name].append(res)
                log(f"{variant} round {r + 1}: {peer.name} {res.get('ok_rps', 0):.0f} answers/s p50 {res.get('p50_ms')} ms "
                    f"{res.get('cpu_ms_per_answer')} CPU ms/answer "
                    f"statuses {res.get('statuses')}")
        ours = peers[0].name
        entry: dict[str, Any] = {"runs": runs, "rps": {}, "ratio": {}, "cpu_ms": {}, "cpu_ratio": {}}
        for peer in peers:
            entry["rps"][peer.name] = statistics.median(r.get("ok_rps", 0.0) for r in runs[peer.name])
            cpu = [r["cpu_ms_per_answer"] for r in runs[peer.name] if r.get("cpu_ms_per_answer")]
            entry["cpu_ms"][peer.name] = statistics.median(cpu) if cpu else None
        for peer in peers[1:]:
            per_round = [a.get("ok_rps", 0.0) / b["ok_rps"] for a, b in zip(runs[ours], runs[peer.name])
                         if b.get("ok_rps")]
            entry["ratio"][peer.name] = round(statistics.median(per_round), 3) if per_round else None
            mine, theirs = entry["cpu_ms"][ours], entry["cpu_ms"][peer.name]
            # throughput a saturated machine would give, from server CPU per answer: peer CPU / project CPU
            entry["cpu_ratio"][peer.name] = round(theirs / mine, 3) if mine and theirs else None
        out["variants"][variant] = entry
    return out


# --- named queries, one at a time, on every peer ---------------------------------------

def _nt(value: Any) -> str:
    """A bound parameter (``queries.runner.bind``) as a SPARQL term."""
    from vawg_kg.stores.base import IRI

    if isinstance(value, IRI):
        return f"<{value}>"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    return json.dumps(str(value), ensure_ascii=False)


_SELECT_CLAUSE = re.compile(r"(?is)\bSELECT\b(.*?)(?=\bWHERE\b|\{)")
_SELECT = re.compile(r"(?i)\bSELECT\b")


def _subselects(text: str) -> list[tuple[int, int]]:
    """Where each nested SELECT's scope runs in ``text``: from the keyword to its group's closing brace."""
    depth_at, depth = [], 0
    for ch in text:
        depth_at.append(depth)
        depth += (ch == "{") - (ch == "}")
    spans = []
    for m in list(_SELECT.finditer(text))[1:]:
        inside, end = depth_at[m.start()], m.start()
        while end < len(text) and not (text[end] == "}" and depth_at[end] == inside):
            end += 1
        spans.append((m.start(), end))
    return spans


def inline(query: str, bindings: dict[str, Any]) -> str:
    """``query`` with its parameters written in: what the peers, which take no bindings, are sent.

    A parameter is bound at the query's top level (pyoxigraph's substitutions), where a sub-select
    does not see it. So where a parameter appears inside a sub-select, the parameters become one
    ``VALUES`` row at the head of the top-level group: the same top-level join, the variable still
    projected, sorted and grouped, the sub-select untouched. Elsewhere each is written in as a term:
    a projected one becomes ``(term AS ?name)``, everywhere else ``?name`` becomes the term.
    Whole-line comments go first. The answer is checked against the project's own run of the named
    query before the timings count.
    """
    text = "\n".join(line for line in query.splitlines() if not line.lstrip().startswith("#"))
    spans = _subselects(text)
    if any(re.search(rf"[?$]{re.escape(name)}\b", text[a:b]) for name in bindings for a, b in spans):
        row = " ".join(_nt(v) for v in bindings.values())
        head = re.compile(r"(?is)\bSELECT\b.*?\{")  # the top-level group opens at the first brace after SELECT
        values = "VALUES (" + " ".join(f"?{n}" for n in bindings) + f") {{ ({row}) }}"
        return head.sub(lambda m: m.group(0) + "\n  " + values, text, count=1)
    for name, value in bindings.items():
        term = _nt(value)
        var = re.compile(rf"[?$]{re.escape(name)}\b")
        text = _SELECT_CLAUSE.sub(lambda m, v=var, t=term, n=name: "SELECT" + v.sub(f"({t} AS ?{n})", m.group(1)),
                                  text)
        # a constant sorts and groups nothing: the parameter leaves ORDER BY and GROUP BY
        text = re.sub(r"(?im)^(\s*(?:ORDER|GROUP) BY\b.*)$", lambda m, v=var: v.sub("", m.group(1)), text)
        text = re.sub(rf"(?<!AS )[?$]{re.escape(name)}\b", lambda _m, t=term: t, text)
    return text


ENGINE = "pyoxigraph"  # the named-query table's in-process column: the engine alone, no HTTP, no serialisation


def named_queries(peers: list[Peer], build_dir: Path, samples: int = 15,
                  only: list[str] | None = None, warm: int = 5) -> dict[str, Any]:
    """p50 of each named query (its example parameters written in) on every peer, sequential GETs.

    Also the engine alone: pyoxigraph in this process on the same store folder, the text the peers get,
    every solution read (no serialisation); and ``pyoxigraph, bound``: the named query as the API runs it
    (parameters as substitutions). A warm-up pass runs every query ``warm`` times on every way first (the
    JVM compiles, caches fill); then each query's samples take turns across the ways, so load from
    elsewhere on the machine falls on all of them alike. A way whose row count differs from the named
    query's is marked."""
    import httpx

    from vawg_kg.queries import catalog
    from vawg_kg.queries.runner import bind, run_named
    from vawg_kg.stores.oxigraph import OxigraphStore

    store = OxigraphStore.open_read_only(build_dir)
    servers = {peer.name: peer for peer in peers}
    out: dict[str, Any] = {}
    plans: list[tuple[str, int, dict[str, Any]]] = []  # (query, rows, way -> callable giving a row count)
    with httpx.Client(timeout=120) as http:
        def getter(endpoint: str, text: str) -> Any:
            def get() -> int:
                r = http.get(endpoint, params={"query": text}, headers={"accept": ACCEPT})
                r.raise_for_status()
                return len(r.json().get("results", {}).get("bindings", []))
            return get

        for q in catalog.all():
            if only and q.name not in only:
                continue
            params = dict(q.example or {})
            try:
                expected = len(run_named(q.name, params, store))
                bindings = bind(q, params)
                text = inline(q.sparql, bindings)
            except Exception as exc:
                out[q.name] = {"error": f"{type(exc).__name__}: {exc}"[:200]}
                continue
            ways: dict[str, Any] = {
                ENGINE: lambda t=text: sum(1 for _ in store.raw(t)),
                ENGINE + ", bound": lambda t=q.sparql, b=bindings: sum(1 for _ in store.raw(t, b)),
            }
            for peer in peers:
                ways[peer.name] = getter(peer.endpoint, text)
            plans.append((q.name, expected, ways))
        for _ in range(warm):
            for _name, _rows, ways in plans:
                for fn in ways.values():
                    try:
                        fn()
                    except Exception:  # noqa: BLE001 - reported by the measured pass
                        pass
        for name, expected, ways in plans:
            row: dict[str, Any] = {"rows": expected}
            times: dict[str, list[float]] = {w: [] for w in ways}
            for w, fn in ways.items():
                try:
                    got = fn()
                except Exception as exc:
                    row[w] = {"error": f"{type(exc).__name__}: {exc}"[:150]}
                    continue
                row[w] = {"rows": got}
                if got != expected:
                    row[w]["note"] = f"{got} rows, the named query gives {expected}: not comparable"
            live = [w for w in ways if "error" not in row[w]]
            # CPU per request beside the wall time: on a shared machine the wall time also holds the
            # waits for a core, the CPU does not (the servers' from /proc, in clock ticks, summed over
            # the samples; the engine's from this thread)
            clocks = {w: (servers[w].cpu_s if w in servers else time.thread_time) for w in live}
            cpu: dict[str, float] = {w: 0.0 for w in live}
            for _ in range(samples):
                for w in live:
                    c0 = clocks[w]()
                    t0 = time.perf_counter()
                    ways[w]()
                    times[w].append((time.perf_counter() - t0) * 1000)
                    cpu[w] += clocks[w]() - c0
            for w in live:
                row[w]["p50_ms"] = round(statistics.median(times[w]), 2)
                row[w]["cpu_ms"] = round(1000 * cpu[w] / samples, 2)
            out[name] = row
            log(f"{name}: " + ", ".join(f"{n} {e.get('p50_ms')} ms" for n, e in row.items() if isinstance(e, dict)))
    return out


def markdown_isolation(iso: dict[str, Any]) -> str:
    lines = [f"`{iso['query']}`, {iso['samples']} sequential requests; sandbox layers: "
             f"{', '.join(iso.get('sandbox') or []) or '–'}", "",
             "| way | wall µs (median) | CPU µs (mean) | over the engine (ASK: over ASK in-process): wall / CPU µs |",
             "|---|---|---|---|"]
    for way in ("engine", "checked", "worker", "worker, guard off", "ASK {} in-process", "ASK {} through the worker"):
        cost = iso.get("cost_us", {}).get(way)
        lines.append(f"| {way} | {iso[way]['wall_us']} | {iso[way]['cpu_us']} | "
                     + (f"{cost['wall']:+d} / {cost['cpu']:+d}" if cost else "–") + " |")
    api = iso.get("api_in_process")
    if api:
        lines += ["", f"The API process's own CPU per request (the ASGI app called in-process, no uvicorn, unique "
                      f"texts): {api['cpu_us']} µs (statuses {api['statuses']})."]
    return "\n".join(lines) + "\n"


def markdown_named(named: dict[str, Any], names: list[str]) -> str:
    """The named-query table: p50 and CPU per request for each way (engine in-process, then the peers);
    ratios of each way over Fuseki's when Fuseki ran, else the project's over every other peer's."""
    columns = [ENGINE, ENGINE + ", bound", *names]
    pairs = ([(n, "fuseki") for n in columns if n != "fuseki"] if "fuseki" in names
             else [(names[0], n) for n in names[1:]])
    lines = ["| query | rows | " + " | ".join(f"{n} p50 ms" for n in columns) +
             " | " + " | ".join(f"{n} CPU ms" for n in columns) +
             " | " + " | ".join(f"{a} / {b} p50" for a, b in pairs) +
             " | " + " | ".join(f"{a} / {b} CPU" for a, b in pairs) + " |",
             "|---|---|" + "---|" * (2 * len(columns) + 2 * len(pairs))]
    for query, row in named.items():
        if "error" in row:
            lines.append(f"| {query} | – | {row['error']} |")
            continue
        cells = []
        for n in columns:
            e = row.get(n, {})
            cells.append(f"{e['p50_ms']:.1f}" + (" (rows differ)" if e.get("note") else "") if "p50_ms" in e
                         else e.get("error", "–")[:40])
        ratios = []
        for key in ("p50_ms", "cpu_ms"):
            for a, b in pairs:
                mine, theirs = row.get(a, {}).get(key), row.get(b, {}).get(key)
                ok = mine and theirs and not row[a].get("note") and not row[b].get("note")
                ratios.append(f"{mine / theirs:.2f}×" if ok else "–")
        cpu = [f"{row.get(n, {}).get('cpu_ms', 0):.1f}" if "cpu_ms" in row.get(n, {}) else "–" for n in columns]
        lines.append(f"| {query} | {row['rows']} | " + " | ".join(cells) + " | " + " | ".join(cpu) + " | "
                     + " | ".join(ratios) + " |")
    return "\n".join(lines) + "\n"


# --- what the isolation costs, per request ---------------------------------------------

def isolation_cost(build_dir: Path, query: str = "documents", samples: int = 300) -> dict[str, Any]:
    """Median wall and CPU µs per request of the same query, sequentially, four ways.

    ``engine``: pyoxigraph in this process, answer written by Oxigraph (what its server does);
    ``checked``: the worker's own code in this process (guard, caps, the same writer);
    ``worker``: through a sandboxed worker process (seccomp, empty network namespace, heap cap)
    from an event loop, as ``/sparql`` runs it; ``worker, guard off``: the same without the
    guard's check (the hop alone). CPU counts this process and the worker.
    """
    import io

    import pyoxigraph as ox

    from vawg_kg.queries import catalog
    from vawg_kg.stores.oxigraph import OxigraphStore
    from vawg_kg.stores.sparql.pool import WorkerPool
    from vawg_kg.stores.sparql.worker import WorkRequest, answer

    text = catalog.get(query).sparql
    store = OxigraphStore.open_read_only(build_dir)
    raw = ox.Store.read_only(str(build_dir / "oxigraph"))

    class Sink:
        def send(self, message: Any) -> None:
            self.message = message

    def measure(fn: Any, children: Any = None, n: int = 50) -> tuple[list[float], float]:
        walls, cpu0, kids0 = [], time.process_time(), children() if children else 0.0
        for _ in range(n):
            t0 = time.perf_counter()
            fn()
            walls.append(time.perf_counter() - t0)
        return walls, time.process_time() - cpu0 + ((children() - kids0) if children else 0.0)

    request = WorkRequest(text, output="document", result_format="json")
    unguarded = WorkRequest(text, output="document", result_format="json", guard=False)
    ask = WorkRequest("ASK {}", output="document", result_format="json", guard=False)
    pool = WorkerPool(Path(build_dir) / "oxigraph", workers=1)
    loop = asyncio.new_event_loop()

    def worker_cpu() -> float:
        total = 0.0
        for w in list(pool._idle.queue):
            fields = Path(f"/proc/{w.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        return total

    ways: dict[str, tuple[Any, Any]] = {
        "engine": (lambda: raw.query(text).serialize(io.BytesIO(), ox.QueryResultsFormat.JSON), None),
        "checked": (lambda: answer(store, request, Sink()), None),  # type: ignore[arg-type]
        "worker": (lambda: loop.run_until_complete(pool.run_async(request, 30)), worker_cpu),
        "worker, guard off": (lambda: loop.run_until_complete(pool.run_async(unguarded, 30)), worker_cpu),
        # the hop alone: a query that costs the engine next to nothing, in-process and through the worker
        "ASK {} in-process": (lambda: raw.query("ASK {}").serialize(io.BytesIO(), ox.QueryResultsFormat.JSON),
                              None),
        "ASK {} through the worker": (lambda: loop.run_until_complete(pool.run_async(ask, 30)), worker_cpu),
    }
    walls: dict[str, list[float]] = {k: [] for k in ways}
    cpus: dict[str, float] = {k: 0.0 for k in ways}
    out: dict[str, Any] = {"query": query, "samples": samples}
    try:
        for fn, _ in ways.values():
            fn()  # warm: the worker starts, the verdict is cached
        rounds = max(1, samples // 50)
        for _ in range(rounds):  # the ways take turns, so a busy spell on a shared machine falls on all
            for way, (fn, children) in ways.items():
                w, c = measure(fn, children)
                walls[way] += w
                cpus[way] += c
        for way in ways:
            out[way] = {"wall_us": round(statistics.median(walls[way]) * 1e6),
                        "cpu_us": round(cpus[way] / len(walls[way]) * 1e6)}
        out["sandbox"] = pool.layers
    finally:
        loop.close()
        pool.close()
    out["api_in_process"] = api_cost(build_dir, text)
    engine = out["engine"]
    out["cost_us"] = {k: {"wall": out[k]["wall_us"] - engine["wall_us"], "cpu": out[k]["cpu_us"] - engine["cpu_us"]}
                      for k in ("checked", "worker", "worker, guard off")}
    bare = out["ASK {} in-process"]
    out["cost_us"]["ASK {} through the worker"] = {
        "wall": out["ASK {} through the worker"]["wall_us"] - bare["wall_us"],
        "cpu": out["ASK {} through the worker"]["cpu_us"] - bare["cpu_us"]}
    return out


def api_cost(build_dir: Path, text: str, requests: int = 500) -> dict[str, Any]:
    """The API process's own CPU µs per ``GET /sparql`` (unique text each time), called as an ASGI app
    in this process: the request guard, the fast path, negotiation, the worker exchange; not
    uvicorn's HTTP parsing and socket writes, and not the worker (another process)."""
    from vawg_kg.graph_api.app import create_app
    from vawg_kg.graph_api.settings import Settings

    app = create_app(Path(build_dir), Settings.from_env())
    qs = urllib.parse.urlencode({"query": text}).encode()
    statuses: set[int] = set()

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            statuses.add(message["status"])

    async def run(first: int, n: int) -> None:
        for i in range(first, first + n):
            scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
                     "scheme": "http", "path": "/sparql", "raw_path": b"/sparql", "root_path": "",
                     "query_string": qs + b"%0A%23+" + str(i).encode(),
                     "headers": [(b"host", b"127.0.0.1"), (b"accept", ACCEPT.encode())],
                     "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 8000)}
            await app(scope, receive, send)

    loop = asyncio.new_event_loop()
    try:
        loop.run_until_complete(run(0, 20))
        cpu0, wall0 = time.process_time(), time.perf_counter()
        loop.run_until_complete(run(100, requests))
        cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    finally:
        app.state.service.close()
        loop.close()
    return {"cpu_us": round(cpu / requests * 1e6), "wall_us": round(wall / requests * 1e6),
            "statuses": sorted(statuses)}


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def bench_peers(build_dir: Path, query: str = "documents", seconds: int = 10, rounds: int = 3, threads: int = 2,
                connections: int = 16, with_fuseki: bool = True, work: Path | None = None) -> dict[str, Any]:
    """The peers' comparison for ``benchmarks.run``: servers on free ports, stopped afterwards."""
    from vawg_kg.queries import catalog

    work = work or Path(tempfile.mkdtemp(prefix="vawg-peers-"))
    work.mkdir(parents=True, exist_ok=True)
    peers: list[Peer] = []
    errors: dict[str, str] = {}
    try:
        peers.append(project(build_dir, free_port(), work))
        peers.append(oxigraph(build_dir, free_port(), work))
        if with_fuseki:
            try:
                peers.append(fuseki(build_dir, free_port(), work))
            except Exception as exc:
                errors["fuseki"] = f"{type(exc).__name__}: {exc}"[:300]
                log(f"no Fuseki: {exc}")
        result = compare(peers, catalog.get(query).sparql, seconds, rounds, threads, connections)
        result["isolation"] = isolation_cost(build_dir, query)
        result["named"] = named_queries(peers, build_dir)
        result["named_peers"] = [p.name for p in peers]
    finally:
        for peer in peers:
            peer.stop()
    result["query"] = query
    result["errors"] = errors
    return result


def markdown(result: dict[str, Any]) -> str:
    first = next(iter(result["variants"].values()))
    names, others = list(first["rps"]), list(first["ratio"])
    lines = [f"`{result.get('query')}`; wrk -t{result['threads']} -c{result['connections']} -d{result['seconds']}s, "
             f"{result['rounds']} alternating rounds; answers/s = 2xx answers per second, median (429s and errors "
             "do not count); ratio = project / peer per round, median; CPU = server CPU ms per answer (workers "
             "included), whose ratio (peer / project) is the throughput ratio on a machine the servers had "
             "to themselves", "",
             "| variant | " + " | ".join(f"{n} answers/s" for n in names) + " | " +
             " | ".join(f"{names[0]} / {n}" for n in others) + " | " + " | ".join(f"{n} CPU ms" for n in names) +
             " | " + " | ".join(f"CPU ratio vs {n}" for n in others) + " |",
             "|---|" + "---|" * (2 * len(names) + 2 * len(others))]
    for variant, entry in result["variants"].items():
        lines.append(f"| {variant} | " + " | ".join(f"{v:,.0f}" for v in entry["rps"].values()) + " | " +
                     " | ".join(f"{v:.2f}×" if v else "–" for v in entry["ratio"].values()) + " | " +
                     " | ".join(f"{v:.2f}" if v else "–" for v in entry["cpu_ms"].values()) + " | " +
                     " | ".join(f"{v:.2f}×" if v else "–" for v in entry["cpu_ratio"].values()) + " |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="/sparql against oxigraph serve-read-only (and Fuseki), same run")
    ap.add_argument("--build-dir", type=Path, default=ROOT / "build")
    ap.add_argument("--query", default="documents", help="a named query without parameters (queries/NAME.rq)")
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--ports", default="8106,8116,8117,8118", help="project, oxigraph, fuseki, project variant")
    ap.add_argument("--fuseki", action="store_true", help="also Apache Jena Fuseki (fetched with Maven)")
    ap.add_argument("--variants", default="repeated,unique")
    ap.add_argument("--named", action="store_true", help="also every named query, p50 of sequential GETs")
    ap.add_argument("--named-only", action="store_true", help="only the named queries (no wrk rounds)")
    ap.add_argument("--only", default="", metavar="NAME[,NAME]", help="only these named queries")
    ap.add_argument("--samples", type=int, default=15, help="sequential requests per named query and way")
    ap.add_argument("--warm", type=int, default=5, help="warm-up runs of every named query on every way first")
    ap.add_argument("--isolation", action="store_true", help="also what the worker process and guard cost")
    ap.add_argument("--baseline", default=None, metavar="VAWG_KG",
                    help="another installation's vawg-kg executable (an earlier commit) to measure beside this one")
    ap.add_argument("--also", action="append", default=[], metavar="NAME:ENV=V[,ENV=V]",
                    help="another project server with these environment settings (e.g. the isolation's cost)")
    ap.add_argument("--json", type=Path, default=None, help="write the figures here")
    args = ap.parse_args(argv)
    from vawg_kg.queries import catalog

    query = catalog.get(args.query).sparql
    ports = [int(p) for p in args.ports.split(",")]
    work = Path(tempfile.mkdtemp(prefix="vawg-peers-"))
    peers: list[Peer] = []
    try:
        peers.append(project(args.build_dir, ports[0], work))
        if args.baseline:
            peers.append(project(args.build_dir, ports[3] + len(args.also), work, name="baseline",
                                 executable=args.baseline))
        for i, spec in enumerate(args.also):
            name, _, settings = spec.partition(":")
            env = dict(kv.split("=", 1) for kv in settings.split(",") if kv)
            peers.append(project(args.build_dir, ports[3] + i, work, env, name=name))
        peers.append(oxigraph(args.build_dir, ports[1], work))
        if args.fuseki:
            try:
                peers.append(fuseki(args.build_dir, ports[2], work))
            except Exception as exc:
                log(f"no Fuseki: {exc}")
        result: dict[str, Any] = {}
        if not args.named_only:
            result = compare(peers, query, args.seconds, args.rounds, args.threads, args.connections,
                             tuple(args.variants.split(",")))
        result["query"] = args.query
        if args.isolation:
            result["isolation"] = isolation_cost(args.build_dir, args.query)
        if args.named or args.named_only:
            result["named"] = named_queries(peers, args.build_dir, args.samples,
                                            [n for n in args.only.split(",") if n], args.warm)
            result["named_peers"] = [p.name for p in peers]
        result["load_avg"] = os.getloadavg()
    finally:
        for peer in peers:
            peer.stop()
    if args.json:
        args.json.write_text(json.dumps(result, indent=1) + "\n")
    if "variants" in result:
        print(markdown(result))
    if "isolation" in result:
        print(markdown_isolation(result["isolation"]))
    if "named" in result:
        print(markdown_named(result["named"], result["named_peers"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
