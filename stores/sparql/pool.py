"""Running checked SPARQL: sandboxed worker processes in lanes, with deadlines, row and byte caps.

An on-disk Oxigraph store is queried by :class:`WorkerPool`: each worker is a
``stores.sparql.worker`` child (no network, capped heap) that is killed when
a request passes its deadline — pyoxigraph cannot cancel a running query.
A pool is a *lane*: a fixed number of workers and a bounded waiting line;
when both are full the caller gets 429 at once instead of queueing behind
slow queries. The API keeps one lane for ad-hoc ``/sparql`` and another for
its own named queries, ``/gaps`` and ``/id``, so the first cannot starve the
second.

Other stores (rdflib, in-memory Oxigraph: tests and the CLI on small files)
run in a daemon thread: at the deadline the caller gets its error on time and
the thread is sent an asynchronous exception, which stops rdflib's Python
engine at its next bytecode (native pyoxigraph evaluation runs on).
"""

from __future__ import annotations

import asyncio
import ctypes
import logging
import os
import pickle
import queue
import struct
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import IO, Any

from vawg_kg import errors
from vawg_kg.errors import QueryTimeoutError, ResultTooLargeError, StoreError, StoreUnavailableError, VawgError
from vawg_kg.stores.results import QueryResult
from vawg_kg.stores.sparql.guard import check_read_only, explain_syntax_error, normalise
from vawg_kg.stores.sparql.worker import WorkRequest, too_many_rows
from vawg_kg.stores.lanes import AsyncLane, Lane

log = logging.getLogger("vawg_kg.queries")

DEFAULT_TIMEOUT_S = 30.0
DEFAULT_MAX_ROWS = 10_000
DEFAULT_WORKER_MEMORY = 2 * 1024 * 1024 * 1024
WORKER_START_TIMEOUT_S = 60.0
RETRY_AFTER_S = 2


@dataclass(frozen=True)
class Document:
    """A finished SPARQL answer: the query form, the format it is written in, and its bytes."""

    form: str
    format: str
    body: bytes


def timed_out(timeout_s: float) -> QueryTimeoutError:
    return QueryTimeoutError(
        f"the query ran longer than {timeout_s:g}s and was stopped; narrow it or add LIMIT", timeout_s=timeout_s)


def _read_output(handle: IO[bytes], limit: int = 64 * 1024) -> str:
    handle.seek(0)
    return handle.read(limit).decode("utf-8", "replace").strip()


def _exit_status(process: subprocess.Popen[bytes]) -> int | None:
    """The exit status of a worker whose connection just broke (it may take a moment to be reaped)."""
    try:
        return process.wait(2)
    except subprocess.TimeoutExpired:
        return None


class _Worker:
    """One ``python -P -m vawg_kg.stores.sparql.worker`` child, talking over a socket pair.

    A plain subprocess rather than ``multiprocessing``: spawn re-imports the
    parent's ``__main__`` (scripts, uvicorn) and fork copies a threaded process.
    Its error output goes to a temporary file, so a child that dies says why.
    """

    def __init__(self, store_dir: Path, memory_bytes: int) -> None:
        parent, child = socket.socketpair()
        self.stderr = tempfile.TemporaryFile()
        self.process = subprocess.Popen(
            [sys.executable, "-P", "-m", "vawg_kg.stores.sparql.worker", str(store_dir), str(child.fileno()),
             str(memory_bytes)],
            pass_fds=(child.fileno(),), stdin=subprocess.DEVNULL, stdout=self.stderr, stderr=self.stderr,
            env={**os.environ, "RUST_BACKTRACE": "0"})  # an allocation failure then says so in one line
        child.close()
        self.conn = Connection(parent.detach())
        self._sock: socket.socket | None = None
        self.layers = self._handshake()

    def sock(self) -> socket.socket:
        """The connection as a non-blocking socket for an event loop (same framing as ``Connection``)."""
        if self._sock is None:
            self._sock = socket.socket(fileno=os.dup(self.conn.fileno()))
            self._sock.setblocking(False)
        return self._sock

    async def send_async(self, message: Any) -> None:
        data = pickle.dumps(message, pickle.HIGHEST_PROTOCOL)
        size = len(data)
        header = struct.pack("!i", size) if size <= 0x7FFFFFFF else struct.pack("!iQ", -1, size)
        await asyncio.get_running_loop().sock_sendall(self.sock(), header + data)

    async def recv_async(self) -> Any:
        size, = struct.unpack("!i", await self._read(4))
        if size == -1:
            size, = struct.unpack("!Q", await self._read(8))
        return pickle.loads(await self._read(size))

    async def _read(self, size: int) -> bytes:
        loop = asyncio.get_running_loop()
        buffer = bytearray(size)
        view = memoryview(buffer)
        got = 0
        while got < size:
            n = await loop.sock_recv_into(self.sock(), view[got:])
            if n == 0:
                raise EOFError("the worker closed its connection")
            got += n
        return bytes(buffer)

    def _handshake(self) -> list[str]:
        try:
            if not self.conn.poll(WORKER_START_TIMEOUT_S):
                raise EOFError("no answer")
            message = self.conn.recv()
        except (EOFError, OSError) as exc:
            self.kill()
            raise StoreUnavailableError(
                f"the SPARQL worker process did not start ({exc or 'it exited'}); its error output: "
                f"{self.error_output()[-600:] or '(none)'}", internal=self.error_output()) from exc
        if message[0] != "ready":
            self.kill()
            raise StoreUnavailableError(f"the SPARQL worker process could not start: {message[1]}",
                                        internal=self.error_output())
        return list(message[1])

    def error_output(self) -> str:
        return _read_output(self.stderr)

    def kill(self) -> None:
        self.process.kill()
        self.process.wait(5)
        self._close_files()

    def _close_files(self) -> None:
        if self._sock is not None:
            self._sock.close()
        self.conn.close()
        self.stderr.close()

    def close(self) -> None:
        try:
            self.conn.send(None)
            self.process.wait(2)
            self._close_files()
        except (OSError, subprocess.TimeoutExpired):
            self.kill()


class WorkerPool:
    """A lane of sandboxed workers over one read-only Oxigraph folder."""

    def __init__(self, store_dir: Path, workers: int = 2, queue_limit: int = 8,
                 memory_bytes: int = DEFAULT_WORKER_MEMORY, name: str = "sparql") -> None:
        self.store_dir = Path(store_dir)
        self.workers = max(1, workers)
        self.queue_limit = max(0, queue_limit)
        self.memory_bytes = memory_bytes
        self.name = name
        self._idle: queue.LifoQueue[_Worker] = queue.LifoQueue()
        self.lane = Lane(name, self.workers, self.queue_limit)
        self.async_lane = AsyncLane(name, self.workers, self.queue_limit)
        self.layers: list[str] = []

    def status(self) -> dict[str, Any]:
        lane = self.lane.status()
        if not lane["running"] and not lane["waiting"]:
            lane = self.async_lane.status()
        return {**lane, "sandbox": list(self.layers)}

    # --- running ---------------------------------------------------------------------
    def run(self, request: WorkRequest, timeout_s: float) -> QueryResult | Document:
        """The worker's answer to ``request`` within ``timeout_s`` (waiting for a worker included)."""
        deadline = time.monotonic() + timeout_s
        self.lane.acquire(deadline, lambda: timed_out(timeout_s), RETRY_AFTER_S)
        worker: _Worker | None = None
        try:
            try:
                worker = self._idle.get_nowait()
            except queue.Empty:
                worker = _Worker(self.store_dir, self.memory_bytes)
                self.layers = worker.layers
            worker.conn.send(request)
            return self._collect(worker, request, deadline, timeout_s)
        except (QueryTimeoutError, EOFError, OSError) as exc:
            if worker is not None:
                returncode = None if isinstance(exc, QueryTimeoutError) else _exit_status(worker.process)
                output = worker.error_output() if returncode is not None else ""
                worker.kill()
                worker = None
                if isinstance(exc, QueryTimeoutError):
                    raise
                raise self._death(output, returncode) from exc
            raise
        finally:
            if worker is not None:
                self._idle.put(worker)
            self.lane.release()

    def _death(self, output: str, returncode: int | None) -> VawgError:
        if returncode == -signal.SIGABRT or "memory allocation" in output or "MemoryError" in output or "out of memory" in output:
            return ResultTooLargeError(
                f"the query needed more memory than a query worker may use ({self.memory_bytes // 2**20} MiB); "
                "narrow it or add LIMIT", max_memory_bytes=self.memory_bytes, internal=output)
        return StoreError("the query worker process stopped while running the query", internal=output)

    def _collect(self, worker: _Worker, request: WorkRequest, deadline: float,
                 timeout_s: float) -> QueryResult | Document:
        answer = _Answer(request)
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not worker.conn.poll(remaining):
                raise timed_out(timeout_s)
            done = answer.take(worker.conn.recv())
            if done is not None:
                return done

    async def run_async(self, request: WorkRequest, timeout_s: float) -> QueryResult | Document:
        """:meth:`run` for a caller on an event loop: no thread hop, the worker's socket read by the loop.

        A pool is driven either by :meth:`run` or by this, not both (each has its own lane).
        A request cancelled mid-query (the client went away) kills its worker, like a timeout.
        """
        loop = asyncio.get_running_loop()
        deadline = time.monotonic() + timeout_s
        await self.async_lane.acquire(deadline, lambda: timed_out(timeout_s), RETRY_AFTER_S)
        worker: _Worker | None = None
        try:
            try:
                worker = self._idle.get_nowait()
            except queue.Empty:
                worker = await loop.run_in_executor(None, _Worker, self.store_dir, self.memory_bytes)
                self.layers = worker.layers
            answer = _Answer(request)
            try:
                # one timer for the whole exchange (the loop's clock is monotonic too)
                async with asyncio.timeout_at(loop.time() + deadline - time.monotonic()):
                    await worker.send_async(request)
                    while True:
                        done = answer.take(await worker.recv_async())
                        if done is not None:
                            return done
            except TimeoutError:
                raise timed_out(timeout_s) from None
        except (QueryTimeoutError, EOFError, OSError, asyncio.CancelledError) as exc:
            if worker is not None:
                broken = isinstance(exc, (EOFError, OSError))
                returncode = await loop.run_in_executor(None, _exit_status, worker.process) if broken else None
                output = worker.error_output() if returncode is not None else ""
                worker.kill()
                worker = None
                if broken:
                    raise self._death(output, returncode) from exc
            raise
        finally:
            if worker is not None:
                self._idle.put(worker)
            self.async_lane.release()

    def close(self) -> None:
        while True:
            try:
                self._idle.get_nowait().close()
            except queue.Empty:
                return


class _Answer:
    """A worker's answer to one request, assembled from its messages (one protocol for both ways of running)."""

    def __init__(self, request: WorkRequest) -> None:
        self.request = request
        self.variables: list[str] = []
        self.rows: list[Any] = []

    def take(self, message: Any) -> QueryResult | Document | None:
        """The finished answer, None while more messages are due; raises the worker's error."""
        kind = message[0]
        if kind == "vars":
            self.variables = message[1]
        elif kind == "rows":
            self.rows.extend(message[1])
            if len(self.rows) > self.request.max_rows:  # the worker stops first; this is the second lock
                raise too_many_rows(self.request.max_rows)
        elif kind == "done":
            return QueryResult(self.variables, self.rows)
        elif kind == "document":
            if len(message[3]) > self.request.max_bytes:
                raise ResultTooLargeError(f"the answer is larger than {self.request.max_bytes} bytes",
                                          max_bytes=self.request.max_bytes)
            return Document(message[1], message[2], message[3])
        else:
            _, name, text, details, internal = message
            cls = getattr(errors, name, None)
            if not (isinstance(cls, type) and issubclass(cls, VawgError)):
                cls = StoreError
            raise cls(text, internal=internal, **(details or {}))
        return None


# --- the CLI's and tests' entry point ------------------------------------------------

_default_pools: dict[Path, WorkerPool] = {}
_default_pools_lock = threading.Lock()


def default_pool(store_dir: Path) -> WorkerPool:
    """One small lane per store folder for callers without their own (the CLI)."""
    with _default_pools_lock:
        pool = _default_pools.get(store_dir)
        if pool is None:
            pool = _default_pools[store_dir] = WorkerPool(store_dir, workers=2, name="sparql")
        return pool


class _Cancelled(BaseException):
    """Raised inside an abandoned query thread; BaseException so engines do not swallow it."""


def _interrupt(thread: threading.Thread) -> None:
    if thread.ident is not None:
        ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread.ident), ctypes.py_object(_Cancelled))


def _run_in_thread(store: Any, query: str, bindings: Any, timeout_s: float, max_rows: int) -> QueryResult:
    outcome: dict[str, Any] = {}
    cancel = threading.Event()

    def work() -> None:
        rows: Any = iter(())
        try:
            variables, rows = store.stream(query, bindings)
            collected: list[Any] = []
            for row in rows:
                if cancel.is_set():
                    return
                if len(collected) >= max_rows:
                    raise too_many_rows(max_rows)
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
        raise timed_out(timeout_s)
    if "error" in outcome:
        raise outcome["error"]
    result: QueryResult = outcome["result"]
    return result


def run_guarded(store: Any, query: str, timeout_s: float = DEFAULT_TIMEOUT_S,
                max_rows: int = DEFAULT_MAX_ROWS, bindings: Any = None,
                allowed_graphs: Iterable[str] = (), isolation: str = "auto",
                pool: WorkerPool | None = None) -> QueryResult:
    """Check ``query`` (made canonical first) and run it with a deadline and a row cap.

    ``isolation``: ``"process"`` (on-disk Oxigraph only: a sandboxed worker of
    ``pool`` or of the folder's default lane), ``"thread"``, or ``"auto"``
    (process when the store has an on-disk read-only folder).
    """
    text = normalise(query)
    path = getattr(store, "path", None)
    use_process = isolation == "process" or (
        isolation == "auto" and path is not None and getattr(store, "read_only", False))
    if use_process:
        if path is None:
            raise StoreError("process isolation needs an on-disk Oxigraph store")
        lane = pool or default_pool(Path(path))
        request = WorkRequest(text, dict(bindings or {}), max_rows, allowed_graphs=tuple(sorted(set(allowed_graphs))))
        result = lane.run(request, timeout_s)
        assert isinstance(result, QueryResult)
        return result
    parsed = check_read_only(text, allowed_graphs)
    try:
        return _run_in_thread(store, text, bindings, timeout_s, max_rows)
    except (errors.QueryParseError, StoreError) as exc:
        if not parsed.parsed:
            raise explain_syntax_error(text, exc) from exc
        raise


__all__ = ["Document", "WorkerPool", "WorkRequest", "default_pool", "run_guarded", "timed_out"]
