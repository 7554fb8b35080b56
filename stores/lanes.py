"""Admission for queries: so many run at once, a bounded line waits, the rest are told when to retry.

One :class:`Lane` per kind of work (ad-hoc SPARQL, the API's own named queries,
Cypher), so that one kind cannot starve another. A request that would wait
beyond the line's length gets :class:`TooManyRequestsError` (429 with
``Retry-After``) at once; a waiting request gives up at its own deadline.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from vawg_kg.errors import TooManyRequestsError, VawgError


class Lane:
    def __init__(self, name: str, concurrency: int, queue: int) -> None:
        self.name = name
        self.concurrency = max(1, concurrency)
        self.queue = max(0, queue)
        self._running = 0
        self._waiting = 0
        self._cond = threading.Condition()

    def acquire(self, deadline: float, timed_out: Callable[[], VawgError], retry_after_s: int) -> None:
        """Take a place before ``deadline`` (monotonic), else raise ``timed_out()``; 429 when the line is full."""
        with self._cond:
            if self._running < self.concurrency:
                self._running += 1
                return
            if self._waiting >= self.queue:
                raise TooManyRequestsError(
                    f"the {self.name} lane is full ({self._running} running, {self._waiting} waiting); "
                    f"retry in {retry_after_s}s", retry_after_s=retry_after_s, lane=self.name,
                    running=self._running, waiting=self._waiting)
            self._waiting += 1
            try:
                while self._running >= self.concurrency:
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        raise timed_out()
                    self._cond.wait(remaining)
                self._running += 1
            finally:
                self._waiting -= 1

    def release(self) -> None:
        with self._cond:
            self._running -= 1
            self._cond.notify()

    def status(self) -> dict[str, Any]:
        with self._cond:
            return {"concurrency": self.concurrency, "running": self._running, "waiting": self._waiting,
                    "queue_limit": self.queue}


class AsyncLane:
    """The same admission as :class:`Lane` for callers on one asyncio event loop (no thread hop).

    Waiters are futures in arrival order; ``release`` hands the freed place to the first one
    still waiting. All methods run on the loop's thread, so no lock is needed.
    """

    def __init__(self, name: str, concurrency: int, queue: int) -> None:
        self.name = name
        self.concurrency = max(1, concurrency)
        self.queue = max(0, queue)
        self._running = 0
        self._waiters: deque[asyncio.Future[None]] = deque()

    async def acquire(self, deadline: float, timed_out: Callable[[], VawgError], retry_after_s: int) -> None:
        if self._running < self.concurrency and not self._waiters:
            self._running += 1
            return
        if len(self._waiters) >= self.queue:
            raise TooManyRequestsError(
                f"the {self.name} lane is full ({self._running} running, {len(self._waiters)} waiting); "
                f"retry in {retry_after_s}s", retry_after_s=retry_after_s, lane=self.name,
                running=self._running, waiting=len(self._waiters))
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            await asyncio.wait_for(asyncio.shield(waiter), max(0.0, deadline - time.monotonic()))
        except (asyncio.TimeoutError, asyncio.CancelledError):
            if waiter.done() and not waiter.cancelled():
                self.release()  # the place was handed over just as the wait ended: pass it on
            else:
                waiter.cancel()
                with contextlib.suppress(ValueError):
                    self._waiters.remove(waiter)
            if asyncio.current_task() is not None and asyncio.current_task().cancelling():  # type: ignore[union-attr]
                raise
            raise timed_out() from None

    def release(self) -> None:
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)  # the place passes straight to the waiter: _running unchanged
                return
        self._running -= 1

    def status(self) -> dict[str, Any]:
        return {"concurrency": self.concurrency, "running": self._running, "waiting": len(self._waiters),
                "queue_limit": self.queue}
