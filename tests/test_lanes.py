"""Admission on the event loop (stores.lanes.AsyncLane): the same rules as the threaded Lane."""

from __future__ import annotations

import asyncio
import time

import pytest

from vawg_kg.errors import QueryTimeoutError, TooManyRequestsError
from vawg_kg.stores.lanes import AsyncLane


def _timed_out() -> QueryTimeoutError:
    return QueryTimeoutError("waited too long", timeout_s=0.2)


def test_runs_so_many_queues_so_many_refuses_the_rest() -> None:
    async def scenario() -> None:
        lane = AsyncLane("t", concurrency=2, queue=1)
        deadline = time.monotonic() + 5
        await lane.acquire(deadline, _timed_out, 2)
        await lane.acquire(deadline, _timed_out, 2)
        waiting = asyncio.ensure_future(lane.acquire(deadline, _timed_out, 2))
        await asyncio.sleep(0)
        assert lane.status() == {"concurrency": 2, "running": 2, "waiting": 1, "queue_limit": 1}
        with pytest.raises(TooManyRequestsError) as refused:
            await lane.acquire(deadline, _timed_out, 2)
        assert refused.value.details["retry_after_s"] == 2
        lane.release()  # the place passes to the waiter, in order
        await asyncio.wait_for(waiting, 1)
        assert lane.status()["running"] == 2 and lane.status()["waiting"] == 0
        lane.release()
        lane.release()
        assert lane.status()["running"] == 0

    asyncio.run(scenario())


def test_a_waiter_gives_up_at_its_deadline_and_leaks_no_place() -> None:
    async def scenario() -> None:
        lane = AsyncLane("t", concurrency=1, queue=4)
        await lane.acquire(time.monotonic() + 5, _timed_out, 2)
        with pytest.raises(QueryTimeoutError):
            await lane.acquire(time.monotonic() + 0.2, _timed_out, 2)
        assert lane.status()["waiting"] == 0
        lane.release()
        assert lane.status()["running"] == 0
        await asyncio.wait_for(lane.acquire(time.monotonic() + 1, _timed_out, 2), 1)  # free again
        assert lane.status()["running"] == 1

    asyncio.run(scenario())


def test_a_cancelled_waiter_is_cancelled_not_timed_out() -> None:
    async def scenario() -> None:
        lane = AsyncLane("t", concurrency=1, queue=4)
        await lane.acquire(time.monotonic() + 5, _timed_out, 2)
        waiter = asyncio.ensure_future(lane.acquire(time.monotonic() + 5, _timed_out, 2))
        await asyncio.sleep(0.05)
        waiter.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiter
        assert lane.status()["waiting"] == 0
        lane.release()
        assert lane.status()["running"] == 0

    asyncio.run(scenario())
