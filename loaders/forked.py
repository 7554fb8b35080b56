"""Run one piece of the build in a forked child process that exits when it is done.

For work whose memory peaks and then is no longer needed (the overlap model of a large
corpus): the child reads the parent's data through fork (no copy, no pickling of the
input), returns a small answer through a pipe, and gives its memory back to the system
when it exits. A project error raised in the child is raised again in the parent.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any, TypeVar

from vawg_kg.errors import BuildError, VawgError
from vawg_kg.loaders.workers import die_with_parent

R = TypeVar("R")


def _child(conn: Connection, func: Callable[[], Any], parent: int) -> None:
    die_with_parent(parent)
    try:
        conn.send_bytes(pickle.dumps(("ok", func()), protocol=pickle.HIGHEST_PROTOCOL))
    except VawgError as exc:
        conn.send_bytes(pickle.dumps(("error", (type(exc), exc.message, exc.details))))
    except OSError as exc:  # a full disk, say: the build turns it into its own message
        conn.send_bytes(pickle.dumps(("oserror", (exc.errno, exc.strerror, exc.filename))))
    except BaseException as exc:  # noqa: BLE001 - reported to the parent as a build error
        conn.send_bytes(pickle.dumps(("error", (BuildError, f"{type(exc).__name__}: {exc}", {}))))
    finally:
        conn.close()


def run_forked(func: Callable[[], R]) -> R:
    """``func()`` in a forked child (in this process where fork is not available)."""
    if "fork" not in multiprocessing.get_all_start_methods():
        return func()
    ctx = multiprocessing.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    process = ctx.Process(target=_child, args=(child, func, os.getpid()), daemon=True)
    process.start()
    child.close()
    try:
        payload = parent.recv_bytes()
    except EOFError:
        process.join()
        raise BuildError(f"a build process died before it answered (exit code {process.exitcode}); "
                         "if it ran out of memory, build on a machine with more, or fewer documents at once") from None
    finally:
        parent.close()
    process.join()
    status, value = pickle.loads(payload)
    if status == "oserror":
        raise OSError(*value)
    if status == "error":
        cls, message, details = value
        raise cls(message, **details)
    answer: R = value
    return answer
