"""Run a check in a forked child process while the parent goes on working.

The build validates the graph (pyshacl, CPU-bound) while it serialises and
loads the store into the staging folder; on a 2-core machine the two overlap.
The child inherits the graph through fork (no copy, no pickling); only the
raised project error, if any, comes back through a pipe.
"""

from __future__ import annotations

import gc
import multiprocessing
import pickle
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from multiprocessing.connection import Connection
from typing import Any

from vawg_kg.errors import BuildError, ValidationError, VawgError
from vawg_kg.ontology.validate import violation_error


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic collector off while a large graph is built, and the objects made so
    far frozen (:func:`gc.freeze`) when a check forks: the collector no longer walks
    millions of rdflib terms again and again, and the children do not write to the
    parent's pages (copy-on-write stays shared). As the :mod:`gc` documentation advises
    for processes that fork."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.unfreeze()
        if was_enabled:
            gc.enable()


def _child(conn: Connection, func: Callable[..., None], args: tuple[Any, ...]) -> None:
    gc.enable()  # for the child's own garbage; the parent's objects are frozen
    try:
        func(*args)
        conn.send(None)
    except VawgError as exc:
        conn.send(pickle.dumps((type(exc), exc.message, exc.details)))
    except BaseException as exc:  # noqa: BLE001 - reported to the parent as a build error
        conn.send(pickle.dumps((BuildError, f"{type(exc).__name__}: {exc}", {})))
    finally:
        conn.close()


class BackgroundCheck:
    """``start()`` the check, do other work, then ``result()`` re-raises its error here."""

    def __init__(self, func: Callable[..., None], *args: Any) -> None:
        self._func = func
        self._args = args
        self._process: Any = None
        self._conn: Connection | None = None

    def start(self) -> BackgroundCheck:
        if "fork" not in multiprocessing.get_all_start_methods():
            return self  # run inline in result()
        gc.freeze()
        ctx = multiprocessing.get_context("fork")
        parent, child = ctx.Pipe(duplex=False)
        self._process = ctx.Process(target=_child, args=(child, self._func, self._args), daemon=True)
        self._process.start()
        child.close()
        self._conn = parent
        return self

    def result(self) -> None:
        if self._process is None:
            self._func(*self._args)
            return
        assert self._conn is not None
        try:
            payload = self._conn.recv()
        except EOFError:
            payload = pickle.dumps((BuildError, "the validation process died before reporting", {}))
        self._process.join()
        if payload is not None:
            cls, message, details = pickle.loads(payload)
            raise cls(message, **details)

    def cancel(self) -> None:
        if self._process is not None and self._process.is_alive():
            self._process.kill()
            self._process.join()


class BackgroundChecks:
    """Several checks side by side; ``result()`` waits for all of them.

    Validation errors from several checks become one error listing every violation;
    any other error is raised as it comes, after the remaining checks are stopped.
    """

    def __init__(self, jobs: list[tuple[Callable[..., None], tuple[Any, ...]]]) -> None:
        self._checks = [BackgroundCheck(func, *args) for func, args in jobs]

    def start(self) -> BackgroundChecks:
        for check in self._checks:
            check.start()
        return self

    def result(self) -> None:
        failed: list[ValidationError] = []
        try:
            for check in self._checks:
                try:
                    check.result()
                except ValidationError as exc:
                    failed.append(exc)
        except BaseException:
            self.cancel()
            raise
        if len(failed) == 1:
            raise failed[0]
        if failed:
            raise violation_error(v for exc in failed for v in exc.details.get("violations", []))

    def cancel(self) -> None:
        for check in self._checks:
            check.cancel()
