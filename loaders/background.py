"""Python's cyclic garbage collector paused while the build makes millions of objects."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic collector off while the build makes its records and indexes: it would
    walk millions of objects again and again. The worker processes collect their own
    garbage (:mod:`workers`)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.unfreeze()
        if was_enabled:
            gc.enable()
