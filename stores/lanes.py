"""Admission for queries: so many run at once, a bounded line waits, the rest are told when to retry.

One :class:`Lane` per kind of work (ad-hoc SPARQL, the API's own named queries,
Cypher), so that one kind cannot starve another. A request that would wait
beyond the line's length gets :class:`TooManyRequestsError` (429 with
``Retry-After``) at once; a waiting request gives up at its own deadline.
"""

from __future__ import annotations

import threading
import time
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
