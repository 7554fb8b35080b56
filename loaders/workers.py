"""The build's worker processes: documents done side by side, one per core.

Forked when the build starts (the parent is small then), so a worker holds one
document's work at a time and memory stays bounded whatever the corpus size. A
project error raised in a worker is raised again in the build as it was.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import multiprocessing
import os
import signal
import sys
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

from vawg_kg.errors import BuildError, VawgError

T = TypeVar("T")
R = TypeVar("R")
Progress = Callable[[str, int, int], None]  # (stage, done, total)


def worker_count() -> int:
    """One process per core, at most two by default (``VAWG_KG_BUILD_WORKERS`` overrides; 1 does the work
    in the build's own process)."""
    raw = os.environ.get("VAWG_KG_BUILD_WORKERS", "").strip()
    if raw:
        if not raw.isdigit() or int(raw) < 1:
            raise BuildError(f"VAWG_KG_BUILD_WORKERS={raw!r}: give a whole number of processes, 1 or more")
        return int(raw)
    return max(1, min(2, os.cpu_count() or 1))


_PR_SET_PDEATHSIG = 1  # prctl(2)


def die_with_parent(parent: int) -> None:
    """In a build's child process: killed when the build is (Linux's parent-death signal), so a build
    stopped with SIGKILL leaves no worker behind holding its memory."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the build died before the signal was set
        os._exit(1)


@dataclass(frozen=True)
class _Failure:
    cls: type[VawgError]
    message: str
    details: dict[str, Any]


def _call(func: Callable[[T], R], task: T) -> R | _Failure:
    """In the worker: the project's errors come back as data (their constructors take keywords,
    which pickling an exception loses)."""
    try:
        return func(task)
    except VawgError as exc:
        return _Failure(type(exc), exc.message, exc.details)


class Workers:
    """``map`` a picklable function over tasks in the worker processes, reporting progress."""

    def __init__(self, count: int) -> None:
        self._pool: ProcessPoolExecutor | None = None
        if count > 1 and "fork" in multiprocessing.get_all_start_methods():
            self._pool = ProcessPoolExecutor(count, mp_context=multiprocessing.get_context("fork"),
                                             initializer=die_with_parent, initargs=(os.getpid(),))

    def map(self, func: Callable[[T], R], tasks: Sequence[T], stage: str, progress: Progress | None) -> list[R]:
        total = len(tasks)
        if progress:
            progress(stage, 0, total)
        if self._pool is None:
            out = []
            for i, task in enumerate(tasks, start=1):
                out.append(func(task))
                if progress:
                    progress(stage, i, total)
            return out
        futures = [self._pool.submit(_call, func, task) for task in tasks]
        done_count = 0
        pending: set[Future[R | _Failure]] = set(futures)
        while pending:
            finished, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in finished:
                failure = future.result()
                if isinstance(failure, _Failure):
                    for other in pending:
                        other.cancel()
                    raise failure.cls(failure.message, **failure.details)
            done_count += len(finished)
            if progress:
                progress(stage, done_count, total)
        return [r for f in futures if not isinstance(r := f.result(), _Failure)]

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)


@contextmanager
def workers(count: int | None = None) -> Iterator[Workers]:
    pool = Workers(worker_count() if count is None else count)
    try:
        yield pool
    finally:
        pool.close()
