"""Read-only SPARQL for untrusted text: check first, then run where it can be stopped.

Why rdflib's parser: pyoxigraph 0.5 exposes no parser or algebra to Python
(``Store.query`` parses and runs in one call, and would make the outbound
request of a ``SERVICE`` clause), while rdflib's gives a parse tree, the
SPARQL algebra and pyparsing's line/column for errors. The cost: a query
that Oxigraph would accept but rdflib's grammar rejects is refused with 400.

Refusals (statuses as Oxigraph's server uses them):

* malformed text → :class:`QueryParseError` (400) with line and column;
* an update (INSERT/DELETE/LOAD/CLEAR/CREATE/DROP/COPY/MOVE/ADD) →
  :class:`ForbiddenQueryError` (403);
* ``SERVICE`` anywhere (subqueries, EXISTS, OPTIONAL …) → 403;
* ``FROM``/``FROM NAMED`` naming a graph the store does not hold → 403
  (rdflib would fetch it over HTTP; Oxigraph would not, but the query would
  silently mean something else).

Stopping: :func:`run_guarded` caps rows by iterating results lazily and
stops at ``max_rows``. For the timeout, an on-disk Oxigraph store is queried
in a worker process (it opens the RocksDB folder read-only) which is killed
when the deadline passes — pyoxigraph releases the GIL while evaluating but
has no way to cancel, and a sort over a large join can run for minutes.
Other stores (rdflib, in-memory Oxigraph) run in a daemon thread. At the
deadline the caller gets its error on time and the thread is sent an
asynchronous exception: rdflib's engine is Python, so it stops at its next
bytecode; pyoxigraph's evaluation is native code (GIL released), so that
thread runs on — one busy core — until the native step returns. Use the
on-disk Oxigraph store to serve.
"""

from __future__ import annotations

import functools
import queue
import re
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vawg_kg.errors import (
    ForbiddenQueryError,
    QueryParseError,
    QueryTimeoutError,
    ResultTooLargeError,
    StoreError,
    VawgError,
)
from vawg_kg.queries.results import QueryResult

DEFAULT_TIMEOUT_S = 30.0
DEFAULT_MAX_ROWS = 10_000


@dataclass(frozen=True)
class ParsedQuery:
    text: str
    form: str  # SELECT | ASK | CONSTRUCT | DESCRIBE
    algebra: Any = field(repr=False)
    from_graphs: tuple[str, ...] = ()
    from_named_graphs: tuple[str, ...] = ()


def _walk(node: Any) -> Iterable[Any]:
    """Every CompValue, list and dict inside a parse tree or algebra, depth-first."""
    from rdflib.plugins.sparql.parserutils import CompValue

    stack = [node]
    seen: set[int] = set()
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, CompValue):
            yield current
            stack.extend(current.values())
        elif isinstance(current, dict):
            stack.extend(current.values())
        elif isinstance(current, (list, tuple)) or type(current).__name__ == "ParseResults":
            stack.extend(list(current))


# rdflib's SPARQL grammar (pyparsing) keeps parse state on shared module-level
# objects and is not thread-safe: concurrent requests in the API's thread pool
# got spurious "malformed query" errors under load. Parsing is a few ms; it is
# serialised with this lock, while the queries themselves still run in parallel.
_PARSER_LOCK = threading.Lock()


def _parse_error(exc: Exception) -> QueryParseError:
    line = getattr(exc, "lineno", None)
    column = getattr(exc, "col", None)
    msg = getattr(exc, "msg", None) or str(exc)
    where = f" at line {line}, column {column}" if line is not None else ""
    return QueryParseError(f"malformed SPARQL query{where}: {msg}", line=line, column=column)


def _is_update(query: str) -> bool:
    from rdflib.plugins.sparql.parser import parseUpdate

    try:
        with _PARSER_LOCK:
            parseUpdate(query)
    except Exception:
        return False
    return True


# Words that can start an update or reach out of the store. A query whose text
# holds none of them anywhere (not even inside a string, IRI or comment) and no
# \u or \U escape (SPARQL decodes those before parsing, so they could spell a
# keyword) cannot be an update, use SERVICE or name a FROM graph, whatever its
# grammar. Letters only on either side: ``?service`` or ``ex:load`` still match
# (and so take the full parse), which errs on the safe side.
_RISKY_WORDS = re.compile(
    r"(?<![A-Za-z])(?:service|from|insert|delete|load|clear|create|drop|copy|move|add|with|using)(?![A-Za-z])",
    re.IGNORECASE)
# Where a form keyword does not count: comments, strings (long ones first) and IRIs.
_NOT_CODE = re.compile(
    r"#[^\n\r]*"
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'(?:[^'\\\n\r]|\\.)*'"
    r'|"(?:[^"\\\n\r]|\\.)*"'
    r'|<[^<>"{}|^`\\\x00-\x20]*>')
_FORM_WORD = re.compile(r"(?<![\w:?$])(select|ask|construct|describe)(?![\w:])", re.IGNORECASE)


def screen(query: str) -> ParsedQuery | None:
    """A query that is a read by its words alone, without parsing it; None when unsure.

    Parsing with rdflib costs ~15 ms per new query text against ~2 ms for a typical
    query on Oxigraph. Most queries mention no update, SERVICE or FROM keyword at
    all, so only those that do (or hold an escape) pay for the full parse. A
    screened query that is malformed fails in the store, and
    :func:`explain_syntax_error` then gives rdflib's line and column.
    """
    if "\\u" in query or "\\U" in query or _RISKY_WORDS.search(query):
        return None
    match = _FORM_WORD.search(_NOT_CODE.sub(" ", query))
    if match is None:
        return None
    return ParsedQuery(query, match.group(1).upper(), None)


def check_read_only(query: str, allowed_graphs: Iterable[str] = (), *, full: bool = False) -> ParsedQuery:
    """Refuse anything that is not a self-contained read; ``full`` always parses.

    A query that :func:`screen` clears is accepted without a parse (its ``algebra``
    is None). Otherwise the verdict for an accepted query is cached by its text:
    rdflib's parser takes ~15-30 ms and dashboards repeat the same queries.
    Refusals are not cached (they raise), so they cost a parse each time.
    """
    if not full and (screened := screen(query)) is not None:
        return screened
    return _check_read_only_cached(query, tuple(sorted(set(allowed_graphs))))


def explain_syntax_error(query: str, store_error: VawgError) -> VawgError:
    """The error to report for a screened query that the store refused.

    rdflib's message has the line and column; when rdflib accepts the query but
    the store did not, the store's own message stands.
    """
    try:
        check_read_only(query, full=True)
    except (QueryParseError, ForbiddenQueryError) as exc:
        return exc
    return store_error


@functools.lru_cache(maxsize=512)
def _check_read_only_cached(query: str, allowed_graphs: tuple[str, ...]) -> ParsedQuery:
    from pyparsing import ParseException
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.parser import parseQuery

    try:
        with _PARSER_LOCK:
            tree = parseQuery(query)
    except ParseException as exc:
        if _is_update(query):
            raise ForbiddenQueryError(
                "this endpoint is read-only: SPARQL updates (INSERT, DELETE, LOAD, CLEAR, CREATE, DROP, "
                "COPY, MOVE, ADD) are refused") from exc
        raise _parse_error(exc) from exc
    except Exception as exc:  # rdflib raises a few non-pyparsing errors (bad IRIs, prefixes)
        raise QueryParseError(f"malformed SPARQL query: {exc}") from exc

    for node in _walk(tree):
        if node.name == "ServiceGraphPattern":
            raise ForbiddenQueryError(
                "SERVICE is refused: this endpoint does not query other endpoints; "
                "fetch the remote data yourself and query it separately")

    body = tree[1]
    allowed = set(allowed_graphs)
    defaults: list[str] = []
    named: list[str] = []
    # CompValue.get() has its own signature (returns the key when absent): use `in`.
    for clause in (body["datasetClause"] if "datasetClause" in body else None) or []:
        if "default" in clause:
            defaults.append(str(clause["default"]))
        if "named" in clause:
            named.append(str(clause["named"]))
    for iri in defaults + named:
        if iri not in allowed:
            raise ForbiddenQueryError(
                f"FROM / FROM NAMED <{iri}> is refused: remote graphs are not fetched and this store holds "
                "only its own default graph; remove the FROM clause", graph=iri)

    try:
        with _PARSER_LOCK:
            algebra = translateQuery(tree)
    except Exception as exc:
        raise QueryParseError(f"invalid SPARQL query: {exc}") from exc
    form = body.name.replace("Query", "").upper()
    return ParsedQuery(query, form, algebra, tuple(defaults), tuple(named))


# --- running ------------------------------------------------------------------------

def _too_large(max_rows: int) -> ResultTooLargeError:
    return ResultTooLargeError(
        f"the query returns more than {max_rows} rows; add LIMIT or narrow the query", max_rows=max_rows)


def _timed_out(timeout_s: float) -> QueryTimeoutError:
    return QueryTimeoutError(
        f"the query ran longer than {timeout_s:g}s and was stopped; narrow it or add LIMIT", timeout_s=timeout_s)


class _Cancelled(BaseException):
    """Raised inside an abandoned query thread; BaseException so engines do not swallow it."""


def _interrupt(thread: threading.Thread) -> None:
    import ctypes

    if thread.ident is not None:
        ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread.ident), ctypes.py_object(_Cancelled))


def _run_in_thread(store: Any, query: str, bindings: Any, timeout_s: float, max_rows: int) -> QueryResult:
    outcome: dict[str, Any] = {}
    cancel = threading.Event()

    def work() -> None:
        rows: Any = iter(())
        try:
            variables, rows = store.stream(query, bindings)
            collected = []
            for row in rows:
                if cancel.is_set():
                    return
                if len(collected) >= max_rows:
                    raise _too_large(max_rows)
                collected.append(row)
            outcome["result"] = QueryResult(variables, collected)
        except _Cancelled:
            return
        except BaseException as exc:  # handed to the caller's thread
            outcome["error"] = exc
        finally:
            # pyoxigraph result iterators must be dropped on the thread that made them
            close = getattr(rows, "close", None)
            if close:
                close()
            del rows

    worker = threading.Thread(target=work, name="sparql-query", daemon=True)
    worker.start()
    worker.join(timeout_s)
    if worker.is_alive():
        cancel.set()
        _interrupt(worker)  # stops Python-level engines (rdflib); native code runs on, see above
        raise _timed_out(timeout_s)
    if "error" in outcome:
        raise outcome["error"]
    return outcome["result"]


def _worker_main(path: str, conn: Any) -> None:
    """Child process: open the store read-only once, answer queries until told to stop."""
    from vawg_kg.queries.stores import OxigraphStore

    import pyoxigraph as ox

    store = OxigraphStore(ox.Store.read_only(path), path=Path(path), read_only=True)
    while True:
        try:
            message = conn.recv()
        except EOFError:
            return
        if message is None:
            return
        query, bindings, max_rows = message
        try:
            variables, rows = store.stream(query, bindings)
            conn.send(("vars", variables))
            batch: list[Any] = []
            count = 0
            for row in rows:
                if count >= max_rows:
                    conn.send(("too_large",))
                    break
                batch.append(row)
                count += 1
                if len(batch) >= 500:
                    conn.send(("rows", batch))
                    batch = []
            else:
                conn.send(("rows", batch))
                conn.send(("done",))
        except VawgError as exc:
            conn.send(("error", type(exc).__name__, exc.message, exc.details))
        except Exception as exc:
            conn.send(("error", "StoreError", f"query failed in the store: {exc}", {}))


class _Worker:
    """A ``python -m vawg_kg.queries.sparql_guard`` child talking over a socketpair.

    A plain subprocess rather than ``multiprocessing``: spawn re-imports the
    parent's ``__main__`` (scripts, uvicorn) and fork copies a threaded process.
    """

    def __init__(self, path: Path) -> None:
        import socket
        import subprocess
        import sys
        from multiprocessing.connection import Connection

        parent, child = socket.socketpair()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "vawg_kg.queries.sparql_guard", str(path), str(child.fileno())],
            pass_fds=(child.fileno(),), stdin=subprocess.DEVNULL)
        child.close()
        self.conn = Connection(parent.detach())

    def kill(self) -> None:
        self.process.kill()
        self.process.wait(5)
        self.conn.close()

    def close(self) -> None:
        try:
            self.conn.send(None)
            self.process.wait(2)
        except Exception:
            self.kill()


class ProcessPool:
    """Worker processes over one read-only Oxigraph folder; a worker past its deadline is killed."""

    def __init__(self, path: Path, size: int = 2) -> None:
        self.path = Path(path)
        self.size = size
        self._idle: queue.LifoQueue[_Worker] = queue.LifoQueue()
        self._slots = threading.Semaphore(size)

    def run(self, query: str, bindings: Any, timeout_s: float, max_rows: int) -> QueryResult:
        from vawg_kg import errors

        deadline = time.monotonic() + timeout_s
        if not self._slots.acquire(timeout=timeout_s):
            raise _timed_out(timeout_s)
        worker: _Worker | None = None
        try:
            try:
                worker = self._idle.get_nowait()
            except queue.Empty:
                worker = _Worker(self.path)
            worker.conn.send((query, dict(bindings or {}), max_rows))
            variables: list[str] = []
            rows: list[Any] = []
            while True:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or not worker.conn.poll(remaining):
                    worker.kill()
                    worker = None
                    raise _timed_out(timeout_s)
                message = worker.conn.recv()
                kind = message[0]
                if kind == "vars":
                    variables = message[1]
                elif kind == "rows":
                    rows.extend(message[1])
                elif kind == "done":
                    return QueryResult(variables, rows)
                elif kind == "too_large":
                    raise _too_large(max_rows)
                else:
                    cls = getattr(errors, message[1], StoreError)
                    raise cls(message[2], **(message[3] or {}))
        except (EOFError, OSError) as exc:
            if worker is not None:
                worker.kill()
                worker = None
            raise StoreError(f"the query worker process failed: {exc}") from exc
        finally:
            if worker is not None:
                self._idle.put(worker)
            self._slots.release()

    def close(self) -> None:
        while True:
            try:
                self._idle.get_nowait().close()
            except queue.Empty:
                return


_pools: dict[Path, ProcessPool] = {}
_pools_lock = threading.Lock()


def _pool_for(path: Path) -> ProcessPool:
    with _pools_lock:
        pool = _pools.get(path)
        if pool is None:
            pool = _pools[path] = ProcessPool(path)
        return pool


def run_guarded(store: Any, query: str, timeout_s: float = DEFAULT_TIMEOUT_S,
                max_rows: int = DEFAULT_MAX_ROWS, bindings: Any = None,
                allowed_graphs: Iterable[str] = (), isolation: str = "auto") -> QueryResult:
    """Check ``query`` with :func:`check_read_only`, then run it with a deadline and a row cap.

    ``isolation``: ``"process"`` (on-disk Oxigraph only), ``"thread"``, or
    ``"auto"`` (process when the store has an on-disk read-only folder).
    """
    parsed = check_read_only(query, allowed_graphs)
    try:
        return _run(store, query, timeout_s, max_rows, bindings, isolation)
    except (QueryParseError, StoreError) as exc:
        if parsed.algebra is None:
            raise explain_syntax_error(query, exc) from exc
        raise


def _run(store: Any, query: str, timeout_s: float, max_rows: int, bindings: Any, isolation: str) -> QueryResult:
    path = getattr(store, "path", None)
    use_process = isolation == "process" or (
        isolation == "auto" and path is not None and getattr(store, "read_only", False))
    if use_process:
        if path is None:
            raise StoreError("process isolation needs an on-disk Oxigraph store")
        return _pool_for(Path(path)).run(query, bindings, timeout_s, max_rows)
    return _run_in_thread(store, query, bindings, timeout_s, max_rows)


if __name__ == "__main__":
    import sys
    from multiprocessing.connection import Connection

    _worker_main(sys.argv[1], Connection(int(sys.argv[2])))
