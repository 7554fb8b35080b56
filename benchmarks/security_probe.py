"""Security probe of ``/sparql``: what each attack gets from a running ``vawg-kg serve``.

Run::

    python -m benchmarks.security_probe --vawg-kg PATH/TO/vawg-kg --build-dir DIR [--out FILE.md] [--json FILE]

It starts ``PATH/TO/vawg-kg serve`` on a free loopback port (``VAWG_KG_QUERY_TIMEOUT=10``),
runs the attacks below, stops the server and prints a markdown table (also written to
``--out``; ``--json`` writes the rows as JSON). Point it at an old and a new checkout's
``vawg-kg`` to compare them. Everything stays on 127.0.0.1; every request has a client
timeout and every loop a bound. Times and RSS depend on the machine and its load (the
load average is printed with the table); statuses and listener connections should not.

Measured per attack:

* the HTTP status (``timeout`` when the client gave up, ``error`` when the connection failed);
* SSRF: whether a loopback listener started here saw a connection, and whether its answer
  (a canary literal) came back in the response body;
* peak RSS (``VmHWM`` from ``/proc/<pid>/status``, sampled every 50 ms and reset with
  ``clear_refs`` at the start of each attack) of the API process and, separately, the
  largest of its descendant processes (the SPARQL workers);
* latencies of ``ASK {}``, ``GET /health`` and ``GET /queries/documents`` while slow
  queries or a slow parse run.

Attacks: (1) SSRF through a comment ended by ``\\r`` (POST sparql-query, GET, form POST),
a ``FROM`` after ``#\\r``, and a ``\\u0022`` escape that ends a string for one parser only;
(2) a ~740-byte query doubling a string 20 times over 20 rows, as CSV (three runs);
(3) 4, then 45, concurrent queries that run until the timeout; (4) a 229 KB query;
(5) ``Host: evil.example``; (6) small output-format items (RDF/XML, XML control character,
triple terms, error text, ``/health`` content, TSV datatypes).
"""

from __future__ import annotations

import argparse
import http.client
import http.server
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

HOST = "127.0.0.1"
QUERY_TIMEOUT_S = 10
CANARY = "listener-canary-5e1f"
SLOW_QUERY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
ASK = "ASK {}"
XSD = "http://www.w3.org/2001/XMLSchema#"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


# --- HTTP client ----------------------------------------------------------------------

@dataclass
class Reply:
    status: str  # "200", "403", … or "timeout" / "error"
    seconds: float
    body: bytes = b""
    error: str = ""


def request(port: int, method: str, path: str, body: bytes | None = None,
            headers: dict[str, str] | None = None, timeout: float = 30.0) -> Reply:
    start = time.perf_counter()
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        data = resp.read()
        return Reply(str(resp.status), time.perf_counter() - start, data)
    except (TimeoutError, socket.timeout):
        return Reply("timeout", time.perf_counter() - start, error="client timeout")
    except (OSError, http.client.HTTPException) as exc:
        return Reply("error", time.perf_counter() - start, error=f"{type(exc).__name__}: {exc}")
    finally:
        conn.close()


def sparql(port: int, query: str, accept: str = "application/sparql-results+json", how: str = "post",
           timeout: float = 30.0) -> Reply:
    """Send a query by POST application/sparql-query (``post``), ``get`` or ``form``."""
    if how == "get":
        return request(port, "GET", "/sparql?" + urllib.parse.urlencode({"query": query}),
                       headers={"Accept": accept}, timeout=timeout)
    if how == "form":
        return request(port, "POST", "/sparql", urllib.parse.urlencode({"query": query}).encode(),
                       {"Accept": accept, "Content-Type": "application/x-www-form-urlencoded"}, timeout)
    return request(port, "POST", "/sparql", query.encode(),
                   {"Accept": accept, "Content-Type": "application/sparql-query"}, timeout)


# --- loopback listener (the SSRF target) ----------------------------------------------

class Listener:
    """A tiny HTTP server on a free loopback port that records every connection.

    It answers ``/x`` with a SPARQL JSON result and anything else with Turtle,
    both carrying :data:`CANARY`.
    """

    def __init__(self) -> None:
        self.connections = 0
        self.lock = threading.Lock()
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def setup(self) -> None:
                with owner.lock:
                    owner.connections += 1
                super().setup()

            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(min(length, 1 << 20))
                if self.path.startswith("/x"):
                    kind = "application/sparql-results+json"
                    body = json.dumps({"head": {"vars": ["x"]}, "results": {"bindings": [
                        {"x": {"type": "literal", "value": CANARY}}]}}).encode()
                else:
                    kind = "text/turtle"
                    body = f'<http://{HOST}/s> <http://{HOST}/p> "{CANARY}" .\n'.encode()
                self.send_response(200)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = _answer

            def log_message(self, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer((HOST, 0), Handler)
        self.port = int(self.server.server_address[1])
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def seen(self) -> int:
        with self.lock:
            return self.connections

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


# --- peak RSS of the server and its children ------------------------------------------

def _children_of(root: int) -> list[int]:
    """Descendant pids of ``root`` (one scan of /proc)."""
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        ppid = int(stat[stat.rfind(")") + 2:].split()[1])
        parents.setdefault(ppid, []).append(int(entry))
    found, todo = [], [root]
    while todo:
        for child in parents.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _hwm_kb(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


class RssSampler:
    """Samples VmHWM of the server and its descendants every 50 ms; :meth:`window` gives per-attack peaks."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peaks: dict[int, int] = {}
        self.seen: set[int] = set()
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _sample(self) -> None:
        for pid in [self.pid, *_children_of(self.pid)]:
            kb = _hwm_kb(pid)
            if kb is not None:
                with self.lock:
                    self.seen.add(pid)
                    self.peaks[pid] = max(self.peaks.get(pid, 0), kb)

    def _run(self) -> None:
        while not self.stop.wait(0.05):
            self._sample()

    @contextmanager
    def window(self, into: dict[str, float | None]) -> Iterator[None]:
        """Reset the high-water marks, run the body, put the peaks (MB) in ``into``."""
        for pid in [self.pid, *_children_of(self.pid)]:
            try:
                Path(f"/proc/{pid}/clear_refs").write_text("5")
            except OSError:
                pass  # not allowed here: the mark stays cumulative
        with self.lock:
            self.peaks = {}
        try:
            yield
        finally:
            time.sleep(0.1)
            self._sample()
            with self.lock:
                api = self.peaks.get(self.pid)
                workers = [kb for pid, kb in self.peaks.items() if pid != self.pid]
            into["api_mb"] = round(api / 1024, 1) if api else None
            into["workers_mb"] = round(max(workers) / 1024, 1) if workers else None

    def close(self) -> None:
        self.stop.set()
        self.thread.join()


# --- server ---------------------------------------------------------------------------

@contextmanager
def server(vawg_kg: str, build_dir: str) -> Iterator[tuple[int, subprocess.Popen[bytes]]]:
    port = free_port()
    log = Path(tempfile.mkstemp(prefix="security-probe-", suffix=".log")[1])
    env = {**os.environ, "VAWG_KG_QUERY_TIMEOUT": str(QUERY_TIMEOUT_S)}
    with log.open("wb") as out:
        proc = subprocess.Popen([vawg_kg, "serve", "--port", str(port), "--build-dir", build_dir],
                                stdout=out, stderr=subprocess.STDOUT, env=env)
    try:
        deadline = time.monotonic() + 120
        while request(port, "GET", "/health", timeout=5).status != "200":
            if proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"vawg-kg serve did not come up; its log:\n{log.read_text()[-3000:]}")
            time.sleep(0.5)
        yield port, proc
    finally:
        started = {pid: _start_time(pid) for pid in _children_of(proc.pid)}
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        for pid, when in started.items():  # only our own children, if still the same process
            if when is not None and _start_time(pid) == when:
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass


def _start_time(pid: int) -> str | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat[stat.rfind(")") + 2:].split()[19]


def settle(port: int, bound_s: float = 120.0) -> float:
    """Wait until ``ASK {}`` answers within 1 s again (at most ``bound_s``); the seconds waited."""
    start = time.monotonic()
    while time.monotonic() - start < bound_s:
        reply = sparql(port, ASK, timeout=30)
        if reply.status == "200" and reply.seconds < 1.0:
            break
        time.sleep(1)
    return round(time.monotonic() - start, 1)


# --- attacks --------------------------------------------------------------------------

@dataclass
class Row:
    attack: str
    case: str
    status: str
    seconds: float | None = None
    listener: bool | None = None
    api_mb: float | None = None
    workers_mb: float | None = None
    note: str = ""


def _snippet(body: bytes, limit: int = 90) -> str:
    text = body.decode("utf-8", "replace")
    try:
        text = str(json.loads(text).get("error", {}).get("message", text))
    except (ValueError, AttributeError):
        pass
    return re.sub(r"\s+", " ", text)[:limit].replace("|", "\\|")


def ssrf(port: int, listener: Listener) -> list[Row]:
    target = f"http://{HOST}:{listener.port}"
    service = f"SELECT ?x WHERE {{ #\r SERVICE <{target}/x> {{ ?x ?y ?z }} \n}}"
    cases = [
        ("`#\\r SERVICE`, POST sparql-query", service, "post"),
        ("`#\\r SERVICE`, GET ?query=", service, "get"),
        ("`#\\r SERVICE`, form POST", service, "form"),
        ("`#\\r FROM <listener>`", f"SELECT ?x #\r FROM <{target}/g> \nWHERE {{ ?x ?y ?z }}", "post"),
        ('`"\\u0022"` string then SERVICE',
         f'SELECT ?x WHERE {{ BIND("\\u0022" AS ?q) SERVICE <{target}/x> {{ ?x ?y ?z }} '
         f'BIND(""" AS ?r) }} # """ AS ?r) }}', "post"),
    ]
    rows = []
    for case, query, how in cases:
        before = listener.seen()
        reply = sparql(port, query, how=how)
        time.sleep(0.3)
        echoed = CANARY.encode() in reply.body
        rows.append(Row("1 SSRF", case, reply.status, round(reply.seconds, 2), listener.seen() > before,
                        note=f"listener answer in body: {'yes' if echoed else 'no'}; {_snippet(reply.body, 70)}"))
    return rows


def memory_query() -> str:
    values = " ".join(str(i) for i in range(1, 21))
    doublings = " ".join(f"BIND(CONCAT(?s{k},?s{k}) AS ?s{k + 1})" for k in range(20))
    return (f'SELECT ?s20 WHERE {{ VALUES ?i {{ {values} }} BIND(CONCAT("xxxxxxxxxxxxxxxx",STR(?i)) AS ?s0) '
            f"{doublings} }}")


def memory(port: int, rss: RssSampler, runs: int = 3) -> list[Row]:
    """Three runs: the old code's evaluation of this query ends close to the 10 s deadline (status varies)."""
    query = memory_query()
    rows = []
    for run in range(1, runs + 1):
        peaks: dict[str, float | None] = {}
        with rss.window(peaks):
            reply = sparql(port, query, accept="text/csv", timeout=120)
        note = f"response {len(reply.body):,} bytes" + (f"; {_snippet(reply.body, 70)}" if len(reply.body) < 2000
                                                        else "")
        rows.append(Row("2 memory", f"{len(query)}-byte CONCAT doubling ×20, 20 rows, text/csv (run {run}/{runs})",
                        reply.status, round(reply.seconds, 2), api_mb=peaks["api_mb"],
                        workers_mb=peaks["workers_mb"], note=note))
    return rows


def _concurrently(port: int, n: int) -> tuple[ThreadPoolExecutor, list[Future[Reply]]]:
    pool = ThreadPoolExecutor(max_workers=n)
    return pool, [pool.submit(sparql, port, SLOW_QUERY, timeout=30) for _ in range(n)]


def _counts(replies: list[Reply]) -> str:
    return ", ".join(f"{code}×{k}" for code, k in sorted(Counter(r.status for r in replies).items()))


def starvation(port: int, rss: RssSampler) -> list[Row]:
    rows = []
    peaks: dict[str, float | None] = {}
    with rss.window(peaks):
        pool, futures = _concurrently(port, 4)
        time.sleep(1.0)
        probes: list[tuple[str, Callable[[], Reply]]] = [
            ("`ASK {}` while 4 slow queries run", lambda: sparql(port, ASK)),
            ("`GET /health` while 4 slow queries run", lambda: request(port, "GET", "/health")),
            ("`GET /queries/documents` while 4 slow queries run",
             lambda: request(port, "GET", "/queries/documents")),
        ]
        for case, probe in probes:
            reply = probe()
            rows.append(Row("3 starvation", case, reply.status, round(reply.seconds, 2)))
        replies = [f.result() for f in futures]
        pool.shutdown()
    rows.insert(0, Row("3 starvation", "4 concurrent slow queries", _counts(replies),
                       round(max(r.seconds for r in replies), 2), api_mb=peaks["api_mb"],
                       workers_mb=peaks["workers_mb"], note="seconds: slowest of the 4"))
    rows.append(Row("3 starvation", "settle", "", settle(port), note="seconds until `ASK {}` < 1 s again"))

    peaks = {}
    with rss.window(peaks):
        pool, futures = _concurrently(port, 45)
        time.sleep(1.0)
        health: list[Reply] = []
        while not all(f.done() for f in futures) and len(health) < 30:
            health.append(request(port, "GET", "/health"))
            time.sleep(0.5)
        replies = [f.result() for f in futures]
        pool.shutdown()
    rows.append(Row("3 starvation", "45 concurrent slow queries (client timeout 30 s)", _counts(replies),
                    round(max(r.seconds for r in replies), 2), api_mb=peaks["api_mb"],
                    workers_mb=peaks["workers_mb"], note="seconds: slowest of the 45"))
    times = [r.seconds for r in health]
    rows.append(Row("3 starvation", "`GET /health` while 45 slow queries run", _counts(health),
                    round(max(times), 2) if times else None,
                    note=(f"{len(health)} samples, median {statistics.median(times):.3f} s, max shown"
                          if times else "no sample")))
    rows.append(Row("3 starvation", "settle", "", settle(port), note="seconds until `ASK {}` < 1 s again"))
    return rows


def parsing(port: int, rss: RssSampler) -> list[Row]:
    size = 229 * 1024
    # The escape makes the old code's screen send the text to rdflib's full parse (no fast path).
    head, tail = 'SELECT * WHERE { BIND("\\u0041" AS ?a) ', "}"
    query = head + "{} " * ((size - len(head) - len(tail)) // 3) + tail
    peaks: dict[str, float | None] = {}
    with rss.window(peaks):
        with ThreadPoolExecutor(1) as pool:
            big = pool.submit(sparql, port, query, timeout=180)
            time.sleep(1.0)
            ask = sparql(port, ASK)
            reply = big.result()
    return [Row("4 parsing", f"{len(query) / 1024:.0f} KB query (`{{}}` groups, one `\\u0041`), POST", reply.status,
                round(reply.seconds, 2), api_mb=peaks["api_mb"], workers_mb=peaks["workers_mb"],
                note=_snippet(reply.body)),
            Row("4 parsing", "`ASK {}` while it parses", ask.status, round(ask.seconds, 2),
                note="sent 1 s after the big query")]


def host_header(port: int) -> list[Row]:
    reply = request(port, "GET", "/health", headers={"Host": "evil.example"})
    return [Row("5 Host header", "`GET /health`, `Host: evil.example`", reply.status, round(reply.seconds, 3),
                note=_snippet(reply.body, 60))]


def _tsv_datatype(cell: str) -> str:
    """The datatype a SPARQL TSV cell reads back as (Turtle term syntax)."""
    if m := re.fullmatch(r'".*"\^\^<(.+)>', cell):
        return m.group(1).removeprefix(XSD)
    if re.fullmatch(r"[+-]?\d+", cell):
        return "integer"
    if re.fullmatch(r"[+-]?\d*\.\d+", cell):
        return "decimal"
    if re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)[eE][+-]?\d+", cell):
        return "double"
    return "string" if cell.startswith('"') else f"? ({cell})"


def small_items(port: int) -> list[Row]:
    rows = []
    reply = sparql(port, 'CONSTRUCT { <http://a> <http://b/> "c" } WHERE {}', accept="application/rdf+xml")
    rows.append(Row("6 small", "CONSTRUCT predicate `<http://b/>` as RDF/XML", reply.status,
                    note=_snippet(reply.body)))

    reply = sparql(port, 'SELECT ?e WHERE { BIND("a\\u0001b" AS ?e) }', accept="application/sparql-results+xml")
    if reply.status == "200":
        try:
            ET.fromstring(reply.body)
            note = "well-formed XML: yes"
        except ET.ParseError as exc:
            note = f"well-formed XML: no ({exc})"
    else:
        note = f"no XML answer: {_snippet(reply.body, 70)}"
    rows.append(Row("6 small", '`BIND("a\\u0001b")` as SPARQL XML', reply.status, note=note))

    reply = sparql(port, 'SELECT ?t WHERE { BIND(<<( <http://a> <http://b> "c" )>> AS ?t) }')
    try:
        kind = json.loads(reply.body)["results"]["bindings"][0]["t"]["type"]
        what = f"type `{kind}`"
    except (ValueError, KeyError, IndexError, TypeError):
        what = _snippet(reply.body, 70)
    rows.append(Row("6 small", "triple term `<<( … )>>` as JSON", reply.status, note=what))

    reply = sparql(port, "PREFIX ex: <http://e/> SELECT * FROM ex:g WHERE {?s ?p ?o}")
    leak = [w for w in ("CompValue", "pname") if w in reply.body.decode("utf-8", "replace")]
    rows.append(Row("6 small", "`FROM ex:g` (prefixed name)", reply.status,
                    note=f"message has {' and '.join(leak) if leak else 'neither CompValue nor pname'}: "
                         f"{_snippet(reply.body, 60)}"))

    reply = request(port, "GET", "/health")
    rows.append(Row("6 small", "`/health` body has `bolt://`", reply.status,
                    note="yes" if b"bolt://" in reply.body else "no"))

    reply = sparql(port, f'PREFIX xsd: <{XSD}> SELECT ?d ?f WHERE {{ BIND("0"^^xsd:decimal AS ?d) '
                         "BIND(1.5e0 AS ?f) }", accept="text/tab-separated-values")
    lines = reply.body.decode("utf-8", "replace").splitlines()
    if reply.status == "200" and len(lines) >= 2:
        cells = lines[1].split("\t")
        kept = [f"`{c}` → {_tsv_datatype(c)} ({'kept' if _tsv_datatype(c) == want else 'LOST'})"
                for c, want in zip(cells, ("decimal", "double"))]
        note = "; ".join(kept)
    else:
        note = _snippet(reply.body)
    rows.append(Row("6 small", 'TSV of `"0"^^xsd:decimal`, `1.5e0`', reply.status, note=note))
    return rows


# --- report ---------------------------------------------------------------------------

def markdown(rows: list[Row], title: str) -> str:
    def cell(value: Any) -> str:
        if value is None:
            return "—"
        if isinstance(value, bool):
            return "yes" if value else "no"
        return str(value)

    out = [f"## {title}", "",
           "| attack | case | status | seconds | listener connected | API peak RSS MB | worker peak RSS MB | note |",
           "|---|---|---|---|---|---|---|---|"]
    for r in sorted(rows, key=lambda r: r.attack.split()[0]):  # stable: run order within an attack
        out.append("| " + " | ".join(cell(v) for v in (r.attack, r.case, r.status, r.seconds, r.listener,
                                                         r.api_mb, r.workers_mb, r.note)) + " |")
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--vawg-kg", required=True, help="the vawg-kg executable to serve with")
    parser.add_argument("--build-dir", required=True, help="the build folder to serve")
    parser.add_argument("--out", help="write the markdown table here as well")
    parser.add_argument("--json", help="write the rows as JSON here")
    args = parser.parse_args(argv)

    load_start = os.getloadavg()[0]
    listener = Listener()
    rows: list[Row] = []
    with server(args.vawg_kg, args.build_dir) as (port, proc):
        rss = RssSampler(proc.pid)
        idle: dict[str, float | None] = {}
        with rss.window(idle):
            time.sleep(0.3)
        rows.append(Row("0 baseline", "idle after start", "200", api_mb=idle["api_mb"],
                        workers_mb=idle["workers_mb"]))
        # Cheap attacks first; the slow and heavy ones last, each followed by a wait for the server to recover.
        attacks: list[Callable[[], list[Row]]] = [
            lambda: host_header(port), lambda: small_items(port), lambda: ssrf(port, listener),
            lambda: parsing(port, rss), lambda: memory(port, rss), lambda: starvation(port, rss)]
        for attack in attacks:
            rows += attack()
            settle(port)
        rss.close()
    listener.close()

    title = (f"Security probe: `{args.vawg_kg} serve --build-dir {args.build_dir}` "
             f"(VAWG_KG_QUERY_TIMEOUT={QUERY_TIMEOUT_S}), {time.strftime('%Y-%m-%d %H:%M')}, "
             f"{os.cpu_count()} CPUs, load average {load_start:.2f} at start, {os.getloadavg()[0]:.2f} at end")
    text = markdown(rows, title)
    print(text)
    if args.out:
        Path(args.out).write_text(text)
    if args.json:
        Path(args.json).write_text(json.dumps([asdict(r) for r in rows], indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
